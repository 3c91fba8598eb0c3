"""Exceptions and warnings raised by the DfE/Ofsted loaders."""

from __future__ import annotations

from pathlib import Path


class DfeDataError(Exception):
    """Base class for every problem with a DfE or Ofsted input file."""

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = None if path is None else Path(path)
        super().__init__(message)


class DfeLayoutError(DfeDataError):
    """A file does not have the declared layout (missing or unexpected columns, bad values)."""

    def __init__(self, path, missing=(), unexpected=(), detail: str = ""):
        self.missing = sorted(missing)
        self.unexpected = sorted(unexpected)
        parts = [f"{Path(path).name}: unknown layout"]
        if self.missing:
            parts.append(f"missing columns {self.missing}")
        if self.unexpected:
            parts.append(f"unexpected columns {self.unexpected}")
        if detail:
            parts.append(detail)
        super().__init__("; ".join(parts) + f" (file: {path})", path)


class DfeDuplicateError(DfeDataError):
    """Two rows of one file share a key (LA x year x category) but carry different values."""


class DfeEmptyFileError(DfeDataError):
    """The file is empty (0 bytes, or a header without rows)."""


class DfeFormatError(DfeDataError):
    """The file is of the wrong kind, e.g. a spreadsheet where a CSV is expected."""


class DfeManifestError(DfeDataError):
    """Files listed in the manifest are missing from the data folder."""

    def __init__(self, message, missing=()):
        self.missing = list(missing)
        super().__init__(message)


class DfeLayoutWarning(UserWarning):
    """A file has extra columns beyond the declared schema (accepted, but reported)."""


class DfeChecksumWarning(UserWarning):
    """A file exists but its SHA-256 differs from the manifest (e.g. a newer release)."""
