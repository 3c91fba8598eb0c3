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
# # Beyond the report: inference with few councils
#
# **The question.** The report's quantitative verdicts rest on very few independent units: the
# DiD clusters its standard errors on 4 to 13 local authorities (EQ3c on 2 pilots and 2
# comparators), and the pilots adopted SofS in different years. With so few clusters the usual
# cluster-robust tests over-reject. Which of the report's verdicts survive honest inference, and
# what effects could these designs have detected at all? This chapter goes beyond what the
# report did: a Monte Carlo of its designs, the four DiD questions re-tested, a staggered DiD,
# an event study and synthetic controls on the public LA panel, and minimum detectable effects.

# %% tags=["parameters"]
seed = 2021
mc_reps = 1000
boot_reps = 399
boot_reps_retest = 999
ri_draws = 2000
ri_max_exact = 5000
mc_years = 10
mc_rho = 0.5
mc_cell_sd = 0.3
did_scale = 0.25
did_seed = 2019
data_dir = None
design_file = None
dfe_data_dir = None
synth_donors = 19
synth_outcomes = ["cin_rate", "rereferrals", "cpp_rate", "lac_rate"]
placebo_sets = 200
output_dir = None

# %% tags=["remove-input"]
import time

import pandas as pd
from IPython.display import Markdown, display

from sofs_lib.chapters import did
from sofs_lib.chapters.beyond_the_report import compute as C
from sofs_lib.chapters.beyond_the_report import figures as FG
from sofs_lib.chapters.beyond_the_report import retest as RT
from sofs_lib.chapters.beyond_the_report import text as TX
from sofs_lib.chapters.beyond_the_report.params import SPEC
from sofs_lib.display import chapter, provenance, tables

run = chapter.start(SPEC, globals())
p, out = run.params, run.out


def fmt3(df):
    """Three significant digits for the float columns only (years and counts stay whole)."""
    return {c: ".3g" for c in df.columns if pd.api.types.is_float_dtype(df[c])}


t0 = time.perf_counter()
size, mc_time = C.size_power(p)
honest = C.choose_honest(size)
an = did.Analysis(did.SPEC.resolve({"seed": p["did_seed"], "scale": p["did_scale"], "data_dir": p["data_dir"],
                                      "design_file": p["design_file"]}))
DID_KIND = "synthetic" if an.synthetic else "real"
rt = RT.retest_all(an, honest, B=p["boot_reps_retest"], seed=p["seed"], max_exact=p["ri_max_exact"],
                   ri_draws=p["ri_draws"])
mde = C.did_mde(p, honest)
la = C.la_results(p)
LA_KIND = la["kind"]
run_time = time.perf_counter() - t0
provenance.answer(
    report="Table 8 rates the four DiD questions from CRV1 p-values clustered on 4 to 13 LAs.",
    reproduced=TX.retest_sentences(rt, honest, DID_KIND),
    not_reproduced=[TX.not_reproduced_sentence(rt, DID_KIND)],
    new=[TX.size_sentence(size, honest, k=1), TX.size_sentence(size, honest, k=2), TX.mde_sentence(mde), TX.la_sentence(la["results"], la["bound"], LA_KIND), TX.mde_vs_target(la["results"])],
    kind="synthetic" if "synthetic" in (DID_KIND, LA_KIND) else "real",
    output_dir=out)
provenance.banner(
    published=[("the report's DiD designs (pilot and comparator LAs per question), its p-values and Table 8 "
                "ratings, SofS start dates (sections 1-2), MTM's 20 per cent target")],
    synthetic=["the Monte Carlo panels (all of items 1 and 5 for the DiD questions)"]
              + (["the DiD re-test (the DiD chapter's synthetic extract)"] if DID_KIND == "synthetic" else [])
              + (["the LA panel (no DfE data found)"] if LA_KIND == "synthetic" else []),
    real=([f"staggered DiD, event study, synthetic controls and LA MDEs: {la['source']}"] if LA_KIND == "real" else [])
         + ([] if DID_KIND == "synthetic" else ["the DiD re-test (the extract in data_dir)"]) or None,
)
run.params_box()

