"""The report's numbers, as data.

Every numeric table of the report and its appendices is transcribed in ``data/published/`` as a
tidy CSV in long format, one file per table::

    table_id,row,column,value,unit,note

``value`` is the cell *as printed* (``82``, ``0.35***``, ``.115``, ``N/A``, ``-``, ``x``), so
significance stars and markers survive. ``data/published/tables.csv`` holds each table's title,
file, source document and section, units and transcription notes. Numbers quoted in the running
text are in ``data/published/text_numbers.csv`` (``id,section,value,unit,context,source``).

Chapters read every published number through this module, never as a literal::

    from sofs_lib import published
    t2 = published.wide("2")                 # rows x columns of numbers
    published.cell("A8.1", "Partner agency involvement", "P1 T1 N").number
    published.quote("fg_commitment_t1").number
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from sofs_lib.core import paths

TABLE_COLUMNS = ["table_id", "row", "column", "value", "unit", "note"]
META_COLUMNS = ["table_id", "file", "title", "source", "section", "units", "transcription_notes"]
TEXT_COLUMNS = ["id", "section", "value", "unit", "context", "source"]

#: Printed markers that are not numbers, and what they mean.
MARKERS = {
    "N/A": "not applicable",
    "-": "no value printed",
    "x": "suppressed or not available",
    "c": "suppressed (confidential)",
    "[blank]": "cell printed empty",
    "NA": "variable not used in that sample (Tables A10.3, A10.4)",
}

SOURCES = {
    "report": "000_57fdb77ace360eb4.txt (Evaluation report)",
    "appendices": "004_979d3c864792c8ec.txt (Appendices)",
    "wwcsc": "001_a960c7f4912e520e.txt (WWCSC summary report)",
}

_NUM = re.compile(r"^(?P<lt>[<>]=?)?(?P<num>[-−]?(\d+(\.\d*)?|\.\d+))(?P<stars>\*{0,3})$")


class PublishedDataError(ValueError):
    """A published table or quoted number is missing or malformed."""


@dataclass(frozen=True)
class Value:
    """One published value: as printed, as a number (NaN for markers), its decimals and marker."""

    text: str
    number: float
    decimals: int | None
    marker: str
    unit: str = ""
    table_id: str = ""
    row: str = ""
    column: str = ""
    note: str = ""

    @property
    def is_number(self) -> bool:
        return not math.isnan(self.number)


def parse_value(text: str) -> tuple[float, int | None, str]:
    """Parse a printed cell: returns (number, decimals printed, marker).

    ``"0.35***"`` -> (0.35, 2, "***"); ``".115"`` -> (0.115, 3, ""); ``"82"`` -> (82.0, 0, "");
    ``"<0.001"`` -> (0.001, 3, "<"); ``"N/A"`` -> (nan, None, "N/A").
    """
    s = str(text).strip().replace(",", "")
    m = _NUM.match(s)
    if not m:
        return math.nan, None, s
    num = m.group("num").replace("−", "-")
    decimals = len(num.split(".")[1]) if "." in num else 0
    marker = (m.group("lt") or "") + m.group("stars")
    return float(num), decimals, marker


def _root(root: Path | None) -> Path:
    return paths.published_dir(root)


@cache
def _metadata(root: Path) -> pd.DataFrame:
    path = root / "tables.csv"
    if not path.exists():
        raise PublishedDataError(f"{paths.relative(path)} is missing: it lists the published tables.")
    meta = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in META_COLUMNS if c not in meta.columns]
    if missing:
        raise PublishedDataError(f"{paths.relative(path)} lacks column(s) {', '.join(missing)}.")
    if meta["table_id"].duplicated().any():
        dup = meta.loc[meta["table_id"].duplicated(), "table_id"].tolist()
        raise PublishedDataError(f"{paths.relative(path)} lists table(s) {dup} twice.")
    return meta.set_index("table_id", drop=False)


def tables(root: Path | None = None) -> pd.DataFrame:
    """The metadata of every transcribed table (one row per table)."""
    return _metadata(_root(root)).reset_index(drop=True)


def meta(table_id: str, root: Path | None = None) -> dict:
    """Metadata of one table: title, file, source, section, units, transcription notes."""
    m = _metadata(_root(root))
    if table_id not in m.index:
        raise PublishedDataError(f"No published table {table_id!r}; known tables: {', '.join(m.index)}.")
    return m.loc[table_id].to_dict()


@cache
def _table(root: Path, table_id: str) -> pd.DataFrame:
    m = _metadata(root)
    if table_id not in m.index:
        raise PublishedDataError(f"No published table {table_id!r}; known tables: {', '.join(m.index)}.")
    path = root / m.loc[table_id, "file"]
    if not path.exists():
        raise PublishedDataError(f"Published table {table_id}: file {paths.relative(path)} is missing.")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    extra = [c for c in df.columns if c not in TABLE_COLUMNS]
    if missing or extra:
        raise PublishedDataError(
            f"{paths.relative(path)}: missing column(s) {missing or 'none'}, unexpected column(s) "
            f"{extra or 'none'}; expected {TABLE_COLUMNS}."
        )
    bad_id = df.loc[df["table_id"] != table_id]
    if len(bad_id):
        raise PublishedDataError(
            f"{paths.relative(path)} row {bad_id.index[0] + 2}: table_id {bad_id.iloc[0]['table_id']!r} "
            f"is not {table_id!r}."
        )
    dup = df.duplicated(["row", "column"])
    if dup.any():
        r = df.loc[dup].iloc[0]
        raise PublishedDataError(f"{paths.relative(path)}: cell ({r['row']!r}, {r['column']!r}) appears twice.")
    parsed = df["value"].map(parse_value)
    df["number"] = [p[0] for p in parsed]
    df["decimals"] = pd.array([p[1] for p in parsed], dtype="Int64")
    df["marker"] = [p[2] for p in parsed]
    return df


def table(table_id: str, root: Path | None = None) -> pd.DataFrame:
    """One published table in long format, in printed order, with parsed ``number``,
    ``decimals`` and ``marker`` columns added."""
    return _table(_root(root), table_id).copy()


def wide(table_id: str, values: str = "number", root: Path | None = None) -> pd.DataFrame:
    """One published table as printed (rows x columns, in printed order).

    ``values`` is ``"number"`` (floats, NaN for markers) or ``"value"`` (the printed text).
    """
    df = table(table_id, root)
    rows = list(dict.fromkeys(df["row"]))
    cols = list(dict.fromkeys(df["column"]))
    out = df.pivot(index="row", columns="column", values=values).reindex(index=rows, columns=cols)
    out.index.name = None
    out.columns.name = None
    return out


def cell(table_id: str, row: str, column: str, root: Path | None = None) -> Value:
    """One published cell."""
    df = table(table_id, root)
    hit = df[(df["row"] == row) & (df["column"] == column)]
    if hit.empty:
        raise PublishedDataError(f"Published table {table_id} has no cell ({row!r}, {column!r}).")
    r = hit.iloc[0]
    return Value(
        r["value"],
        r["number"],
        None if pd.isna(r["decimals"]) else int(r["decimals"]),
        r["marker"],
        r["unit"],
        table_id,
        row,
        column,
        r["note"],
    )


@cache
def _text(root: Path) -> pd.DataFrame:
    path = root / "text_numbers.csv"
    if not path.exists():
        raise PublishedDataError(f"{paths.relative(path)} is missing.")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in TEXT_COLUMNS if c not in df.columns]
    if missing:
        raise PublishedDataError(f"{paths.relative(path)} lacks column(s) {', '.join(missing)}.")
    if df["id"].duplicated().any():
        raise PublishedDataError(
            f"{paths.relative(path)}: id(s) {df.loc[df['id'].duplicated(), 'id'].tolist()} repeated."
        )
    return df.set_index("id", drop=False)


def text_numbers(root: Path | None = None) -> pd.DataFrame:
    """All numbers quoted in the running text (id, section, value, unit, context, source)."""
    return _text(_root(root)).reset_index(drop=True)


def quote(number_id: str, root: Path | None = None) -> Value:
    """One number quoted in the report's running text, by id."""
    df = _text(_root(root))
    if number_id not in df.index:
        raise PublishedDataError(f"No quoted number with id {number_id!r} in text_numbers.csv.")
    r = df.loc[number_id]
    number, decimals, marker = parse_value(r["value"])
    return Value(r["value"], number, decimals, marker, r["unit"], "text", r["section"], number_id, r["context"])


def cite(table_id: str, root: Path | None = None) -> str:
    """A short citation: ``"Table 2 (report, section 3)"``."""
    m = meta(table_id, root)
    doc = m["source"].split(" ")[0]
    kind = {"report": "report", "appendices": "appendices", "wwcsc": "WWCSC summary"}.get(doc, doc)
    return f"Table {table_id} ({kind}, {m['section']})"


def clear_cache() -> None:
    """Forget cached tables (after editing files in a running session)."""
    _metadata.cache_clear()
    _table.cache_clear()
    _text.cache_clear()
