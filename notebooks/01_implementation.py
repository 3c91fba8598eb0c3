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
# # Implementation and fidelity
#
# **The question.** Did the nine pilots put Signs of Safety (SofS) into practice, and how
# faithfully? The report (section 3, "Implementation and fidelity", and appendices 3, 4, 7 and
# 8) answers from interviews, focus groups, a staff survey, case records, Ofsted judgements and
# two self-assessment tools. This chapter shows every table of that section, recomputes every
# summary the report draws from them, and says where the recomputation disagrees.

# %% tags=["parameters"]
alpha = 0.05
max_item_nonresponse = 3
profiles_seed = 20180401
structures_category = "leadership"
tscore_reference = "pooled"
output_dir = None

# %% tags=["remove-input"]
from IPython.display import Markdown, display

from sofs_lib import published
from sofs_lib.chapters.implementation import analysis as im
from sofs_lib.chapters.implementation import focus_groups as fg
from sofs_lib.chapters.implementation import profile_figures, profile_scores, profile_statements, profiles
from sofs_lib.chapters.implementation.answer import answer_parts
from sofs_lib.chapters.implementation.params import SPEC
from sofs_lib.core import paths
from sofs_lib.display import chapter, provenance, tables

run = chapter.start(SPEC, globals())
p, out = run.params, run.out
led = run.ledger
tests = im.element_use_tests(p["alpha"], p["max_item_nonresponse"])
oc = im.ofsted_claims()
claims = fg.focus_group_claims()
responses = profiles.generate_responses(seed=p["profiles_seed"],
                                        structures_category=p["structures_category"])
ts = profile_scores.tscores(responses, reference=p["tscore_reference"],
                      structures_category=p["structures_category"])
checks = profile_statements.check_statements(ts)
provenance.answer(**answer_parts(published.wide("2"), tests, oc, claims, checks), output_dir=out)
provenance.banner(
    published=["Tables 1, 2 and 3 of the report", "appendix Table A8.1",
               "numbers quoted in the text of section 3 (case records, plans, Early Help)"],
    derived=["tests of Table 2 on counts reconstructed from its percentages",
             "means, rankings and gaps recomputed from Table A8.1",
             "checks of the text's statements about Tables 3 and A8.1"],
    synthetic=["the Appendix 7 profiling T-scores (the report publishes only their narrative)"],
)
run.params_box()

# %% [markdown]
# ## Who took part in what
#
# Only five pilots ("deep dives") were studied in depth; the other four took part in the
# quantitative strands only. Table 1 of the report is the key to every later chapter.

# %% tags=["hide-input"]
t1 = im.participation_matrix()
tables.show(t1, {**{c: "published" for c in t1.columns if c != "Strands (full)"},
                 "Strands (full)": "derived"},
            caption="Table 1: pilots' involvement in the strands of the evaluation "
                    "(✓ took part, x did not)",
            source=published.cite("1") + "; last column counts the ticks.")
tables.write_csv(t1, out / "table1_participation.csv")
display(Markdown("**Transcription note.** " + published.meta("1")["transcription_notes"]))

# %% [markdown]
# ## Use of SofS elements: the staff survey (Table 2)
#
# Social workers in four deep-dive pilots were asked which SofS elements they used with some or
# all of the families on their caseload. The report describes Pilot 8 as the highest user and
# Pilot 9 as the lowest but reports no test of whether use differs between pilots. We test it.
#
# **Reconstructing counts.** The table prints percentages rounded to whole numbers and the number
# of respondents per pilot. A count *k* out of *n* is consistent with a printed *p*% when
# 100 *k* / *n* rounds to *p*. For ten of the 32 cells no whole count out of the printed *n* fits
# (for example 83% of 61: 50/61 is 82.0% and 51/61 is 83.6%), so some respondents must have
# skipped some items; we allow up to `max_item_nonresponse` of them per item and pilot. Each
# element's test (Pearson chi-square on the 2 × 4 table, 3 degrees of freedom) is repeated for
# every consistent combination of counts and denominators, and the full range of results is
# shown. Holm's correction accounts for testing eight elements.

