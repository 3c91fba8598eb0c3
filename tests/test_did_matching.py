"""CEM weights, L1 imbalance and the LA trend matching against hand-worked examples."""

import numpy as np
import pandas as pd
import pytest

from sofs_lib.methods.did import matching as MA


def test_cem_weights_hand_worked():
    # stratum:     s1: 2 treated, 4 controls; s2: 1 T, 1 C; s3: 1 T only; s4: 3 C only
    treat = [1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0]
    strat = [0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 3, 3]
    w, m = MA.cem_weights(treat, strat)
    # matched: s1 and s2 -> m_T = 3, m_C = 5
    # control weight = (m_C / m_T) * (m_T^s / m_C^s): s1 (5/3)(2/4) = 5/6, s2 (5/3)(1/1) = 5/3
    expect = [1, 1, 5 / 6, 5 / 6, 5 / 6, 5 / 6, 1, 5 / 3, 0, 0, 0, 0]
    assert np.allclose(w, expect)
    assert m.tolist() == [True] * 8 + [False] * 4
    assert w[np.array(treat) == 0].sum() == pytest.approx(5)  # controls sum to m_C


def test_cem_frame_and_zero_l1_on_coarsening():
    df = pd.DataFrame(
        {
            "pilot_i": [1, 1, 0, 0, 0, 1],
            "band": ["a", "b", "a", "a", "b", "c"],
            "sex": ["m", "f", "m", "m", "f", "m"],
        }
    )
    out = MA.cem(df, coarsened=["band", "sex"])
    assert out["cem_w"].tolist() == pytest.approx([1, 1, 1.5 * 0.5, 1.5 * 0.5, 1.5 * 1.0, 0])
    assert MA.l1_imbalance(out, "pilot_i", ["band", "sex"], weights="cem_w")["l1"] == pytest.approx(0)


def test_l1_and_local_common_support_hand_worked():
    # treated: 2 in A, 2 in B; control: 1 in A, 3 in C
    df = pd.DataFrame({"t": [1, 1, 1, 1, 0, 0, 0, 0], "x": list("AABBACCC")})
    r = MA.l1_imbalance(df, "t", ["x"])
    # f = (.5, .5, 0), g = (.25, 0, .75): L1 = (.25 + .5 + .75) / 2
    assert r["l1"] == pytest.approx(0.75)
    assert r["lcs"] == pytest.approx(100 / 3)  # only A of the 3 non-empty cells has both
    # numeric binning: ages 3.2 and 3.9 share the 1-year bin
    df2 = pd.DataFrame({"t": [1, 0], "age": [3.2, 3.9]})
    assert MA.l1_imbalance(df2, "t", ["age"], bins={"age": 1})["l1"] == pytest.approx(0)


def test_trend_closeness_hand_worked():
    means = pd.DataFrame(
        {2010: [1.0, 11.0, 3.0], 2011: [2.0, 12.0, 2.0], 2012: [3.0, 13.0, 1.0]},
        index=["P", "same trend", "opposite"],
    )
    c = MA.closeness(means, "P", ["same trend", "opposite"], [2010, 2011, 2012], sd=2.0).set_index("candidate")
    assert c.loc["same trend", "rmse"] == pytest.approx(0)
    assert c.loc["same trend", "slope_diff"] == pytest.approx(0)
    # de-meaned: P (-1, 0, 1), opposite (1, 0, -1): differences (-2, 0, 2) -> sqrt(8/3)
    assert c.loc["opposite", "rmse"] == pytest.approx(np.sqrt(8 / 3))
    assert c.loc["opposite", "rmse_sd"] == pytest.approx(np.sqrt(8 / 3) / 2)
    assert c.loc["opposite", "slope_diff"] == pytest.approx(2)


def test_match_rule_exclusive_capped_and_thresholded():
    close = pd.DataFrame(
        {
            "pilot": ["P1", "P1", "P1", "P2", "P2", "P3"],
            "candidate": ["A", "B", "C", "A", "D", "E"],
            "rmse_sd": [0.05, 0.06, 0.07, 0.01, 0.2, 0.9],
        }
    )
    groups, dec = MA.match_las(
        close, max_matches=2, max_rmse_sd=0.25, post_counts={"P1": 500, "P2": 500, "P3": 500}, min_post=100
    )
    # A goes to P2 (closest pair overall), so P1 takes B and C (at most 2); P3's only candidate is too far
    assert groups == {"P2": ["A", "D"], "P1": ["B", "C"]}
    assert dec.set_index("pilot").loc["P3", "reason"].startswith("no candidate")
    groups, dec = MA.match_las(close, post_counts={"P1": 50, "P2": 500, "P3": 500}, min_post=100, max_rmse_sd=0.25)
    assert "P1" not in groups and dec.set_index("pilot").loc["P1", "reason"].startswith("too few")
