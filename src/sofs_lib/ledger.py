"""The reproduction ledger: every published number beside the number this book computes.

Each chapter, when executed, records its comparisons in a :class:`Ledger` and writes them to
``reproduction.csv`` in its output folder. The appendix "Reproduction ledger" gathers all
chapters' files (:func:`gather`).

Columns of ``reproduction.csv``:

``chapter, table_id, row, column, published, reproduced, kind, status, note``

``kind`` says what the reproduced value was computed from:

* ``real`` -- public DfE/Ofsted files;
* ``synthetic`` -- generated data (a demonstration of the method, never evidence);
* ``derived`` -- the report's own published numbers (e.g. a mean of a published table).

``status`` is one of :data:`STATUSES`:

* ``exact`` -- the reproduced value, rounded to the decimals the report prints, equals it;
* ``within rounding`` -- not equal after rounding, but inside the tolerance that rounding of the
  inputs allows (``tolerance`` argument, stated in the note);
* ``differs`` -- outside that tolerance;
* ``not reproducible`` -- no value can be computed from available data (``reproduced`` is empty).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .params import Param, Spec

COLUMNS = ["chapter", "table_id", "row", "column", "published", "reproduced", "kind", "status", "note"]
KINDS = ("real", "synthetic", "derived")
STATUSES = ("exact", "within rounding", "differs", "not reproducible")
FILENAME = "reproduction.csv"

PARAMS = Spec("A1_reproduction_ledger", (
    Param("chapters_dir", (str, type(None)), None,
          "Folder holding the executed chapters' output folders (default book/chapters)."),
    Param("output_dir", (str, type(None)), None, "Folder for this appendix's outputs."),
), stage=1)


class LedgerError(ValueError):
    """A ledger entry or file is malformed."""


def classify(published: float, reproduced: float | None, decimals: int | None,
             tolerance: float = 0.0) -> str:
    """Status of one comparison.

    ``decimals`` is how many decimals the report prints (None: compare exactly). ``tolerance`` is
    the largest absolute gap that rounding of the *inputs* can explain (0 when the inputs are
    exact); a value within half a printed unit plus that tolerance is ``within rounding``.
    """
    if reproduced is None or (isinstance(reproduced, float) and math.isnan(reproduced)):
        return "not reproducible"
    if published is None or (isinstance(published, float) and math.isnan(published)):
        raise LedgerError("published value is missing: record it as text in the note instead")
    if decimals is None:
        return "exact" if reproduced == published else (
            "within rounding" if abs(reproduced - published) <= tolerance else "differs")
    # round half away from zero, as printed tables do
    scale = 10 ** decimals
    rounded = math.floor(abs(reproduced) * scale + 0.5 + 1e-9) / scale * (1 if reproduced >= 0 else -1)
    if math.isclose(rounded, published, abs_tol=1e-12):
        return "exact"
    if abs(reproduced - published) <= 0.5 / scale + tolerance + 1e-12:
        return "within rounding"
    return "differs"


class Ledger:
    """Comparisons recorded by one chapter.

    >>> led = Ledger("01_implementation")
    >>> led.record("A8.1", "Clear commitment", "T3 mean", published=7.6, reproduced=7.64,
    ...            decimals=1, kind="derived")
    'exact'
    """

    def __init__(self, chapter: str):
        self.chapter = chapter
        self._rows: list[dict] = []

    def record(self, table_id: str, row: str, column: str, *, published, reproduced,
               kind: str, decimals: int | None = None, tolerance: float = 0.0,
               status: str | None = None, note: str = "") -> str:
        """Add one comparison; returns its status (computed by :func:`classify` unless given)."""
        if kind not in KINDS:
            raise LedgerError(f"kind must be one of {KINDS}, not {kind!r}")
        if status is None:
            status = classify(published, reproduced, decimals, tolerance)
        elif status not in STATUSES:
            raise LedgerError(f"status must be one of {STATUSES}, not {status!r}")
        if tolerance and "rounding" not in note:
            note = (note + "; " if note else "") + f"input rounding allows ±{tolerance:g}"
        self._rows.append(dict(chapter=self.chapter, table_id=str(table_id), row=str(row),
                               column=str(column), published=published,
                               reproduced=reproduced, kind=kind, status=status, note=note))
        return status

    def record_value(self, value, reproduced, *, kind: str, tolerance: float = 0.0,
                     note: str = "", row: str | None = None, column: str | None = None) -> str:
        """Record against a :class:`sofs_lib.published.Value` (its table, row, column, decimals)."""
        return self.record(value.table_id, row or value.row, column or value.column,
                           published=value.number, reproduced=reproduced, kind=kind,
                           decimals=value.decimals, tolerance=tolerance, note=note)

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows, columns=COLUMNS)

    def summary(self) -> pd.DataFrame:
        """Counts by status."""
        f = self.frame
        return (f.groupby("status").size().reindex(STATUSES, fill_value=0)
                .rename("comparisons").to_frame())

    def write(self, output_dir: str | Path) -> Path:
        """Write ``reproduction.csv`` (atomically) into ``output_dir``; returns its path."""
        out = Path(output_dir) / FILENAME
        tmp = out.with_suffix(".csv.tmp")
        self.frame.to_csv(tmp, index=False, lineterminator="\n", float_format="%.6g")
        tmp.replace(out)
        return out


def read(path: str | Path) -> pd.DataFrame:
    """Read one ``reproduction.csv``, checking its columns and codes."""
    path = Path(path)
    df = pd.read_csv(path, dtype={"table_id": str, "row": str, "column": str, "note": str},
                     keep_default_na=False, na_values={"reproduced": [""], "published": [""]})
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise LedgerError(f"{paths.relative(path)} lacks column(s) {', '.join(missing)}")
    bad = df.loc[~df["status"].isin(STATUSES), "status"].unique().tolist()
    if bad:
        raise LedgerError(f"{paths.relative(path)}: unknown status value(s) {bad}")
    bad = df.loc[~df["kind"].isin(KINDS), "kind"].unique().tolist()
    if bad:
        raise LedgerError(f"{paths.relative(path)}: unknown kind value(s) {bad}")
    return df[COLUMNS]


def gather(chapters_dir: str | Path | None = None) -> pd.DataFrame:
    """All chapters' ledgers: every ``*/reproduction.csv`` under the chapters folder."""
    base = Path(chapters_dir) if chapters_dir else paths.chapters_dir()
    files = sorted(base.glob(f"*/{FILENAME}"))
    if not files:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat([read(f) for f in files], ignore_index=True)


