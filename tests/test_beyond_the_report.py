"""Chapter 07_beyond_the_report: the hand-written rules and sentences, on small cases worked by
hand (and counter-examples)."""

import numpy as np
import pandas as pd
import pytest

from sofs_lib.chapters.beyond_the_report import compute as C
from sofs_lib.chapters.beyond_the_report import la_panel as LP
from sofs_lib.chapters.beyond_the_report import text as TX


def test_contamination_bound_by_hand():
    # 152 councils, two-thirds users = 101.33; 11 named pilots among them: 90.33 of the 141
    # others use SofS: c = 0.6407, the DiD estimates 0.359 of the effect: scale 2.78
    b = LP.contamination_bound(152, 11, 2 / 3)
    assert b["contaminated_share"] == pytest.approx((152 * 2 / 3 - 11) / 141)
    assert b["scale"] == pytest.approx(1 / (1 - (152 * 2 / 3 - 11) / 141))
    assert LP.contamination_bound(100, 10, 0.05)["contaminated_share"] == 0.0


def test_adoption_years_from_the_report():
    # Round 1 began October 2014 (first year ending March: 2015); Bexley joined in Round 2,
    # September 2017 (2018). Ten Round 1 councils plus Bexley.
    st = LP.adoption_years()
    assert len(st) == 11
    assert st["303"] == 2018  # Bexley
    assert st["304"] == 2015  # Brent
    assert sorted(set(st.values())) == [2015, 2018]


def test_balanced_counts_dropped_councils():
    panel = pd.DataFrame(
        {
            "la_code": ["a", "a", "b", "b", "c"],
            "year": [1, 2, 1, 2, 1],
            "indicator_id": "x",
            "value": [1.0, 2.0, 3.0, np.nan, 5.0],
        }
    )
    wide, info = LP.balanced(panel, "x", years=[1, 2])
    assert list(wide.index) == ["a"] and info["dropped_incomplete"] == 2
    with pytest.raises(LP.LaPanelError, match="no values"):
        LP.balanced(panel, "y")


def test_synthetic_control_recovers_an_average_of_donors():
    # unit u is exactly the mean of donors d1 and d2 before 2003, then +10: weights 1/2, 1/2
    years = [2000, 2001, 2002, 2003, 2004]
    d1 = np.array([1.0, 2.0, 4.0, 5.0, 6.0])
    d2 = np.array([3.0, 2.0, 0.0, 1.0, 2.0])
    d3 = np.array([10.0, 10.0, 10.0, 10.0, 10.0])
    u = (d1 + d2) / 2 + np.array([0, 0, 0, 10, 10])
    wide = pd.DataFrame([u, d1, d2, d3], index=["u", "d1", "d2", "d3"], columns=years)
    r = LP.synth_one(wide, "u", ["d1", "d2", "d3"], 2003)
    assert r["rmspe_pre"] == pytest.approx(0, abs=1e-3)
    assert r["post_gap"] == pytest.approx(10, abs=1e-2)


def _size(rates, method="RI", floor=0.01, G=8, k=4, reps=1000):
    return pd.DataFrame(
        [
            {
                "quantity": "size",
                "method": m,
                "clusters": G,
                "treated_clusters": k,
                "rejection_rate": r,
                "mc_se": np.sqrt(r * (1 - r) / reps),
                "ri_floor": floor,
            }
            for m, r in rates.items()
        ]
    )


def test_choose_honest_rule():
    # CRV1 at 0.09 (over by > 2 SE of 0.009) is out; WCR Webb at 0.03 and RI at 0.049 both keep
    # size, RI is closer to 5%
    s = _size({"CRV1, G-1 df": 0.09, "WCR Webb": 0.03, "RI": 0.049})
    assert C.choose_honest(s) == "RI"
    # RI over-rejecting somewhere is out
    s2 = pd.concat([s, _size({"RI": 0.08}, G=10, k=5)])
    assert C.choose_honest(s2) == "WCR Webb"
    with pytest.raises(RuntimeError):
        C.choose_honest(_size({"CRV1, G-1 df": 0.2}))


def test_size_sentence_and_counter_example():
    rows = _size({"CRV1, N-k df": 0.19, "CRV1, G-1 df": 0.05, "RI": 0.05}, G=4, k=2, floor=0.01)
    s = TX.size_sentence(rows, "RI")
    assert "CRV1, N-k df rejects a true null 19.0%" in s and "over-rejects" in s
    assert "CRV1, G-1 df rejects a true null 5.0%" in s and "is within Monte Carlo error" in s
    assert "in 1 of the 1 designs" in s
    rows2 = _size({"CRV1, N-k df": 0.01, "CRV1, G-1 df": 0.01, "RI": 0.05}, G=4, k=2)
    assert "under-rejects" in TX.size_sentence(rows2, "RI")


