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
# # Difference-in-differences on individual records
#
# **The question.** Did Signs of Safety (SofS) change four outcomes for children: the duration
# of assessments (EQ3a), re-referral within 6 months of a case closed with no further action
# (EQ3b), a re-referral that leads to a child protection plan or care (EQ3c), and kinship rather
# than non-kinship care in the first year of care (EQ3d)? The report (section 3,
# "Difference-in-differences analysis using individual-level datasets", Table 8 and Figures 1-4)
# and its Appendix 10 (equation [1], Tables A10.1-A10.12) answer with a matched
# difference-in-differences (DiD) design on National Pupil Database records.
#
# Those records are not public. This chapter runs the report's whole method, step by step, on a
# **synthetic** extract generated to resemble what the report publishes (population sizes,
# pre-treatment characteristics, and true effects equal to the published estimates by default),
# and puts every table beside the published one. The synthetic numbers show how the method
# behaves; they are not evidence about SofS. Pointed at a real extract (`data_dir`), the same
# code produces the real tables, with small cells suppressed.

# %% tags=["parameters"]
seed = 2019
scale = 1.0
true_effects = None
exclude_pilots = []
duration_cutoff = 76.0
settling_in = None
pretrend = None
data_dir = None
design_file = None
ofsted_file = None
la_matching = "design"
match_max_rmse_sd = 0.25
match_min_post = 100
min_switchers = 30
data_quality_concerns = None
output_dir = None

# %% tags=["remove-input"]
from sofs_lib.chapters.did.null_world import start_null_world
from sofs_lib.chapters.did.params import SPEC

# the same analysis on a null world (every true effect zero): what the rating rule gives when
# there is nothing to find; started first, on the checked parameters, and computed beside the
# chapter's own analysis
p = SPEC.validate(globals())
null_verdicts = start_null_world(p) if p["data_dir"] is None else None

from IPython.display import Markdown, display

from sofs_lib.display import chapter

run = chapter.start(SPEC, globals())
p, out = run.params, run.out
led = run.ledger

from sofs_lib.chapters.did import answer as A
from sofs_lib.chapters.did import common as CM  # source lines, provenance kinds, number formats
from sofs_lib.chapters.did import figures as F  # Figures 1-4 and the event study
from sofs_lib.chapters.did import recovery as RC
from sofs_lib.chapters.did import regression_tables as RT  # Tables A10.5-A10.12
from sofs_lib.chapters.did import samples as S  # populations, Tables A10.1-A10.4
from sofs_lib.chapters.did import table8 as T8  # Table 8
from sofs_lib.chapters.did.analysis import EQ_INFO, Analysis
from sofs_lib.core import paths
from sofs_lib.display import provenance, tables

an = Analysis(p)
an.run_all()
KIND = "synthetic" if an.synthetic else "real"
an_null = null_verdicts() if null_verdicts is not None else None
pub_verdicts, pub_n = A.published_inputs()

# %% tags=["hide-input"]
provenance.answer(**A.answer_parts(an, an_null, pub_verdicts, pub_n, A.published_fe_sample()), kind=KIND,
                  output_dir=out)
provenance.banner(
    published=["Tables A10.1-A10.12 and Table 8, and the numbers quoted in section 3 and Appendix 10"],
    synthetic=(["every estimate, test, matching and balance statistic, summary statistic and figure: computed "
                "from a generated NPD extract (sofs_lib.synthetic.npd)",
                "Ofsted ratings, quality-of-delivery and embeddedness scores and comparators' practice models "
                "(generated: the report does not publish them)"] if an.synthetic else None),
    real=(["every estimate and table: computed from the extract in data_dir"] if not an.synthetic else None),
    note=("" if an.synthetic else "The quality-of-delivery and embeddedness scores and the comparators' "
          "practice models are not published and are still generated; the Ofsted ratings are generated "
          "unless ofsted_file is given. The secondary analyses that use them are illustrations."),
)
run.params_box()

