"""The whole analysis on synthetic extracts: estimates recover the injected effects, the
diagnostics agree with the report's, and the null world gives effects consistent with zero.
Expected values come from the report (sofs_lib.published), never from this code's output."""

import numpy as np
import pytest

from sofs_lib import published
from sofs_lib.chapters import did
from sofs_lib.chapters.did import recovery as RC
from sofs_lib.chapters.did.analysis import EQ_INFO, Analysis
from sofs_lib.chapters.did.data import DidDataError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default():
    return did.run(seed=2019)


@pytest.fixture(scope="module")
def parallel():
    """The default world without the pilot-only pre-trend in durations: DiD is identified."""
    return did.run(seed=2019, pretrend=0.0)


@pytest.fixture(scope="module")
def null():
    return did.run(seed=2019, true_effects=0)


def covers(fit, value, term="did"):
    return fit.get(term, "lo") <= value <= fit.get(term, "hi")


def test_default_recovers_published_effects(default):
    # the generator's defaults are the published estimates (EQ3a: see the parallel-trends test)
    eq3b = -published.quote("did_a10_rereferral_pp").number / 100  # -9.78 points
    eq3d = -published.quote("did_a10_kinship_pp").number / 100  # -12.63 points
    assert covers(default.result("eq3b").fits["main"], eq3b)
    assert covers(default.result("eq3d").fits["main"], eq3d)
    for eq in ("eq3a", "eq3b", "eq3d"):
        assert default.result(eq).fits["main"].get("did") != 0


def test_duration_effect_recovered_when_trends_are_parallel(parallel, default):
    # EQ3a's default data carry the pilot-only pre-trend the report found, which biases the DiD
    # (the leads say so); with parallel trends the injected effect is recovered.
    eq3a = published.cell("A10.6", "DiD", "Fixed effects model").number  # 2.99 working days
    # the main model (child fixed effects); the pooled linear model is not asked to: on the
    # calibrated extract it sits about half a working day above the built-in effect
    assert covers(parallel.result("eq3a").fits["main"], eq3a)
    assert parallel.result("eq3a").diagnostics["leads"]["insignificant"] >= 4
    assert not default.result("eq3a").diagnostics["leads"]["holds"]


def test_diagnostics_agree_with_report(default):
    # Table A10.5: EQ3b 4 of 5 leads insignificant; EQ3d 4 of 4; EQ3a leads fail
    assert (
        default.result("eq3b").diagnostics["leads"]["insignificant"]
        >= published.quote("did_a10_eq3b_leads_insignificant").number
    )
    assert (
        default.result("eq3d").diagnostics["leads"]["insignificant"]
        == published.quote("did_a10_eq3d_leads_insignificant").number
    )
    assert not default.result("eq3a").diagnostics["leads"]["holds"]
    # EQ3c: prevalence under 5% -> logit (Appendix 10); EQ3b, EQ3d linear (under 15% repeated)
    assert default.result("eq3c").choice.model == "logit"
    assert default.result("eq3b").choice.model == "linear"
    assert default.result("eq3d").choice.model == "linear"
    assert default.result("eq3b").diagnostics["share_repeated"] < 0.15


def test_null_world_consistent_with_zero(null):
    for eq in ("eq3b", "eq3d"):
        assert covers(null.result(eq).fits["main"], 0.0), eq
        assert null.result(eq).verdict.strength in ("none", "no clear evidence", "low")
    # EQ3a: the generator's pilot-only pre-trend in durations violates parallel trends even
    # with no effect, so the DiD is biased; the placebo leads must say so
    assert not null.result("eq3a").diagnostics["leads"]["holds"]
    assert null.result("eq3a").verdict.strength in ("none", "no clear evidence")
    # EQ3c: 2 pilots and 2 comparators: cluster-robust SEs on 4 LAs are unreliable, which is why
    # the rating never gives more than low strength with fewer than 3 pilots
    assert null.result("eq3c").verdict.strength in ("none", "no clear evidence", "low")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_verdicts_for_other_seeds(seed):
    """Table 8's verdicts for duration, re-referrals and kinship are not an accident of one
    seed. (EQ3c, with 2 pilots and 2 comparators, is not robust across seeds: its clustered
    standard error rests on 4 LAs. EQ3a's reason varies: at seed 3 the leads do not flag the
    built-in pre-trend and the rule says "none" rather than "no clear evidence"; both are no
    evidence of a benefit.)"""
    an = did.run(seed=seed)
    assert an.result("eq3a").verdict.strength in ("no clear evidence", "none")
    assert an.result("eq3b").verdict.strength in ("none", "no clear evidence", "low")
    eq3d = an.result("eq3d")
    assert eq3d.verdict.strength == "moderate"
    assert eq3d.fits["main"].get("did") < 0  # a decrease in kinship care, as published


