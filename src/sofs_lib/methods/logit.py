"""Logit checks that statsmodels does not make itself: separation by a regressor, and average
marginal effects of a binary regressor for a GLM fit (with a delta-method standard error)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def _var_of(term: str) -> str:
    return term[2:-1] if term.startswith("C(") else term


#: A coefficient on the log-odds scale with a standard error above this, or an estimate above
#: ``COEF_MAX`` in size, is not a result: odds ratios of e^15 (3 million) do not occur in social
#: care data, they are what a diverging maximum likelihood fit prints under separation.
SE_MAX = 10.0
COEF_MAX = 15.0


def perfect_predictors(d: pd.DataFrame, y: str, terms: list[str], min_rows: int = 1) -> list[tuple]:
    """``(variable, level, rows, outcome)`` for every level of a binary or categorical regressor
    whose rows all have the same outcome (complete or quasi-complete separation by that
    covariate: its logit coefficient diverges). Continuous regressors are not checked."""
    out = []
    yy = d[y].to_numpy()
    for t in terms:
        v = _var_of(t)
        if v not in d or v == y:
            continue
        col = d[v]
        is_cat = t.startswith("C(") or isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object
        if not is_cat and not col.dropna().isin([0, 1]).all():
            continue
        g = pd.DataFrame({"v": col.astype("string") if is_cat else col, "y": yy}).groupby("v", observed=True)["y"]
        agg = pd.DataFrame({"n": g.size(), "lo": g.min(), "hi": g.max()})
        if len(agg) < 2:
            continue
        for lev, r in agg.iterrows():
            if r["n"] >= min_rows and r["lo"] == r["hi"] and (is_cat or lev == 1):
                out.append((v, str(lev), int(r["n"]), int(r["lo"])))
    return out


def average_marginal_effect(r, exog: np.ndarray, names: list[str], term: str, weights=None) -> tuple:
    """AME of a binary ``term`` of a logit fit ``r`` (probability scale): the weighted mean over
    rows of ``F(x b | term = 1) - F(x b | term = 0)``, with a delta-method standard error from
    the fit's covariance (cluster-robust when the fit's is). Returns ``(ame, se, p)``."""
    b = np.asarray(r.params, dtype=float)
    V = np.asarray(r.cov_params(), dtype=float)
    j = names.index(term)
    x1, x0 = exog.copy(), exog.copy()
    x1[:, j], x0[:, j] = 1.0, 0.0
    w = np.ones(len(exog)) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.sum()
    p1, p0 = 1 / (1 + np.exp(-(x1 @ b))), 1 / (1 + np.exp(-(x0 @ b)))
    ame = float(w @ (p1 - p0))
    grad = (w * p1 * (1 - p1)) @ x1 - (w * p0 * (1 - p0)) @ x0
    se = float(np.sqrt(max(grad @ V @ grad, 0.0)))
    z = ame / se if se > 0 else np.nan
    return ame, se, float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan
