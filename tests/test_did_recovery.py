"""The whole analysis on synthetic extracts: estimates recover the injected effects, the
diagnostics agree with the report's, and the null world gives effects consistent with zero.
Expected values come from the report (sofs_lib.published), never from this code's output."""

import pytest

from sofs_lib.chapters import did
from sofs_lib import published

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
    eq3b = -published.quote("did_a10_rereferral_pp").number / 100                     # -9.78 points
    eq3d = -published.quote("did_a10_kinship_pp").number / 100                        # -12.63 points
    assert covers(default.result("eq3b").fits["main"], eq3b)
    assert covers(default.result("eq3d").fits["main"], eq3d)
    for eq in ("eq3a", "eq3b", "eq3d"):
        assert default.result(eq).fits["main"].get("did") != 0


def test_duration_effect_recovered_when_trends_are_parallel(parallel, default):
    # EQ3a's default data carry the pilot-only pre-trend the report found, which biases the DiD
    # (the leads say so); with parallel trends the injected effect is recovered.
    eq3a = published.cell("A10.6", "DiD", "Fixed effects model").number              # 2.99 working days
    assert covers(parallel.result("eq3a").fits["linear_main"], eq3a)
    assert parallel.result("eq3a").diagnostics["leads"]["insignificant"] >= 4
    assert not default.result("eq3a").diagnostics["leads"]["holds"]


def test_diagnostics_agree_with_report(default):
    # Table A10.5: EQ3b 4 of 5 leads insignificant; EQ3d 4 of 4; EQ3a leads fail
    assert default.result("eq3b").diagnostics["leads"]["insignificant"] >= \
        published.quote("did_a10_eq3b_leads_insignificant").number
    assert default.result("eq3d").diagnostics["leads"]["insignificant"] == \
        published.quote("did_a10_eq3d_leads_insignificant").number
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
    standard error rests on 4 LAs.)"""
    an = did.run(seed=seed)
    assert an.result("eq3a").verdict.strength == "no clear evidence"
    assert an.result("eq3b").verdict.strength in ("none", "no clear evidence", "low")
    eq3d = an.result("eq3d")
    assert eq3d.verdict.strength == "moderate"
    assert eq3d.fits["main"].get("did") < 0       # a decrease in kinship care, as published