# %% [markdown]
# ## 1. How wrong can the report's p-values be?
#
# A seeded Monte Carlo of LA-by-year panels with LA and year effects, serially correlated
# LA-by-year shocks (AR(1)) and sampling noise, with 4, 6, 8, 10 or 13 LAs of which 1 to 6 are
# treated (the last of two or more joins two years later, like the Round 2 pilot). Each panel
# is tested at 5% by CRV1 with normal (N−k: at the report's tens of thousands of children t(N−k)
# is the normal) and t(G−1) critical values, CRV3, the wild cluster restricted bootstrap with
# Rademacher and Webb weights, and randomisation inference over LA assignments that keeps the
# adoption years (exact where there are few assignments). The balanced-panel statistics are
# computed in batches and tested equal to pyfixest and wildboottest
# (`sofs_lib.methods.few_clusters`).

# %% tags=["hide-input"]
tab = size.pivot_table(index=["quantity", "clusters", "treated_clusters"], columns="method",
                       values="rejection_rate").reset_index()
mfmt = {c: ".3f" for c in tab.columns if c not in ("quantity", "clusters", "treated_clusters")}
tables.write_csv(size, out / "size_power.csv", index=False)
tables.show(tab[tab["quantity"] == "size"].drop(columns="quantity"), "synthetic",
            caption="Synthetic Monte Carlo: rejection rate of a true null at 5% (size)",
            source=f"{p['mc_reps']} replications per design; MC SEs in size_power.csv.", fmt=mfmt, index=False)
_ = FG.size_figure(size, "size")

# %% tags=["hide-input"]
tables.show(tab[tab["quantity"] == "power"].drop(columns="quantity"), "synthetic",
            caption="Synthetic Monte Carlo: rejection rate at an effect of one shock SD (power)",
            source=f"{p['mc_reps']} replications per design.", fmt=mfmt, index=False)
_ = FG.size_figure(size, "power")

# %% [markdown]
# The honest method is chosen by a stated rule (`compute.choose_honest`): never above 5% by more
# than two Monte Carlo SEs where there are at least two treated and two untreated LAs, and closest
# to 5% on average where it can reject at all. Randomisation inference cannot reject at 5% when
# there are fewer than 20 distinct assignments (its floor is shown): with one treated LA, or
# 2 of 4, no method is reliable.

# %% [markdown]
# ## 2. The report's DiD verdicts re-tested
#
# On the DiD chapter's data (synthetic by default; a real extract through `data_dir`), the linear
# specification of equation [1] for every question, with every method's p beside the published
# one, and the DiD chapter's evidence rule re-run with the honest p.

# %% tags=["hide-input"]
cols = ["question", "clusters", "treated_clusters", "estimate", "published_p", "main_model",
        "main_model_p_crv1", "CRV1, N-k df", "CRV1, G-1 df", "CRV3", "WCR Rademacher", "WCR Webb", "RI",
        "ri_assignments", "verdict_did_chapter", "verdict_crv1", "verdict_honest", "verdict_stands"]
tables.write_csv(rt, out / "retest_eq3.csv", index=False)
rt_shown = RT.shown(rt, cols)  # a wild bootstrap p of 0 as below one draw in the row's draws
tables.show(rt_shown, {c: ("published" if c == "published_p" else DID_KIND) for c in cols},
            caption=f"EQ3a-d: p-values of the DiD under every method ({DID_KIND} data), G and treated G "
                    "beside each", source="sofs_lib.chapters.did (the DiD chapter) and sofs_lib.methods.la_inference; "
                    "published p: section 3 and Appendix 10.", fmt=fmt3(rt_shown), index=False)

# %% [markdown]
# ## 3. Staggered adoption on the public LA panel
#
# The Round 1 councils started in October 2014 and Bexley with Round 2 in September 2017. The
# two-stage DiD (pyfixest `did2s`) compares treated council-years with never- and
# not-yet-treated ones; randomisation inference reassigns the pilots' adoption years to random
# sets of councils. **"Never treated" means "not named as a pilot"**: about two-thirds of
# councils used SofS in some form, so most comparison councils are users too, and if they
# adopted with the same effect the DiD estimates only a fraction of it. The bound column
# scales the estimate by that fraction.

# %% tags=["hide-input"]
res = la["results"]
tables.write_csv(res, out / "la_staggered.csv", index=False)
tables.write_csv(la["panel_info"], out / "la_panel_info.csv", index=False)
show_cols = ["outcome", "unit", "clusters", "treated_clusters", "att", "att_se", "att_p_crv1", "twfe",
             "ri_p", "ri_assignments", "att_bound", "note"]
