"""Hausman test of fixed versus random child effects, in NumPy (the DiD chapter's diagnostics).

Both models are estimated on the children seen more than once (the rows that inform the
fixed-effects estimator), with the CEM weights, on post, did, age, Ofsted and the year dummies
(the first year left out), keeping the columns in that order while they add rank once the
child means are removed. The estimators are those of linearmodels' ``PanelOLS`` with entity
effects and of its ``RandomEffects``, with unadjusted (homoskedastic) covariances; the test
suite checks this module against them.

* The weights ``w`` are scaled to a mean of 1; rows with a missing outcome or weight are left
  out. ``ybar_i``, ``Xbar_i`` are the weighted means of child ``i``, ``N`` the rows, ``G`` the
  children, ``K`` the columns.
* Fixed effects: the within regression of ``sqrt(w) (y - ybar_i)`` on ``sqrt(w) (X - Xbar_i)``,
  leaving out a column of which less than 1e-5 of its weighted norm is left once it is made
  orthogonal to the retained columns before it (absorbed by the effects);
  ``V = s^2 (X'X)^-1`` with ``s^2 = e'e / (N - G - K)``.
* Random effects (with a constant): ``sigma2_e = e_w'e_w / (N - G - r_w)`` from the within
  regression (``r_w`` its rank), ``sigma2_u = max(0, e_b'e_b / (G - r_b) - sigma2_e / T)`` from
  the between regression of the child means (``r_b`` its rank, ``T`` the harmonic mean of the
  children's numbers of rows ``T_i``), ``theta_i = 1 - sqrt(sigma2_e / (T_i sigma2_u +
  sigma2_e))``, and the regression of ``sqrt(w) (y - theta_i ybar_i)`` on
  ``sqrt(w) (X - theta_i Xbar_i)``, ``V = s^2 (X'X)^-1`` with ``s^2 = e'e / (N - K - 1)``.
* ``H = (b_FE - b_RE)' (V_FE - V_RE)^+ (b_FE - b_RE)`` on the coefficients both estimate,
  chi-square with rank(V_FE - V_RE) degrees of freedom (Moore-Penrose inverse, as the
  difference need not be positive definite in finite samples).

Computation. The rows enter only once, through the triangular factor ``R`` of the QR
decomposition of the within-transformed ``[X, y]``: a regression on the rows has the
coefficients and residual sum of squares of the same regression on ``R`` (``Q`` is orthogonal),
and the random-effects regression is that of ``R`` stacked on the child means times
``sqrt(sum_i w) (1 - theta_i)`` (the within deviations sum to zero in each child, so the two
parts are orthogonal). The within regression with a constant has the residuals of the one
without it, for the same reason. Least squares use LAPACK's ``gelsy`` with linearmodels'
cut-off, ``max(N, K)`` times the machine precision, so that the ranks that set the degrees of
freedom are found in the same way.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import linalg, stats

#: The regressors before the year dummies, in the order in which they are kept.
REGRESSORS = ("post", "did", "age", "ofsted_high")
#: A column is absorbed by the child effects if less than this share of its norm is left.
ABSORBED_TOL = 1e-5


def hausman(df: pd.DataFrame, y: str, weights: str | None = "cem_w") -> dict:
    """Hausman test of fixed versus random child effects (module doc): ``statistic``, ``df``,
    ``p``, ``n`` (rows of the children seen more than once) and a ``note``; a test that cannot be
    computed (no within-child variation left, no residual degrees of freedom, zero variances)
    has ``statistic`` and ``p`` NaN and a note saying why."""
    Y, X, w, child, seq = _rows(df, y, weights)
    X = X[:, _independent(X, child)]
    n = int(len(Y))
    try:
        with np.errstate(all="ignore"):
            _check_unique(child, seq)
            within = _within(*_complete(Y, X, w, child))
            b_fe, V_fe, fe_cols = _fixed_effects(within)
            b_re, V_re = _random_effects(within)
    except (ZeroDivisionError, ValueError, np.linalg.LinAlgError) as exc:
        # e.g. no within-child variation left, or a zero idiosyncratic variance: no test
        note = f"not computable ({type(exc).__name__}: {exc})"
        return {"statistic": np.nan, "df": 0, "p": np.nan, "n": n, "note": note}
    b = b_fe - b_re[fe_cols]
    V = V_fe - V_re[np.ix_(fe_cols, fe_cols)]
    if not np.all(np.isfinite(V)) or not np.all(np.isfinite(b)):
        return {"statistic": np.nan, "df": 0, "p": np.nan, "n": n, "note": "not computable"}
    h = float(b @ np.linalg.pinv(V) @ b)
    k = int(np.linalg.matrix_rank(V))
    return {
        "statistic": h,
        "df": k,
        "p": float(stats.chi2.sf(h, k)) if k else np.nan,
        "n": n,
        "note": f"{len(fe_cols)} coefficients compared",
    }


def _rows(df: pd.DataFrame, y: str, weights: str | None):
    """Outcome, regressors (post, did, age, Ofsted, a dummy for each year but the first),
    weights (1 without them), child codes (in order of appearance) and ``seq`` of the rows with
    a positive weight, of the children seen more than once if there are any."""
    w = df[weights].to_numpy(dtype=float) if weights and weights in df else None
    rows = np.flatnonzero(w > 0) if w is not None else np.arange(len(df))
    repeated = df["repeated"].to_numpy()[rows]
    if repeated.sum() > 0:
        rows = rows[repeated == 1]
    years, code = np.unique(df["year"].to_numpy()[rows].astype(int), return_inverse=True)
    X = np.empty((len(rows), len(REGRESSORS) + max(len(years) - 1, 0)))
    for j, c in enumerate(REGRESSORS):
        X[:, j] = df[c].to_numpy(dtype=float)[rows]
    X[:, len(REGRESSORS) :] = code.reshape(-1, 1) == np.arange(1, len(years))
    Y = df[y].to_numpy(dtype=float)[rows]
    child = pd.factorize(df["child"].to_numpy()[rows])[0]
    return Y, X, (w[rows] if w is not None else np.ones(len(rows))), child, df["seq"].to_numpy()[rows]


def _group_sums(v: np.ndarray, g: np.ndarray, n_g: int) -> np.ndarray:
    """Sums of the rows of the 2-d ``v`` within the groups ``g`` (codes 0..n_g-1)."""
    k = v.shape[1]
    idx = (g[:, None] * k + np.arange(k)).ravel()
    return np.bincount(idx, weights=v.ravel(), minlength=n_g * k).reshape(n_g, k)


def _independent(X: np.ndarray, entity: np.ndarray, tol: float = 1e-8) -> list[int]:
    """Columns of ``X`` kept in order while they add rank after the within-entity transform
    (so that both the fixed- and the random-effects models are of full rank): the rank of the
    cross-product of the kept columns and the next, with the cut-off ``tol`` times its largest
    absolute entry (or ``tol`` if that is below 1)."""
    n_g = int(entity.max()) + 1 if len(entity) else 0
    Xw = X - (_group_sums(X, entity, n_g) / np.bincount(entity, minlength=n_g)[:, None])[entity]
    G = Xw.T @ Xw
    keep: list[int] = []
    for j in range(X.shape[1]):
        cols = [*keep, j]
        S = G[np.ix_(cols, cols)]
        if np.linalg.matrix_rank(S, tol=tol * max(1.0, float(np.abs(S).max()))) == len(cols):
            keep.append(j)
    return keep


def _check_unique(child: np.ndarray, seq: np.ndarray) -> None:
    """A child is seen at most once at each ``seq`` (as a panel index must be)."""
    seq_code, seq_values = pd.factorize(seq)
    dup = pd.Series(child.astype(np.int64) * max(len(seq_values), 1) + seq_code).duplicated().to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise ValueError(
            "dependent: Each combination of an entity and a time period can appear only once, "
            f"but {int(dup.sum())} row(s) repeat an earlier row. The first "
            f"duplicated entry is child={child[i]}, seq={seq[i]}."
        )


def _complete(Y: np.ndarray, X: np.ndarray, w: np.ndarray, child: np.ndarray):
    """The rows without a missing value, the child codes renumbered in order of appearance,
    and the weights checked and scaled to a mean of 1."""
    ok = ~(np.isnan(Y) | np.isnan(X).any(axis=1) | np.isnan(w))
    if not ok.all():
        Y, X, w = Y[ok], X[ok], w[ok]
        child = pd.factorize(child[ok])[0]
    if np.any(w <= 0) or np.any(np.isinf(w)):
        raise ValueError("weights must be strictly positive and finite.")
    w = w / np.max(w)
    return Y, X, w / np.mean(w), child


class Within(NamedTuple):
    """The within-child summary of the rows that both estimators use."""

    n: int  # rows
    n_g: int  # children
    t: np.ndarray  # rows of each child
    sw: np.ndarray  # sum of the weights of each child
    means: np.ndarray  # weighted child means of [X, 1, y] (G x K+2)
    norms: np.ndarray  # norms of sqrt(w) [X, 1] (K+1)
    R: np.ndarray  # triangular factor of sqrt(w) [X - Xbar_i, y - ybar_i] (K+1 x K+1)


def _within(Y: np.ndarray, X: np.ndarray, w: np.ndarray, child: np.ndarray) -> Within:
    """Child means, weighted norms and the triangular factor of the within-transformed data."""
    n, k = X.shape
    n_g = int(child.max()) + 1
    root_w = np.sqrt(w)
    data = np.column_stack([X, np.ones(n), Y])
    sw = np.bincount(child, weights=w, minlength=n_g)
    means = _group_sums(w[:, None] * data, child, n_g) / sw[:, None]
    dev = root_w[:, None] * (data - means[child])
    norms = np.sqrt(((root_w[:, None] * data[:, : k + 1]) ** 2).sum(0))
    return Within(n, n_g, np.bincount(child, minlength=n_g), sw, means, norms, _r_factor(dev[:, [*range(k), k + 1]]))


def _r_factor(a: np.ndarray) -> np.ndarray:
    """The square triangular factor of ``a``'s QR decomposition (rows of 0 below if ``a`` has
    fewer rows than columns)."""
    r = np.linalg.qr(a, mode="r")
    if r.shape[0] < a.shape[1]:
        r = np.vstack([r, np.zeros((a.shape[1] - r.shape[0], a.shape[1]))])
    return r


def _lstsq(a: np.ndarray, b: np.ndarray, n_rows: int) -> tuple[np.ndarray, int, float]:
    """Least squares by LAPACK ``gelsy`` with the cut-off ``max(n_rows, K) * eps`` (``n_rows``
    the rows of the regression that ``a`` stands for): coefficients, rank and residual sum of
    squares."""
    if a.shape[1] == 0:
        return np.zeros(0), 0, float(b @ b)
    cond = float(max(n_rows, a.shape[1]) * np.finfo(np.float64).eps)
    beta, _, rank, _ = linalg.lstsq(a, b, cond=cond, lapack_driver="gelsy", check_finite=False)
    e = b - a @ beta
    return beta, int(rank), float(e @ e)


def _unadjusted_cov(a: np.ndarray, rss: float, nobs: int, extra_df: int) -> np.ndarray:
    """``s^2 (a'a)^-1`` with ``s^2 = rss / (nobs - K - extra_df)``, symmetrised."""
    nvar = a.shape[1]
    nobs_eff = nobs - extra_df - nvar
    if nobs_eff <= 0:
        raise ValueError(
            "The covariance of the model cannot be estimated since the model has "
            f"no residual degrees of freedom. It has {nobs} observations "
            f"and uses {nvar} regressors and {extra_df} degrees of freedom for the effects."
        )
    s2 = (nobs / nobs_eff) * rss / nobs
    out = s2 * np.linalg.inv(a.T @ a)
    return (out + out.T) / 2


def _fixed_effects(wi: Within):
    """Weighted within estimator (module doc): coefficients, covariance and the positions of
    the columns that it keeps."""
    k = wi.R.shape[1] - 1
    retain = list(range(k))
    if k > 0:
        retain = _not_absorbed(wi.R[:, :k], wi.norms[:k])
        if not retain:
            raise ValueError(
                "All columns in exog have been fully absorbed by the included effects. This model cannot be estimated."
            )
    a = wi.R[:, retain]
    beta, _, rss = _lstsq(a, wi.R[:, k], wi.n)
    return beta, _unadjusted_cov(a, rss, wi.n, extra_df=wi.n_g), retain


def _not_absorbed(x: np.ndarray, norms: np.ndarray) -> list[int]:
    """The columns kept in order while more than ``ABSORBED_TOL`` of each (divided by its norm
    before the effects were removed) is left once it is made orthogonal to those kept before
    it (Gram-Schmidt, twice to remove the rounding error)."""
    basis: list[np.ndarray] = []
    retained: list[int] = []
    for j in range(x.shape[1]):
        norm = float(norms[j])
        resid = x[:, j] / (norm if norm > 0.0 else 1.0)
        if basis:
            B = np.column_stack(basis)
            for _ in range(2):
                resid = resid - B @ (B.T @ resid)
        size = float(np.linalg.norm(resid))
        if size >= ABSORBED_TOL:
            retained.append(j)
            basis.append(resid / size)
    return retained


def _random_effects(wi: Within):
    """Weighted random-effects (quasi-demeaning) estimator with a constant as the last column
    (module doc): coefficients and covariance."""
    k = wi.R.shape[1] - 1
    # the within regression: the constant is 0 once the means are removed, and restoring the
    # grand means does not change the residuals
    x_norm = np.where(wi.norms[:k] == 0.0, 1.0, wi.norms[:k])
    _, rank_within, rss_within = _lstsq(wi.R[:, :k] / x_norm, wi.R[:, k], wi.n)
    between = _r_factor(wi.means)
    _, rank_between, rss_between = _lstsq(between[:, : k + 1], between[:, k + 1], wi.n_g)
    sigma2_u, sigma2_e = _variance_components(wi, rss_within, rss_between, rank_within, rank_between)
    theta = 1.0 - np.sqrt(sigma2_e / (wi.t * sigma2_u + sigma2_e))
    within = np.column_stack([wi.R[:, :k], np.zeros(k + 1), wi.R[:, k]])
    stacked = _r_factor(np.vstack([within, (np.sqrt(wi.sw) * (1.0 - theta))[:, None] * wi.means]))
    a = stacked[:, : k + 1]
    beta, _, rss = _lstsq(a, stacked[:, k + 1], wi.n)
    return beta, _unadjusted_cov(a, rss, wi.n, extra_df=0)


def _variance_components(
    wi: Within, rss_within: float, rss_between: float, rank_within: int, rank_between: int
) -> tuple[float, float]:
    """The variances of the child effects and of the idiosyncratic error (module doc), with
    linearmodels' errors when a regression has no residual degrees of freedom or both are 0."""
    df_within = wi.n - wi.n_g - rank_within
    df_between = wi.n_g - rank_between
    if df_within <= 0:
        raise ValueError(
            "The variance of the idiosyncratic error cannot be estimated since "
            "the within regression has no residual degrees of freedom. The model "
            f"has {wi.n} observations of {wi.n_g} entities, and the regressors "
            f"that vary within entities have a rank of {rank_within}, so that "
            f"at least {wi.n_g + rank_within + 1} observations are needed."
        )
    if df_between <= 0:
        raise ValueError(
            "The variance of the effects cannot be estimated since the between "
            "regression has no residual degrees of freedom. The model has "
            f"{wi.n_g} entities, and the means of the regressors have a rank "
            f"of {rank_between}, so that at least {rank_between + 1} entities "
            "are needed."
        )
    sigma2_e = rss_within / df_within
    t_bar = wi.n_g / (1.0 / wi.t).sum()
    sigma2_u = max(0.0, rss_between / df_between - sigma2_e / t_bar)
    if sigma2_u + sigma2_e == 0.0:
        raise ZeroDivisionError("float division by zero")
    return sigma2_u, sigma2_e
