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
# # The workforce
#
# **The question.** Did social workers in the Signs of Safety (SofS) pilots report "greater
# clarity, job satisfaction and commitment, leading to improved staff retention and reduced
# absenteeism" (the evaluation's workforce question)? The report answers from a one-time staff
# survey in four pilots (section 3, Table 4) and from the national workforce statistics
# (appendix 9, the workforce rows of Tables A9.3 and A9.4). This chapter re-tests the survey,
# rebuilds the national panel for every English council, and asks what the evidence could have
# detected.

# %% tags=["parameters"]
dfe_data_dir = None
survey_data_dir = None
survey_seed = 20190101
panel_seed = 20150930
max_item_nonresponse = 0
alpha = 0.05
first_year = 2015
did_last_year = 2019
post_from = 2018
event_ref_year = 2016
ri_draws = 1000
bootstrap_reps = 999
seed = 1
pilots = None
comparators = None
output_dir = None

# %% tags=["remove-input"]
from IPython.display import Markdown, display

from sofs_lib import published
from sofs_lib.chapters.workforce import claims, compute, figures, records, reproduce, survey
from sofs_lib.chapters.workforce import coverage as wcov
from sofs_lib.chapters.workforce import survey_records as sr
from sofs_lib.chapters.workforce.panel import group_means
from sofs_lib.chapters.workforce.params import SPEC, check_consistency
from sofs_lib.core import ledger, paths
from sofs_lib.display import chapter, provenance, tables
from sofs_lib.methods import coverage
from sofs_lib.methods import wild as W
from sofs_lib.synthetic import staff_survey

run = chapter.start(SPEC, globals())
p, out, led = run.params, run.out, run.ledger
check_consistency(p)
data_dir = paths.repo_root() / p["dfe_data_dir"] if p["dfe_data_dir"] else None
tests = survey.statement_tests(p["max_item_nonresponse"], p["alpha"])
claims_df = claims.all_claims(tests, p["alpha"], p["max_item_nonresponse"])
L = compute.load(p, data_dir)
KIND = L["kind"]
imp, events = compute.impact_tables(L["frame"], p)
cands = reproduce.candidates(L["long"], L["pilots"], L["comparators"])
a9 = records.a9_rows(reproduce.chosen(cands))
a9["match"] = [ledger.classify(pv, cv, d) == "exact"
               for pv, cv, d in zip(a9["published"], a9["computed"], a9["decimals"])]
a9["short"] = a9["indicator_id"]
parts = compute.answer_parts(tests, claims_df, a9, imp, KIND, p["alpha"])
provenance.answer(**parts, kind=KIND, output_dir=out)
provenance.banner(
    published=["Tables 2 and 4 of the report; the workforce rows of appendix Tables A9.3 and A9.4; "
               "numbers quoted in sections 3-5"],
    derived=["Table 4 counts reconstructed from its percentages, and every test on them"],
    real=(["the national workforce panel, the A9.3/A9.4 reproduction, the DiD and the minimum "
           f"detectable effects: from {L['source']}"] if KIND == "real" else None),
    synthetic=(["the respondent-level staff survey"] if not p["survey_data_dir"] else [])
    + (["the national workforce panel and everything computed from it (no real data present)"]
       if KIND == "synthetic" else []))
run.params_box()

# %% [markdown]
# ## The staff survey (Table 4)
#
# Social workers in Pilots 1, 7, 8 and 9 answered once, between January and March 2019. Table 4
# prints each pilot's share agreeing with five statements; Table 2 gives the number who
# responded. The report says Pilot 8 "emerged with the best outcomes overall, but the
# differences were not significant".

# %% tags=["hide-input"]
t4 = survey.table4().copy()
t4.loc["Respondents (Table 2)"] = survey.respondents()
tables.show(t4, "published", fmt=".0f", caption="Table 4 with its respondents",
            source=f"{published.cite('4')}; respondents: {published.cite('2')}, row 'Number'.")
