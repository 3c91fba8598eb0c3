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
# # LA-level outcomes
#
# **The question.** Did local authorities piloting Signs of Safety differ from similar
# authorities on the national outcome indicators — children in need, assessments, child
# protection, looked-after children and the workforce — and did any difference change over
# 2014/15–2018/19? This is report appendix 9 (Tables A9.3–A9.5, Figures A9.1–A9.9) and the
# strand of the evaluation built only on public statistics, so it is the one part of the report
# that can be rebuilt from real data. The chapter then asks what the same indicators did after
# the evaluation.

# %% tags=["parameters"]
dfe_data_dir = None
years = "2014/15-2018/19"
later_years = "2018/19-2021/22"
pilots = None
comparators = None
exclude_las = []
alpha = 0.05
output_dir = None

# %% tags=["remove-input"]
from IPython.display import Markdown, display

from sofs_lib.chapters.la_outcomes.params import SPEC
from sofs_lib.display import chapter

from sofs_lib.chapters.la_outcomes import analysis as lo
from sofs_lib.core import paths
from sofs_lib.display import provenance, tables
from sofs_lib import published
from sofs_lib.chapters.la_outcomes.groups import identify_dropped_pilot, select_comparators
from sofs_lib.sources.dfe import load_groups, load_indicator_catalogue

run = chapter.start(SPEC, globals())
p, out = run.params, run.out
led = run.ledger
yrs = lo.parse_years(p["years"])
source = lo.data_source(p["dfe_data_dir"])  # None: committed extract; a raw folder; "synthetic"
data_dir = source if source not in (None, lo.SYNTHETIC) else None
panel, KIND, syn_pilots, syn_comparators = lo.chapter_panel(source, out, yrs)
PILOTS = p["pilots"] if p["pilots"] is not None else syn_pilots
COMPARATORS = p["comparators"] if p["comparators"] is not None else syn_comparators
run.params_box()
if KIND == "real":
    provenance.banner(
        published=["Tables A9.1, A9.3, A9.4 and A9.5 of the appendices"],
        real=["every group mean, confidence interval, F statistic, p-value and sum of squares: "
              f"computed from the DfE and Ofsted statistics ({panel.attrs['source']}; which "
              "release each indicator came from is listed at the end)"],
        note="Which pilot the report left out, and the comparators, are also computed from real "
             "files: LA characteristics, Ofsted grades and the April 2021 statistical neighbours.")
else:
    provenance.banner(
        published=["Tables A9.3, A9.4 and A9.5 of the appendices"],
        synthetic=["every computed value: a synthetic panel of 16 LAs built so that its group "
                   "means, one-way F statistics and two-way sums of squares equal the published "
                   "ones; the default (dfe_data_dir: null) runs on the real data"])

# %% [markdown]
# ## Pilots and comparators
#
# The report compares eight of the nine Round 2 pilots with their "statistical nearest
# neighbours" (SNNs) that did not use SofS; it drops one pilot "due to lack of a suitable
# comparator" without naming it, and used the statistical-neighbour model in force before 2021,
# which is no longer published. Both choices are parameters here (`pilots`, `comparators`).

# %% tags=["hide-input"]
if KIND == "real":
    groups = load_groups()
    dropped = identify_dropped_pilot(data_dir)
    display(Markdown(
        "**Which pilot was left out.** The report names the Round 2 councils, not which of them "
        "it dropped. Leaving out each in turn, only one choice reproduces Table A9.1's profile "
        "of the eight pilots (authority types, regions, Ofsted grades) *and* the published pilot "
        f"means: **{dropped.iloc[0]['candidate_dropped']}**. Naming a council here identifies "
        "nothing about the anonymised 'Pilot 1–9' of the other chapters."))
    tables.show(dropped.set_index("candidate_dropped"), "real",
                caption="Leaving out each Round 2 pilot in turn",
                source="DfE and Ofsted files (real), scored against appendix Tables A9.1, A9.3 "
                       "and A9.4 (sofs_lib.chapters.la_outcomes.groups.identify_dropped_pilot).")
    comps = select_comparators(data_dir)
    display(Markdown("**Comparators.** " + groups["comparator_rule"]))
    tables.show(comps.set_index("pilot_name"), "real",
                caption="Comparator chosen for each pilot",
                source="DfE Children's Services Statistical Neighbour Benchmarking, April 2021 "
                       "(real); Ofsted inspection outcomes (real).")