tables.show(res[show_cols], LA_KIND, caption=f"Staggered DiD of the SofS pilot councils ({LA_KIND} LA panel)",
            source=f"{la['source']}; contaminated share of comparison councils "
                   f"{la['bound']['contaminated_share']:.2f} (two-thirds of {la['n_councils']} councils used SofS).",
            fmt=fmt3(res[show_cols]), index=False)
tables.show(la["panel_info"], LA_KIND, caption="Councils kept (observed every year) and dropped per outcome",
            source=la["source"], index=False)
_ = FG.event_figure(la["events"], dict(zip(res["indicator_id"], res["outcome"])), LA_KIND)

# %% [markdown]
# ## 4. Synthetic control, one pilot at a time
#
# Each pilot council against a weighted combination of its nearest non-pilot councils
# (pysyncon), with the placebo-in-space p: the share of the pilot and its donors whose
# post-adoption gap is at least as large. With the donor pool of this run the smallest possible
# p is 1/(donors + 1). The Round 1 councils have only two pre-adoption years in the public
# files, so their twins fit the past almost exactly and say little.

# %% tags=["hide-input"]
if len(la["synth"]):
    tables.write_csv(la["synth"], out / "synth_placebo.csv", index=False)
    tables.show(la["synth"].drop(columns="la_code"), LA_KIND, caption="Synthetic control per pilot council: "
                "mean post-adoption gap and placebo-in-space p", source=la["source"], fmt=fmt3(la["synth"]), index=False)
    labels = {o[0]: (o[1], o[2]) for o in C.LP.OUTCOMES}
    for ind, cur in la["curves"].items():
        FG.synth_figure(cur, la["names"], labels[ind][0], labels[ind][1], LA_KIND)

# %% [markdown]
# ## 5. Power and minimum detectable effects
#
# For the DiD questions: the effect (in SDs of the LA-by-year shock) the honest test detects
# with 80% power at each published design. For the LA indicators: design-based power on the real
# panel — pseudo-pilot sets of non-pilot councils get an added effect and are tested by
# randomisation — beside the estimate and MTM's target of "20 per cent shifts" (20% of the
# pilots' pre-adoption mean).

# %% tags=["hide-input"]
tables.write_csv(mde, out / "mde_did.csv", index=False)
tables.show(mde, "synthetic", caption="Synthetic: MDE at 80% power of the DiD designs (shock SD units)",
            source="sofs_lib.methods.few_clusters; designs from the notes to Tables A10.6-A10.11.", fmt=fmt3(mde),
            index=False)
mdu = C.did_mde_units(mde, an)
tables.write_csv(mdu, out / "mde_did_units.csv", index=False)
mdu_kinds = pd.DataFrame({c: [DID_KIND] * len(mdu) for c in mdu.columns})
mdu_kinds["published_estimate"] = "published"
mdu_kinds["mtm_20pc"] = ["derived" if q in C.BASELINE else DID_KIND for q in mdu["question"]]
tables.show(mdu, mdu_kinds,
            caption=f"DiD questions: MDE in outcome units (shock SD from the {DID_KIND} DiD data) beside the "
                    "published estimate and MTM's 20 per cent shift",
            source="published estimates and the EQ3b/EQ3d baselines (20% of 31% and 62%): section 3; "
                   "EQ3a/EQ3c: 20% of the pilots' pre-SofS mean in the data; "
                   "EQ3c's published estimate is a logit coefficient (not comparable).", fmt=fmt3(mdu), index=False)
mt = res[["outcome", "unit", "att", "mde_honest", "mtm_20pc", "resid_sd"]]
tables.show(mt, LA_KIND, caption="LA indicators: MDE at 80% power (randomisation test) beside the estimate "
            "and MTM's 20 per cent shift", source=la["source"], fmt=fmt3(mt), index=False)

# %% [markdown]
# ## 6. Run time
#
# The default budget is sized for the book build on two cores. For publication-grade Monte
# Carlo precision set `mc_reps = 10000` (MC SE of a 5% rate: 0.2 points), which takes about ten
# times the Monte Carlo time below; `scripts/benchmark_wildboot.py` times the wild bootstrap at
# the published EQ3a size.

# %% tags=["hide-input"]
display(Markdown(f"Run time of this build: Monte Carlo (item 1) {mc_time:.1f} s; whole chapter {run_time:.1f} s "
                 f"({p['mc_reps']} replications per design, DiD extract at scale {p['did_scale']:g})."))
