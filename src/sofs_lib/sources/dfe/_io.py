"""Low-level reading helpers shared by the loaders: format sniffing, BOM, suppression codes."""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pa_errors

from sofs_lib.sources.dfe.errors import (
    DfeDuplicateError,
    DfeEmptyFileError,
    DfeFormatError,
    DfeLayoutError,
    DfeLayoutWarning,
)

#: DfE/ONS/Ofsted symbols for values that are not available. All map to missing.
#: x = not applicable / suppressed (older releases); c = confidential (suppressed);
#: z = not applicable; u = low reliability; k = fewer than 0.5 (rounds to 0);
#: low = value below 0.5 (LAIT); .. and : = not available; - = not collected (LAIT);
#: ~ = positive but rounds to 0 (EES); NA/n/a = blank. "k" and "~" are treated as missing as
#: well (we never impute 0 silently); the counts say how many there were.
SUPPRESSION_CODES: tuple[str, ...] = (
    "x",
    "c",
    "z",
    "u",
    "k",
    "~",
    "..",
    ".",
    ":",
    "-",
    "*",
    "low",
    "NA",
    "N/A",
    "n/a",
    "na",
    "#N/A",
    "DIV/0",
    "#DIV/0!",
    "NULL",
    "null",
    "nan",
)
_SUPP_LOWER = {s.lower() for s in SUPPRESSION_CODES}
#: suffix of the column holding each suppressed cell's code (see :func:`to_numeric_with_codes`)
CODE_SUFFIX = "__code"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"


def sniff(path: Path) -> str:
    """Return 'empty', 'zip' (xlsx/ods), 'ole' (xls), 'parquet' or 'text'."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if path.stat().st_size == 0:
        return "empty"
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    return "text"


def read_csv_text(path: Path, encodings=("utf-8-sig", "cp1252", "latin-1")) -> pd.DataFrame:
    """Read a CSV entirely as strings. Refuses spreadsheets and empty files with clear errors.

    The UTF-8 byte-order mark is removed (``utf-8-sig``) and header names are stripped of
    surrounding whitespace and any stray BOM.
    """
    path = Path(path)
    kind = sniff(path)
    if kind == "empty":
        raise DfeEmptyFileError(f"{path.name}: file is empty (0 bytes) (file: {path})", path)
    if kind in ("zip", "ole"):
        raise DfeFormatError(
            f"{path.name}: expected a CSV text file but this is a spreadsheet "
            f"({'xlsx/ods zip container' if kind == 'zip' else 'legacy .xls'}); "
            f"export the relevant sheet as CSV or use the loader for spreadsheets (file: {path})",
            path,
        )
    if kind == "parquet":
        raise DfeFormatError(f"{path.name}: expected a CSV but this is a Parquet file (file: {path})", path)
    raw = path.read_bytes()
    if not raw.strip(b"\xef\xbb\xbf \r\n\t"):
        raise DfeEmptyFileError(f"{path.name}: file contains no data (file: {path})", path)
    last = None
    for enc in encodings:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError as e:  # pragma: no cover - latin-1 always decodes
            last = e
    else:  # pragma: no cover
        raise DfeFormatError(f"{path.name}: cannot decode text ({last})", path)
    if "\x00" in text[:4096]:
        raise DfeFormatError(f"{path.name}: binary content where a CSV is expected (file: {path})", path)
    check_complete_rows(text, path)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise DfeEmptyFileError(f"{path.name}: file contains no data (file: {path})", path) from None
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    if len(df) == 0:
        raise DfeEmptyFileError(f"{path.name}: header only, no data rows (file: {path})", path)
    return df


def check_complete_rows(text: str, path: Path) -> None:
    """Refuse a truncated or ragged CSV: every row must have as many fields as the header and
    the file must end with a line break (every DfE/ONS release does; a file cut short does not).
    Raises :class:`DfeFormatError` naming the file, the rule and an example row."""
    path = Path(path)
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows)
    except StopIteration:  # pragma: no cover - empty text is caught before
        return
    width = len(header)
    for rec in rows:
        if not rec or (len(rec) == 1 and rec[0].strip() == ""):
            continue
        if len(rec) != width:
            line = rows.line_num
            example = ",".join(rec)[:120]
            raise DfeFormatError(
                f"{path.name}: ragged or truncated file: line {line} has {len(rec)} fields, the "
                f"header has {width} (rule: every row has the header's number of fields); "
                f"example row: {example!r} (file: {path})",
                path,
            )
    if not text.endswith(("\n", "\r")):
        last = text.rstrip().splitlines()[-1][:120]
        raise DfeFormatError(
            f"{path.name}: truncated file: it does not end with a line break (rule: a complete "
            f"release ends with one); last row: {last!r} (file: {path})",
            path,
        )


def check_columns(df: pd.DataFrame, path: Path, required, optional=(), strict: bool = False) -> list[str]:
    """Raise :class:`DfeLayoutError` if required columns are missing; warn on extra columns.

    Returns the list of unexpected (extra) columns. With ``strict=True`` extra columns are an error.
    """
    cols = set(df.columns)
    missing = [c for c in required if c not in cols]
    known = set(required) | set(optional)
    extra = [c for c in df.columns if c not in known]
    if missing or (strict and extra):
        raise DfeLayoutError(path, missing=missing, unexpected=extra)
    if extra:
        warnings.warn(
            f"{Path(path).name}: extra columns not in the declared schema were kept: {extra}",
            DfeLayoutWarning,
            stacklevel=3,
        )
    return extra


def to_numeric_with_codes(df: pd.DataFrame, columns, path=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert ``columns`` to floats, mapping suppression codes to NaN.

    Returns the converted frame and a tidy count table (column, code, count); the code of each
    suppressed cell is kept in a column ``<column>__code`` (missing where there is a value).
    Any other
    non-numeric text raises :class:`DfeLayoutError` naming the column and examples, since it
    means the layout is not what we think it is.
    """
    out = df.copy()
    records = []
    converted = {}
    codes = {}
    for col in columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s):
            continue
        txt = s.astype("string").str.strip()
        txt = txt.str.replace(",", "", regex=False)  # thousands separators
        txt = txt.str.replace("%", "", regex=False)
        is_blank = txt.isna() | (txt == "")
        low = txt.str.lower()
        is_code = low.isin(_SUPP_LOWER).fillna(False) & ~is_blank
        num = pd.to_numeric(txt.where(~(is_code | is_blank)), errors="coerce")
        bad = num.isna() & ~is_code & ~is_blank
        if bad.any():
            examples = sorted(set(txt[bad].astype(str)))[:5]
            raise DfeLayoutError(path or "<frame>", detail=f"column {col!r} has non-numeric values {examples}")
        if is_code.any():
            vc = txt[is_code].value_counts()
            for code, n in vc.items():
                records.append({"column": col, "code": str(code), "count": int(n)})
        converted[col] = num.astype("float64")
        codes[col + CODE_SUFFIX] = txt.where(is_code).astype("string")
    if converted:
        out = pd.concat([out.drop(columns=list(converted)), pd.DataFrame(converted, index=out.index)], axis=1)
        out = out[list(df.columns)]
        out = pd.concat([out, pd.DataFrame(codes, index=out.index)], axis=1)
    counts = pd.DataFrame(records, columns=["column", "code", "count"])
    return out, counts