# %% [markdown]
# ## The data
#
# The generator (`sofs_lib.synthetic.npd`) writes children in need census and SSDA903 records for the
# nine pilots and sixteen comparator LAs, April 2008 to March 2019, and the four analysis
# populations are derived from those raw records by the rules the report describes (an
# assessment's duration in working days; a referral closed with no further action and a new
# referral within 6 months; escalation to a plan or care within 6 months of the re-referral;
# a placement with relatives or friends, or a special guardianship order, within 12 months of
# the start of a period of care). The settling-in period after each pilot's SofS start is left
# out of every model, as in the report. Counts below 10 are suppressed in every table built
# from records.

# %% tags=["hide-input"]
display(Markdown(f"The extract holds **{an.n_records:,} records** ({'synthetic, scale ' + str(p['scale']) if an.synthetic else 'real'}); "
                 f"generating and deriving the populations took {an.timings['extract'] + an.timings['derive']:.0f} s."))
sizes = S.population_sizes(an, led)
tables.show(sizes, {c: ("published" if "published" in c else KIND) for c in sizes.columns}, fmt=CM.fmt_number(0),
            caption="Analysis populations: rows of the main model beside the N printed under Tables A10.6-A10.11",
            source="Published N: Appendix 10 table notes. Others: " + CM.source(an))
fl = S.flow_table(an)
tables.show(fl.set_index("question"), KIND, collapsed=True, caption="Records kept and excluded by each rule",
            source=CM.source(an) + " Counts under 10 suppressed ([c]).")

# %% [markdown]
# **What each N counts.** The N under Tables A10.6-A10.11 is read as the rows of the question's
# main model: matched children (CEM weight above zero, with a birth date) before the SofS start
# and after the settling-in period; the settling-in period is not counted. For EQ3a's child
# fixed-effects model every row counts, children seen once included (the convention of Stata's
# `xtreg, fe`); the rows of children seen more than once, the ones that identify a fixed-effects
# estimate, are the column "Rows of children seen more than once" (135,323 in Table A10.3).
# The generator sets its volumes on these rows (`data/npd/calibration.yml`, `model_share`) and
# produces the settling-in rows on top; the published Ns then imply more units a year after the
# settling-in period than before SofS in every LA.
#
# ## Matching local authorities on pre-SofS trends (Table A10.1)
#
# "We matched the pilot LAs to up to 2 comparator LAs that most closely resembled them in terms
# of their trends in the respective outcomes before the introduction of SofS." The report gives
# no closeness measure. We use the root mean squared difference between the pilot's and the
# candidate's yearly outcome means over the financial years before the SofS start, after
# removing each series' own mean (trends, not levels), in units of the outcome's standard
# deviation, and the difference in linear slopes. With `la_matching = "design"` (the default)
# the comparators are those of the study design the data were generated under, and the table
# shows how close they are and what the trend rule (up to 2 comparators within
# `match_max_rmse_sd`, each comparator used once, a pilot needing `match_min_post` units after
# its settling-in) would have picked among every LA of the extract; with `"trends"` the rule
# picks them.

# %% tags=["hide-input"]
t1 = S.table_a10_1(an, led)
tables.show(t1, CM.kinds_for(t1, KIND), caption="Table A10.1: pilots used for each evaluation question (✓ used, x not)",
            source=f"Published: Appendix 10, Table A10.1. {KIND.capitalize()}: " + CM.source(an))
mt = S.matching_table(an)
tables.show(mt.set_index(["question"]), KIND, collapsed=True,
            caption="LA matching: closeness of the comparators to each pilot's pre-SofS trend",
            source=CM.source(an))
tables.write_csv(mt, out / "la_matching.csv", index=False)

# %% [markdown]
# In the synthetic extract every comparator shares the same pre-SofS outcome path, so the
# closeness of candidates differs only by sampling noise and the rule's picks differ from the
# design's. The generator ties each comparator's later trend to the timing of the pilot it was
# generated for, which is why the default keeps the design's matches.
#
# ## Coarsened exact matching of children (Table A10.2)
#
# Within each pilot's group, children are matched on coarsened characteristics (age band,
# gender, disability, ethnicity, academic year, free school meals) and, exactly, on the period
# (before SofS, after the settling-in); CEM weights make the comparators' distribution over the
# strata equal to the pilots'. Balance is measured, as in the report, on the uncoarsened
# variables (age in whole years): the L1 multivariate imbalance (0 = perfect balance) and the
# local common support (the share of cells holding both pilot and comparator children). On the
# CEM coarsening itself L1 is 0 after matching, as the report notes.

