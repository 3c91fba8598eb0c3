"""Tables for the book: deterministic HTML with each value's provenance marked.

:func:`show` renders a DataFrame as an HTML table whose every value cell carries its kind
(published / real / synthetic / derived, see :mod:`sofs_lib.display.provenance`) as a tint and a small
letter, with a legend, a caption, a source line and a link to the table as CSV (written into
the running chapter's output folder, which the rendered site ships beside the page). The HTML has
no random ids, so executing the same chapter twice gives identical output (the regression tests
rely on it).

Fixed-point formats (``".1f"``) round half away from zero, as the report's tables print (so a
reproduced 31.25 shows as 31.3, never 31.2).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from sofs_lib.display.provenance import KINDS, check_kind

_BREAKS = re.compile(r"(?<=[_/])(?=\w)|(?<=[A-Za-z]\.)(?=[A-Za-z])")
_FIXED = re.compile(r"^(?P<pre>[^.]*)\.(?P<n>\d+)f$")
_csv_names: dict[tuple[str, str], int] = {}


def format_number(v, fmt: str) -> str:
    """``format(v, fmt)``, except that fixed-point formats round half away from zero (as printed
    tables do) instead of to the nearest binary float: 31.25 with ``".1f"`` gives "31.3"."""
    m = _FIXED.match(fmt)
    if m and isinstance(v, float) and math.isfinite(v):
        from sofs_lib.core.rounding import round_half_up

        v = round_half_up(v, int(m.group("n")))
    return format(v, fmt)


def _fmt_value(v, fmt: str | Callable | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "–"
    if callable(fmt):
        return fmt(v)
    if fmt and isinstance(v, (int, float)) and not isinstance(v, bool):
        return format_number(float(v) if isinstance(v, float) else v, fmt)
    return str(v)


def wrap_html(text: str) -> str:
    """Escaped ``text`` with break opportunities (``<wbr>``) after ``_``, ``/`` and dots inside
    names, so long ids (``did_a10_2_balance``, ``sofs_lib.chapters.consistency_audit.analysis``) wrap in a narrow column."""
    return _BREAKS.sub("<wbr>", html.escape(text))


def csv_name(caption: str, repeat: int = 0) -> str:
    """A file name for a table's CSV from its caption ("Table 2: % of ..." ->
    ``table-2-of-....csv``, at most 60 characters before the suffix); the ``repeat``-th reuse
    of a caption in one chapter gets ``-2``, ``-3`` ..."""
    slug = re.sub(r"[^a-z0-9]+", "-", (caption or "table").lower()).strip("-")[:60].rstrip("-")
    slug = slug or "table"
    return f"{slug}.csv" if repeat == 0 else f"{slug}-{repeat + 1}.csv"


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


def to_html(
    df: pd.DataFrame,
    kinds: str | Mapping[str, str] | pd.DataFrame,
    *,
    caption: str = "",
    source: str = "",
    fmt: str | Callable | Mapping | None = None,
    index: bool = True,
    index_name: str | None = None,
    highlight: pd.DataFrame | None = None,
    collapsed: bool = False,
    csv_href: str | None = None,
    secondary: list[str] | None = None,
) -> str:
    """HTML of a provenance-marked table (see :func:`show`); ``csv_href`` links its CSV;
    ``secondary`` columns are folded into one "details" cell per row, so the table fits."""
    if not df.columns.is_unique:
        raise ValueError(f"table has repeated column labels: {sorted(set(df.columns[df.columns.duplicated()]))}")
    kf = kinds_frame(df, kinds)
    folded = [c for c in (secondary or []) if c in df.columns]
    cols = [c for c in df.columns if c not in folded]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    if folded:
        head += f'<th title="{html.escape(", ".join(map(str, folded)))}">details</th>'
    levels = df.index.nlevels
    if index:
        names = [index_name] if index_name and levels == 1 else [n or "" for n in df.index.names]
        head = "".join(f"<th>{html.escape(str(n))}</th>" for n in names) + head
    kv = kf.to_numpy()
    pos = {c: j for j, c in enumerate(df.columns)}
    fmts = {c: (fmt.get(c) if isinstance(fmt, Mapping) else fmt) for c in cols}
    folded_fmts = {c: (fmt.get(c) if isinstance(fmt, Mapping) else None) for c in folded}
    body = []
    for i, (idx, row) in enumerate(_rows(df)):
        parts = idx if levels > 1 else (idx,)
        cells = [f'<th class="sofs-rowhead">{wrap_html(str(v))}</th>' for v in parts] if index else []
        flags = highlight.iloc[i] if highlight is not None else None
        for c in cols:
            k = kv[i, pos[c]]
            flag = " sofs-flag" if flags is not None and bool(flags[c]) else ""
            cells.append(
                f'<td class="sofs-{k}{flag}" title="{KINDS[k][0]}" '
                f'data-label="{html.escape(str(c))}">'
                f'{wrap_html(_fmt_value(row[c], fmts[c]))}<sup class="sofs-k">{KINDS[k][2]}</sup></td>'
            )
        if folded:
            cells.append(_details_cell(row, {c: kv[i, pos[c]] for c in folded}, folded_fmts))
        body.append("<tr>" + "".join(cells) + "</tr>")
    legend = _legend(kf, highlight)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    link = (
        f' <a class="sofs-csv" href="{html.escape(csv_href)}" download>Download this table (CSV)</a>'
        if csv_href
        else ""
    )
    src = (
        f'<p class="sofs-source">{"Source: " + html.escape(source) if source else ""}{link}</p>'
        if source or link
        else ""
    )
    table = f'<table class="sofs-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    if collapsed:
        table = (
            f'<details class="sofs-collapsed"><summary>{html.escape(caption or "Table")} '
            f"({len(df)} rows: click to show)</summary>{table}</details>"
        )
    return f'<div class="sofs-table-wrap">{table}<p class="sofs-legend-line">{legend}</p>{src}</div>'


def _details_cell(row, kinds: dict, fmts: dict) -> str:
    """The "details" cell of a row: its folded columns (``kinds``/``fmts`` keys) as a list."""
    items = "".join(
        f'<dt>{html.escape(str(c))}</dt><dd class="sofs-{k}">'
        f"{wrap_html(_fmt_value(row[c], fmts[c]))}"
        f'<sup class="sofs-k">{KINDS[k][2]}</sup></dd>'
        for c, k in kinds.items()
    )
    return (
        f'<td class="sofs-more" data-label="details"><details><summary>details</summary><dl>{items}</dl></details></td>'
    )


def _legend(kf: pd.DataFrame, highlight: pd.DataFrame | None) -> str:
    """The legend line: the kinds the table holds (and the outline, when cells are flagged)."""
    present = set(kf.to_numpy().ravel().tolist())
    used = [k for k in KINDS if k in present]
    legend = " ".join(
        f'<span class="sofs-legend sofs-{k}">{KINDS[k][2]} = {KINDS[k][0].lower()}: {html.escape(KINDS[k][1])}</span>'
        for k in used
    )
    if highlight is not None and highlight.to_numpy().any():
        legend += ' <span class="sofs-legend sofs-flag">outlined = disagreement flagged in the text</span>'
    return legend


def _rows(df: pd.DataFrame):
    """(label, row) pairs, each row a column -> value mapping, without building a Series per
    row. Each value keeps its own column's type (``df.astype(object)``): ``df.values`` (and so
    ``iterrows``) would turn a count into a float in a table whose columns are all numbers,
    and show 4 clusters as "4.0"."""
    cols = list(df.columns)
    for idx, v in zip(df.index, df.astype(object).to_numpy(), strict=True):
        yield idx, dict(zip(cols, v))


def show(df: pd.DataFrame, kinds: str | Mapping[str, str] | pd.DataFrame, *, csv: str | bool | None = None, **kw):
    """Display a DataFrame as a provenance-marked HTML table.

    ``kinds``: one kind for every cell, a mapping column -> kind, or a DataFrame of kinds of the
    same shape. Keyword arguments: ``caption``, ``source``, ``fmt`` (a format spec such as
    ``".1f"``, a callable, or a mapping column -> either), ``index``, ``index_name``,
    ``highlight`` (a boolean frame of cells to outline), ``collapsed`` (long tables start folded).

    The table shown is also written as CSV into the running chapter's output folder
    (:func:`sofs_lib.core.paths.current_output_dir`), named from the caption (or ``csv``, a file
    name), and linked under the table; ``csv=False`` writes no file.
    """
    from IPython.display import HTML, display

    href = None
    if csv is not False:
        href = write_table_csv(
            df, csv if isinstance(csv, str) else None, kw.get("caption", ""), index=kw.get("index", True)
        )
    display(HTML(to_html(df, kinds, csv_href=href, **kw)))


def write_table_csv(df: pd.DataFrame, name: str | None, caption: str = "", index: bool = True) -> str | None:
    """Write a shown table into the current chapter's output folder; returns the link to it
    relative to the chapter's page (``<chapter>/<file>.csv``), or None outside a chapter."""
    from sofs_lib.core import paths

    out = paths.current_output_dir()
    if out is None:
        return None
    if name is None:
        seen = (str(out), csv_name(caption))
        name = csv_name(caption, _csv_names.get(seen, 0))
        _csv_names[seen] = _csv_names.get(seen, 0) + 1
    write_csv(df, Path(out) / name, index=index)
    return f"{paths.final_output_dir(out).name}/{name}"


def write_csv(df: pd.DataFrame, path, **kw) -> None:
    """Write a table as CSV deterministically and atomically (``path.tmp`` then rename)."""
    from pathlib import Path

    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    df.to_csv(tmp, lineterminator="\n", float_format="%.6g", **kw)
    tmp.replace(path)
