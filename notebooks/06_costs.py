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
# # Costs: what SofS cost, and what it would have had to achieve
#
# **The question.** What did implementing and maintaining Signs of Safety (SofS) cost the
# pilots, and what are the cost-saving implications of changes in outcomes? The report
# (section 3 "Cost benefit", section 4 "Better value for money", Appendix 11 and Table A11.1)
# answers from two short surveys of the pilots and MTM's training data. It prints one table of
# cost categories, a handful of totals and the claim that costs showed "no significant changes
# over time" against comparators, with no unit costs, price year or uncertainty. This chapter
# recomputes every printed cost number, builds a costed model with its uncertainty, tests the
# spending claim on public council finance data, and sets the break-even effect of SofS against
# the smallest effect the evaluation could have detected.

# %% tags=["parameters"]
seed = 20171001
n_draws = 10000
interval = 0.9
horizon_years = 5
unit_costs_file = None
data_dir = None
dfe_data_dir = None
anova_years = "2015/16-2018/19"
event_years = "2015/16-2022/23"
pay_uprating = None
on_cost_rate = None
sofs_time_share = None
hours_per_day = None
manager_day_ratio = None
travel_per_training_day = None
pl_attendees = None
pl_session_days = None
kinship_cost_ratio = None
care_weeks_first_year = None
rereferral_hours = None
care_entrants_per_pilot_year = None
nfa_closures_per_pilot_year = None
salary_position = None
it_upkeep_share = None
mgmt_ongoing_share = None
starters_per_pilot_year = None
children_per_pilot = None
output_dir = None

# %% tags=["remove-input"]
import pandas as pd
from IPython.display import Markdown, display

from sofs_lib import published
from sofs_lib.chapters.consistency_audit.analysis import frame as checks_frame
from sofs_lib.chapters.costs import answer, compute, coverage, figures, records
from sofs_lib.chapters.costs.params import SPEC
from sofs_lib.core import paths
from sofs_lib.display import chapter, provenance, tables

run = chapter.start(SPEC, globals())
p, out, led = run.params, run.out, run.ledger
r = compute.run(p, out)
RK = r["returns_kind"]
a = answer.sentences(r)
provenance.answer(report=a["report"], reproduced=a["reproduced"], not_reproduced=a["not_reproduced"],
                  new=a["new"], kind="derived", output_dir=out)
provenance.banner(
    published=[("the cost study's numbers in section 3, section 4 and Appendix 11 (Table A11.1, Table 1's "
                "cost column, training, funding, salaries, management days)"),
               "the DiD effects of Appendix 10 and the LA-level tests of Appendix 9"],
    derived=["every total rebuilt from its parts and every bound the printed summaries imply",
             ("the bottom-up cost model, Monte Carlo interval, tornado chart, cost consequences and "
              "break-even (unit costs cited in data/unit_costs.yml; assumptions marked)")],
    real=(["council spending (DfE LAIT finance lines) and new social workers (workforce files)"]
          if r["real"] else None),
    synthetic=(["the cost-survey and training records used to run the survey method end to end"]
               if RK == "synthetic" else None),
    note=("" if r["real"] else "No public LA data were given (dfe_data_dir), so the sections on real "
          "spending and staff flows are skipped and new starters are an assumption."),
)
run.params_box()

# %% [markdown]
# ## What the report measured, recomputed
#
# Every total the report states is rebuilt from its printed parts, and every printed summary
# (a mean, a range, a median and a count) is turned into what it forces on the individual
# authorities. Each check is also a row of the consistency audit appendix.

# %% tags=["hide-input"]
tables.show(r["training_table"], {"staff": "published", "days per person": "published", "staff-days": "derived"},
            fmt=".0f", caption="Training in Round 2 by course (MTM data): staff and staff-days",
            source="Report section 3 (Cost benefit; Learning: the Family Finding courses were "
                   "'5-day boot camps').")
tables.show(r["totals"][["value", "how"]], "derived", fmt={"value": lambda v: f"{v:,.0f}"},
            caption="Totals and bounds rebuilt from the printed numbers (£, staff, days)",
            source="Derived from the report's section 3 and Appendix 11 (sofs_lib.chapters.costs.recompute).")
