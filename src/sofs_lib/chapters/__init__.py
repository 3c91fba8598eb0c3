"""Each chapter's own logic, one folder per chapter (folder = chapter name without its number)."""