rec = survey.reconstruction(p["max_item_nonresponse"])
tables.write_csv(rec, out / "table4_reconstruction.csv", index=False)
records.record_table4(led, rec)
need = rec[rec["nonresponse_needed"] > 0]
display(Markdown(
    f"**Counts behind the percentages.** A count *k* of *m* answering is admissible when "
    f"100 *k*/*m* rounds half-up to the printed percentage. {len(rec) - len(need)} of "
    f"{len(rec)} cells fit with every respondent answering; the other {len(need)} need "
    f"between {need['nonresponse_needed'].min()} and {need['nonresponse_needed'].max()} "
    "respondents to have skipped the item (the report does not print item non-response)."))
tables.show(rec.set_index(["statement", "pilot"])[
    ["percent", "n", "nonresponse_needed", "denominator", "count", "count_low", "count_high",
     "options"]], "derived", caption="Table 4 as counts: central reconstruction and range",
    source="report Tables 4 and 2; sofs_lib.published.recon.", collapsed=True)

# %% [markdown]
# **Do the pilots differ?** For each statement: Pearson chi-square (3 degrees of freedom) and
# the exact Freeman-Halton test, over every admissible reconstruction, and Holm and
# Benjamini-Hochberg corrections across the five statements.

# %% tags=["hide-input"]
cols = ["reconstructions", "chi2_min", "chi2_max", "p_min", "p_max", "p_exact_min",
        "p_exact_max", "p_min_holm", "p_max_holm", "p_min_bh", "p_max_bh", "verdict",
        "verdict_holm"]
tables.show(tests[cols], "derived", fmt={c: ".4f" for c in cols if c.startswith(("chi", "p_"))},
            caption="Table 4: tests across the four pilots (ranges over every reconstruction)",
            source="report Tables 4 and 2; chi-square (scipy), exact test "
                   "(sofs_lib.chapters.workforce.exact), corrections (statsmodels).")
tables.write_csv(tests, out / "table4_tests.csv")
fig = figures.wilson_figure(survey.wilson_intervals(p["max_item_nonresponse"]))

# %% [markdown]
# ## What the report says about the survey, recomputed

# %% tags=["hide-input"]
tables.show(claims_df, "derived", caption="The report's statements about the survey",
            source="report sections 3-5 and Tables 2 and 4 (sofs_lib.chapters.workforce.claims).")
tables.write_csv(claims_df, out / "survey_claims.csv")
display(Markdown("**What a survey like this can and cannot show.** "
                 + " ".join(claims.design_statement(tests, p["alpha"]))))

# %% [markdown]
# ## The survey method on respondent-level records
#
# The evaluators' individual responses are not public. To show the method end to end, a
# **synthetic** respondent-level survey in the survey's layout (pilot, role, the eight element-use
# items of Table 2, the five statements of Table 4 on a five-point scale, skipped items) is
# generated so that every printed percentage is reproduced when rounded. A real extract in the
# same layout (`staff_survey.csv`) runs through the same code with `survey_data_dir`. Counts
# under 10, and the cells that would reveal them, are suppressed.

# %% tags=["hide-input"]
if p["survey_data_dir"]:
    sdir, SKIND = paths.repo_root() / p["survey_data_dir"], "real"
else:
    sdir, SKIND = out / "synthetic", "synthetic"
    staff_survey.write(sdir, p["survey_seed"])
records_df = sr.read_survey(sdir)
tab = sr.tabulate(records_df)
shown = tab[tab["table"] == "4"].set_index(["item", "pilot"])[
    ["respondents", "answered", "yes", "no", "skipped", "percent"]]
tables.show(shown, SKIND, fmt={"percent": lambda v: v if isinstance(v, str) else f"{v:.1f}"},
            caption=("Synthetic survey: " if SKIND == "synthetic" else "")
            + "Table 4 statements by pilot, cells under 10 suppressed ([c])",
            source=f"{sdir.name}/{staff_survey.FILENAME} ({SKIND}); sofs_lib.methods.disclosure.")
