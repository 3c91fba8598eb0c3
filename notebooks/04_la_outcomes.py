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
comparator_rule = "recovered"
rerun_comparator_search = False
exclude_las = []
alpha = 0.05
output_dir = None

# %% tags=["remove-input"]
from IPython.display import Markdown, display

from sofs_lib import published
from sofs_lib.chapters.la_outcomes import analysis as lo
from sofs_lib.chapters.la_outcomes import chapter as ch
from sofs_lib.chapters.la_outcomes import figures, inputs, validate, vintage
from sofs_lib.chapters.la_outcomes import recovered as rec
from sofs_lib.chapters.la_outcomes import sentences as sen
from sofs_lib.chapters.la_outcomes.groups import identify_dropped_pilot, select_comparators
from sofs_lib.chapters.la_outcomes.params import SPEC
from sofs_lib.core import paths
from sofs_lib.display import chapter, provenance, tables
from sofs_lib.sources.dfe import load_groups, load_indicator_catalogue
from sofs_lib.sources.dfe.groups import default_comparators

run = chapter.start(SPEC, globals())
p, out = run.params, run.out
led = run.ledger
yrs = inputs.parse_years(p["years"])
source = inputs.data_source(p["dfe_data_dir"])  # None: committed extract; a raw folder; "synthetic"
data_dir = source if source not in (None, inputs.SYNTHETIC) else None
panel, KIND, syn_pilots, syn_comparators = inputs.chapter_panel(source, out, yrs)
PILOTS, COMPARATORS, WHICH = ch.resolve_groups(p, KIND, syn_pilots, syn_comparators)
validate.check_groups(panel, PILOTS, COMPARATORS, p["exclude_las"], yrs)
if p["later_years"]:
    validate.check_span("later_years", inputs.parse_years(p["later_years"]))
res = lo.analyse(None, PILOTS, COMPARATORS, yrs, panel=panel)
cmp = lo.compare_with_published(res)
a95 = lo.compare_a95(res)
ver = sen.verdicts(cmp, p["alpha"])
ev = cached = ver_alt = chars = None
alt_label = ""
if KIND == "real":
    try:
        chars = rec.la_characteristics(data_dir)
    except Exception as exc:  # noqa: BLE001 - the raw Ofsted file is optional: say so below
        chars_error = str(exc)
    search_panel = panel if yrs == rec.WINDOW else inputs.chapter_panel(source, out, rec.WINDOW)[0]
    cached = ch.cached_with_scores(search_panel, rec.cached_search())
    rivals = [cached[k]["members"] for k in ("runner_up_without_profile", "runner_up_with_profile")
              if k in cached]
    ev = rec.evidence(search_panel, cached["members"], rivals=rivals)
    if WHICH in ("recovered", "sn2021"):
        alt = "sn2021" if WHICH == "recovered" else "recovered"
        alt_label = ch.LABELS[alt]
        res_alt = lo.analyse(None, PILOTS, default_comparators(alt), yrs, panel=panel)
        ver_alt = sen.verdicts(lo.compare_with_published(res_alt), p["alpha"])
mt = ch.match_table(cmp, a95)
why_missed, filled, mt_f = [], [], None
if KIND == "real":
    filled_panel, filled = vintage.fill_from_successor(panel)
    if len(filled) and set(filled["la_code"]) & set(validate._codes(COMPARATORS + PILOTS)):
        res_f = lo.analyse(None, PILOTS, COMPARATORS, yrs, panel=filled_panel)
        mt_f = ch.match_table(lo.compare_with_published(res_f), lo.compare_a95(res_f))
        why_missed.append(sen.vintage_sentence(mt, mt_f, filled))
provenance.answer(**ch.answer_parts(cmp, ver, WHICH, KIND, p["alpha"], ev, cached, ver_alt,
                                    alt_label, why_missed), kind=KIND, output_dir=out)
