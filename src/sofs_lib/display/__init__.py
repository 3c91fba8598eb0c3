"""Showing results to the reader: tables, provenance, figures, generated sentences."""