# %% tags=["hide-input"]
t2 = published.wide("2")
tables.show(t2, "published", fmt=".0f", caption="Table 2: % of social workers using each element "
            "with some or all families; respondents; respondents as % of the pilot's social workers",
            source=published.cite("2"))

# %% tags=["hide-input"]
show_cols = ["chi2", "p", "chi2_min", "chi2_max", "p_min", "p_max", "reconstructions",
             "nonresponse_assumed", "p_holm", "verdict"]
tables.show(tests[show_cols], "derived",
            fmt={"chi2": ".2f", "chi2_min": ".2f", "chi2_max": ".2f", "p": ".4f", "p_min": ".4f",
                 "p_max": ".4f", "p_holm": ".4f", "reconstructions": "d"},
            caption=f"Does use differ between pilots? Chi-square tests on reconstructed counts "
                    f"(alpha = {p['alpha']})",
            source="Computed from " + published.cite("2") + " (sofs_lib.chapters.implementation.analysis.element_use_tests).")
tables.write_csv(tests, out / "table2_tests.csv")
sig = tests.index[tests["verdict"] == "differs between pilots"].tolist()
holm = tests.index[tests["verdict_holm"] == "differs"].tolist()
display(Markdown(
    f"Use differs between pilots for **{len(sig)} of {len(tests)}** elements under every "
    f"reconstruction ({', '.join(sig) or 'none'}); after Holm's correction for eight tests, "
    f"{len(holm)} remain ({', '.join(holm) or 'none'}). The widest gaps are in the elements that "
    "go beyond recording — network meetings, Words and Pictures, appreciative enquiry — which fits "
    "the report's qualitative finding that use varied most in practice rather than on the form. "
    "These are derived results: they assume every respondent in a pilot is one independent "
    "observation and that the printed percentages are of item respondents."))

# %% tags=["hide-input"]
fig = im.plot_element_use(tests)

# %% [markdown]
# ## Ofsted judgements, 2014 to 2019 (Table 3)
#
# The report compares the Ofsted judgements of the nine Round 1 pilots that continued into
# Round 2 at the start of Round 1 (September 2014) and the end of Round 2 (September 2019).

# %% tags=["hide-input"]
fig = im.plot_ofsted()

# %% tags=["hide-input"]
for r in oc.itertuples():
    led.record("3", r.id, "text vs table", published=r.published, reproduced=r.reproduced,
               kind="derived", decimals=0, note=r.basis)
tables.show(oc.set_index("id")[["statement", "published", "reproduced", "basis", "agrees"]],
            {"statement": "published", "published": "published", "reproduced": "derived",
             "basis": "derived", "agrees": "derived"},
            fmt={"published": ".0f", "reproduced": ".0f"},
            highlight=oc.set_index("id")[["statement", "published", "reproduced", "basis", "agrees"]]
            .apply(lambda c: ~oc.set_index("id")["agrees"]),
            caption="The text's statements about Table 3, checked", source=published.cite("3"))

# %% [markdown]
# The report's sentence "Five pilots were judged to have improved" lists four transitions
# (2 good → outstanding, 1 requires improvement → good, 1 inadequate → requires improvement);
# with the 3 that remained and the 2 that declined, four improvers make the nine pilots of the
# table. Table 3 prints only counts by grade, not each pilot's path, so which of "four" or "five"
# is right cannot be settled from it. Either way the report's conclusion stands: only 2 of the 8
# pilots in both rounds were good or outstanding for children who need help and protection.

# %% [markdown]
# ## Focus groups: "Mapping the Future" (Table A8.1)
#
# In the five deep-dive pilots, focus-group members scored twelve aspects of implementation on
# a 1–10 scale at T1 (April–June 2018), said where they hoped to be by the end of Round 2, and
# scored them again "blind" at T3 (December 2019–March 2020). The appendix prints the pilot
# means (its header calls the last time point "T2"; the text calls it T3).