tables.write_csv(r["totals"], out / "totals.csv")
cf = checks_frame(r["checks"]).set_index("check_id")
tables.show(cf[["title", "recomputed", "published", "verdict", "reasoning"]],
            {"title": "published", "recomputed": "derived", "published": "published", "verdict": "derived",
             "reasoning": "derived"},
            highlight=cf[["title", "recomputed", "published", "verdict", "reasoning"]].apply(
                lambda c: cf["verdict"] == "inconsistent"),
            caption="The cost study's numbers checked against each other",
            source="sofs_lib.chapters.costs.checks (also in the consistency audit).")
tables.write_csv(cf, out / "checks.csv")

# %% [markdown]
# Table A11.1 prints percentages of the six authorities that answered the November 2019 survey;
# as counts it says how many authorities expect each cost to continue after the grant.

# %% tags=["hide-input"]
a11 = r["a11"]
tables.show(a11, {c: ("published" if c.endswith("(%)") else "derived") for c in a11.columns}, fmt=".0f",
            caption="Table A11.1 as counts of the 6 responding authorities",
            source=published.cite("A11.1") + "; counts reconstructed with sofs_lib.published.recon.")
tables.write_csv(a11, out / "a11_counts.csv")

# %% [markdown]
# ## A cost model with uncertainty
#
# Every unit cost sits in `data/unit_costs.yml` with its value, unit, price year, source and
# table, and the distribution the Monte Carlo draws from; values marked "assumption" are this
# edition's, each with a parameter of the same name. Monetary values are uprated to the
# chapter's price year. Costs are **per pilot (average)** over the pilots, never for a named
# or numbered council.

# %% tags=["hide-input"]
ut = r["unit_table"]
tables.show(ut, {c: ("derived" if c.startswith("value at") or c == "distribution" else "published")
                 for c in ut.columns},
            fmt={"value": "g", f"value at {r['price_year']} prices": lambda v: "" if pd.isna(v) else f"{v:,.2f}"},
            caption=f"Unit costs and assumptions (price year {r['price_year']})",
            source="data/unit_costs.yml (schema-checked by sofs_lib.chapters.costs.unit_costs).")
tables.write_csv(ut, out / "unit_costs.csv")

# %% tags=["hide-input"]
ct = r["central_table"]
tables.show(ct.reset_index(), "derived", fmt={c: answer.money for c in ct.columns}, index=False,
            caption=f"Central estimate by component, {r['price_year']} prices",
            source="Derived: quantities from the report, unit costs from data/unit_costs.yml "
                   "(sofs_lib.chapters.costs.model).")
tables.write_csv(ct, out / "cost_components.csv")
iv = r["interval"]
tables.show(iv, "derived", fmt=answer.money,
            caption=f"Cost per pilot (average): mean and {p['interval']:.0%} interval of "
                    f"{p['n_draws']:,} draws (seed {p['seed']})",
            source=f"Monte Carlo over every distribution in data/unit_costs.yml; ongoing costs over "
                   f"{p['horizon_years']} years discounted at the Green Book rate.")
tables.write_csv(iv, out / "cost_interval.csv")
display(Markdown(answer.cost_sentence(r) + f" For the {r['central']['facts']['pilots']:.0f} Round 2 "
                 f"pilots together, Round 2 cost about {answer.gbp(iv.loc['implementation', 'mean'] * r['central']['facts']['pilots'])}."))

# %% tags=["hide-input"]
fig = figures.monte_carlo(r["draws"], iv, r["price_year"])

# %% tags=["hide-input"]
fig = figures.tornado(r["tornado"], r["price_year"])
tables.write_csv(r["tornado"], out / "tornado.csv", index=False)
display(Markdown(answer.tornado_sentence(r["tornado"])))

# %% [markdown]
# Salaries are those of the November 2019 survey and are treated as at the chapter's price
# year; the report gives no full-time equivalents, so the share of the posts' time spent on
# SofS is an assumption with its own parameter.
#
# ## Real council spending

# %% tags=["hide-input"]
if r["finance"] is None:
    display(Markdown("*Skipped: no public LA data (set `dfe_data_dir` to a folder of DfE files).*"))
