"""The reproduction-ledger appendix: counts by status, the filterable table and its figure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sofs_lib.core.kinds import STATUSES

STATUS_COLOURS = {
    "exact": "#2e7d32",
    "within rounding": "#8bc34a",
    "differs": "#c62828",
    "not reproducible": "#9e9e9e",
}


def ledger_counts(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Comparisons in a gathered ledger by ``by`` (chapter, table_id, kind) and status."""
    if df.empty:
        return pd.DataFrame(columns=list(STATUSES) + ["total"])
    out = df.groupby([by, "status"]).size().unstack(fill_value=0).reindex(columns=list(STATUSES), fill_value=0)
    out["total"] = out.sum(axis=1)
    out.index.name = by
    return out


def ledger_filter_html(df: pd.DataFrame, element_id: str = "sofs-ledger") -> str:
    """The gathered ledger as an HTML table with a text filter and a status menu (inline
    JavaScript, no external files: works offline)."""
    import html as _h

    from sofs_lib.display.tables import wrap_html

    cols = ["chapter", "table_id", "row", "column", "published", "reproduced", "kind", "status", "note"]

    def cell(v, c):
        if isinstance(v, float):
            return "" if math.isnan(v) else f"{v:.6g}"
        # escaped; long ids get break points after "_", "/" and dots (chapter names stay whole)
        return _h.escape(str(v)) if c == "chapter" else wrap_html(str(v))

    rows = "".join(
        f'<tr data-status="{_h.escape(str(r["status"]))}">'
        + "".join(f"<td>{cell(r[c], c)}</td>" for c in cols)
        + "</tr>"
        for _, r in df[cols].iterrows()
    )
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

    from sofs_lib.display import plotting

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
    return plotting.finish(
        fig,
        f"Reproduced numbers by {by} and status",
        "every chapter's reproduction.csv (sofs_lib.core.ledger.gather).",
        xlabel="comparisons",
        ylabel=by,
        ax=ax,
    )