else:
    display(Markdown(
        "In the synthetic panel the eight pilots are 'Synthetic LA 01'–'08' and the comparators "
        "'Synthetic LA 09'–'16'. Rerun with `dfe_data_dir` to see the real groups, how the "
        "dropped pilot is identified and how comparators are chosen."))

# %% [markdown]
# ## The 29 indicators
#
# Each indicator's definition, source file and columns, derivation and year convention are in
# `data/indicators.csv`. Several of the report's labels do not match the source its numbers
# must have come from; the notes say so (for example, "children in need" is reproduced by the
# rate of *episodes*, not children).

# %% tags=["hide-input"]
cat = load_indicator_catalogue().sort_values("order").set_index("indicator_id")
tables.show(cat[["report_name", "definition", "unit", "source_publication", "source_columns",
                 "year_convention", "note"]], "derived", collapsed=True,
            caption="Indicator catalogue", source="data/indicators.csv")

# %% [markdown]
# ## Pilots and comparators over time (Figures A9.1–A9.9)

# %% tags=["hide-input"]
res = lo.analyse(None, PILOTS, COMPARATORS, yrs, panel=panel)
fig = lo.plot_indicator_grid(res["means_ci"], kind=KIND,
                             title="Figures A9.1–A9.9: pilots and comparators, group means "
                                   "with 95% confidence intervals")
tables.write_csv(res["means_ci"], out / "group_means_ci.csv", index=False)

# %% [markdown]
# ## The last year and all years compared (Tables A9.3 and A9.4)
#
# One-way analysis of variance by pilot status, for the last year of the span (A9.3) and
# pooling every LA-year (A9.4), beside the published values. A value "matches" when it equals
# the published one rounded to the decimals the report prints. The figure shows how far each
# group mean is from the published one; the full tables (outlined cells do not match) follow.

# %% tags=["hide-input"]
cmp = lo.compare_with_published(res)
a95 = lo.compare_a95(res)
lo.record(led, cmp, a95, KIND)
score = lo.match_score(cmp)
tables.write_csv(cmp, out / "a93_a94_comparison.csv", index=False)
fig = lo.plot_match(cmp, KIND)

# %% tags=["hide-input"]
lines = []
for t in ("A9.3", "A9.4"):
    row = score[score["table"] == t].iloc[0]
    lines.append(f"- **Table {t}:** the pilot mean matches the published value for "
                 f"**{int(row.matched)} of {int(row.of)}** indicators.")
snn = lo.match_score(cmp, "snn_mean")
gap = cmp[cmp["quantity"] == "snn_mean"]["gap"].abs()
lines.append(f"- Comparator means match for {int(snn['matched'].sum())} of {int(snn['of'].sum())} "
             f"cells (median absolute gap {gap.median():.1f}): expected, since the comparators "
             "come from a different statistical-neighbour model.")
display(Markdown("\n".join(lines)))
miss = cmp[(cmp["quantity"] == "pilot_mean") & ~cmp["match"]]
if len(miss):
    display(Markdown("**Pilot means that do not match, and why:**\n\n" + "\n".join(
        f"- *{r.report_name}* (Table {r.table}): computed {r.computed:.2f}, published "
        f"{r.published:g}. {cat.loc[r.indicator_id, 'note']}" for r in miss.itertuples())))

# %% tags=["hide-input"]
for table, what in (("A9.3", f"{yrs[1] - 1}/{str(yrs[1])[2:]}"), ("A9.4", "all years")):
    v, hl = lo.side_by_side(cmp, table)
    kinds = {col: ("published" if col.endswith("published") else KIND) for col in v.columns}
    tables.show(v, kinds, fmt={c: (".2f" if c.startswith("p:") else ".1f") for c in v.columns},
                highlight=hl, collapsed=True, caption=f"Table {table}: pilots and comparators, {what}",
                source=published.cite(table) + ("; computed from DfE files" if KIND == "real"
                                                 else "; computed from the synthetic panel"))

# %% [markdown]
# ## Change over time: two-way analysis of variance (Table A9.5)
#
# Year × pilot status, Type III sums of squares with sum-to-zero contrasts, for the nine
# indicators the report tabulates. A significant *interaction* would mean the gap between pilots
# and comparators changed over the period; the report found none.

# %% tags=["hide-input"]
view = a95.set_index(["report_name", "source"])[["ss", "ss_published", "df", "F", "F_published",
                                                  "p", "p_published"]]
view.index = [f"{a} — {b}" for a, b in view.index]
kinds = {c: ("published" if c.endswith("published") else KIND) for c in view.columns}
tables.show(view, kinds, fmt={"ss": ".3f", "ss_published": ".3f", "df": ".0f", "F": ".3f",
                              "F_published": ".3f", "p": ".3f", "p_published": ".3f"},
            collapsed=True, caption="Table A9.5: two-way ANOVA, computed and published",
            source=published.cite("A9.5"))