PUBLISHED_N = {"eq3a": "did_a10_6_n", "eq3b": "did_a10_8_n", "eq3c": "did_a10_10_n", "eq3d": "did_a10_11_n"}


def test_default_main_models_have_the_published_size(default):
    # the N printed under Tables A10.6, A10.8, A10.10 and A10.11 (252,169; 72,807; 22,529;
    # 11,013), within 5%, for the rows of the main model actually fitted
    for eq, nid in PUBLISHED_N.items():
        n, target = default.result(eq).fits["main"].n, published.quote(nid).number
        assert abs(n - target) <= 0.05 * target, (eq, n, target)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_model_rows_have_the_published_size_for_other_seeds(seed):
    # the main model's rows (matched, before SofS or after the settling-in period) of the frame
    an = Analysis(did.SPEC.resolve({"seed": seed}))
    for eq, nid in PUBLISHED_N.items():
        f = an.frame(eq)
        n, target = int((f["cem_w"] > 0).sum()), published.quote(nid).number
        assert abs(n - target) <= 0.05 * target, (seed, eq, n, target)


# Seed 6 is left out: there EQ3c's linear model (2 pilots, 2 comparators) has an undefined
# clustered standard error, the few-cluster problem the chapter and chapter 07 discuss.
@pytest.fixture(scope="module", params=[2019, 5])
def parallel_seeds(request, parallel):
    return parallel if request.param == 2019 else did.run(seed=request.param, pretrend=0.0)


def test_every_question_recovers_its_built_in_effect_without_pretrend(parallel_seeds):
    an = parallel_seeds
    seed = an.p["seed"]
    rec = RC.recovery_table(an)
    main = rec[rec["column"] == "Main model"].set_index("question")
    for eq, info in EQ_INFO.items():
        row = main.loc[info["short"]]
        assert np.isfinite(row["built-in effect"]), (eq, row["model"])
        assert row["CI covers the built-in effect"] == "yes", (seed, eq, row.to_dict())
    # the sensitivity columns too (same effect for every pilot by default)
    sens = rec[~rec["column"].isin(["Main model"])]
    assert (sens.loc[sens["built-in effect"].notna(), "CI covers the built-in effect"] == "yes").mean() >= 0.8


def test_default_pretrend_biases_eq3a_and_the_leads_catch_it(default, parallel):
    a = RC.recovery_table(default).set_index(["question", "column"]).loc[("EQ3a", "Main model")]
    b = RC.recovery_table(parallel).set_index(["question", "column"]).loc[("EQ3a", "Main model")]
    # the same built-in effect; only the default extract's leads fail
    assert a["built-in effect"] == b["built-in effect"] == published.cell("A10.6", "DiD", "Fixed effects model").number
    assert not default.result("eq3a").diagnostics["leads"]["holds"]
    assert parallel.result("eq3a").diagnostics["leads"]["holds"]


def test_exclusions_that_leave_nothing_are_refused():
    with pytest.raises(DidDataError, match="exclude_pilots.*no pilot to analyse for EQ3c"):
        Analysis(did.SPEC.resolve({"exclude_pilots": ["Pilot 2", "Pilot 3"]}))
    with pytest.raises(DidDataError, match="leaves no pilot"):
        Analysis(did.SPEC.resolve({"exclude_pilots": [f"Pilot {i}" for i in range(1, 10)]}))


def test_declared_minimum_scale_runs():
    # the smallest scale the parameter accepts runs through every step (the old minimum, 0.01,
    # crashed inside pyfixest); below it the parameter check refuses
    low = did.SPEC["scale"].minimum
    an = did.run(scale=low)
    assert all(an.result(eq).verdict is not None for eq in EQ_INFO)
    with pytest.raises(ValueError, match="scale"):
        did.SPEC.resolve({"scale": low / 2})