# %% tags=["hide-input"]
t2 = S.table_a10_2(an, led)
tables.show(t2, CM.kinds_for(t2, KIND), fmt=CM.fmt_number(2),
            caption="Table A10.2: multivariate imbalance (L1) and local common support (%) before and after CEM",
            source=f"Published: Appendix 10, Table A10.2. {KIND.capitalize()}: " + CM.source(an))
tables.write_csv(t2, out / "table_a10_2.csv")

# %% [markdown]
# ## Who is in each sample (Tables A10.3 and A10.4)
#
# Weighted pre-treatment means of the main model's sample. Because children are matched
# exactly on the CEM variables, pilots' and comparators' weighted shares are equal; age (matched
# in bands) and the outcome differ. Percentages of categories with fewer than 10 children are
# suppressed with their complements.

# %% tags=["hide-input"]
for tid in ("A10.3", "A10.4"):
    t = S.table_a10_3_4(an, tid, led)
    tables.show(t, CM.kinds_for(t, KIND), fmt=CM.fmt_number(1), collapsed=True,
                caption=f"Table {tid}: weighted pre-treatment summary statistics (percent unless stated)",
                source=f"Published: Appendix 10, Table {tid}. {KIND.capitalize()}: " + CM.source(an) + " Cells of fewer than 10 "
                "children suppressed ([c]).")
    tables.write_csv(t, out / f"table_{tid.lower().replace('.', '_')}.csv")

# %% [markdown]
# ## Diagnostics and the choice of model (Table A10.5)
#
# The report chose **fixed effects** (child effects) when the Breusch-Godfrey test found serial
# correlation, the Hausman test rejected random effects and more than 15% of the sample were
# children seen more than once (EQ3a); a **logit** when the outcome's prevalence was under 5%
# (EQ3c); otherwise the **linear** model of equation [1] (EQ3b, EQ3d). Here the Breusch-Godfrey
# statistic comes from regressing the linear model's residuals on its regressors and the same
# child's previous residual; the Hausman test compares fixed and random child effects (the
# estimators of linearmodels' `PanelOLS` and `RandomEffects`, written out in
# `sofs_lib.methods.did.hausman` and held to linearmodels by its tests); the parallel-trends
# test counts insignificant leads of the DiD indicator in the chosen model (the linear one for
# a logit, as in the report). A child fixed-effects DiD is only identified by children whose
# treatment status changes; when fewer than `min_switchers` do, the rule falls back to the
# linear model.

# %% tags=["hide-input"]
t5 = RT.table_a10_5(an, led)
tables.show(t5, CM.kinds_for(t5, KIND), caption="Table A10.5: test statistics for each evaluation question",
            source=f"Published: Appendix 10, Table A10.5 (stars: * p<0.1, ** p<0.05, *** p<0.01). {KIND.capitalize()}: " + CM.source(an))
ct = RT.choice_table(an)
tables.show(ct, KIND, caption="The model-choice rule applied to the data", source=CM.source(an))
tables.write_csv(t5, out / "table_a10_5.csv")

# %% [markdown]
# ## Results, question by question (Tables A10.6-A10.12, Figures 1-4)
#
# Each table prints, for every column of the published table, the published coefficient and the
# synthetic one as `estimate stars (standard error clustered by LA)`. "Lagged treatment" replaces
# the DiD indicator by one indicator per year after the settling-in period ("DiD in year t",
# "t+1", ...); the sensitivity columns drop a pilot with its comparators or change the duration
# cut-off; the secondary columns replace the pilot indicator by the quality-of-delivery or
# embeddedness dose (score divided by the highest score), by the practice model of the
# comparators (base: SofS, so the coefficients on "comparator × post" are minus the effect of
# SofS against that kind of comparator), or add the Ofsted rating and its triple interaction.
# The figures show the weighted yearly means and the report's counterfactual for the pilots
# after the settling-in period: the report writes that it "add[s] the DiD coefficient to the
# mean of the outcome post-treatment", but its numbers (21% observed and 31% without SofS for a
# DiD of -9.8 points; 49% and 62% for -12.63) are the post-period mean *minus* the DiD, which is
# what is drawn.