def check_duplicate_keys(df: pd.DataFrame, keys, value_cols, path, where=None) -> pd.DataFrame:
    """Refuse conflicting duplicates; drop exact ones (counted in ``attrs['dropped_duplicates']``).

    Rows selected by ``where`` (default: all) that share ``keys`` must carry identical values in
    ``value_cols``; otherwise :class:`DfeDuplicateError` names the file, the key and an example.
    """
    sel = df if where is None else df[where]
    keys = [k for k in keys if k in sel.columns]
    if not len(sel):
        df.attrs["dropped_duplicates"] = 0
        return df
    kf = sel[keys].astype("string").fillna("<NA>")
    dup = kf.duplicated(keep=False)
    if not dup.any():
        df.attrs["dropped_duplicates"] = 0
        return df
    cols = keys + [c for c in value_cols if c in sel.columns]
    d = sel.loc[dup, cols].astype("string").fillna("<NA>")
    n_distinct = d.drop_duplicates().groupby(keys, dropna=False).size()
    conflict = n_distinct[n_distinct > 1]
    if len(conflict):
        key = conflict.index[0]
        key = key if isinstance(key, tuple) else (key,)
        mask = (d[keys] == pd.Series(key, index=keys)).all(axis=1)
        ex = d[mask].drop_duplicates().head(2)
        diff = [c for c in cols if ex[c].nunique() > 1][:4]
        raise DfeDuplicateError(
            f"{Path(path).name}: {len(conflict)} duplicated key(s) ({', '.join(keys)}) with "
            f"conflicting values (rule: one row per key); example key "
            f"{dict(zip(keys, key))}: {diff} = {ex[diff].to_dict('list')} (file: {path})",
            path,
        )
    drop = sel.index[kf.duplicated(keep="first")]
    out = df.drop(index=drop)
    out.attrs.update(df.attrs)
    out.attrs["dropped_duplicates"] = len(drop)
    return out


def validate_schema(schema, df: pd.DataFrame, path) -> pd.DataFrame:
    """Validate ``df`` against a pandera ``schema``; a failure is a :class:`DfeLayoutError` naming
    the file (the first lines of pandera's report)."""
    try:
        return schema.validate(df, lazy=True)
    except (pa_errors.SchemaErrors, pa_errors.SchemaError) as e:
        msg = str(e).splitlines()
        raise DfeLayoutError(path, detail="schema validation failed: " + " ".join(msg[:12])) from None


def attach_report(df: pd.DataFrame, path, counts: pd.DataFrame, extra=(), kind="real") -> pd.DataFrame:
    """Store provenance in ``df.attrs``: source, suppression counts, extra columns, kind."""
    df.attrs["source"] = str(Path(path).name) if path is not None else None
    # stored as plain tuples: pandas compares attrs with == when combining frames, which fails
    # for DataFrames; use suppression_summary(df) to get a DataFrame back
    df.attrs["suppressed"] = tuple((str(r.column), str(r.code), int(r.count)) for r in counts.itertuples(index=False))
    df.attrs["n_suppressed"] = int(counts["count"].sum()) if len(counts) else 0
    df.attrs["extra_columns"] = list(extra)
    df.attrs["kind"] = kind
    return df


def suppression_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Return the suppression-code counts a loader attached to ``df`` (column, code, count)."""
    return pd.DataFrame(list(df.attrs.get("suppressed", ())), columns=["column", "code", "count"])


__all__ = [
    "SUPPRESSION_CODES",
    "CODE_SUFFIX",
    "check_complete_rows",
    "check_duplicate_keys",
    "sniff",
    "read_csv_text",
    "check_columns",
    "to_numeric_with_codes",
    "attach_report",
    "suppression_summary",
    "np",
]