tables.write_csv(tab.drop(columns=["yes_raw", "answered_raw"]), out / "survey_tabulation.csv",
                 index=False)
cmp_ = sr.compare_printed(tab)
item_t = sr.item_tests(tab)
tables.show(item_t, SKIND, fmt={"chi2": ".2f", "p": ".4f", "p_exact": ".4f"},
            caption=("Synthetic survey: " if SKIND == "synthetic" else "")
            + "tests across pilots on the records' own counts",
            source=f"{staff_survey.FILENAME} ({SKIND}).")
display(Markdown(f"{int(cmp_['match'].sum())} of {len(cmp_)} item-by-pilot percentages of the "
                 f"{SKIND} records round to the printed Table 2 and Table 4 values."))

# %% [markdown]
# ## The national workforce panel
#
# Every English council, every 30 September from 2015 to the last available, from the DfE
# children's social work workforce statistics (LAIT for 2015-2016). Three groups: the eight
# pilots the report analysed, their comparators, and all other English councils (councils the
# report names as SofS pilots but did not analyse are left out). Pilots and comparators are
# fixed lists, so each is expected every September; the other councils are those that existed
# that September (a council abolished in a reorganisation is followed by its successors).

# %% tags=["hide-input"]
frame = L["frame"]
expected = wcov.expected_la_years(frame)
counts = expected.groupby(["year", "group"])["la_code"].nunique().unstack(fill_value=0)
counts = counts[[g for g in wcov.GROUPS if g in counts.columns]]
tables.show(counts, KIND, caption="Councils each group mean should cover, by September",
            source=L["source"] + "; reorganisations: data/la_reorganisations.csv.")
means = group_means(frame)
tables.write_csv(means, out / "group_means.csv", index=False)
fig = figures.trends_figure(means, KIND)
mtab = wcov.means_with_n(means)
tables.show(mtab, KIND, fmt={c: ".2f" if c.endswith("mean") else ".0f" for c in mtab.columns},
            collapsed=True,
            caption="Group means of the figure, each with the number of LAs it is over",
            source=L["source"] + "; sofs_lib.chapters.workforce.panel.group_means.")

# %% [markdown]
# **Coverage.** A group mean is over the councils with a value that September; an LA-year
# missing or suppressed in every release is left out, so that mean is over fewer councils. Each
# such LA-year is listed below (an LA-year counts once per indicator, within the years the
# indicator is published for any council).

# %% tags=["hide-input"]
missing = wcov.panel_missing(frame)
display(Markdown(coverage.coverage_sentence(missing, wcov.GROUPS)))
if len(missing):
    tables.show(missing.drop(columns="la_code").set_index(["indicator_id", "la_name"]), KIND,
                collapsed=True, caption="Panel LA-years without a value",
                source="sofs_lib.chapters.workforce.coverage.panel_missing; " + L["source"] + ".")
tables.write_csv(missing, out / "missing_la_years.csv", index=False)

# %% [markdown]
# ## The workforce rows of Tables A9.3 and A9.4
#
# Each published row is tried against every basis and release the data hold. The table shows,
# per row, the series that reproduces the 2018/19 (September 2019) pilot mean.

# %% tags=["hide-input"]
tables.write_csv(cands, out / "a9_candidates.csv", index=False)
cshow = cands.set_index(["indicator_id", "series", "release"])[
    ["a93_pilot_mean", "a93_n_pilot", "a93_pilot_mean_published", "a93_pilot_mean_match",
     "a94_pilot_mean", "a94_n_pilot", "a94_pilot_mean_published", "a94_pilot_mean_match",
     "years_a94"]]
kinds = {c: ("published" if c.endswith("published") else KIND) for c in cshow.columns}
fmt2 = {c: ".2f" for c in cshow.columns if c.endswith(("mean", "published"))}
tables.show(cshow, kinds, fmt=fmt2,
            caption="Every candidate basis and release for the six workforce rows",
            source="Tables A9.3 and A9.4 (appendices); " + L["source"] + "; n_pilot: LAs "
                   "(A9.3, September 2019) or LA-years (A9.4, pooled).", collapsed=True)
