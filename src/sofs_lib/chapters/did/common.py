"""What every table and figure of the DiD chapter shares: the provenance kind and source line of
numbers computed from the analysis' extract, the published tables to put beside them, and the
display helpers (provenance kinds of a table's columns, a number formatter).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.did.analysis import Analysis
from sofs_lib.published import PublishedDataError

SOURCE = "Synthetic NPD extract (sofs_lib.sources.npd), analysed with sofs_lib.chapters.did."
REAL_SOURCE = "NPD extract in data_dir (CIN census / SSDA903), analysed with sofs_lib.chapters.did."


def kind_of(an: Analysis) -> str:
    """Provenance kind of every number computed from the analysis' extract."""
    return "synthetic" if an.synthetic else "real"


def source(an: Analysis) -> str:
    """The source line for tables and figures built from the analysis' extract."""
    return SOURCE if an.synthetic else REAL_SOURCE


def pub(table_id: str) -> pd.DataFrame | None:
    """The published table in long form, or None when it is not transcribed (yet)."""
    try:
        return published.table(table_id)
    except PublishedDataError:
        return None


def cells(p: pd.DataFrame) -> dict:
    """A published table (long form, :func:`pub`) by cell: ``(row, column)`` -> the cell's
    record (attributes ``value``, ``number``, ``decimals``, ``marker``, ...), for looking cells
    up one by one without filtering the table each time."""
    return {(h.row, h.column): h for h in p.itertuples(index=False)}


def pub_wide(table_id: str) -> pd.DataFrame | None:
    try:
        return published.wide(table_id, values="value")
    except PublishedDataError:
        return None


def kinds_for(df: pd.DataFrame, kind: str = "synthetic") -> dict:
    """Column -> provenance kind: ``... (published)`` columns are published, the rest ``kind``
    (:func:`kind_of` the analysis: synthetic, or real for an extract in ``data_dir``)."""
    return {c: ("published" if str(c).endswith("(published)") else kind) for c in df.columns}


def fmt_number(digits: int = 2):
    """A cell formatter: numbers to ``digits`` decimals, text as is."""

    def f(v):
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            return f"{v:,}"
        if isinstance(v, (float, np.floating)):
            return "–" if not np.isfinite(v) else f"{v:,.{digits}f}"
        return str(v)

    return f