# %% tags=["hide-input"]
fig = fg.plot_focus_groups()

# %% [markdown]
# The report gives no group sizes per pilot (90 assessments at T1, 83 at T3 overall), so the
# means below weight the five pilots equally. Each pilot mean is printed to one decimal, so a
# mean of five can lie up to 0.05 from the unrounded mean, and a difference of two such means
# up to 0.10: a recomputed value within that is "within rounding".

# %% tags=["hide-input"]
means = fg.focus_group_means()
tables.show(means, "derived", fmt=".2f", caption="Item means across the five pilots",
            source="Computed from " + published.cite("A8.1") + ".")
tables.write_csv(means, out / "a81_item_means.csv")

# %% tags=["hide-input"]
for r in claims.itertuples():
    if r.quote_id:
        q = published.quote(r.quote_id)
        led.record("text", r.quote_id, "section 3", published=q.number, reproduced=r.reproduced,
                   kind="derived", status=r.status, note=r.how)
    else:
        led.record("A8.1", r.claim, "ranking", published=float("nan"), reproduced=float("nan"),
                   kind="derived", status="exact" if r.status == "exact" else r.status,
                   note=f"published: {r.published} | found: {r.reproduced} ({r.how})")
view = claims.set_index("claim")[["published", "reproduced", "status", "how"]]
tables.show(view, {"published": "published", "reproduced": "derived", "status": "derived",
                   "how": "derived"},
            fmt={"reproduced": lambda v: f"{v:.2f}" if isinstance(v, float) else str(v)},
            highlight=view.apply(lambda c: view["status"] == "differs"), collapsed=True,
            caption="Every statement section 3 draws from Table A8.1, recomputed",
            source=published.cite("A8.1") + " and the report's section 3 text.")
tables.write_csv(claims, out / "a81_claims.csv", index=False)
bad = claims[claims["status"] == "differs"]
display(Markdown(
    f"**{len(claims) - len(bad)} of {len(claims)} statements agree** with the table (exactly or "
    f"within rounding). **{len(bad)} do not:**\n\n" + "\n".join(
        f"- *{r.claim}*: the report says {r.published}; the table gives {r.reproduced}. {r.how}."
        for r in bad.itertuples())))

# %% [markdown]
# Neither disagreement changes the report's reading: the Family Court item is the weakest at
# both times whichever T1 figure is used, and expectations ran ahead of achievement on several
# items. But the specific claim that the Family Court item showed the largest gap between hope
# and achievement is not what the printed table shows: "having sufficient time to spend with
# families" and "partner agency involvement" fell further short.

# %% tags=["hide-input"]
sb = fg.shortfall_by_pilot()
tables.show(sb, "derived", caption="Per pilot: items (of 12) where T3 fell short of the T1 hope, "
            "and items that improved on T1", source="Computed from " + published.cite("A8.1") + ".")

# %% [markdown]
# ## Self-profiling by strategic leads (Appendix 7) — synthetic demonstration
#
# Strategic leads in all nine pilots rated 50 items (appendix 3) from 1 to 10 at T1 and T3. The
# report converts each category's scores to T-scores "based on the mean average response of all
# pilots" (50 = the mean, 10 = one standard deviation) and describes each pilot's profile in
# words; the item scores and the T-scores themselves are not published.
#
# To show the method, `sofs_lib.chapters.implementation.profiles` generates **synthetic** item-level responses designed
# to satisfy every sentence of that narrative, computes the T-scores exactly as defined, and
# checks each sentence in code. The instrument has six headings but the report analyses five
# categories; the "Structures" items join the category set by `structures_category`. A "pooled"
# reference standardises over all pilot × time scores, so change over time is visible on one
# scale (the report does not say which it used).
#
# ```{warning}
# The profiles below are generated. They reproduce the *shape* the report describes, not the
# pilots' actual answers, and are no evidence about any pilot.
# ```

# %% tags=["hide-input"]
fig = profile_figures.plot_all_profiles(ts)