view = records.a9_view(reproduce.chosen(cands))
tables.show(view, KIND, fmt={c: ".0f" if c.endswith(" n") else ".2f" for c in view.columns},
            caption="Workforce rows computed on the chosen basis, with the values each mean is over",
            source=L["source"] + "; one-way ANOVA (scipy); n: LAs in September 2019 (A9.3) or "
                   "LA-years pooled over the years (A9.4).")
records.record_a9(led, a9, KIND)
display(Markdown(records.a9_match_sentence(a9)))
display(Markdown("\n".join(f"- {s}" for s in reproduce.basis_reasons(cands))))
a9_miss = wcov.a9_missing(L["long"], reproduce.chosen(cands), L["pilots"], L["comparators"])
display(Markdown("**Coverage of these means** (pilot and comparator LA-years of 2015-2019 on "
                 "each row's chosen series). " + coverage.coverage_sentence(
                     a9_miss, {"Pilot": "pilots", "Comparator": "comparators"},
                     nothing="Every pilot and comparator has a value on each row's chosen series "
                             "for every year of Tables A9.3 and A9.4.")))
if len(a9_miss):
    tables.show(a9_miss.drop(columns="la_code").set_index(["indicator_id", "la_name"]), KIND,
                collapsed=True, caption="Pilot and comparator LA-years without a value on the chosen series",
                source="sofs_lib.chapters.workforce.coverage.a9_missing; " + L["source"] + ".")
tables.write_csv(a9_miss, out / "a9_missing_la_years.csv", index=False)

# %% [markdown]
# ## Beyond the report: what could have been detected
#
# A difference-in-differences of each indicator around Round 2 (September 2017 to September
# 2019): pilots against all other English councils, LA and year fixed effects, on councils
# observed every year of the window (councils missing a year are dropped and counted; the
# missing LA-years are named in the coverage table above). With
# only eight treated councils, cluster-robust p-values
# can mislead, so the table adds a wild cluster bootstrap and randomisation inference (the same
# estimate for placebo sets of eight councils drawn from the others). The minimum detectable
# effect (80% power) is shown for the report's own 8 v 8 test and for this panel.

# %% tags=["hide-input"]
icols = ["window", "las", "las_dropped", "estimate", "se_cluster", "clusters", "p_cluster",
         "p_wild", "p_ri",
         "ri_low", "ri_high", "mde_report_test", "mde_panel"]
tables.show(imp.set_index("indicator")[icols], KIND,
            fmt={c: ".3f" for c in icols if c not in ("window", "las", "las_dropped", "clusters")}
            | {"p_wild": lambda v: W.p_text(v, p["bootstrap_reps"], ".3f")},
            caption=("Synthetic data: " if KIND == "synthetic" else "")
            + "DiD around Round 2, inference and minimum detectable effects",
            source=f"{L['source']}; pyfixest (cluster-robust, wild cluster bootstrap, "
                   f"{p['bootstrap_reps']} replications); {p['ri_draws']} placebo draws.")
tables.write_csv(imp, out / "did_mde.csv")
display(Markdown("\n".join(f"- {s}" for s in imp["sentence"])))
fig = figures.event_figure(events, KIND, p["event_ref_year"])

# %% [markdown]
# ## Ethics
#
# The report anonymises its pilots as "Pilot 1-9". Named councils appear on this page only in
# the national panel, never beside a "Pilot n" survey number, and no headcount or other figure
# per "Pilot n" is derived (Table 2's last row, respondents as a share of each pilot's social
# workers, would give one; it is not computed).

# %% tags=["remove-input"]
run.finish()
tables.show(led.summary(), "derived", caption="This chapter's reproduction ledger",
            source="sofs_lib.core.ledger; reproduction.csv in the chapter's output folder.")