# %% tags=["hide-input"]
def show_question(eq):
    info = EQ_INFO[eq]
    r = an.result(eq)
    for tid in (info["primary"], info["secondary"]):
        if tid is None:
            continue
        t = RT.coef_table(an, eq, tid, led)
        if t.empty:
            continue
        cap = (f"Synthetic re-creation of the method of Table {tid}" if an.synthetic else f"Table {tid} re-run")
        tables.show(t, CM.kinds_for(t, KIND), caption=f"{cap}: {info['label']} ({info['short']})",
                    source=f"Published: Appendix 10, Table {tid}. {KIND.capitalize()}: " + CM.source(an))
        tables.write_csv(t, out / f"table_{tid.lower().replace('.', '_')}.csv")
    F.figure_trends(an, eq)
    m = r.fits["main"]
    cf = F.counterfactual(an, eq)
    scale = 1 if eq == "eq3a" else 100
    display(Markdown(
        f"**{info['short']}.** Main model: {m.model} (N = {m.n:,}, {r.diagnostics['n_pilots']} pilot and "
        f"{r.diagnostics['n_comparators']} comparator LAs). DiD = {m.get('did'):.4g} "
        f"(SE {m.get('did', 'se'):.3g}, {RT.fit_p_text(m)}). "
        f"Pilots after the settling-in period: "
        f"{cf['post_mean'] * scale:.1f}; without SofS (post mean minus the {cf['model']} DiD): "
        f"{cf['counterfactual'] * scale:.1f}. Leads: {r.diagnostics['leads']['insignificant']} of "
        f"{r.diagnostics['leads']['n_leads']} insignificant. {('Note: ' + m.note) if m.note else ''}"))


show_question("eq3a")

# %% [markdown]
# The report's main EQ3a model is a child fixed-effects model. In the synthetic extract many
# assessments belong to children assessed twice, years apart, with a persistent child component
# in their durations: the errors are serially correlated within child, the Hausman test rejects
# random effects, and the children assessed both before SofS and after the settling-in period
# identify a fixed-effects DiD (their number is in the model-choice table above), so the
# fixed-effects DiD is less precise than the linear one. The generator builds in a
# pilot-specific pre-SofS trend in durations, so the leads fail, as the report found under
# fixed effects (see "Are the built-in effects recovered?" below for the bias it causes).

# %% tags=["hide-input"]
show_question("eq3b")

# %% tags=["hide-input"]
show_question("eq3c")

# %% [markdown]
# The published logit DiD for EQ3c, −6.28 on the log-odds scale, multiplies the odds of a rare
# outcome by about 0.002: with it as the true effect almost no pilot child escalates after the
# settling-in period, and the maximum likelihood estimate does not exist (quasi-complete
# separation). The report's own lagged linear effects (about −0.11 to −0.12 on an outcome of 1%)
# are not consistent with its logit either. The synthetic extract therefore uses a true effect of
# −1.5 log-odds by default (stated in `data/npd/calibration.yml`): negative and significant, as
# published, and estimable; with `true_effects={"eq3c_escalation_logit": -6.28}` the chapter
# reports the separation instead of printing a diverging coefficient.
#
# Every logit is checked for separation before it is reported: a covariate category in which
# every child has the same outcome predicts it perfectly and its rows are dropped (counted in
# the table's "Model note", as Stata's `logit` does); a treatment term that predicts perfectly,
# a statsmodels separation or convergence warning, or a coefficient beyond 15 log-odds or with
# a standard error above 10 means the maximum likelihood estimate does not exist, and the linear
# probability model is shown instead, with the reason. The average marginal effect of the DiD
# (percentage points) is printed under the log-odds. The report's own intercept of −18.23
# log-odds (a probability of 1 in 80 million for the reference child, on an outcome of 1%) is
# the mark of such a diverging fit; the audit checks it (`did_eq3c_logit_separation`).

