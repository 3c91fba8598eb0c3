"""The shared-design least squares of the DiD chapter (sofs_lib.methods.did.engine) against its
reference implementations: pyfixest's ``feols`` (coefficients, SEs, p-values, intervals, N,
R-squared, collinear terms) and statsmodels (the iid F-test). Data: a constructed panel with
weights, few clusters, categorical covariates with an unused and a collinear level, singletons,
and a child seen in two LAs (fixed effects not nested in clusters)."""

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from sofs_lib.methods.did import engine as EN
from sofs_lib.methods.did import models as M
from sofs_lib.methods.did.diagnostics import breusch_godfrey, repeated_test

RTOL = 1e-7


def frame(n_child=900, seed=3, nested=True):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_child):
        la = c % 7
        pilot = int(la < 3)
        alpha = rng.normal()
        n_rows = 1 if c % 10 == 0 else int(rng.integers(2, 5))  # every tenth child a singleton
        for s in range(n_rows):
            year = int(rng.choice([2014, 2015, 2016, 2017, 2018]))
            post = int(year >= 2016)
            la_row = (la + 1) % 7 if (not nested and c == 5 and s == 1) else la
            eth = rng.choice(["W", "A", "B"], p=[0.6, 0.3, 0.1])
            rows.append(
                dict(
                    child=c,
                    la=f"LA{la_row}",
                    group_id=f"g{la % 4}",
                    pilot_i=pilot,
                    post=post,
                    did=pilot * post,
                    lead_1=int(pilot and year == 2015),
                    year=year,
                    age=5 + s + rng.random(),
                    disabled=int(rng.random() < 0.1),
                    gender=rng.choice(["f", "m"]),
                    ethnicity=eth,
                    academic_year="primary" if s < 2 else "secondary",
                    fsm=rng.choice(["no", "yes"]),
                    ofsted_high=int(la in (1, 4)),
                    y=10 + 2 * pilot * post + post + 0.5 * s + alpha + rng.normal(),
                    z=float(rng.random() < 0.3 + 0.1 * pilot * post),
                    cem_w=float(rng.choice([0.0, 0.5, 1.0, 2.0], p=[0.1, 0.2, 0.5, 0.2])),
                )
            )
    d = pd.DataFrame(rows)
    d["ethnicity"] = pd.Categorical(d["ethnicity"], categories=["W", "A", "B", "unused"])
    d["dup_post"] = d["post"]  # collinear with post: dropped by both
    return d


def reference(d, fml, fe):
    d = d[d["cem_w"] > 0]  # pyfixest takes positive weights only; the engine drops zeros
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(fml + (" | child" if fe else ""), data=d, vcov={"CRV1": "la"}, weights="cem_w")
    t = m.tidy()
    t.index = [i for i in t.index]
    return m, t


def compare(res, m, t):
    mine = res.tidy()
    assert list(mine.index) == list(t.index)
    for a, b in (("estimate", "Estimate"), ("se", "Std. Error"), ("p", "Pr(>|t|)"), ("lo", "2.5%"), ("hi", "97.5%")):
        np.testing.assert_allclose(mine[a].to_numpy(), t[b].to_numpy(), rtol=RTOL, atol=1e-12)
    assert res.n == m._N
    np.testing.assert_allclose(res.r2, m._r2, rtol=RTOL)
    if m._has_fixef:
        np.testing.assert_allclose(res.r2_within, m._r2_within, rtol=RTOL)
    assert set(res.collinear) == set(getattr(m, "_collin_vars", []) or [])


TERMS = [
    "post",
    "pilot_i",
    "did",
    "age",
    "disabled",
    "C(gender)",
    "C(ethnicity)",
    "C(academic_year)",
    "C(fsm)",
    "ofsted_high",
    "C(year)",
]


@pytest.mark.parametrize("fe", [False, True])
@pytest.mark.parametrize("nested", [True, False])
def test_design_matches_pyfixest(fe, nested):
    d = frame(nested=nested)
    des = EN.Design(
        d, [*TERMS, "lead_1", "dup_post"], ["y", "z"], weights="cem_w", cluster="la", fe="child" if fe else None
    )
    for y in ("y", "z"):
        for terms in (TERMS, [*TERMS, "lead_1"], [*TERMS, "dup_post"]):
            m, t = reference(d, f"{y} ~ {' + '.join(terms)}", fe)
            compare(des.fit(y, terms), m, t)
    if fe:
        assert des.n_singletons > 0 and des.fe_nested is nested


