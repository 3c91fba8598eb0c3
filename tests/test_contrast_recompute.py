"""Contrast study: recomputations from the printed numbers. Expected values are worked by hand
(arithmetic in the comments) or by a second implementation written here (brute force)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from sofs_lib.chapters.contrast_study import answer, checks, multiplicity, recompute
from sofs_lib.methods.reliability import cronbach_alpha


# ------------------------------------------------------------------ second implementations
def brute_fisher_two_sided(k1, n1, k2, n2):
    """Sum of hypergeometric probabilities (math.comb) of every table with the same margins no
    more probable than the observed one."""
    K, N = k1 + k2, n1 + n2

    def prob(x):
        return Fraction(math.comb(K, x) * math.comb(N - K, n1 - x), math.comb(N, n1))

    p0 = prob(k1)
    lo, hi = max(0, K - n2), min(K, n1)
    return float(
        sum(prob(x) for x in range(lo, hi + 1) if prob(x) <= p0 * Fraction(10**7 + 1, 10**7))
    )


def rounds_to(k, n, pct):
    """100 k / n rounded half up to a whole number equals pct (exact arithmetic)."""
    return math.floor(Fraction(100 * k, n) + Fraction(1, 2)) == pct


# ------------------------------------------------------------------ Fisher p-values
@pytest.mark.parametrize(
    "table",
    [
        (13, 18, 22, 22),
        (18, 25, 19, 19),
        (28, 32, 20, 28),
        (17, 32, 9, 28),
        (23, 32, 28, 28),
        (3, 9, 5, 7),
        (0, 5, 5, 5),
    ],
)
def test_fisher_matches_scipy_and_brute_force(table):
    k1, n1, k2, n2 = table
    ours = recompute._p_all(*table)["Fisher two-sided"]
    assert ours == pytest.approx(
        stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue, rel=1e-9
    )
    assert ours == pytest.approx(brute_fisher_two_sided(*table), rel=1e-9)


def test_fisher_random_tables_match_brute_force():
    rng = np.random.default_rng(1)
    for _ in range(40):
        n1, n2 = rng.integers(2, 40, 2)
        k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
        assert recompute._p_all(k1, n1, k2, n2)["Fisher two-sided"] == pytest.approx(
            brute_fisher_two_sided(int(k1), int(n1), int(k2), int(n2)), rel=1e-9
        )


# ------------------------------------------------------------------ the enumeration
@pytest.fixture(scope="module")
def enum():
    return recompute.enumeration(60)


def test_chart_changes_tables_by_brute_force(enum):
    # 72% SofS, 100% contrast with 50% 'strongly agree' (so an even contrast group)
    brute = {
        (k1, n1, n2, n2)
        for n1 in range(2, 33)
        for n2 in range(2, 29)
        if n2 % 2 == 0
        for k1 in range(n1 + 1)
        if rounds_to(k1, n1, 72)
    }
    e = enum[
        (enum.item == "chart_changes") & enum.within_families & (enum.test == "Fisher two-sided")
    ]
    assert set(map(tuple, e[["k1", "n1", "k2", "n2"]].to_numpy().tolist())) == brute
    hits = {t for t in brute if 0.0125 <= brute_fisher_two_sided(*t) < 0.0135}
    assert hits == {(13, 18, 22, 22)}  # 40 of the 60 families answering


def test_chart_goals_fisher_hit(enum):
    brute = [
        (k1, n1, n2, n2)
        for n1 in range(2, 33)
        for n2 in range(2, 29)
        for k1 in range(n1 + 1)
        if rounds_to(k1, n1, 72)
    ]
    hits = {t for t in brute if 0.0135 <= brute_fisher_two_sided(*t) < 0.0145}
    assert hits == {(18, 25, 19, 19)}
    r = recompute.reachability(enum).loc["chart_goals"]
    assert r.reachable and "18/25 vs 19/19 (Fisher two-sided)" in r.tables


@pytest.mark.parametrize(
    "item,a,b,p", [("hcsff_aware_plan", 88, 71, 0.041), ("hcsff_plan_views", 53, 32, 0.043)]
)
def test_hcsff_p_unreachable_within_families(enum, item, a, b, p):
    hits = [
        (k1, n1, k2, n2)
        for n1 in range(2, 33)
        for n2 in range(2, 29)
        for k1 in range(n1 + 1)
        if rounds_to(k1, n1, a)
        for k2 in range(n2 + 1)
        if rounds_to(k2, n2, b)
        if p - 0.0005 <= brute_fisher_two_sided(k1, n1, k2, n2) < p + 0.0005
    ]
    assert hits == []
    r = recompute.reachability(enum).loc[item]
    assert not r.reachable and r.tables == "none"


def test_full_group_p_aware_plan(enum):
    # 88% of 32 -> 28 (87.5%), 71% of 28 -> 20 (71.4%); Fisher on [[28, 4], [20, 8]]
    r = recompute.reachability(enum).loc["hcsff_aware_plan"]
    assert r.full_p_min == pytest.approx(stats.fisher_exact([[28, 4], [20, 8]]).pvalue)


# ------------------------------------------------------------------ Tables 5 and 6
def test_table6_t_and_n():
    t6 = recompute.table6()
    assert t6.loc["Buy-in", "t_recomputed"] == pytest.approx(-2.1652, abs=1e-4)  # -.249/.115
    # Buy-in: printed t -2.159 stands for |t| in [2.1585, 2.1595], p .036 for [.0355, .0365):
    # brute force over df
    ok = [
        d
        for d in range(3, 200)
        if 2 * stats.t.sf(2.1595, d) <= 0.0365 and 2 * stats.t.sf(2.1585, d) >= 0.0355
    ]
    assert (t6.loc["Buy-in", "n_min"], t6.loc["Buy-in", "n_max"]) == (ok[0] + 2, ok[-1] + 2)
    assert 60 not in range(ok[0] + 2, ok[-1] + 3)
    # with 58 df, p(2.159) = 0.0350, not .036
    assert t6.loc["Buy-in", "p_verdict_all"] == "inconsistent"
    lo, hi = t6.attrs["n_common"]
    assert lo <= hi < 60


def test_table5_item_weighted_overall():
    # (2.0*7 + 1.7*4 + 2.4*4 + 2.2*3) / 18 = 37.0/18 = 2.0556; contrast 34.9/18 = 1.9389
    t5 = recompute.table5()
    assert t5.loc["Overall score", "Pilot (item-weighted)"] == pytest.approx(37.0 / 18)
    assert t5.loc["Overall score", "Contrast (item-weighted)"] == pytest.approx(34.9 / 18)


def test_case_records_pilot9():
    cr = recompute.case_record_counts()
    # 2/3 of 10 = 6.67 and 3/4 of 10 = 7.5 are not whole; half of 10 = 5 is
    assert cr["exact"].tolist() == [False, False, True]
    assert cr.iloc[0]["counts"] == "6/10 (60%), 7/10 (70%)"
    sp = recompute.safety_plans_vs_hcsff()
    assert (sp["k"], sp["n"], sp["rounds_to"]) == (28, 32, 88)  # 28/32 = 87.5% -> 88%


def test_re_denominator_rejects_units_without_one():
    assert recompute.re_denominator("case records of 10") == 10
    with pytest.raises(ValueError, match="names no denominator"):
        recompute.re_denominator("families")


# ------------------------------------------------------------------ multiplicity
def test_randomisation_floor_by_hand():
    # C(4,2) = 6 labellings; one-sided the observed is the most extreme of 6 at best: 1/6;
    # two-sided its mirror image (the other two sites as SofS) ties: 2/6
    assert math.comb(4, 2) == 6
    assert multiplicity.randomisation_floor(4, 2, two_sided=False) == pytest.approx(1 / 6)
    assert multiplicity.randomisation_floor(4, 2) == pytest.approx(1 / 3)
    # brute force: site means 1, 2, 10, 11 with SofS = the two high sites
    means = {"A": 1.0, "B": 2.0, "C": 10.0, "D": 11.0}
    stat = [
        np.mean([means[s] for s in c]) - np.mean([means[s] for s in means if s not in c])
        for c in itertools.combinations(means, 2)
    ]
    obs = 10.5 - 1.5
    assert np.mean([s >= obs for s in stat]) == pytest.approx(1 / 6)
    assert np.mean([abs(s) >= obs for s in stat]) == pytest.approx(2 / 6)


def test_inventory_and_corrections():
    inv = multiplicity.inventory()
    # CCBC 5, Yatchmenoff 5, WAI chi-square 12 x 2 = 24, WAI t 3, HCSFF 10 + 2, Chart 2, OSC 6 x 2
    assert inv.tests.sum() == 5 + 5 + 24 + 3 + 10 + 12 + 4
    corr = multiplicity.corrections(inv)
    r = corr.loc["reported and implied"]
    assert (r.tests, r.significant) == (63, 4)
    assert r.expected_by_chance == pytest.approx(3.15)
    assert r.p_at_least_observed == pytest.approx(1 - stats.binom.cdf(3, 63, 0.05))
    assert (r.holm_significant, r.bh_significant) == (0, 0)
    # unknown p-values just above alpha change nothing
    p = multiplicity.p_vector(inv, ("reported", "implied"), 0.0501)
    assert multipletests(p, 0.05, "holm")[0].sum() == 0
    assert multipletests(p, 0.05, "fdr_bh")[0].sum() == 0


def test_max_tests_by_hand():
    sig = np.array([0.013, 0.014, 0.041, 0.043])
    # Holm: .013 * 4 = .052 > .05, so none even with four tests
    assert multiplicity.max_tests(sig, 0.05, "holm") == 0
    # BH: max(.05/.013, 2*.05/.014, 3*.05/.041, 4*.05/.043) = 7.14 -> 7 tests
    assert multiplicity.max_tests(sig, 0.05, "fdr_bh") == 7
    assert multipletests(np.r_[sig, [1.0] * 3], 0.05, "fdr_bh")[0].any()
    assert not multipletests(np.r_[sig, [1.0] * 4], 0.05, "fdr_bh")[0].any()


# ------------------------------------------------------------------ reliability
def test_cronbach_alpha_by_hand():
    import pandas as pd

    # items (1,2,3) and (2,3,3): variances 1 and 1/3; totals (3,5,6) variance 7/3
    # alpha = 2 * (1 - (4/3) / (7/3)) = 6/7
    a, n = cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, None], "b": [2, 3, 3, 4]}))
    assert (a, n) == (pytest.approx(6 / 7), 3)
    assert math.isnan(cronbach_alpha(pd.DataFrame({"a": [1, 2]}))[0])


# ------------------------------------------------------------------ sentences and checks
def test_answer_sentences_follow_results(enum):
    t6, reach = recompute.table6(), recompute.reachability(enum)
    corr = multiplicity.corrections(multiplicity.inventory())
    nr = answer.not_reproduced_sentences(t6, reach)
    assert "HCSFF: aware of a plan (p = .041" in nr[0] and "Buy-in" in nr[1]
    # counter-example: if every p were reachable and every row consistent, the sentence says so
    all_ok = reach.assign(reachable=True)
    t6_ok = t6.assign(p_verdict_all="consistent")
    assert answer.not_reproduced_sentences(t6_ok, all_ok) == [
        "Every printed number that the printed inputs determine was reproduced."
    ]
    assert "none survives" in answer.new_sentences(corr, 1 / 3, 0.05)[0]
    assert "2 survive Holm" in answer.new_sentences(corr.assign(holm_significant=2), 1 / 3, 0.05)[0]
    assert "cannot show" in answer.floor_paragraph(4, 2, 0.05)
    # ten sites, five SofS: 252 labellings, floor 2/252 < .05
    assert "cannot show" not in answer.floor_paragraph(10, 5, 0.05)


def test_feedback_paragraph_counter_example(enum):
    reach = recompute.reachability(enum)
    plans = recompute.safety_plans_vs_hcsff()
    assert "is exactly 28/32" in answer.feedback_paragraph(reach, plans)
    assert "differs from 28/32" in answer.feedback_paragraph(reach, {**plans, "hcsff": 90.0})


def test_chapter_audit_checks():
    c = {x.check_id: x for x in checks.run_checks()}
    assert c["contrast_hcsff_aware_plan_tables"].verdict == "inconsistent"
    assert c["contrast_chart_changes_tables"].verdict == "consistent"
    assert c["contrast_late_site_timing"].verdict == "inconsistent"  # Aug 2019 after May 2019
    assert c["contrast_wave_spacing"].verdict == "inconsistent"  # Jun 2018 -> Mar 2019: 9
    assert "9 and 7 months" in c["contrast_wave_spacing"].recomputed
    assert c["contrast_plans_vs_hcsff"].verdict == "consistent"
    assert c["contrast_p9_case_fractions"].verdict == "inconsistent"
    assert c["contrast_table6_n_per_model"].verdict == "consistent within rounding"


def test_calibration_sentence(enum):
    import pandas as pd

    reach = recompute.reachability(enum)
    cal = pd.DataFrame(
        {
            "table_id": ["6", "text", "text"],
            "row": ["Buy-in", "contrast_hcsff_aware_plan_p", "x"],
            "column": ["Coefficient", "synthetic extract", "c"],
            "published": [-0.249, 0.041, 1.0],
            "reproduced": [-0.24, 0.195, 1.0],
            "status": ["differs", "differs", "exact"],
        }
    )
    s = answer.calibration_sentence(cal, "synthetic", reach)
    assert s.startswith("The synthetic extract reproduces 1 of 3")
    assert "No dataset can give the printed p of HCSFF: aware of a plan" in s
    assert "regression results" in s
    assert answer.calibration_sentence(cal.iloc[[2]], "real", reach).endswith(
        "(exactly or within rounding)."
    )
