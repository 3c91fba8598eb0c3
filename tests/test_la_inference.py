"""LA-level randomisation inference and wild bootstrap for an individual-level DiD
(sofs_lib.methods.la_inference): a case worked by hand and checks against the libraries."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sofs_lib.methods import la_inference as LI


def _hand_case(reps=1):
    # 4 LAs x 2 periods, `reps` children per cell, all with the cell's outcome. Changes from
    # period 0 to 1: A 4, B 2, C 1, D 1. The DiD of y ~ post + pilot + did is
    # mean(change of pilots) - mean(change of the others): with pilots {A, B}: 3 - 1 = 2.
    # The 6 pilot pairs give 2, 1, 1, -1, -1, -2 (worked in test_few_clusters); |beta| >= 2
    # in 2 of 6: p = 1/3; the floor is 2/6 as {C, D} (the complement) gives -2 for any y.
    rows = []
    for la, (y0, y1) in {"A": (0, 4), "B": (0, 2), "C": (0, 1), "D": (0, 1)}.items():
        for post, y in ((0, y0), (1, y1)):
            rows += [(la, post, float(y))] * reps
    d = pd.DataFrame(rows, columns=["la", "post", "y"])
    d["pilot"] = d["la"].isin(["A", "B"]).astype(float)
    d["did"] = d["pilot"] * d["post"]
    return d


def test_permutation_by_hand():
    d = _hand_case(reps=3)
    W = np.column_stack([np.ones(len(d)), d["post"]])
    r = LI.la_permutation(d["y"], W, d["la"], d["post"], ["A", "B"])
    assert r["exact"] and r["n_assignments"] == 6
    assert r["beta"] == pytest.approx(2.0)
    assert sorted(np.round(r["betas"], 9).tolist()) == [-2, -1, -1, 1, 1, 2]
    assert r["p"] == pytest.approx(1 / 3) and r["floor"] == pytest.approx(1 / 3)


def test_permutation_weights_match_weighted_least_squares():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(0)
    d = _hand_case(reps=5)
    d["y"] += rng.normal(size=len(d))
    d["x"] = rng.normal(size=len(d))
    w = rng.uniform(0.5, 2, size=len(d))
    W = np.column_stack([np.ones(len(d)), d["post"], d["x"]])
    r = LI.la_permutation(d["y"], W, d["la"], d["post"], ["A", "C"], w=w)
    d["pilot2"] = d["la"].isin(["A", "C"]).astype(float)
    X = sm.add_constant(np.column_stack([d["post"], d["x"], d["pilot2"], d["pilot2"] * d["post"]]))
    assert r["beta"] == pytest.approx(sm.WLS(d["y"], X, weights=w).fit().params.iloc[-1])


def test_bad_inputs():
    d = _hand_case()
    W = np.ones((len(d), 1))
    with pytest.raises(LI.LaInferenceError, match="pilots"):
        LI.la_permutation(d["y"], W, d["la"], d["post"], [])
    with pytest.raises(LI.LaInferenceError, match="weights"):
        LI.la_permutation(d["y"], W, d["la"], d["post"], ["A"], w=-np.ones(len(d)))
    with pytest.raises(LI.LaInferenceError, match="parameter"):
        LI.wild_bootstrap(d["y"], W, ["Intercept"], "did", d["la"])


def test_wild_bootstrap_matches_pyfixest_unweighted():
    pf = pytest.importorskip("pyfixest")
    rng = np.random.default_rng(1)
    rows = [(g, t, rng.normal() + (g < 2) * (t > 1) * 0.5) for g in range(6) for t in range(4) for _ in range(3)]
    d = pd.DataFrame(rows, columns=["la", "t", "y"])
    d["post"] = (d["t"] > 1).astype(float)
    d["pilot"] = (d["la"] < 2).astype(float)
    d["did"] = d["pilot"] * d["post"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols("y ~ post + pilot + did", data=d, vcov={"CRV1": "la"})
        ref = m.wildboottest(reps=999, param="did", cluster="la", weights_type="rademacher", seed=3)
    X = np.column_stack([np.ones(len(d)), d["post"], d["pilot"], d["did"]])
    r = LI.wild_bootstrap(
        d["y"], X, ["Intercept", "post", "pilot", "did"], "did", d["la"], B=999, kind="rademacher", seed=3
    )
    assert r["enumerated"] and r["p_strict"] == pytest.approx(float(ref["Pr(>|t|)"]))
    # ties count: with the null imposed, the draws v = (1, ..., 1) and (-1, ..., -1) give back
    # y and its mirror image, so |t*| = |t| exactly: 2 of the 2^6 enumerated draws
    assert r["p"] == pytest.approx(r["p_strict"] + 2 / 64)
    assert r["draws"] == 2**6 and r["B"] == 999  # the p is a share of the 64 enumerated draws


def test_wild_bootstrap_draws_are_the_webb_replications():
    rng = np.random.default_rng(2)
    rows = [(g, t, rng.normal()) for g in range(6) for t in range(4) for _ in range(3)]
    d = pd.DataFrame(rows, columns=["la", "t", "y"])
    post, pilot = (d["t"] > 1).astype(float), (d["la"] < 2).astype(float)
    X = np.column_stack([np.ones(len(d)), post, pilot, pilot * post])
    r = LI.wild_bootstrap(d["y"], X, ["Intercept", "post", "pilot", "did"], "did", d["la"], B=199, kind="webb", seed=1)
    assert not r["enumerated"] and r["draws"] == 199
