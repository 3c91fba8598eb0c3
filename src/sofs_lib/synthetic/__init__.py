"""Every data generator of the book (synthetic data: illustrates methods, never evidence)."""
