"""Few-clusters inference (sofs_lib.methods.few_clusters): small cases worked by hand, and the
batch statistics against the libraries (pyfixest, wildboottest) they stand in for."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sofs_lib.methods import few_clusters as F


def test_randomisation_distribution_enumerated_by_hand():
    # 4 LAs, 2 periods, 2 treated from period 1. Outcomes (period 0, period 1):
    # LA0 (0, 4), LA1 (0, 2), LA2 (0, 1), LA3 (0, 1). With one pre and one post period the
    # TWFE beta is the difference in mean change: changes are 4, 2, 1, 1.
    # The C(4,2) = 6 assignments and their beta = mean(change treated) - mean(change control):
    # {0,1}: 3 - 1 = 2; {0,2}: 2.5 - 1.5 = 1; {0,3}: 1; {1,2}: 1.5 - 2.5 = -1; {1,3}: -1;
    # {2,3}: 1 - 3 = -2. |beta| >= 2 in 2 of 6 assignments: p = 1/3.
    Y = np.array([[0, 4], [0, 2], [0, 1], [0, 1]], dtype=float)
    A, exact = F.assignments(4, [1])  # one treated LA: 4 assignments
    assert exact and len(A) == 4
    A, exact = F.assignments(4, [1, 1])
    assert exact and len(A) == 6
    assert F.ri(Y, A, 2)[0] == pytest.approx(1 / 3)
    beta, _, _ = F.twfe(Y, F.treatment_matrix([1, 1, -1, -1], 2))
    assert beta[0] == pytest.approx(2.0)
    # {2,3} is the complement of {0,1}: the smallest p is 2/6
    assert F.ri_floor(A, 2) == pytest.approx(2 / 6)
    A3, _ = F.assignments(5, [1, 1])
    assert F.ri_floor(A3, 2) == pytest.approx(1 / 10)


def test_assignments_keep_the_adoption_timing():
    # 3 LAs, one adopting in period 1 and one in period 2: 3 * 2 = 6 ordered placements, all
    # distinct; each row has exactly one 1, one 2 and one never (-1)
    A, exact = F.assignments(3, [1, 2])
    assert exact and len(A) == 6 == F.n_assignments(3, [1, 2])
    assert all(sorted(r) == [-1, 1, 2] for r in A.tolist())
    assert A[0].tolist() == [1, 2, -1]
    # equal timings are not double counted: C(5,2) = 10
    assert F.n_assignments(5, [3, 3]) == 10
    A, exact = F.assignments(13, [5] * 5 + [7], max_exact=100, draws=50, rng=1)
    assert not exact and len(A) == 50 and A[0].tolist() == [5] * 5 + [7] + [-1] * 7


def test_bad_inputs_are_named():
    with pytest.raises(F.FewClustersError, match="adoption periods"):
        F.treatment_matrix([0, -1], 3)
    with pytest.raises(F.FewClustersError, match="shape"):
        F.crv1(np.zeros((2, 3, 4)), F.treatment_matrix([1, -1], 3))
    with pytest.raises(F.FewClustersError, match="treated LAs"):
        F.assignments(3, [1, 1, 1])
    with pytest.raises(F.FewClustersError, match="weights"):
        F.bootstrap_weights(4, 10, "mammen", np.random.default_rng(0))


def _panel(seed=3, G=6, T=5, starts=(2, 3)):
    rng = np.random.default_rng(seed)
    D = F.treatment_matrix(list(starts) + [-1] * (G - len(starts)), T)
    Y = rng.normal(size=(G, T)) + rng.normal(size=(G, 1))
    df = pd.DataFrame(
        {"la": np.repeat(np.arange(G), T), "year": np.tile(np.arange(T), G), "D": D.ravel(), "y": Y.ravel()}
    )
    return Y, D, df


def test_crv1_and_crv3_match_pyfixest():
    pf = pytest.importorskip("pyfixest")
    Y, D, df = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m1 = pf.feols("y ~ D + C(la) + C(year)", data=df, vcov={"CRV1": "la"})
        m3 = pf.feols("y ~ D | la + year", data=df, vcov={"CRV3": "la"}, ssc=pf.ssc(k_adj=False, G_adj=False))
    b, se = F.crv1(Y, D)
    assert b[0] == pytest.approx(m1.coef()["D"]) and se[0] == pytest.approx(m1.se()["D"])
    assert F.p_t(b / se, 5)[0] == pytest.approx(m1.pvalue()["D"])
    _, se3 = F.crv3(Y, D)
    G = 6
    assert se3[0] == pytest.approx(m3.se()["D"] * np.sqrt((G - 1) / G))


def test_crv3_undefined_with_one_treated_la():
    Y, D, _ = _panel(starts=(2,))
    assert np.isnan(F.crv3(Y, D)[1][0])


def test_wcr_matches_wildboottest_under_full_enumeration():
    sm = pytest.importorskip("statsmodels.api")
    wb = pytest.importorskip("wildboottest.wildboottest")
    for seed in (3, 4):
        Y, D, df = _panel(seed=seed)
        X = pd.get_dummies(
            df[["D"]].assign(la=df.la.astype(str), year=df.year.astype(str)), drop_first=True, dtype=float
        )
        mod = sm.OLS(df.y, sm.add_constant(X))
        r = wb.wildboottest(
            mod,
            param="D",
            cluster=df.la.values,
            B=999,
            weights_type="rademacher",
            impose_null=True,
            bootstrap_type="11",
            seed=1,
            show=False,
        )
        assert F.wcr(Y, D, B=999, kind="rademacher")[0] == pytest.approx(float(r["p-value"].iloc[0]))


def test_rademacher_enumerates_and_webb_has_six_points():
    v, full = F.bootstrap_weights(3, 999, "rademacher", np.random.default_rng(0))
    assert full and v.shape == (8, 3)
    v, full = F.bootstrap_weights(3, 600, "webb", np.random.default_rng(0))
    assert not full and len(np.unique(v)) == 6
    assert np.var(F.WEBB) == pytest.approx(1.0)


def test_simulated_null_sizes():
    # RI is exact: 7 LAs, 3 treated at one time: C(7,3) = 35 assignments; under the null every
    # one of them is equally likely to give the largest |beta|, so P(p <= 0.05) = P(p = 1/35)
    # = 1/35 (2/35 > 0.05). (With 6 LAs and 3 treated the complement of an assignment gives
    # -beta, so the smallest p is 2/20 = 0.1 and RI can never reject at 5%.)
    rng = np.random.default_rng(7)
    T, R = 6, 3000
    D = F.treatment_matrix([3, 3, 3, -1, -1, -1, -1], T)
    Y = F.simulate(7, T, D, R, 0.0, 0.5, 1.0, 0.2, rng)
    A, exact = F.assignments(7, [3, 3, 3])
    assert exact and len(A) == 35
    size = (F.ri(Y, A, T) <= 0.05).mean()
    assert abs(size - 1 / 35) < 3 * np.sqrt(1 / 35 * 34 / 35 / R)
    D6 = F.treatment_matrix([3, 3, 3, -1, -1, -1], T)
    assert F.ri(F.simulate(6, T, D6, 50, 0.0, 0.5, 1.0, 0.2, rng), F.assignments(6, [3, 3, 3])[0], T).min() == 0.1
    D4 = F.treatment_matrix([3, -1, -1, -1], T)
    Y4 = F.simulate(4, T, D4, 2000, 0.0, 0.5, 1.0, 0.2, rng)
    b, se = F.crv1(Y4, D4)
    assert (F.p_t(b / se, np.inf) <= 0.05).mean() > 0.15


def test_rejection_table_counts_undefined():
    rows = F.rejection_table({"CRV3": np.array([0.01, np.nan, 0.5, 0.04])})
    assert rows[0]["rejection_rate"] == 0.5 and rows[0]["undefined"] == 1
    assert rows[0]["mc_se"] == pytest.approx(0.25)


def test_mde_interpolates_by_hand():
    # power 0.5 at 1, 0.9 at 2: 0.8 is reached 3/4 of the way: 1.75
    assert F.mde([0, 1, 2], [0.05, 0.5, 0.9]) == pytest.approx(1.75)
    assert np.isnan(F.mde([0, 1], [0.05, 0.3]))


def test_placebo_power_rises_with_the_effect():
    rng = np.random.default_rng(2)
    Y = rng.normal(size=(12, 6))
    A, _ = F.assignments(12, [3, 3], max_exact=10, draws=300, rng=rng)
    pw = F.placebo_power(Y, A, 6, [0.0, 3.0, 10.0], n_pseudo=100)
    assert pw[0] <= 0.15 and pw[2] == 1.0 and pw[1] >= pw[0]