# %% tags=["hide-input"]
show_question("eq3d")

# %% [markdown]
# ## Are the built-in effects recovered?
#
# On synthetic data the true effects are known. The table puts each question's main estimate,
# the other linear model and every sensitivity column beside the effect built into the extract
# for the pilots that column keeps (the same for every pilot unless `calibration.yml`
# `effect_by_pilot` says otherwise). With `pretrend = 0` every main estimate's 95% interval
# covers its built-in effect for several seeds (`tests/test_did_recovery.py`). By default the
# extract also carries a pilot-only trend in assessment durations before SofS (the report's
# leads failed for EQ3a): the pilots' durations drift relative to the comparators' before the
# start, the DiD picks up part of that drift, and the placebo leads, which estimate the
# pilot-comparator gap year by year before the start, are significant for the same reason.

# %% tags=["hide-input"]
if an.synthetic:
    rec = RC.recovery_table(an)
    tables.show(rec.set_index(["question", "column"]), "synthetic", fmt=CM.fmt_number(3),
                caption="Synthetic data: built-in effects and the estimates that should recover them",
                source=CM.source(an) + " Built-in effects: sofs_lib.synthetic.npd true_effects.")
    tables.write_csv(rec, out / "recovery.csv", index=False)
    e3a = rec[(rec["question"] == "EQ3a") & (rec["column"] == "Main model")].iloc[0]
    ls = an.result("eq3a").diagnostics["leads"]
    display(Markdown(A.bias_sentence("EQ3a", e3a["estimate"], e3a["95% CI low"], e3a["95% CI high"],
                                     e3a["built-in effect"], "working days", ls["n_leads"] - ls["insignificant"],
                                     ls["n_leads"])))

# %% [markdown]
# ## Timing of the effects: leads and lags
#
# Placebo leads before the SofS start should be near zero if pilots and comparators were on
# parallel paths; lags show when an effect appears after the settling-in period.

# %% tags=["hide-input"]
fig = F.figure_event_study(an)

# %% [markdown]
# ## Strength of the evidence (Table 8)
#
# The report rates the evidence by "whether the identifying assumption is met, the quality of the
# data and the number of LAs", and calls results "no clear evidence" when the sign or
# significance changes in sensitivity checks. `sofs_lib.methods.did.evidence.rate` writes those words as
# rules: no significant DiD gives no evidence; failed parallel trends or a sign change in any
# check gives "no clear evidence"; otherwise data-quality concerns, fewer than three pilots or no
# possible sensitivity check are major concerns (low strength: "no moderate or high strength
# evidence"), while serial correlation the model does not address, or a check in which the DiD
# keeps its sign but loses significance, are minor (moderate strength); no concern is high
# strength. Given the
# report's own results these rules return its four verdicts (tested in `tests/test_did_evidence.py`).
# The data-quality concerns are the report's (EQ3b and EQ3c: closed cases are hard to identify)
# unless `data_quality_concerns` says otherwise, plus any LA the data show with far fewer cases
# before SofS than after.

# %% tags=["hide-input"]
t8 = T8.table_8(an, led)
A.null_column(t8, an_null)
tables.show(t8, CM.kinds_for(t8, KIND),
            caption=("Synthetic re-creation of the method of Table 8, beside the published verdicts and the "
                     "null world's" if an.synthetic else "Table 8 re-run on the extract, beside the published verdicts"),
            source=f"Published: report section 3, Table 8. {KIND.capitalize()}: " + CM.source(an)
            + " Every p-value in the reasons shows its clusters G and treated clusters; under 10 LAs the wild "
            "cluster bootstrap p (Webb weights) is beside it.")
tables.write_csv(t8, out / "table_8.csv")