if KIND == "real":
    provenance.banner(
        published=["Tables A9.1, A9.3, A9.4 and A9.5 of the appendices"],
        real=["every group mean, confidence interval, F statistic, p-value and sum of squares: "
              f"computed from the DfE and Ofsted statistics ({panel.attrs['source']}; which "
              "release each indicator came from is listed at the end)"],
        note="Which pilot the report left out, and the comparators, are also computed from real "
             "files: the published tables, LA characteristics, Ofsted grades and the April 2021 "
             "statistical neighbours.")
else:
    provenance.banner(
        published=["Tables A9.3, A9.4 and A9.5 of the appendices"],
        synthetic=["every computed value: a synthetic panel of 16 LAs built so that its group "
                   "means, one-way F statistics and two-way sums of squares equal the published "
                   "ones; the default (dfe_data_dir: null) runs on the real data"])
run.params_box()

# %% [markdown]
# ## Pilots and comparators
#
# The report compares eight of the nine Round 2 pilots with their "statistical nearest
# neighbours" (SNNs) that did not use SofS; it drops one pilot "due to lack of a suitable
# comparator" without naming it, and used the statistical-neighbour model in force before 2021,
# which is no longer published. Both groups are parameters here (`pilots`, `comparators`,
# `comparator_rule`).

# %% tags=["hide-input"]
if KIND == "real":
    groups = load_groups()
    window = panel[panel["year"].between(*rec.WINDOW)]
    dropped = identify_dropped_pilot(data_dir, panel=window, chars=chars)
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
else:
    display(Markdown(
        "In the synthetic panel the eight pilots are 'Synthetic LA 01'–'08' and the comparators "
        "'Synthetic LA 09'–'16'. The default run (real data) shows the real groups, how the "
        "dropped pilot is identified and how the comparators are recovered."))

# %% [markdown]
# ### How the comparators were found
#
# The report prints each comparator group mean to one decimal, for 2018/19 (Table A9.3) and
# for all five years (Table A9.4): 58 numbers, each of which only some groups of eight councils
# can produce. A mixed-integer search (`scipy.optimize.milp`; one yes/no per council, exactly
# eight chosen, each printed mean a pair of linear inequalities in the chosen councils' sums and
# counts of LA-years, so a council missing a year is averaged correctly) looks, among every
# English council except the named Round 2 pilots, for the eight that reproduce the most printed
# means. Each mean is a *soft* constraint, so a few values revised since 2020 cannot make the
# search fail. Table A9.1's profile of the comparators (types, regions, Ofsted grades) is not
# used by the search; it is the check.

# %% tags=["hide-input"]
if KIND == "real":
    display(Markdown("**Method.** " + cached["method"]))
    for s_ in ch.evidence_sentences(ev, cached):
        display(Markdown(s_))
    tables.show(ch.search_table(ev, cached), "real",
                caption="The recovered group and the best alternatives",
                source="sofs_lib.chapters.la_outcomes (search committed in data/la_groups.yml; "
                       "scores recomputed from the data here)")
    st = ev["stability"].assign(closest_rival=lambda d: d["closest_rival"].map(ch._names))
    tables.show(st.set_index("rows_dropped"), "real",
                caption="Does the group stay the best when printed means are dropped?",
                source="sofs_lib.chapters.la_outcomes.comparators.stability")
    if chars is None:
        display(Markdown(f"*Table A9.1 check skipped: the Ofsted file is not available "
                         f"({chars_error}).*"))
    else:
        prof = ch.profile_table(chars, cached["members"])
        tables.show(prof, {"published (SNNs)": "published", "this group": "real", "match": "derived"},
                    caption="Table A9.1 (SNN column) and the recovered group's profile",
                    source=published.cite("A9.1") + "; Ofsted inspections (real), latest "
                           "judgement by 31 January 2020")
        display(Markdown(
            f"The recovered group matches Table A9.1 on **{int(prof['match'].sum())} of "
            f"{len(prof)}** counts, although the search never used them."))
    tables.show(ch.pairing_table().set_index("pilot"), "derived",
                caption="Each comparator and its most plausible pilot",
                source="data/la_groups.yml: the assignment of least total April 2021 "
                       "statistical-neighbour rank (blank: not neighbours in that model)")
    if p["rerun_comparator_search"]:
        again = rec.run_search(search_panel, chars, time_limit=20)
        display(Markdown(
            f"Search re-run now: {ch._names(again['members'])} ({again['score']} means); "
            + ("the committed group." if again["members"] == cached["members"] else
               "**not the committed group.**")))
    with_rule = select_comparators(data_dir, chars=chars)
    display(Markdown("**The earlier approximation** (`comparator_rule: sn2021`): "
                     + groups["comparator_rule"]))
    tables.show(with_rule.set_index("pilot_name"), "real", collapsed=True,
                caption="April 2021 statistical-neighbour comparators",
                source="DfE Children's Services Statistical Neighbour Benchmarking, April 2021 "
                       "(real); Ofsted inspection outcomes (real).")
    display(Markdown(f"This chapter uses the **{ch.LABELS[WHICH]}**: "
                     f"{ch._names(validate._codes(COMPARATORS))}."))

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
# ## Pilots and comparators over time
#
# The nine indicators the report plots (Figures A9.1–A9.9), drawn here with this chapter's
# groups; they are re-creations, not the report's figures.

