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
# # Consistency audit
#
# **The question.** Do the report's numbers agree with each other? A table's F statistic should
# follow from its sums of squares, a t from its coefficient and standard error, a p-value from
# its test statistic, an average quoted in the text from the table it summarises, a total from
# its parts, and a "not significant" from the percentages and group sizes behind it. This
# appendix recomputes each such number from the report's *other* published numbers and says
# whether they agree.
#
# **How to read a verdict.** Printed numbers are rounded, so each stands for an interval (2.1
# means anything from 2.05 to 2.15). A check is *consistent* when the recomputed value, rounded
# as printed, equals the published one; *consistent within rounding* when only some values the
# inputs' rounding allows reproduce it; *inconsistent* when no reconstruction within the stated
# assumptions does; and *cannot check* when the published numbers do not determine the answer
# (the reasoning says what is missing). Counts behind rounded percentages are reconstructed in
# every way the rounding allows, and the full range of test results is reported.

# %% tags=["parameters"]
output_dir = None

# %% tags=["remove-input"]
from IPython.display import Markdown, display

from sofs_lib.chapters.consistency_audit import analysis as audit
from sofs_lib.chapters.consistency_audit import workforce as audit_workforce
from sofs_lib.chapters.consistency_audit.answer import FIRST, FOLDED, answer_parts
from sofs_lib.chapters.consistency_audit.params import SPEC
from sofs_lib.core import paths
from sofs_lib.display import chapter, provenance, tables

run = chapter.start(SPEC, globals())
p, out = run.params, run.out
checks = audit.run_all()
frame = audit.frame(checks)
provenance.answer(**answer_parts(frame), output_dir=out)
provenance.banner(
    published=["Tables 2, 3, 4, 5, 6 of the report", "appendix Tables A8.1, A9.1–A9.5, A10.1–A10.12 "
               "and A11.1", "numbers quoted in the text of sections 2–5, appendices 9–11 and the "
               "WWCSC summary"],
    derived=["every recomputed value: F, t and p statistics, chi-square and Fisher tests on "
             "reconstructed counts, sums, means and counterfactuals"],
)
run.params_box()

# %% tags=["hide-input"]
led = run.ledger
audit.record(led, checks)
tables.write_csv(frame, out / "audit_checks.csv", index=False)
summary = audit.summary(checks)
summary.loc["All checks"] = summary.sum()
tables.show(summary, "derived", caption="Checks by topic and verdict",
            source="sofs_lib.chapters.consistency_audit.analysis.run_all(); every check below.")

# %% tags=["hide-input"]
fig = audit.plot_verdicts(summary)

# %% [markdown]
# ## What does not agree
#
# The checks below found numbers that cannot be reconciled with the rest of the report. Each
# reasoning says why; the full list, with the consistent checks, follows by topic.

# %% tags=["hide-input"]
bad = frame[frame["verdict"] == "inconsistent"]
display(Markdown("\n".join(f"- **{r.title}** ({r.topic}). {r.reasoning}" for r in bad.itertuples())
                 or "No inconsistencies."))

# %% [markdown]
# And where the published numbers are not enough to decide:

# %% tags=["hide-input"]
cc = frame[frame["verdict"] == "cannot check"]
display(Markdown("\n".join(f"- **{r.title}** ({r.topic}). {r.reasoning}" for r in cc.itertuples())
                 or "None."))

# %% [markdown]
# ## Every check, by topic
#
# Each table leads with the verdict; a check's *inputs* (the published tables and quoted numbers,
# ids of `data/published/text_numbers.csv`, it reads), *assumptions* (what it takes for granted)
# and *reasoning* are folded under "details" in its last column.

# %% tags=["hide-input"]
kinds = {"title": "published", "inputs": "published", "assumptions": "derived",
         "recomputed": "derived", "published": "published", "verdict": "derived",
         "reasoning": "derived"}
for topic, g in frame.groupby("topic", sort=False):
    view = g.set_index("check_id")[FIRST + FOLDED]
    tables.show(view, kinds, caption=topic, secondary=FOLDED,
                highlight=view.apply(lambda c: view["verdict"] == "inconsistent"),
                source=f"Recomputed by {audit.computed_by(checks, topic)} from data/published (see each check's inputs).")

# %% [markdown]
# ## Table 4 in detail: is "not significant" what the percentages say?
#
# Table 4 prints percentages only; the respondents per pilot come from Table 2 ("Number").
# For each statement, every combination of counts consistent with the printed percentages (with
# up to a few respondents per pilot skipping the item) is tested; the last column is the share
# of respondents below which the central result would stop being significant.

# %% tags=["hide-input"]
t4 = audit_workforce.table4_tests()
tables.show(t4[["chi2", "p", "chi2_min", "chi2_max", "p_min", "p_max", "reconstructions",
                "max_missing", "n_share_for_ns"]], "derived",
            fmt={"chi2": ".2f", "chi2_min": ".2f", "chi2_max": ".2f", "p": ".4f", "p_min": ".4f",
                 "p_max": ".4f", "reconstructions": ".0f", "max_missing": ".0f", "n_share_for_ns": ".2f"},
            caption="Chi-square tests of Table 4 (4 pilots × agree / not agree, 3 df)",
            source="Computed from Tables 2 and 4 of the report (sofs_lib.chapters.consistency_audit.workforce.table4_tests).")
tables.write_csv(t4, out / "table4_tests.csv")

# %% [markdown]
# ## What this appendix records
#
# Every comparison is written to this appendix's `reproduction.csv` (kind *derived*), and the
# appendix "Reproduction ledger" gathers it with the chapters'.

# %% tags=["hide-input"]
path = run.finish()
tables.show(led.summary(), "derived", caption="Comparisons recorded by this appendix, by status",
            source=f"{paths.relative(path)}")
