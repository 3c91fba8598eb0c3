"""Estimation and diagnostics on small constructed panels with known answers."""

import numpy as np
import pandas as pd

from sofs_lib.methods.did import models as M


def panel(n_child=1500, rho=0.0, corr_effect=0.0, effect=2.0, seed=0, sd_alpha=1.0):
    """Children seen 3 times in one of 6 LAs (3 pilots) before/after; outcome with an AR(1)
    error (``rho``), a child effect (sd ``sd_alpha``) correlated with age when ``corr_effect``."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_child):
        la = c % 6
        pilot = int(la < 3)
        alpha = sd_alpha * rng.normal()
        e = rng.normal()
        for s, year in enumerate((2012, 2016, 2018)):
            post = int(year >= 2016)
            e = rho * e + rng.normal() if s else e
            age = 5 + s + rng.random() + corr_effect * 3 * alpha
            y = 10 + effect * pilot * post + 1.0 * post + 0.5 * age + alpha + e
            rows.append(
                dict(
                    child=c,
                    seq=s,
                    la=f"LA{la}",
                    pilot_i=pilot,
                    post=post,
                    did=pilot * post,
                    year=year,
                    age=age,
                    ofsted_high=0,
                    disabled=0,
                    gender="m",
                    ethnicity="W",
                    academic_year="primary",
                    fsm="no",
                    y=y,
                    cem_w=1.0,
                    repeated=1,
                )
            )
    return pd.DataFrame(rows)


def test_linear_and_fe_recover_effect():
    d = panel()
    lin = M.fit_ols(d, "eq3a", "linear", ["y"], {"m": ["pilot_i", "did"]})[("m", "y")]
    fe = M.fit_ols(d, "eq3a", "fe", ["y"], {"m": ["did"]})[("m", "y")]
    for f in (lin, fe):
        assert f.get("did", "lo") < 2.0 < f.get("did", "hi")
    assert M.fe_switchers(d) == 750  # every pilot child changes status


def test_breusch_godfrey_detects_serial_correlation():
    # pooled residuals: an AR(1) error, or a persistent child effect, is serial correlation
    assert M.breusch_godfrey(panel(rho=0.6, seed=1, sd_alpha=0.0), "eq3a", "y")["p"] < 0.01
    assert M.breusch_godfrey(panel(rho=0.0, seed=2, sd_alpha=1.0), "eq3a", "y")["p"] < 0.01
    assert M.breusch_godfrey(panel(rho=0.0, seed=2, sd_alpha=0.0), "eq3a", "y")["p"] > 0.01


def test_hausman_detects_correlated_effects():
    assert M.hausman(panel(corr_effect=1.0, seed=3), "y")["p"] < 0.01
    assert M.hausman(panel(corr_effect=0.0, seed=4), "y")["p"] > 0.01


def test_repeated_test_and_logit_separation():
    rng = np.random.default_rng(5)
    n = 3000
    d = pd.DataFrame(
        {
            "y": rng.integers(0, 2, n),
            "age": rng.random(n) * 10,
            "disabled": rng.integers(0, 2, n),
            "gender": rng.choice(["m", "f"], n),
            "ethnicity": rng.choice(["W", "B"], n),
            "academic_year": rng.choice(["p", "s"], n),
            "fsm": rng.choice(["no", "yes"], n),
        }
    )
    d["repeated"] = (rng.random(n) < 0.2 + 0.3 * d["y"]).astype(int)  # repeated children differ in y
    assert M.repeated_test(d, "eq3b", "y")["p"] < 1e-6
    # logit: no event among treated-post rows -> the DiD is reported as not estimable
    d = pd.DataFrame({"la": np.repeat([f"LA{i}" for i in range(4)], 500), "pilot_i": np.repeat([1, 1, 0, 0], 500)})
    d["post"] = np.tile([0, 1], 1000)
    d["did"] = d["pilot_i"] * d["post"]
    d["y"] = ((rng.random(2000) < 0.1) & (d["did"] == 0)).astype(int)
    for c, v in dict(
        age=5.0,
        disabled=0,
        gender="m",
        ethnicity="W",
        academic_year="p",
        fsm="no",
        ofsted_high=0,
        year=2015,
        cem_w=1.0,
    ).items():
        d[c] = v
    f = M.fit_logit(d, "eq3b", "y", ["pilot_i", "did"])
    # no diverging logit coefficient is shown: the linear probability model is, with the reason
    assert f.model == "linear" and "separation" in f.note and f.extra["separated"]
    assert np.isnan(f.extra["logit"].loc["did", "estimate"])
    # LPM DiD by hand: (0 - mean(pilot pre)) - (mean(comp post) - mean(comp pre))
    m = d.groupby(["pilot_i", "post"])["y"].mean()
    assert abs(f.get("did") - ((m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0]))) < 1e-9


def separated_world(seed=0, n=4000):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"la": rng.choice([f"LA{i}" for i in range(8)], n)})
    d["pilot_i"] = d["la"].isin(["LA0", "LA1", "LA2", "LA3"]).astype(int)
    d["post"] = rng.integers(0, 2, n)
    d["did"] = d["pilot_i"] * d["post"]
    for c, v in dict(disabled=0, gender="m", academic_year="p", fsm="no", ofsted_high=0, year=2015, cem_w=1.0).items():
        d[c] = v
    d["age"] = rng.random(n) * 10
    d["ethnicity"] = rng.choice(["W", "B", "A"], n, p=[0.8, 0.15, 0.05])
    return d, rng


def test_logit_drops_covariate_levels_that_predict_perfectly():
    d, rng = separated_world(1)
    d["y"] = (rng.random(len(d)) < 0.2).astype(int)
    d.loc[d["ethnicity"] == "A", "y"] = 0  # no event in one category: its coefficient diverges
    n_a = int((d["ethnicity"] == "A").sum())
    f = M.fit_logit(d, "eq3b", "y", ["pilot_i", "did"])
    assert f.model == "logit" and f.n == len(d) - n_a
    assert f"{n_a:,} rows dropped" in f.note and "ethnicity = A" in f.note
    assert (f.table["se"] < M.SE_MAX).all()


def test_average_marginal_effect_matches_statsmodels():
    # second implementation: statsmodels' discrete Logit get_margeff (dummy=True), same model,
    # non-robust covariance
    import statsmodels.formula.api as smf

    d, rng = separated_world(2)
    xb = -1.0 + 0.3 * d["pilot_i"] + 0.2 * d["post"] - 0.7 * d["did"] + 0.05 * d["age"]
    d["y"] = (rng.random(len(d)) < 1 / (1 + np.exp(-xb))).astype(int)
    m = smf.logit("y ~ pilot_i + did + post + age + C(ethnicity)", d).fit(disp=0)
    want = m.get_margeff(at="overall", dummy=True).summary_frame().loc["did"]
    exog = np.asarray(m.model.exog)
    ame, se, p = M.average_marginal_effect(m, exog, list(m.params.index), "did")
    assert abs(ame - want["dy/dx"]) < 1e-8
    assert abs(se - want["Std. Err."]) < 1e-4 * want["Std. Err."] + 1e-6
    f = M.fit_logit(d, "eq3b", "y", ["pilot_i", "did"])
    assert f.model == "logit" and abs(f.extra["ame"]["did"][0] - want["dy/dx"]) < 1e-8


def test_perfect_predictors():
    d = pd.DataFrame(
        {
            "y": [0, 0, 1, 0, 1, 0],
            "t": [1, 1, 0, 0, 0, 0],
            "c": list("aabbcc"),
            "x": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    )
    got = M.perfect_predictors(d, "y", ["t", "C(c)", "x"])
    assert ("t", "1", 2, 0) in got and ("c", "a", 2, 0) in got
    assert not [g for g in got if g[0] == "x"]


def test_wild_cluster_bootstrap_p():
    # 6 LAs: a large effect gives a small bootstrap p, no effect a large one; Webb weights
    d = panel(n_child=600, effect=2.0, seed=7)
    assert M.wild_cluster_p(d, "eq3a", "linear", "y", ["pilot_i", "did"], "did") < 0.05
    d0 = panel(n_child=600, effect=0.0, seed=8)
    p0 = M.wild_cluster_p(d0, "eq3a", "linear", "y", ["pilot_i", "did"], "did")
    assert p0 > 0.05
    # the same seed gives the same p
    assert p0 == M.wild_cluster_p(d0, "eq3a", "linear", "y", ["pilot_i", "did"], "did")


def test_crv1_denominators_match_wildboottest():
    # second implementation: wildboottest's own (numba) get_denom on the same problem
    from wildboottest.wildboottest import WildboottestCL

    d = panel(n_child=300, effect=1.0, seed=9)
    X = np.column_stack([np.ones(len(d)), d["pilot_i"], d["post"], d["did"], d["age"]])
    Y = d["y"].to_numpy()
    cl = pd.factorize(d["la"])[0]
    R = np.array([0, 0, 0, 1.0, 0])
    out = []
    for cls in (WildboottestCL, M._wild_cl()):
        b = cls(X=X, Y=Y, cluster=cl, R=R, B=99, seed=3, parallel=False)
        b.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
        b.get_weights(weights_type="webb")
        b.get_numer()
        b.get_denom()
        out.append(np.asarray(b.denom))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-10)