# %% tags=["hide-input"]
fig = figures.plot_indicator_grid(res["means_ci"], kind=KIND, title=ch.grid_title(WHICH, KIND))
tables.write_csv(res["means_ci"], out / "group_means_ci.csv", index=False)

# %% [markdown]
# ## The last year and all years compared (Tables A9.3 and A9.4)
#
# One-way analysis of variance by pilot status, for the last year of the span (A9.3) and
# pooling every LA-year (A9.4), beside the published values. A value "matches" when it equals
# the published one rounded to the decimals the report prints. The figure shows how far each
# group mean is from the published one; the full tables (outlined cells do not match) follow.

# %% tags=["hide-input"]
lo.record(led, cmp, a95, KIND)
tables.write_csv(cmp, out / "a93_a94_comparison.csv", index=False)
tables.write_csv(mt, out / "match_counts.csv", index=False)
tables.show(mt.set_index(["table", "column"]), "derived",
            caption="Computed values equal to the published ones at the printed decimals",
            source="sofs_lib.chapters.la_outcomes.chapter.match_table")
display(Markdown(sen.match_sentence(cmp, ch.LABELS[WHICH])))
fig = figures.plot_match(cmp, KIND)

# %% tags=["hide-input"]
miss = cmp[(cmp["quantity"] == "pilot_mean") & ~cmp["match"]]
if len(miss):
    display(Markdown("**Pilot means that do not match, and why:**\n\n" + "\n".join(
        f"- *{r.report_name}* (Table {r.table}): computed {r.computed:.2f}, published "
        f"{r.published:g}. {cat.loc[r.indicator_id, 'note']}" for r in miss.itertuples())))

# %% tags=["hide-input"]
for table, key, what in (("A9.3", "a93", f"{yrs[1] - 1}/{str(yrs[1])[2:]}"),
                         ("A9.4", "a94", "all years")):
    v, hl = lo.side_by_side(cmp, table)
    n = res[key].set_index("report_name")[["n_pilot", "n_snn"]].reindex(v.index)
    v = v.assign(**{"LA values: pilots": n["n_pilot"], "LA values: comparators": n["n_snn"]})
    hl = hl.assign(**{"LA values: pilots": False, "LA values: comparators": False})
    kinds = {col: ("published" if col.endswith("published") else KIND) for col in v.columns}
    fmt = {c: (".2f" if c.startswith("p:") else ".0f" if c.startswith("LA values") else ".1f")
           for c in v.columns}
    tables.show(v, kinds, fmt=fmt, highlight=hl, collapsed=True,
                caption=f"Table {table}: pilots and comparators, {what} (each mean is over the "
                        "number of LA values shown)",
                source=published.cite(table) + ("; computed from DfE files" if KIND == "real"
                                                 else "; computed from the synthetic panel"))