def test_retest_sentences_say_whether_the_verdict_stands():
    rt = pd.DataFrame(
        [
            {
                "question": "EQ3b",
                "clusters": 8,
                "treated_clusters": 4,
                "CRV1, G-1 df": 0.027,
                "RI": 0.29,
                "verdict_crv1": "Low strength evidence",
                "verdict_honest": "No evidence",
                "verdict_stands": False,
            },
            {
                "question": "EQ3a",
                "clusters": 10,
                "treated_clusters": 5,
                "CRV1, G-1 df": 0.001,
                "RI": 0.008,
                "verdict_crv1": "No clear evidence",
                "verdict_honest": "No clear evidence",
                "verdict_stands": True,
            },
        ]
    )
    s = TX.retest_sentences(rt, "RI")
    assert "EQ3b (8 LAs, 4 pilots)" in s[0] and "does not stand" in s[0] and "becomes 'No evidence'" in s[0]
    assert "stands under RI." in s[1] and "becomes" not in s[1]


def test_mde_vs_target_counts():
    res = pd.DataFrame({"mde_honest": [1.0, 5.0, np.nan], "mtm_20pc": [2.0, 2.0, 2.0]})
    assert TX.mde_vs_target(res).startswith("For 1 of 3 LA outcomes")


def test_mc_designs_cover_the_brief():
    d = C.mc_designs()
    assert (4, 1) in d and (4, 3) in d and (4, 4) not in d and (13, 6) in d and (13, 7) not in d
    assert {g for g, _ in d} == {4, 6, 8, 10, 13}
    assert C.report_designs() == {"EQ3a": (10, 5), "EQ3b": (8, 4), "EQ3c": (4, 2), "EQ3d": (13, 6)}


def test_synthetic_sentences_say_so():
    rt = pd.DataFrame(
        [
            {
                "question": "EQ3c",
                "clusters": 4,
                "treated_clusters": 2,
                "CRV1, G-1 df": 0.05,
                "RI": 0.33,
                "verdict_crv1": "x",
                "verdict_honest": "x",
                "verdict_stands": True,
            }
        ]
    )
    assert TX.retest_sentences(rt, "RI", "synthetic")[0].startswith("On the synthetic DiD extract")
    assert not TX.retest_sentences(rt, "RI", "real")[0].startswith("On the synthetic")
    res = pd.DataFrame({"ri_p": [0.01, 0.5]})
    s = TX.la_sentence(res, {"contaminated_share": 0.64, "scale": 2.78}, "real")
    assert "real data" in s and "for 1 of 2 outcomes" in s and "2.8 times" in s


def test_not_reproduced_sentence_lists_published_p():
    rt = pd.DataFrame({"question": ["EQ3a", "EQ3d"], "published_p": ["0", "0.03"]})
    s = TX.not_reproduced_sentence(rt, "synthetic")
    assert "EQ3a 0; EQ3d 0.03" in s and "synthetic extract" in s
    assert "data_dir" in TX.not_reproduced_sentence(rt, "real")


def test_shock_sd_by_hand():
    # LA c is seen in year 0 only, so only year 0 has every LA: the LAs seen every year (a, b)
    # are used instead. Their LA-year means [[0, 0], [0, 4]] (b's year 1: mean of 3 and 5),
    # two-way demeaned [[1, -1], [-1, 1]]: 4 / ((2-1)(2-1)) = 4, SD 2
    fr = pd.DataFrame(
        {
            "la": ["a", "a", "b", "b", "b", "c"],
            "year": [0, 1, 0, 1, 1, 0],
            "y": [0.0, 0.0, 0.0, 3.0, 5.0, 7.0],
            "cem_w": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    assert C.shock_sd(fr, "y") == pytest.approx(2.0)


def test_retest_wild_bootstrap_p_of_zero_shown_as_below_one_draw():
    # a WCR p of 0 says only that p < 1/draws: 999 Webb draws give "< 0.001", the 16 enumerated
    # Rademacher draws of 4 LAs "< 0.06" (1/16 = 0.0625 to one significant figure)
    from sofs_lib.chapters.beyond_the_report import retest as RT

    rt = pd.DataFrame(
        [
            {
                "question": "EQ3c",
                "clusters": 4,
                "treated_clusters": 2,
                "CRV1, G-1 df": 0.004,
                "WCR Webb": 0.0,
                "wcr_webb_draws": 999,
                "WCR Rademacher": 0.0,
                "wcr_rademacher_draws": 16,
                "RI": 0.33,
                "verdict_crv1": "x",
                "verdict_honest": "x",
                "verdict_stands": True,
            },
            {
                "question": "EQ3d",
                "clusters": 13,
                "treated_clusters": 6,
                "CRV1, G-1 df": 0.2,
                "WCR Webb": 0.1234,
                "wcr_webb_draws": 999,
                "WCR Rademacher": 0.25,
                "wcr_rademacher_draws": 999,
                "RI": 0.5,
                "verdict_crv1": "x",
                "verdict_honest": "x",
                "verdict_stands": True,
            },
        ]
    )
    shown = RT.shown(rt, ["question", "WCR Rademacher", "WCR Webb", "RI"])
    assert shown["WCR Webb"].tolist() == ["< 0.001", "0.123"]
    assert shown["WCR Rademacher"].tolist() == ["< 0.06", "0.25"]
    assert shown["RI"].tolist() == [0.33, 0.5]  # not a bootstrap p: left as a number
    assert rt["WCR Webb"].tolist() == [0.0, 0.1234]  # the table itself is not changed
    s = TX.retest_sentences(rt, "WCR Webb")
    assert "WCR Webb p < 0.001;" in s[0] and "WCR Webb p = 0.12;" in s[1]
    assert "p = 0;" not in " ".join(s)