else:
    fig = figures.spending(r["fin_means"])
    fm = coverage.means_table(r["fin_means"])
    tables.show(fm.reset_index(), "real", fmt={c: (".0f" if c.startswith("n ") else ",.1f") for c in fm.columns},
                index=False, collapsed=True,
                caption="Mean of each group and the number of LAs it is over (£; units as in the figure)",
                source="DfE LAIT finance lines (real); sofs_lib.chapters.costs.spending.group_means.")
    tables.write_csv(r["fin_means"], out / "finance_means.csv", index=False)
    an = r["anova"].set_index("indicator_id")
    tables.show(an, "real", fmt={c: ".3f" for c in an.columns if c.startswith(("F", "p"))},
                caption=f"Two-factor ANOVA (year x pilot status, Type III), {p['anova_years']}",
                source="DfE LAIT finance lines; the Appendix 9 method (sofs_lib.chapters.la_outcomes.analysis.twoway_anova).")
    tables.write_csv(an, out / "finance_anova.csv")

# %% [markdown]
# ### Coverage
#
# A group mean is over the LA values present. An LA-year missing or suppressed in the
# finance lines, or a gross line without the ONS population it is divided by, is left out, so
# that mean is over fewer councils; every such LA-year is counted and named here. Pilots and
# comparators are expected in every year of a line; another council in every year it has a
# value on some finance line (so a council before its creation or after its abolition is not
# counted as missing from the England mean).

# %% tags=["hide-input"]
if r["finance"] is not None:
    fmiss = r["finance_missing"]
    display(Markdown(coverage.coverage_sentence(fmiss)))
    if len(fmiss):
        words = {"Pilot": "pilot", "SNN": "comparator", coverage.OTHER: "other English LA"}
        tables.show(fmiss.drop(columns="la_code").assign(group=fmiss["group"].map(words)), "real",
                    index=False, collapsed=True,
                    caption="LA-years without a value on a finance line",
                    source="sofs_lib.chapters.costs.coverage.missing_la_years")
    tables.write_csv(fmiss, out / "missing_la_years.csv", index=False)

# %% [markdown]
# The LAIT finance series begin in 2015-16, during Round 1: **no year before any pilot used SofS
# exists**, so these comparisons can only show whether pilots' spending moved differently from
# comparators' once Round 2 began (October 2017), not the effect of adopting SofS. The event
# study compares each year's change since 2016-17; its p-value comes from every way of giving
# the pilot label to as many of the line's councils as there are pilots (the numbers are in
# the caption).

# %% tags=["hide-input"]
if r["finance"] is not None:
    fig = figures.events(r["events"])
    ev = r["events"].set_index(["indicator_id", "year"])
    meta = next(iter(r["events"].attrs["meta"].values()))
    tables.show(ev, "real", fmt={"coef_log": ".3f", "pct": ".1f", "p_randomisation": ".3f"}, collapsed=True,
                caption=f"Event study: pilots minus comparators ({meta['n_pilots']} v {meta['n_comparators']} "
                        f"LAs; {meta['assignments']:,} assignments)",
                source="DfE LAIT finance lines (real); sofs_lib.chapters.costs.spending.event_study.")
    tables.write_csv(ev, out / "finance_event_study.csv")
    names = dict(zip(r["finance"]["la_code"], r["finance"]["la_name"]))
    display(Markdown(coverage.left_out_sentence(r["events"].attrs["meta"], names)
                     + " Gross-spend values dropped for want of a population (councils reorganised "
                     f"between the two sources): {r['finance'].attrs.get('dropped_no_population', 0)}."))
    cl = r["clustered"].join(ev.loc["fin_safeguarding_gross", ["p_randomisation"]])
    tables.show(cl, "real", fmt=".3f",
                caption=f"Safeguarding spend: the same model by OLS with LA-clustered errors "
                        f"({r['clustered'].attrs['clusters']} clusters), with the randomisation p beside it",
                source="statsmodels OLS, LA and year fixed effects.")
    display(Markdown(answer.spending_sentence(r["anova"], r["events"])))
    m, k, fy = r["lait_foster"]
    pssru = r["central"]["values"]["foster_week"]
    display(Markdown(answer.foster_sentence(pssru, m, k, r["price_year"], fy)))

# %% [markdown]
# ## Cost consequences and break-even
#
# The DiD's two effects that the report discusses are valued with the cited unit costs: fewer
# kinship placements (more costly non-kinship care) and fewer re-referrals. Their standard
# errors are recovered from the printed p-values; the kinship effect loses significance without
# Pilot 2 (Table A10.11), which is shown as its own row.

# %% tags=["hide-input"]
ef = r["effects"]
tables.show(ef, {"coef": "published", "p": "published", "source": "published", "se": "derived"},
            fmt={"coef": ".4f", "p": "g", "se": ".4f"}, caption="Published DiD effects (probability scale)",
            source="Appendix 10 and report section 3; SE = |coef| / z(p/2).")
