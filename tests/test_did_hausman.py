"""The NumPy Hausman test (methods.did.hausman) against a second implementation: the same test
with linearmodels' PanelOLS (entity effects) and RandomEffects, on generated panels with
weights, unbalanced panels, singletons, collinear and absorbed columns, missing outcomes, and
the cases where the test cannot be computed."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sofs_lib.methods.did import hausman as H
from sofs_lib.methods.did.diagnostics import hausman

pytest.importorskip("linearmodels")

TOL = 1e-8


def _independent_reference(X: pd.DataFrame, entity: np.ndarray, tol: float = 1e-8) -> list[str]:
    """Columns kept while they add rank after the within-entity transform (pandas, one
    rank of the kept columns' cross-product per column)."""
    Xw = X - X.groupby(entity).transform("mean").to_numpy()
    keep: list[str] = []
    for c in X.columns:
        cols = keep + [c]
        G = Xw[cols].to_numpy()
        G = G.T @ G
        if np.linalg.matrix_rank(G, tol=tol * max(1.0, float(np.abs(G).max()))) == len(cols):
            keep.append(c)
    return keep


def hausman_linearmodels(df: pd.DataFrame, y: str, weights: str | None = "cem_w") -> dict:
    """The reference: the Hausman test with linearmodels' estimators."""
    from linearmodels.panel import PanelOLS, RandomEffects

    cols = ("child", "seq", "repeated", "year", "post", "did", "age", "ofsted_high", y, weights)
    d = df[[c for c in cols if c and c in df]]
    if weights and weights in d:
        d = d[d[weights] > 0]
    d = d[d["repeated"] == 1] if d["repeated"].sum() > 0 else d
    idx = pd.MultiIndex.from_arrays([d["child"].to_numpy(), d["seq"].to_numpy()], names=["child", "seq"])
    yr = pd.get_dummies(d["year"].astype(int), prefix="y", drop_first=True, dtype=float)
    X = pd.concat(
        [d[["post", "did", "age", "ofsted_high"]].astype(float).reset_index(drop=True), yr.reset_index(drop=True)],
        axis=1,
    )
    X.index = idx
    Y = pd.Series(d[y].to_numpy(dtype=float), index=idx, name=y)
    w = pd.Series(d[weights].to_numpy(dtype=float), index=idx) if weights in d else None
    X = X[_independent_reference(X, d["child"].to_numpy())]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fe = PanelOLS(Y, X, entity_effects=True, weights=w, drop_absorbed=True, check_rank=False).fit()
            re_ = RandomEffects(Y, X.assign(const=1.0), weights=w, check_rank=False).fit()
    except (ZeroDivisionError, ValueError, np.linalg.LinAlgError) as exc:
        note = f"not computable ({type(exc).__name__}: {exc})"
        return {"statistic": np.nan, "df": 0, "p": np.nan, "n": int(len(Y)), "note": note}
    common = [c for c in fe.params.index if c in re_.params.index and c != "const"]
    b = (fe.params[common] - re_.params[common]).to_numpy()
    V = fe.cov.loc[common, common].to_numpy() - re_.cov.loc[common, common].to_numpy()
    if not np.all(np.isfinite(V)) or not np.all(np.isfinite(b)):
        return {"statistic": np.nan, "df": 0, "p": np.nan, "n": int(len(Y)), "note": "not computable"}
    h = float(b @ np.linalg.pinv(V) @ b)
    k = int(np.linalg.matrix_rank(V))
    p = float(stats.chi2.sf(h, k)) if k else np.nan
    return {"statistic": h, "df": k, "p": p, "n": int(len(Y)), "note": f"{len(common)} coefficients compared"}


def gen_panel(
    n_child=600,
    seed=0,
    max_rows=3,
    min_rows=1,
    weighted=True,
    corr=0.5,
    zero_weights=0.05,
    age="smooth",
    years=(2009, 2011, 2012, 2014, 2015, 2017, 2018),
):
    """Children in one of 8 LAs (4 pilots) seen 1..max_rows times in distinct years, with a
    child effect correlated with age (``corr``), CEM-like weights (a few distinct values, some 0)
    and ``repeated`` set before the weights are applied (so some children are singletons).
    ``age``: "smooth" (age + noise), "exact" (birth year + year: collinear with the year dummies
    within a child) or "absorbed" (a large child-level value plus a tiny within variation)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_child):
        la = c % 8
        alpha = rng.normal()
        k = int(rng.integers(min_rows, max_rows + 1))
        ys = np.sort(rng.choice(years, size=k, replace=False))
        birth = rng.integers(1995, 2010)
        level = 1e4 * rng.normal()
        w = rng.choice([0.5, 1.0, 2.5, 4.0]) if weighted else 1.0
        w = 0.0 if rng.random() < zero_weights else w
        for s, yr in enumerate(ys):
            post = int(yr >= 2016)
            a = {
                "smooth": yr - birth + rng.random() + corr * 2 * alpha,
                "exact": float(yr - birth),
                "absorbed": level + 0.01 * rng.normal(),
            }[age]
            rows.append(
                dict(
                    child=c,
                    seq=s,
                    year=int(yr),
                    post=post,
                    did=int(la < 4) * post,
                    age=a,
                    ofsted_high=int(rng.random() < 0.3),
                    y=3 + 1.5 * post + 0.2 * (a if age != "absorbed" else 0) + alpha + rng.normal(),
                    cem_w=w,
                    repeated=int(k > 1),
                )
            )
    return pd.DataFrame(rows)


def assert_same(got: dict, ref: dict) -> float:
    """Same df, n and note; statistic and p equal to ``TOL`` (relative); returns the larger
    relative difference."""
    assert (got["df"], got["n"], got["note"]) == (ref["df"], ref["n"], ref["note"])
    worst = 0.0
    for key in ("statistic", "p"):
        a, b = got[key], ref[key]
        if np.isnan(b):
            assert np.isnan(a), key
            continue
        rel = abs(a - b) / max(abs(b), 1e-300)
        assert rel <= TOL, (key, a, b)
        worst = max(worst, rel)
    return worst


CASES = {
    "weighted, unbalanced, singletons": dict(seed=1),
    "unweighted": dict(seed=2, weighted=False, zero_weights=0.0),
    "balanced pairs": dict(seed=3, max_rows=2, n_child=800),
    "up to 4 rows, no correlation": dict(seed=4, max_rows=4, corr=0.0),
    "strong correlation": dict(seed=5, corr=2.0),
    "age collinear with the year dummies": dict(seed=6, age="exact"),
    "age absorbed by the child effects": dict(seed=7, age="absorbed"),
    "small": dict(seed=8, n_child=40),
}


@pytest.mark.parametrize("case", list(CASES))
def test_matches_linearmodels(case):
    d = gen_panel(**CASES[case])
    got, ref = hausman(d, "y"), hausman_linearmodels(d, "y")
    assert np.isfinite(ref["statistic"]) and ref["df"] > 0  # a test that was computed
    assert_same(got, ref)


def test_collinear_and_absorbed_columns_are_left_out():
    # post is the sum of the dummies of the years from 2016, and age = year - birth year is a
    # combination of the dummies within a child: each leaves out one (the last) year dummy
    d = gen_panel(seed=6, age="exact")
    n_years = d.loc[(d["cem_w"] > 0) & (d["repeated"] == 1), "year"].nunique()
    assert hausman(d, "y")["note"] == f"{4 + (n_years - 1) - 2} coefficients compared"
    # age nearly constant within children: random effects keep it, fixed effects do not
    d = gen_panel(seed=7, age="absorbed")
    Y, X, w, child, _ = H._rows(d, "y", "cem_w")
    X = X[:, H._independent(X, child)]
    wi = H._within(*H._complete(Y, X, w, child))
    _, _, fe_cols = H._fixed_effects(wi)
    assert 2 in range(X.shape[1]) and 2 not in fe_cols  # column 2 is age
    assert hausman(d, "y")["note"] == f"{len(fe_cols)} coefficients compared"


def test_missing_outcomes_and_other_weights():
    d = gen_panel(seed=9)
    d.loc[d.index[::17], "y"] = np.nan
    assert_same(hausman(d, "y"), hausman_linearmodels(d, "y"))
    d = gen_panel(seed=10, weighted=False, zero_weights=0.0).drop(columns="cem_w")
    assert_same(hausman(d, "y", weights=None), hausman_linearmodels(d, "y", weights=None))


def not_computable(d: pd.DataFrame, kind: str) -> None:
    got, ref = hausman(d, "y"), hausman_linearmodels(d, "y")
    assert ref["note"].startswith(f"not computable ({kind}")
    assert np.isnan(got["statistic"]) and np.isnan(got["p"])
    assert (got["df"], got["n"], got["note"]) == (ref["df"], ref["n"], ref["note"])


def test_not_computable_cases():
    # every child seen once: nothing varies within children
    d = gen_panel(seed=11, max_rows=1)
    not_computable(d, "ValueError")
    # a repeated (child, seq)
    d = gen_panel(seed=12)
    d.loc[d.index[1], ["child", "seq"]] = d.loc[d.index[0], ["child", "seq"]].to_numpy()
    not_computable(d, "ValueError: dependent: Each combination")
    # too few rows for the covariance of the fixed-effects model
    d = gen_panel(seed=13, n_child=6, max_rows=3, zero_weights=0.0)
    not_computable(d, "ValueError: The covariance of the model cannot be estimated")
    # too few children for the between regression of the random-effects model
    d = gen_panel(seed=13, n_child=5, min_rows=6, max_rows=6, zero_weights=0.0)
    not_computable(d, "ValueError: The variance of the effects cannot be estimated")
    # an outcome of 0: both variances are 0 (another constant leaves rounding error in the
    # means that linearmodels removes, and a statistic of that error)
    d = gen_panel(seed=14)
    d["y"] = 0.0
    not_computable(d, "ZeroDivisionError")
    # an infinite weight
    d = gen_panel(seed=15)
    d.loc[((d["repeated"] == 1) & (d["cem_w"] > 0)).idxmax(), "cem_w"] = np.inf
    not_computable(d, "ValueError: weights")


def test_independent_matches_the_pandas_version():
    for seed, age in ((16, "smooth"), (17, "exact"), (18, "absorbed")):
        d = gen_panel(seed=seed, age=age)
        Y, X, w, child, _ = H._rows(d, "y", "cem_w")
        frame = pd.DataFrame(X, columns=[f"c{j}" for j in range(X.shape[1])])
        ref = [int(c[1:]) for c in _independent_reference(frame, child)]
        assert H._independent(X, child) == ref