# %% [markdown]
# ### Which of the report's significance verdicts hold

# %% tags=["hide-input"]
for s_ in sen.verdict_sentences(ver, p["alpha"], KIND):
    display(Markdown(s_))
tables.show(ver.set_index(["table", "report_name"]).drop(columns="indicator_id"),
            {"p_published": "published", "significant_published": "published"} | {
                c: KIND for c in ("p_computed", "significant_computed", "status", "reason")},
            fmt={"p_published": ".2f", "p_computed": ".3f"}, collapsed=True,
            caption=f"Significance at {p['alpha']}: published and computed",
            source=published.cite("A9.3") + "; " + published.cite("A9.4"))
tables.write_csv(ver, out / "verdicts.csv", index=False)

# %% [markdown]
# ### Coverage and data vintage
#
# A group mean is over the LA values present; an LA-year missing or suppressed in today's files
# is left out, so that mean is over fewer councils. Today's files are also not those the
# evaluators read in 2019–20: Dorset (835) was reorganised on 1 April 2019 and its September
# 2019 workforce figures exist only under its successor's code (838). Looking the old council up
# under its successor is shown as a sensitivity, not applied.

# %% tags=["hide-input"]
missing = sen.missing_la_years(res["panel"], load_indicator_catalogue())
display(Markdown(sen.coverage_sentence(missing)))
if len(missing):
    tables.show(missing.drop(columns="la_code").set_index(["indicator_id", "la_name"]), KIND,
                collapsed=True, caption="LA-years without a value", source="sofs_lib.chapters."
                "la_outcomes.sentences.missing_la_years")
tables.write_csv(missing, out / "missing_la_years.csv", index=False)
if mt_f is not None:
    display(Markdown(why_missed[0]))
    both = mt.merge(mt_f, on=["table", "column", "of"], suffixes=(": as published today",
                                                                ": Dorset via its successor"))
    tables.show(both.set_index(["table", "column"]), "derived",
                caption="Matches with Dorset's missing LA-years taken from its successor (838)",
                source="sofs_lib.chapters.la_outcomes.vintage.fill_from_successor; "
                       f"{len(filled)} LA-years filled: "
                       + ", ".join(f"{r.indicator_id} {r.year}" for r in filled.itertuples()))

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
display(Markdown(sen.interaction_sentence(inter, p["alpha"])))
tables.write_csv(res["a95"], out / "a95_twoway.csv", index=False)
display(Markdown("Table A9.5 cells equal to the published ones at three decimals: " + "; ".join(
    f"{r.column} {r.matched} of {r.of}" for r in ch.a95_match_counts(a95).itertuples()) + "."))

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
display(Markdown(sen.fragile_sentence(loo)))
if p["exclude_las"]:
    ex = lo.analyse(None, PILOTS, COMPARATORS, yrs, exclude=p["exclude_las"], panel=panel)
    tables.show(ex["a94"].set_index("report_name")[["pilot_mean", "n_pilot", "snn_mean", "n_snn",
                                                    "F", "p"]], KIND,
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
    later = inputs.parse_years(p["later_years"])
    span = (min(yrs[0], later[0]), max(yrs[1], later[1]))
    full_panel, _, _, _ = inputs.chapter_panel(source, out, span)
    full = lo.analyse(None, PILOTS, COMPARATORS, span, panel=full_panel)
    fig = figures.plot_indicator_grid(full["means_ci"], kind=KIND, shade=yrs,
                                 title=ch.grid_title(WHICH, KIND, "evaluation years (shaded) "
                                                                  "and after"))

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
    li = lat["a95"][lat["a95"]["source"] == "Year * pilot status"].set_index("report_name")["p"]
    display(Markdown(sen.after_sentence(res["a94"], lat["a94"], p["alpha"], p["later_years"], li)))
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