cq = r["consequences"]
tables.show(cq, "derived", fmt={c: (".2f" if c == "P(saving)" else answer.money) for c in cq.columns},
            caption="Yearly cost consequence per pilot (average): positive = extra cost",
            source="Derived: published effects x unit costs (data/unit_costs.yml), Monte Carlo.")
tables.write_csv(cq, out / "consequences.csv")
be = r["break_even"]
tables.show(be.reset_index(), "derived", fmt={c: ".2f" for c in be.columns if c != "unit"}, index=False,
            caption="Break-even: effect per pilot per year that would pay for SofS",
            source="Derived: cost per pilot (average) / unit cost of each outcome.")
tables.write_csv(be, out / "break_even.csv")
det = r["detectable"]
tables.show(det, "derived", fmt={"smallest detectable effect": ".1f"},
            caption="Smallest effect the report's designs could detect (5% two-sided, 80% power)",
            source="sofs_lib.methods.mde from Appendix 10 p-values and Table A9.4 (F and means).")
tables.write_csv(det, out / "detectable.csv")

# %% tags=["hide-input"]
bl = r["believe"]
tables.show(bl, {"break-even": "derived", "unit": "derived", "published estimate": "published",
                 "smallest detectable": "derived", "sentence": "derived"},
            fmt={"break-even": ".1f", "published estimate": ".1f", "smallest detectable": ".1f"},
            caption="What you would need to believe for SofS to pay for itself after the grant",
            source="Derived (sofs_lib.chapters.costs.breakeven.need_to_believe).")
tables.write_csv(bl, out / "need_to_believe.csv")
fig = figures.break_even(bl)

# %% [markdown]
# ## Ongoing training driven by real staff flows

# %% tags=["hide-input"]
if r["starters"] is None:
    display(Markdown("*Skipped: no public workforce data (set `dfe_data_dir`); the cost model uses "
                     "the assumption `starters_per_pilot_year`.*"))
else:
    fig = figures.starters(r["starters_summary"])
    rec = r["recurrent"]
    sm = r["starters_missing"]
    display(Markdown(coverage.coverage_sentence(sm, "new starters", "new starters (FTE)", "Round 2 pilot")))
    tables.write_csv(sm, out / "missing_starters.csv", index=False)
    tables.show(rec, "real", fmt={c: (".1f" if "starters" in c else ".0f" if c == "n pilots" else answer.money)
                                  for c in rec.columns},
                caption=f"Recurrent cost of training new starters, per pilot (average), {r['price_year']} prices",
                source="Starters: DfE workforce files (real); training days and costs: data/unit_costs.yml.")
    tables.write_csv(rec, out / "recurrent_training.csv")

# %% [markdown]
# ## The survey method, end to end, on returns in the evaluation's layout
#
# The two surveys and MTM's training records are not published. The cost method runs on
# returns in one CSV layout (`sofs_lib.synthetic.cost_surveys.FILES`); by default those are
# **synthetic** records generated to reproduce every printed aggregate, and pointed at real
# returns (`data_dir`) the same code recomputes the aggregates from them.

# %% tags=["hide-input"]
rc_ = r["returns_check"].assign(over=coverage.over_column(r["survey_bases"], r["returns_check"].index))
tables.show(rc_.drop(columns="kind"), {"what": "published", "published": "published", "recomputed": RK,
                                       "reading": "derived", "agrees": RK, "over": RK},
            fmt={"recomputed": "g"}, collapsed=True,
            caption=f"Printed aggregates recomputed from the {RK} returns"
                    + (" (synthetic: shows the method, not evidence)" if RK == "synthetic" else ""),
            source=("Synthetic records (sofs_lib.synthetic.cost_surveys), written to the chapter's "
                    "output folder." if RK == "synthetic" else f"Returns in {p['data_dir']}."))
tables.write_csv(rc_, out / "returns_check.csv")
display(Markdown(coverage.survey_sentence(r["survey_bases"]) + " Only counts are shown, no authority is named"
                 + ("; the returns are synthetic and show the method, not evidence." if RK == "synthetic" else ".")))

# %% [markdown]
# ## What this chapter reproduces

# %% tags=["hide-input"]
records.record_all(led, r)
path = run.finish()
tables.show(led.summary(), "derived", caption="Comparisons recorded by this chapter, by status",
            source=f"{paths.relative(path)}")