inter = res["a95"][res["a95"]["source"] == "Year * pilot status"]
sig = inter[inter["p"] < p["alpha"]]
display(Markdown(
    f"Year × pilot status interaction significant at {p['alpha']} for **{len(sig)} of "
    f"{len(inter)}** indicators (all computed; the report tabulates nine)" + (f" ({', '.join(sig['report_name'])})." if len(sig) else
                                     ": the gap between pilots and comparators did not change "
                                     "detectably over the period.")))
tables.write_csv(res["a95"], out / "a95_twoway.csv", index=False)

# %% [markdown]
# ## Sensitivity
#
# The report re-ran the analysis "excluding Pilots 1 and 2", whose assessment figures changed
# after they hired external consultants. Reproducing that would mean identifying which named
# councils are Pilots 1 and 2, which this book does not do. Instead, each pilot is left out in
# turn: an all-years difference that depends on a single authority is fragile. The parameter
# `exclude_las` leaves out any named authorities in addition.

# %% tags=["hide-input"]
loo = lo.leave_one_out(panel, PILOTS, COMPARATORS, yrs, p["alpha"]).merge(
    cat[["report_name"]], left_on="indicator_id", right_index=True)
tables.show(loo.set_index("report_name")[["p_all", "runs_significant", "runs",
                                          "p_max_leave_one_out", "robust"]], KIND,
            fmt={"p_all": ".3f", "p_max_leave_one_out": ".3f"}, collapsed=True,
            caption="All-years one-way test with each pilot left out in turn",
            source="sofs_lib.chapters.la_outcomes.analysis.leave_one_out")
fragile = loo[loo["significant_all"] & ~loo["robust"]]
display(Markdown(
    f"Of {int(loo['significant_all'].sum())} indicators with a significant all-years difference, "
    f"{len(fragile)} lose significance when one pilot is left out"
    + (f": {', '.join(fragile['report_name'])}." if len(fragile) else ".")))
if p["exclude_las"]:
    ex = lo.analyse(None, PILOTS, COMPARATORS, yrs, exclude=p["exclude_las"], panel=panel)
    tables.show(ex["a94"].set_index("report_name")[["pilot_mean", "snn_mean", "F", "p"]], KIND,
                fmt=".2f", caption=f"All years, excluding {', '.join(p['exclude_las'])}",
                source="sofs_lib.chapters.la_outcomes.analysis.analyse(exclude=...)")

# %% [markdown]
# ## After the evaluation
#
# The same indicators and methods over the years after the evaluation window, as far as the DfE
# files go (to 2021/22). The pandemic years 2020/21 and 2021/22 changed referral and assessment
# patterns everywhere, so differences there say little about Signs of Safety.

# %% tags=["hide-input"]
if KIND != "real" or not p["later_years"]:
    display(Markdown("*This section needs the real data (`dfe_data_dir`) and `later_years`: the "
                     "synthetic panel covers only the report's five years.*"))
else:
    later = lo.parse_years(p["later_years"])
    span = (min(yrs[0], later[0]), max(yrs[1], later[1]))
    full_panel, _, _, _ = lo.chapter_panel(source, out, span)
    full = lo.analyse(None, PILOTS, COMPARATORS, span, panel=full_panel)
    fig = lo.plot_indicator_grid(full["means_ci"], kind=KIND, shade=yrs,
                                 title="The nine indicators of Figures A9.1–A9.9, "
                                       "evaluation years shaded and after")

