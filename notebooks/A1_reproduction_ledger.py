# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Reproduction ledger
#
# **What this is.** Every chapter of this book sets the numbers it computes beside the numbers
# the report prints, and records each comparison in its `reproduction.csv`. This appendix
# gathers them all: how many published numbers each chapter reproduces exactly, within the
# rounding of their inputs, differently, or not at all (no public data to compute them from).
#
# **How to read the status.** *exact*: the recomputed value, rounded to the decimals the report
# prints, equals it. *within rounding*: not equal after rounding, but within what the rounding of
# the inputs allows. *differs*: outside that. *not reproducible*: nothing could be computed. The
# *kind* says what the reproduced value comes from: *real* (public DfE/Ofsted files),
# *synthetic* (generated data, a demonstration of the method and never evidence) or *derived*
# (the report's own published numbers).

# %% tags=["parameters"]
chapters_dir = None
output_dir = None

# %% tags=["remove-input"]
from IPython.display import HTML, Markdown, display

from sofs_lib.chapters.reproduction_ledger import page, summary
from sofs_lib.chapters.reproduction_ledger.params import SPEC
from sofs_lib.core import ledger
from sofs_lib.display import chapter, provenance, tables

run = chapter.start(SPEC, globals())
p, out = run.params, run.out
led = ledger.gather(p["chapters_dir"])
kinds_present = set(led["kind"])
provenance.answer(**summary.answer_parts(led), output_dir=out)
provenance.banner(
    published=["the published value of every comparison, as each chapter read it from "
               "data/published"],
    real=["reproduced values computed from public DfE/Ofsted files"] if "real" in kinds_present else None,
    synthetic=["reproduced values computed from generated data (method demonstrations)"]
    if "synthetic" in kinds_present else None,
    derived=["reproduced values recomputed from the report's own numbers", "the counts on this page"],
)
run.params_box()

# %% tags=["hide-input"]
tables.write_csv(led, out / "ledger_all.csv", index=False)
if led.empty:
    display(Markdown("No chapter has written a `reproduction.csv` yet: run the chapters first."))
else:
    n_ch = led["chapter"].nunique()
    display(Markdown(f"**{len(led)} comparisons** from {n_ch} chapter{'s' if n_ch != 1 else ''}, "
                     "counted separately by the kind of the reproduced value, real data first:\n\n"
                     + "\n".join(f"- {s}" for s in summary.headline(led))))
headline = summary.by_kind(led)
tables.show(headline, "derived", fmt={**{c: ".0f" for c in headline.columns}, "exact (%)": ".1f"},
            caption="Comparisons by kind of reproduced value and status",
            source="Every chapter's reproduction.csv.")

# %% tags=["hide-input"]
fig = page.plot_ledger_status(led, "chapter")

# %% tags=["hide-input"]
tables.show(page.ledger_counts(led, "chapter"), "derived", caption="By chapter and status",
            source="Every chapter's reproduction.csv.")

# %% tags=["hide-input"]
tables.show(page.ledger_counts(led, "table_id"), "derived",
            caption="By published table and status ('text' = numbers quoted in the running text)",
            source="Every chapter's reproduction.csv.")

# %% [markdown]
# ## Every comparison
#
# Type in the box to filter the rows (any column: a chapter, a table such as `A9.5`, a word of
# the note), or pick a status. The same table is in <a href="A1_reproduction_ledger/ledger_all.csv" download>ledger_all.csv</a>, beside this page.

# %% tags=["hide-input"]
display(HTML(page.ledger_filter_html(led)))

# %% [markdown]
# The comparisons that differ:

# %% tags=["hide-input"]
diff = led[led["status"] == "differs"]
if diff.empty:
    display(Markdown("None."))
else:
    view = diff.set_index("chapter")[["table_id", "row", "column", "published", "reproduced",
                                      "kind", "note"]]
    kinds = view.copy()
    for c in view.columns:
        kinds[c] = "published" if c in ("table_id", "row", "column", "published") else "derived"
    kinds["reproduced"] = view["kind"]   # each reproduced value tinted by its true kind
    tables.show(view, kinds, secondary=["note"],
                fmt={"published": ".6g", "reproduced": ".6g"}, caption="Comparisons that differ",
                source="Every chapter's reproduction.csv.")