@pytest.mark.parametrize("fe", [False, True])
def test_subset_equals_a_fresh_design_and_pyfixest(fe):
    d = frame()
    des = EN.Design(d, TERMS, ["y"], weights="cem_w", cluster="la", fe="child" if fe else None)
    keep = ~d["group_id"].isin(["g1"]).to_numpy()  # whole LAs out: no child split
    sub = des.subset(keep)
    assert sub is not None
    m, t = reference(d[keep].reset_index(drop=True), f"y ~ {' + '.join(TERMS)}", fe)
    compare(sub.fit("y", TERMS), m, t)
    few = des.subset(keep, TERMS[:6])  # only the columns of these terms
    assert len(few.names) < len(sub.names)
    m, t = reference(d[keep].reset_index(drop=True), f"y ~ {' + '.join(TERMS[:6])}", fe)
    compare(few.fit("y", TERMS[:6]), m, t)
    fresh = EN.Design(d[keep], TERMS, ["y"], weights="cem_w", cluster="la", fe="child" if fe else None)
    np.testing.assert_array_equal(sub.cl, fresh.cl)  # the same cluster numbering (the bootstrap's)
    if fe:  # a mask that splits a child's rows cannot be taken from the demeaned matrix
        split = np.ones(len(d), dtype=bool)
        split[d.index[d["child"] == 1][0]] = False
        assert des.subset(split) is None