# %% [markdown]
# Where the synthetic verdicts agree with the report they do so by construction: the data build
# in the published effects (EQ3c: see above) and the rating rule was written so that the
# report's own results give the report's verdicts. The null-world column is what the same rule
# gives on an extract generated with every true effect zero.
#
# The binary outcomes of EQ3c and EQ3d are drawn stratified by LA, financial year and period, so each cell's rate is
# its target and the realised DiD stays close to the true effect whatever the seed; the
# models' standard errors still reflect the unit-level noise. Whether a verdict comes out as the
# report's still depends on the draw where an estimate is imprecise (the fixed-effects DiD of
# EQ3a, identified only by the children seen before SofS and after the settling-in period; EQ3c,
# whose clustered standard errors rest on 4 LAs).
#
# ## What this chapter reproduces
#
# Every comparison above is written to this chapter's `reproduction.csv`. All reproduced values
# are synthetic: agreement or disagreement with the report says how the method behaves on
# generated data, not whether the report is right.

# %% tags=["hide-input"]
path = run.finish()
tables.show(led.summary(), "derived", caption="Comparisons recorded by this chapter, by status",
            source=f"{paths.relative(path)}")

# %% [markdown]
# ## Run time and memory
#
# `scripts/benchmark_did.py` times the whole computation (extract, populations, matching,
# every model, diagnostic, bootstrap and table) in a fresh process and reports its peak memory;
# with `--null` it also computes the null world beside, as this chapter does. Two cores, seed
# 2019. Machines of the same kind differ in speed, and one machine differs from run to run, by
# up to a factor of two, so the table gives the range of the latest runs and, after it, the
# slowest runs seen before (the peaks hardly vary):
#
# | extract | records | the analysis | with the null world beside |
# | --- | --- | --- | --- |
# | published size (scale 1) | 2.4 million | 8.4-8.6 s, 0.81 GB (slowest seen: 18 s) | 8.7 s; 0.81 GB and 0.74 GB (two processes) |
# | about 10 million records (scale 4.1) | 10.2 million; 1.07 million EQ3a rows in the main model | 28-30 s, 2.62 GB (slowest seen: 52 s) | 33 s; 2.61 GB and 2.47 GB |
#
# What keeps it fast: every linear and fixed-effects model is fitted on one model matrix per
# sample and fixed-effect structure (`sofs_lib.methods.did.engine`: coded, demeaned and
# weighted once, each specification a subset of its columns, with pyfixest's own
# collinearity, singleton and small-sample rules, and held to `pyfixest.feols` by the tests);
# the sensitivity fits take their rows from it; the Breusch-Godfrey auxiliary regression adds
# the lag to it rather than building a second matrix; the Hausman test's fixed- and
# random-effects estimators come from one QR factor of the within-transformed rows
# (`sofs_lib.methods.did.hausman`, held to linearmodels by the tests); the wild cluster
# bootstrap receives each cluster's cross-products rather than its rows; the analysis frames,
# the LA matching and the balance and summary tables work on integer codes rather than text;
# BLAS runs on one thread (the products are of tall, narrow matrices); and the null world is
# computed in a second process beside the analysis, started before anything else.
#
# The chapter itself, kernel start included, ran in 10.5-11.9 s at the published size in six
# runs on a quiet machine (17-19 s of processor time, both processes together), and in 15-20 s
# in earlier builds on slower or busier machines; the build status page gives this build's run
# time and processor time. Of that, the chapter's imports take about 2 s, the synthetic extract
# and its four populations about 4 s, the four analyses about 4 s, the tables and figures about
# 2 s and the kernel's start about 1 s (it is stopped as soon as the last cell has run). The
# null world's process runs beside all but the last of these, and the two processes slow each
# other down (they share the processor's cache and memory): the chapter's own computation takes
# about 8 s alone and about 10 s with the null world beside it.
#
# At about 10 million records the two processes hold about 5 GB together; where the system does not have the memory for
# two analyses at once, the chapter computes the null world first, in its own process
# (`start_null_world`): one analysis's 2.6 GB at a time, at about twice the time.