# %% tags=["hide-input"]
ok = int(checks["holds"].sum())
display(Markdown(f"**{ok} of {len(checks)}** narrative statements hold on the synthetic "
                 f"T-scores (reference: {p['tscore_reference']})."))
for r in checks.itertuples():
    led.record("A7", f"{r.statement_id} Pilot {r.pilot} {r.time} {r.category}", r.relation,
               published=float("nan"), reproduced=float("nan"), kind="synthetic",
               status="exact" if r.holds else "differs",
               note=f"{r.quote} | reading {r.reading} | found {r.found}")
view = checks.set_index("statement_id")[["pilot", "time", "category", "quote", "reading", "found", "holds"]]
tables.show(view, {**{c: "published" for c in ["quote"]},
                   **{c: "synthetic" for c in ["pilot", "time", "category", "reading", "found", "holds"]}},
            highlight=view.apply(lambda c: ~view["holds"].astype(bool)), collapsed=True,
            caption="Appendix 7's narrative, statement by statement, on the synthetic T-scores",
            source="Quotes: report appendix 7 and section 3; values: synthetic responses "
                   "(sofs_lib.chapters.implementation.profiles).")
tables.write_csv(ts, out / "a7_synthetic_tscores.csv", index=False)

# %% [markdown]
# ## Case records, plans and Early Help (as published)
#
# These findings rest on small, non-random samples and are quoted as the report gives them.
#
# - **Case records.** Of a planned 50, only 30 case records were examined across four deep-dive
#   pilots, and only 18 independently (the rest with a member of the pilot's staff); records
#   were chosen by the pilots, so their representativeness cannot be judged and the report
#   declines any comparison with Round 1. Mapping appeared in every case, but families'
#   involvement in it ranged from 1 of 10 cases (Pilot 9) to 5 of 6 (Pilot 1); safety plans
#   were in every case in Pilots 1 and 8 and in two-thirds in Pilot 9; family network meetings
#   happened in all cases in Pilots 1 and 8, rarely in Pilot 9 and in a third in Pilot 7.
# - **Safety planning in the contrast study.** Of 32 families seen in the two SofS contrast
#   sites (14 in Pilot 4, 18 in Pilot 9), 28 had safety plans; social workers rarely referred
#   to them with families.
# - **Implementation plans.** All but one pilot responded, four sent a plan charting
#   achievements, and one of those had not been updated since 2018, leaving 3 valid plans.
# - **Early Help.** Re-running the focus-group scores without the Early Help groups changed
#   little at T1 in Pilots 7 and 9; at T3 scores fell across the board in Pilots 2 and 9,
#   most in Pilot 2, suggesting its apparent improvement came from Early Help practitioners.
#   The report does not print the re-run scores, so they cannot be recomputed here.

# %% tags=["hide-input"]
quoted = published.text_numbers().set_index("id").loc[
    ["case_records_examined", "case_records_independent", "case_p9_family_mapping",
     "case_p1_family_mapping", "contrast_families_safety_plans", "contrast_p4_families",
     "contrast_p9_families", "plans_valid", "p1_rereferral_rate"],
    ["value", "unit", "context", "section"]]
tables.show(quoted, "published", caption="Numbers quoted in this section",
            source="Report section 3 (data/published/text_numbers.csv).")
summed = published.quote("contrast_p4_families").number + published.quote("contrast_p9_families").number
_ = led.record("text", "contrast_families_total", "section 3",
           published=published.quote("contrast_families_total").number, reproduced=summed,
           kind="derived", decimals=0, note="14 families in Pilot 4 + 18 in Pilot 9 = the 32 quoted")

# %% [markdown]
# ## What this chapter reproduces
#
# Every comparison above is written to this chapter's `reproduction.csv`; the appendix
# "Reproduction ledger" gathers all chapters.

# %% tags=["hide-input"]
path = run.finish()
tables.show(led.summary(), "derived", caption="Comparisons recorded by this chapter, by status",
            source=f"{paths.relative(path)}")
