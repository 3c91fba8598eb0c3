"""Building the book: the executor's helpers (recording the data files a chapter reads, the
build-status page, finishing the rendered site)."""
