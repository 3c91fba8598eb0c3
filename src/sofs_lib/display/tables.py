"""Tables for the book: deterministic HTML with each value's provenance marked.

:func:`show` renders a DataFrame as an HTML table whose every value cell carries its kind
(published / real / synthetic / derived, see :mod:`sofs_lib.display.provenance`) as a tint and a small
letter, with a legend, a caption and a source line. The HTML has no random ids, so executing the
same chapter twice gives identical output (the regression tests rely on it).
"""

from __future__ import annotations

import html
import math
from typing import Callable, Mapping

import pandas as pd

from sofs_lib.display.provenance import KINDS, check_kind


def _fmt_value(v, fmt: str | Callable | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "–"
    if callable(fmt):
        return fmt(v)
    if fmt and isinstance(v, (int, float)) and not isinstance(v, bool):
        return format(v, fmt)
    return str(v)


def kinds_frame(df: pd.DataFrame, kinds: str | Mapping[str, str] | pd.DataFrame) -> pd.DataFrame:
    """Expand ``kinds`` (one kind, a column -> kind mapping, or a frame) to df's shape."""
    if isinstance(kinds, str):
        return pd.DataFrame(check_kind(kinds), index=df.index, columns=df.columns)
    if isinstance(kinds, pd.DataFrame):
        out = kinds.reindex(index=df.index, columns=df.columns)
        if out.isna().any().any():
            raise ValueError("kinds frame does not cover every cell of the table")
        for k in pd.unique(out.to_numpy().ravel()):
            check_kind(k)
        return out
    missing = [c for c in df.columns if c not in kinds]
    if missing:
        raise ValueError(f"no kind given for column(s) {missing}")
    return pd.DataFrame({c: [check_kind(kinds[c])] * len(df) for c in df.columns}, index=df.index)


def to_html(df: pd.DataFrame, kinds: str | Mapping[str, str] | pd.DataFrame, *,
            caption: str = "", source: str = "", fmt: str | Callable | Mapping | None = None,
            index: bool = True, index_name: str | None = None,
            highlight: pd.DataFrame | None = None, collapsed: bool = False) -> str:
    """HTML of a provenance-marked table (see :func:`show`)."""
    kf = kinds_frame(df, kinds)
    cols = list(df.columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    if index:
        head = f"<th>{html.escape(index_name or (df.index.name or ''))}</th>" + head
    body = []
    for i, (idx, row) in enumerate(df.iterrows()):
        cells = [f'<th class="sofs-rowhead">{html.escape(str(idx))}</th>'] if index else []
        for c in cols:
            f = fmt.get(c) if isinstance(fmt, Mapping) else fmt
            k = kf.iloc[i][c]
            letter = KINDS[k][2]
            flag = ""
            if highlight is not None and bool(highlight.iloc[i][c]):
                flag = " sofs-flag"
            cells.append(f'<td class="sofs-{k}{flag}" title="{KINDS[k][0]}">'
                         f'{html.escape(_fmt_value(row[c], f))}<sup class="sofs-k">{letter}</sup></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    used = [k for k in KINDS if (kf == k).any().any()]
    legend = " ".join(f'<span class="sofs-legend sofs-{k}">{KINDS[k][2]} = {KINDS[k][0].lower()}: '
                      f'{html.escape(KINDS[k][1])}</span>' for k in used)
    if highlight is not None and highlight.to_numpy().any():
        legend += ' <span class="sofs-legend sofs-flag">outlined = disagreement flagged in the text</span>'
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    src = f'<p class="sofs-source">Source: {html.escape(source)}</p>' if source else ""
    table = (f'<table class="sofs-table">{cap}<thead><tr>{head}</tr>'
             f'</thead><tbody>{"".join(body)}</tbody></table>')
    if collapsed:
        table = (f'<details class="sofs-collapsed"><summary>{html.escape(caption or "Table")} '
                 f'({len(df)} rows: click to show)</summary>{table}</details>')
    return (f'<div class="sofs-table-wrap">{table}<p class="sofs-legend-line">{legend}</p>'
            f"{src}</div>")


def show(df: pd.DataFrame, kinds: str | Mapping[str, str] | pd.DataFrame, **kw):
    """Display a DataFrame as a provenance-marked HTML table.

    ``kinds``: one kind for every cell, a mapping column -> kind, or a DataFrame of kinds of the
    same shape. Keyword arguments: ``caption``, ``source``, ``fmt`` (a format spec such as
    ``".1f"``, a callable, or a mapping column -> either), ``index``, ``index_name``,
    ``highlight`` (a boolean frame of cells to outline), ``collapsed`` (long tables start folded).
    """
    from IPython.display import HTML, display

    display(HTML(to_html(df, kinds, **kw)))


def write_csv(df: pd.DataFrame, path, **kw) -> None:
    """Write a table as CSV deterministically and atomically (``path.tmp`` then rename)."""
    from pathlib import Path

    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    df.to_csv(tmp, lineterminator="\n", float_format="%.6g", **kw)
    tmp.replace(path)