# %% tags=["hide-input"]
if KIND == "real" and p["later_years"]:
    lat = lo.analyse(None, PILOTS, COMPARATORS, later, panel=full_panel)
    t = lat["a94"].merge(res["a94"][["indicator_id", "pilot_mean", "snn_mean", "p"]],
                         on="indicator_id", suffixes=("", "_eval"))
    t = t.set_index("report_name")[["pilot_mean_eval", "snn_mean_eval", "p_eval",
                                    "pilot_mean", "snn_mean", "p"]]
    t.columns = ["pilots, evaluation years", "comparators, evaluation years", "p, evaluation years",
                 f"pilots, {p['later_years']}", f"comparators, {p['later_years']}",
                 f"p, {p['later_years']}"]
    tables.show(t, KIND, fmt=".2f", collapsed=True,
                caption="All-years means and one-way tests: evaluation "
                "window and after", source="DfE files (real); sofs_lib.chapters.la_outcomes.analysis.analyse")
    li = lat["a95"][lat["a95"]["source"] == "Year * pilot status"]
    a_eval = int((t["p, evaluation years"] < p["alpha"]).sum())
    a_late = int((t[f"p, {p['later_years']}"] < p["alpha"]).sum())
    display(Markdown(
        f"Pilots and comparators differ significantly (all-years one-way test, {p['alpha']}) on "
        f"**{a_eval} of {len(t)}** indicators over the evaluation years and **{a_late} of "
        f"{len(t)}** over {p['later_years']}. " + (
            f"Over {p['later_years']} no indicator shows a significant year × pilot status "
            "interaction: the gaps that existed stayed roughly where they were, and nothing here "
            "points to a change after the evaluation." if not (li["p"] < p["alpha"]).any() else
            f"Over {p['later_years']} the year × pilot status interaction is significant for "
            + ", ".join(li.loc[li["p"] < p["alpha"], "report_name"])
            + ": the gap changed over those years, which these descriptive tests cannot attribute "
            "to SofS.")))
    tables.write_csv(lat["a94"], out / "later_years_a94.csv", index=False)

# %% [markdown]
# ## What this chapter reproduces

# %% tags=["hide-input"]
path = run.finish()
tables.show(led.summary(), "derived", caption="Comparisons recorded by this chapter, by status",
            source=paths.relative(path))

# %% [markdown]
# ## Revisions between releases
#
# Which release each indicator came from, and how far the report-period numbers move when a
# later DfE release is read instead. By default the chapter reads the committed extract of the
# 2022 releases (`data/dfe_extract`); `dfe_data_dir` may name a folder of raw downloads of any
# release from 2022 on, where each table is found by its publication and table id. Where a
# folder holds two releases of one table the newer one is used, and the files left out are
# listed below. Later releases revise earlier years (the 2024 children-in-need release re-based
# every rate on new population estimates), so the table below compares each pilot mean of
# Tables A9.3 and A9.4 between releases and says whether any verdict changes.

# %% tags=["hide-input"]
from sofs_lib.chapters.la_outcomes import revisions as rv

if KIND != "real":
    display(Markdown("*This section needs real data: the synthetic panel has no releases.*"))
else:
    tables.show(rv.sources_table(panel).set_index("report_name"), "derived", collapsed=True,
                caption="Which publication, release and file each indicator came from",
                source=f"{panel.attrs['source']} (sofs_lib.sources.dfe.extract.indicator_sources)")
    rev = rv.chapter_revisions(source, panel, yrs, PILOTS, COMPARATORS, p["alpha"])
    if len(rev["superseded"]):
        tables.show(rev["superseded"].set_index("path"), "derived",
                    caption="Files left out: a newer release of the same table is in the folder",
                    source="sofs_lib.sources.dfe.tables.choose")
    how = ("computed now, the committed extract (2022 release) against the folder read here"
           if rev["mode"] == "live" else
           "the committed table data/dfe_extract/revisions_2022_2024.csv, built by "
           "sofs_lib.chapters.la_outcomes.revisions from the 2022 release and a folder where the "
           "2024 release of six tables replaces its 2022 files; run the chapter with such a folder "
           "as dfe_data_dir to recompute it")
    display(Markdown(rv.revision_summary(rev["table"], p["alpha"]) + f" (Source: {how}.)"))
    moved = rev["table"][rev["table"]["pilot_change"].abs() > rv.TOLERANCE]
    view = (moved if len(moved) else rev["table"]).copy()
    view.index = "Table " + view["table"] + ": " + view["report_name"]
    tables.show(view[["release_old", "release_new", "pilot_old", "pilot_new", "pilot_change",
                      "p_old", "p_new", "verdict_changed"]], "real",
                fmt={"pilot_old": ".2f", "pilot_new": ".2f", "pilot_change": "+.2f",
                     "p_old": ".3f", "p_new": ".3f"}, collapsed=not len(moved),
                caption="Pilot means of Tables A9.3 and A9.4 that move between releases",
                source="DfE files of both releases (real); sofs_lib.chapters.la_outcomes.revisions")
    tables.write_csv(rev["table"], out / "revisions_between_releases.csv", index=False)
    if rev["later"] is not None:
        tables.show(rev["later"], "real", fmt=".1f",
                    caption="Revised indicators: group means from the report's last year to the "
                            "last year of the newer release",
                    source="DfE files (real); sofs_lib.chapters.la_outcomes.revisions.later_means")