def test_iid_fit_and_residuals_match_pyfixest():
    d = frame()
    des = EN.Design(d, TERMS, ["y"], weights="cem_w")
    res = des.fit("y", TERMS, vcov="iid", keep_resid=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(f"y ~ {' + '.join(TERMS)}", data=d[d["cem_w"] > 0], vcov="iid", weights="cem_w")
    np.testing.assert_allclose(res.se, m.tidy()["Std. Error"].to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(res.resid, m.resid(), rtol=RTOL, atol=1e-10)


def test_breusch_godfrey_is_n_r2_of_the_auxiliary_regression():
    """Worked independently with statsmodels WLS: residuals of the pooled model, lagged within
    child (0 for a child's first row), regressed on the model's regressors and the lag."""
    d = frame().sort_values(["child", "year"], kind="stable").reset_index(drop=True)
    d = d[d["cem_w"] > 0].reset_index(drop=True)
    got = breusch_godfrey(d, "eq3a", "y")
    X = EN.model_matrix(d, M._terms("eq3a", "linear", ["pilot_i", "did"]))
    # post is collinear with the year dummies: statsmodels' pseudo-inverse leaves residuals
    # and R-squared as the engine's dropped column does
    e = sm.WLS(d["y"], X, weights=d["cem_w"]).fit().resid.to_numpy()
    first = d["child"].ne(d["child"].shift()).to_numpy()
    aux = X.assign(lag=np.where(first, 0.0, np.roll(e, 1)))
    r = sm.WLS(e, aux, weights=d["cem_w"]).fit()
    assert got["n"] == len(d)
    np.testing.assert_allclose(got["statistic"], len(d) * r.rsquared, rtol=1e-6)
    np.testing.assert_allclose(got["rho"], r.params["lag"], rtol=1e-6)


def test_repeated_test_is_the_f_test_of_all_slopes():
    d = frame()
    d["repeated"] = (d.groupby("child")["child"].transform("size") > 1).astype(int)
    got = repeated_test(d, "eq3a", "y")
    X = EN.model_matrix(d, ["y", *M.covariate_terms("eq3a", "linear")])
    X = X.loc[:, (X.std() > 0).to_numpy() | (X.columns == "Intercept")]  # the unused level's 0s
    r = sm.OLS(d["repeated"].astype(float), X).fit()
    ref = r.f_test(np.eye(X.shape[1])[1:])
    np.testing.assert_allclose(got["statistic"], float(ref.fvalue), rtol=1e-6)
    np.testing.assert_allclose(got["p"], float(ref.pvalue), rtol=1e-6, atol=1e-300)
    assert got["df"] == X.shape[1] - 1 and got["df2"] == len(d) - X.shape[1]


def test_bad_input_names_the_column():
    d = frame()
    with pytest.raises(EN.DesignError, match="nosuch"):
        EN.Design(d, ["nosuch"], ["y"])
    d.loc[3, "age"] = np.nan
    with pytest.raises(EN.DesignError, match="'age' has 1 missing"):
        EN.Design(d, ["age"], ["y"])
    d.loc[5, "la"] = None
    with pytest.raises(EN.DesignError, match="cluster column 'la' has 1 missing"):
        EN.Design(d, ["post"], ["y"], cluster="la")
    d["cem_w"] = -1.0
    with pytest.raises(EN.DesignError, match="cem_w"):
        EN.Design(d, ["post"], ["y"], weights="cem_w")


def test_extra_regressors_and_outcome_values_are_fitted_as_columns():
    d = frame()
    d = d[d["cem_w"] > 0].reset_index(drop=True)
    d["v"] = np.random.default_rng(9).normal(size=len(d))
    des = EN.Design(d, TERMS, ["y"], weights="cem_w", cluster="la")
    m, t = reference(d, f"y ~ {' + '.join(TERMS)} + v", False)
    compare(des.fit("y", TERMS, extra={"v": d["v"].to_numpy()}), m, t)
    m, t = reference(d, f"z ~ {' + '.join(TERMS)}", False)
    compare(des.fit("z", TERMS, y_values=d["z"].to_numpy()), m, t)
    fe = EN.Design(d, TERMS, ["y"], weights="cem_w", cluster="la", fe="child")
    with pytest.raises(EN.DesignError, match="without fixed effects"):
        fe.fit("y", TERMS, extra={"v": d["v"].to_numpy()})


def test_wild_bootstrap_on_compressed_clusters_is_the_bootstrap_on_the_rows():
    """wildboottest on (R_g, Q_g'y_g) per cluster, with N set to the rows, gives the p-value
    and t statistic of wildboottest on the rows themselves."""
    from sofs_lib.methods.wild import bootstrap_p, compress_clusters, wcr

    d = frame()
    des = EN.Design(d, TERMS, ["y"], weights="cem_w", cluster="la")
    fit = des.fit("y", TERMS, vcov="iid")
    idx = [des.names.index(n) for n in fit.names]
    R = np.zeros(len(idx))
    R[fit.names.index("did")] = 1.0

    def run(X, Y, cl, n=None):
        b = wcr(X, Y, cl, R, 399, 7, kind="webb", n=n)
        return bootstrap_p(b.t_stat, b.t_boot), float(np.ravel(b.t_stat)[0])

    full = run(des.X[:, idx], des.Y["y"], des.cl.astype(np.int64))
    Xc, Yc, cl = compress_clusters(des.X, des.Y["y"], des.bounds, idx)
    assert len(Yc) <= des.G * len(idx) < des.n
    small = run(Xc, Yc, cl, n=des.n)
    assert small[0] == full[0]
    np.testing.assert_allclose(small[1], full[1], rtol=1e-9)
    # and the t statistic is the engine's CRV1 t of the same regression
    crv = des.fit("y", TERMS).tidy().loc["did"]
    np.testing.assert_allclose(small[1], crv["estimate"] / crv["se"], rtol=1e-9)


def test_bootstrap_p_counts_ties_as_at_least_as_extreme():
    from sofs_lib.methods.wild import bootstrap_p

    t = 2.0
    draws = np.array([2.0 * (1 + 1e-13), -2.0 * (1 - 1e-13), 1.0, -3.0, 0.5, 2.0 * (1 - 1e-6), 2.5, 0.0])
    # ties (both signs, either side by rounding): 2 draws; beyond: -3.0 and 2.5; below: the rest
    assert bootstrap_p(t, draws) == 4 / 8
    assert bootstrap_p(-t, draws) == 4 / 8


def test_bootstrap_p_of_zero_shown_as_below_one_draw():
    """A bootstrap p is the share of draws at least as extreme; 0 of B draws is shown as
    ``< 1/B`` (the p of one draw), never as 0; other values to three significant figures."""
    from sofs_lib.methods.wild import p_text

    assert p_text(0.0, 999) == "< 0.001"
    assert p_text(0.0, 9999) == "< 0.0001"
    assert p_text(0.0, 99) == "< 0.01"
    assert p_text(1 / 999, 999) == "0.001"
    assert p_text(0.17817817, 999) == "0.178"
    assert p_text(np.nan, 999) == "–"
    with pytest.raises(ValueError, match="draws"):
        p_text(0.0, 0)


def test_bootstrap_p_in_a_table_column_keeps_its_decimals():
    from sofs_lib.methods.wild import p_text

    assert p_text(0.0523, 999, ".3f") == "0.052"
    assert p_text(0.0, 999, ".3f") == "< 0.001"