# ---------------------------------------------------------------- the appendix page

STATUS_COLOURS = {"exact": "#2e7d32", "within rounding": "#8bc34a", "differs": "#c62828",
                  "not reproducible": "#9e9e9e"}


def ledger_counts(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Comparisons in a gathered ledger by ``by`` (chapter, table_id, kind) and status."""
    if df.empty:
        return pd.DataFrame(columns=list(STATUSES) + ["total"])
    out = (df.groupby([by, "status"]).size().unstack(fill_value=0)
           .reindex(columns=list(STATUSES), fill_value=0))
    out["total"] = out.sum(axis=1)
    out.index.name = by
    return out


def ledger_filter_html(df: pd.DataFrame, element_id: str = "sofs-ledger") -> str:
    """The gathered ledger as an HTML table with a text filter and a status menu (inline
    JavaScript, no external files: works offline)."""
    import html as _h

    from .ledger import STATUSES

    cols = ["chapter", "table_id", "row", "column", "published", "reproduced", "kind", "status", "note"]

    def cell(v):
        if isinstance(v, float):
            return "" if math.isnan(v) else f"{v:.6g}"
        return _h.escape(str(v))

    rows = "".join(
        f'<tr data-status="{_h.escape(str(r["status"]))}">'
        + "".join(f"<td>{cell(r[c])}</td>" for c in cols) + "</tr>"
        for _, r in df[cols].iterrows())
    options = "".join(f'<option value="{s}">{s}</option>' for s in STATUSES)
    head = "".join(f"<th>{c}</th>" for c in cols)
    return f"""<div class="sofs-ledger-filter" id="{element_id}">
<label>Filter: <input type="search" id="{element_id}-q" placeholder="chapter, table, row, note…" size="32"></label>
<label> Status: <select id="{element_id}-s"><option value="">all</option>{options}</select></label>
<span id="{element_id}-n"></span>
<div style="max-height:32em;overflow:auto"><table class="sofs-table" id="{element_id}-t">
<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>
<script>
(function() {{
  var q = document.getElementById("{element_id}-q"), s = document.getElementById("{element_id}-s"),
      n = document.getElementById("{element_id}-n"),
      rows = document.getElementById("{element_id}-t").tBodies[0].rows;
  function apply() {{
    var text = q.value.toLowerCase(), st = s.value, shown = 0;
    for (var i = 0; i < rows.length; i++) {{
      var ok = (!st || rows[i].getAttribute("data-status") === st) &&
               (!text || rows[i].textContent.toLowerCase().indexOf(text) >= 0);
      rows[i].style.display = ok ? "" : "none";
      if (ok) shown++;
    }}
    n.textContent = " " + shown + " of " + rows.length + " comparisons shown";
  }}
  q.addEventListener("input", apply); s.addEventListener("change", apply); apply();
}})();
</script></div>"""


def plot_ledger_status(df: pd.DataFrame, by: str = "chapter"):
    """Stacked horizontal bars: comparisons per chapter (or table) by status."""
    import matplotlib.pyplot as plt

    from . import plotting

    counts = ledger_counts(df, by).drop(columns="total", errors="ignore")
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.45 * max(len(counts), 1) + 1.5)))
    if counts.empty:
        ax.text(0.5, 0.5, "No chapter has written a reproduction.csv yet", ha="center", va="center")
        ax.set_axis_off()
    else:
        left = np.zeros(len(counts))
        for status in counts.columns:
            vals = counts[status].to_numpy()
            ax.barh(counts.index.astype(str), vals, left=left, color=STATUS_COLOURS[status], label=status)
            left += vals
        ax.invert_yaxis()
        ax.legend(title="status", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return plotting.finish(fig, f"Reproduced numbers by {by} and status",
                           "every chapter's reproduction.csv (sofs_lib.ledger.gather).",
                           xlabel="comparisons", ylabel=by, ax=ax)
