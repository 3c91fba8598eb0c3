"""Inference with few clusters for a difference-in-differences on a balanced LA-by-year panel.

The model is the two-way fixed-effects (TWFE) regression ``y_gt = a_g + b_t + beta D_gt + e_gt``
(LA and year effects; ``D`` = 1 in a treated LA from its adoption year on), clustered by LA.
The functions work on *batches* of outcome panels, an array ``Y`` of shape (R, G, T), so that a
Monte Carlo of thousands of replications costs a few array operations instead of thousands of
library calls. On a balanced panel the TWFE coefficient is the Frisch-Waugh-Lovell projection
on the two-way demeaned ``D``; every statistic below is that projection's:

* ``crv1`` -- the CR1 sandwich with the small-sample factor ``G/(G-1) * (N-1)/(N-K)``
  (K = G + T parameters: the slope, the intercept, G-1 LA and T-1 year effects), referred to
  t(G-1) (``CRV1, G-1 df``) or to t(N-K) (``CRV1, N-k df``; at the individual level N is the
  number of children, so t(N-K) is the normal distribution);
* ``crv3`` -- the leave-one-cluster-out jackknife ``(G-1)/G * sum_g (beta_(-g) - beta)^2`` (the
  form of MacKinnon, Nielsen and Webb, 2023; pyfixest's ``CRV3`` without small-sample factors
  is the sum without ``(G-1)/G``); undefined when dropping one LA leaves no treated LA (NaN);
  referred to t(G-1);
* ``wcr`` -- the wild cluster *restricted* bootstrap (WCR-C, null imposed): bootstrap outcomes
  ``yhat_0 + u_0 * v_g`` with ``u_0`` the residuals of the model without ``D`` and ``v_g`` one
  Rademacher or Webb weight per LA; the bootstrap t uses CRV1; p = share of bootstrap
  ``|t*| >= |t|``. Rademacher weights are enumerated in full when ``2**G <= B``;
* ``ri`` -- randomisation inference over LA assignments that keeps the adoption timing: each
  assignment gives the observed adoption years to a set of LAs (:func:`assignments`); the
  statistic is ``|beta|``; p = share of assignments whose ``|beta|`` is at least the
  observed one (the observed assignment included, so p >= 1/A; see :func:`ri_floor`).

The library implementations are the reference: the tests check ``crv1`` and ``crv3`` against
pyfixest and ``wcr`` against the ``wildboottest`` package (exact agreement under full
enumeration); :mod:`sofs_lib.chapters.beyond_the_report` uses the libraries themselves on the
report's individual-level models, where one model is fitted at a time.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import stats

WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


class FewClustersError(ValueError):
    """Bad input to a few-clusters statistic (named in the message)."""


# ----------------------------------------------------------------------------- design


def treatment_matrix(starts, T: int) -> np.ndarray:
    """(G, T) 0/1 matrix: LA g is treated from period ``starts[g]`` on (``-1`` = never)."""
    starts = np.asarray(starts, dtype=int)
    if np.any(starts >= T) or np.any(starts < -1) or np.any(starts == 0):
        raise FewClustersError(f"adoption periods must be -1 (never) or 1..{T - 1}: {starts.tolist()}")
    t = np.arange(T)
    return ((starts[:, None] >= 1) & (t[None, :] >= starts[:, None])).astype(float)


def demean2(x: np.ndarray) -> np.ndarray:
    """Two-way demeaning over the last two axes (LA, year) of a balanced panel."""
    return x - x.mean(-1, keepdims=True) - x.mean(-2, keepdims=True) + x.mean((-1, -2), keepdims=True)


def _check(Y: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 2:
        Y = Y[None]
    if Y.ndim != 3 or Y.shape[1:] != D.shape:
        raise FewClustersError(f"Y must have shape (R, G, T) = (R, {D.shape[0]}, {D.shape[1]}); got {Y.shape}")
    if not np.isfinite(Y).all():
        raise FewClustersError("Y has missing or infinite values (the panel must be balanced)")
    Dt = demean2(D)
    if np.allclose(Dt, 0):
        raise FewClustersError("the treatment does not vary within LA and year: beta is not identified")
    return Y, Dt


def twfe(Y, D) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(beta (R,), residuals (R, G, T), demeaned D)`` of the TWFE regression of each panel."""
    Y, Dt = _check(Y, np.asarray(D, dtype=float))
    beta = np.einsum("gt,rgt->r", Dt, Y) / (Dt**2).sum()
    resid = demean2(Y) - beta[:, None, None] * Dt
    return beta, resid, Dt


def _cr1_factor(G: int, T: int) -> float:
    N, K = G * T, G + T
    return G / (G - 1) * (N - 1) / (N - K)


def crv1(Y, D) -> tuple[np.ndarray, np.ndarray]:
    """``(beta, CRV1 standard error)`` per panel."""
    beta, resid, Dt = twfe(Y, D)
    G, T = Dt.shape
    scores = np.einsum("gt,rgt->rg", Dt, resid)
    se = np.sqrt(_cr1_factor(G, T) * (scores**2).sum(1)) / (Dt**2).sum()
    return beta, se


def p_t(t: np.ndarray, df: float) -> np.ndarray:
    """Two-sided p of a t statistic with ``df`` degrees of freedom (``inf``: normal)."""
    t = np.abs(np.asarray(t, dtype=float))
    return 2 * (stats.norm.sf(t) if not np.isfinite(df) else stats.t.sf(t, df))


def crv3(Y, D) -> tuple[np.ndarray, np.ndarray]:
    """``(beta, CRV3 jackknife standard error)``; NaN where a leave-one-out fit is undefined."""
    D = np.asarray(D, dtype=float)
    beta, _, _ = twfe(Y, D)
    Y = np.asarray(Y, dtype=float).reshape(-1, *D.shape)
    G = D.shape[0]
    loo = np.empty((Y.shape[0], G))
    for g in range(G):
        keep = np.arange(G) != g
        Dg = demean2(D[keep])
        ss = (Dg**2).sum()
        loo[:, g] = np.nan if ss < 1e-12 else np.einsum("gt,rgt->r", Dg, Y[:, keep]) / ss
    se = np.sqrt((G - 1) / G * ((loo - beta[:, None]) ** 2).sum(1))
    return beta, se


def bootstrap_weights(G: int, B: int, kind: str, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """``(v (B', G), enumerated)``: Rademacher (all ``2**G`` sign vectors when ``2**G <= B``)
    or Webb six-point weights, one per LA."""
    if kind == "rademacher":
        if 2**G <= B:
            return np.array(list(itertools.product([-1.0, 1.0], repeat=G))), True
        return rng.choice([-1.0, 1.0], size=(B, G)), False
    if kind == "webb":
        return rng.choice(WEBB, size=(B, G)), False
    raise FewClustersError(f"bootstrap weights must be 'rademacher' or 'webb', not {kind!r}")


def wcr(Y, D, B: int = 999, kind: str = "webb", rng=None, chunk: int = 64) -> np.ndarray:
    """Wild cluster restricted bootstrap p-values (H0: beta = 0), one per panel."""
    rng = np.random.default_rng(rng)
    beta, se = crv1(Y, D)
    Y, Dt = _check(Y, np.asarray(D, dtype=float))
    G, T = Dt.shape
    v, _ = bootstrap_weights(G, B, kind, rng)
    c, sdd, s = _cr1_factor(G, T), (Dt**2).sum(), (Dt**2).sum(1)
    u0 = demean2(Y)  # residuals of the null model (LA and year effects only)
    t_obs = np.abs(beta / se)
    out = np.empty(len(Y))
    for i in range(0, len(Y), chunk):
        u = u0[i : i + chunk]
        a = np.einsum("gt,rgt->rg", Dt, u)
        M = np.einsum("gt,rht->rgh", Dt, u)
        bstar = np.einsum("bg,rg->rb", v, a) / sdd
        # scores of the re-estimated model: demean2(u * v) projected on Dt, minus beta* Dt
        score = v[None] * a[:, None, :] - np.einsum("rgh,bh->rbg", M, v) / G - bstar[..., None] * s
        sestar = np.sqrt(c * (score**2).sum(-1)) / sdd
        with np.errstate(invalid="ignore", divide="ignore"):
            tstar = np.abs(bstar / sestar)
        out[i : i + chunk] = (tstar >= t_obs[i : i + chunk, None] - 1e-12).mean(1)
    return out


# ----------------------------------------------------------------------------- randomisation inference


def n_assignments(G: int, starts_treated) -> int:
    """Number of distinct ways to give the treated LAs' adoption periods to G LAs."""
    k = len(starts_treated)
    _, mult = np.unique(starts_treated, return_counts=True)
    return math.perm(G, k) // math.prod(math.factorial(m) for m in mult)


def assignments(G: int, starts_treated, max_exact: int = 5000, draws: int = 2000, rng=None):
    """``(A (n, G) adoption periods, exact)``: every distinct assignment of the observed adoption
    periods ``starts_treated`` to LAs when there are at most ``max_exact`` (exact enumeration),
    else the observed one plus ``draws - 1`` random ones. Row 0 is the observed assignment
    (treated LAs first, in the order given)."""
    starts_treated = [int(s) for s in starts_treated]
    k = len(starts_treated)
    if not 1 <= k < G:
        raise FewClustersError(f"need 1 <= treated LAs < G; got {k} treated of {G}")
    observed = tuple(starts_treated + [-1] * (G - k))
    if n_assignments(G, starts_treated) <= max_exact:
        rows = {observed}
        for chosen in itertools.permutations(range(G), k):
            a = [-1] * G
            for la, s in zip(chosen, starts_treated):
                a[la] = s
            rows.add(tuple(a))
        rest = sorted(rows - {observed})
        return np.array([observed, *rest]), True
    rng = np.random.default_rng(rng)
    A = [observed] + [tuple(rng.permutation(observed)) for _ in range(draws - 1)]
    return np.array(A), False


def ri(Y, A: np.ndarray, T: int, effect_shift: float = 0.0) -> np.ndarray:
    """Randomisation p-values for each panel: the TWFE |beta| under every assignment of ``A``
    (row 0 observed). ``effect_shift`` adds ``shift * D_observed`` to every panel first (the
    power of the test at that effect, without re-drawing)."""
    Ds = np.stack([treatment_matrix(a, T) for a in A])
    Dts = demean2(Ds)
    sdd = (Dts**2).sum((1, 2))
    if np.any(sdd < 1e-12):
        raise FewClustersError("an assignment leaves the treatment without variation")
    Y = np.asarray(Y, dtype=float)
    Y = Y[None] if Y.ndim == 2 else Y
    B = np.einsum("agt,rgt->ra", Dts, Y) / sdd
    if effect_shift:
        B = B + effect_shift * np.einsum("agt,gt->a", Dts, Ds[0]) / sdd
    obs = np.abs(B[:, :1])
    return (np.abs(B) >= obs - 1e-12).mean(1)


def ri_floor(A: np.ndarray, T: int) -> float:
    """The smallest randomisation p-value the assignments ``A`` allow: the p of an outcome that
    is the observed treatment itself (1/A, or more when other assignments give the same
    |beta|, e.g. 2/A when the complement of the treated set is also an assignment)."""
    return float(ri(treatment_matrix(A[0], T), A, T)[0])


# ----------------------------------------------------------------------------- Monte Carlo

METHODS = ("CRV1, N-k df", "CRV1, G-1 df", "CRV3", "WCR Rademacher", "WCR Webb", "RI")


def default_starts(n_treated: int, T: int) -> list[int]:
    """Adoption periods of the simulated treated LAs: all at ``T // 2`` (Round 1) except, with
    two or more treated LAs, the last one two periods later (the Round 2 joiner)."""
    s = [T // 2] * n_treated
    if n_treated >= 2:
        s[-1] = min(T // 2 + 2, T - 1)
    return s


def simulate(
    G: int,
    T: int,
    D: np.ndarray,
    reps: int,
    effect: float,
    rho: float,
    sd_shock: float,
    sd_cell: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """(reps, G, T) outcome panels: ``effect * D`` plus stationary AR(1) LA-by-year shocks
    (standard deviation ``sd_shock``, autocorrelation ``rho``) plus independent cell noise
    (``sd_cell``: the sampling error of an LA-year mean of individual outcomes). LA and year
    effects are omitted because the TWFE model removes them exactly."""
    if not -1 < rho < 1:
        raise FewClustersError(f"rho must be in (-1, 1), got {rho}")
    innov = rng.normal(size=(reps, G, T)) * sd_shock
    u = np.empty_like(innov)
    u[..., 0] = innov[..., 0]
    for t in range(1, T):
        u[..., t] = rho * u[..., t - 1] + np.sqrt(1 - rho**2) * innov[..., t]
    return effect * D + u + rng.normal(size=(reps, G, T)) * sd_cell


def pvalues(
    Y: np.ndarray,
    starts,
    G: int,
    T: int,
    df_nk: float,
    B: int,
    rng: np.random.Generator,
    max_exact: int = 5000,
    ri_draws: int = 2000,
    methods=METHODS,
) -> dict[str, np.ndarray]:
    """p-values of every method for each panel of ``Y`` (treated LAs first, adoption ``starts``)."""
    D = treatment_matrix(list(starts) + [-1] * (G - len(starts)), T)
    out = {}
    beta, se = crv1(Y, D)
    if "CRV1, N-k df" in methods:
        out["CRV1, N-k df"] = p_t(beta / se, df_nk)
    if "CRV1, G-1 df" in methods:
        out["CRV1, G-1 df"] = p_t(beta / se, G - 1)
    if "CRV3" in methods:
        b3, se3 = crv3(Y, D)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["CRV3"] = p_t(b3 / se3, G - 1)
    if "WCR Rademacher" in methods:
        out["WCR Rademacher"] = wcr(Y, D, B=B, kind="rademacher", rng=rng)
    if "WCR Webb" in methods:
        out["WCR Webb"] = wcr(Y, D, B=B, kind="webb", rng=rng)
    if "RI" in methods:
        A, _ = assignments(G, starts, max_exact=max_exact, draws=ri_draws, rng=rng)
        out["RI"] = ri(Y, A, T)
    return out


def rejection_table(p: dict[str, np.ndarray], alpha: float = 0.05) -> list[dict]:
    """Rows ``method, reps, rejection_rate, mc_se, undefined`` (NaN p-values count as not
    rejecting and are counted in ``undefined``)."""
    rows = []
    for m, v in p.items():
        v = np.asarray(v, dtype=float)
        rej = np.nan_to_num(v, nan=1.0) <= alpha
        r = float(rej.mean())
        rows.append(
            {
                "method": m,
                "reps": len(v),
                "rejection_rate": r,
                "mc_se": float(np.sqrt(r * (1 - r) / len(v))),
                "undefined": int(np.isnan(v).sum()),
            }
        )
    return rows


def power_curve(Y0: np.ndarray, A: np.ndarray, T: int, effects, alpha: float = 0.05) -> np.ndarray:
    """Randomisation-test power at each effect for null panels ``Y0`` (R, G, T) with the observed
    assignment ``A[0]``: the rejection rate of :func:`ri` after adding ``effect * D``."""
    return np.array([(ri(Y0, A, T, effect_shift=float(e)) <= alpha).mean() for e in effects])


def placebo_power(
    Y: np.ndarray, A: np.ndarray, T: int, effects, n_pseudo: int = 200, alpha: float = 0.05
) -> np.ndarray:
    """Design-based power on one real panel ``Y`` (G, T) of untreated LAs: rows 1..n_pseudo of
    ``A`` are pseudo-pilot sets; for each, ``effect`` is added to its treated cells and the
    randomisation p is computed over all rows of ``A``. Returns the power at each effect."""
    Ds = np.stack([treatment_matrix(a, T) for a in A])
    Dts = demean2(Ds)
    sdd = (Dts**2).sum((1, 2))
    base = np.einsum("agt,gt->a", Dts, np.asarray(Y, dtype=float)) / sdd
    S = Ds[1 : n_pseudo + 1]
    C = np.einsum("agt,sgt->as", Dts, S) / sdd[:, None]  # beta_a gained per unit effect on set s
    idx = np.arange(1, len(S) + 1)
    out = []
    for e in effects:
        B = base[:, None] + e * C  # (A, S)
        obs = np.abs(B[idx, np.arange(len(S))])
        p = (np.abs(B) >= obs[None, :] - 1e-12).mean(0)
        out.append(float((p <= alpha).mean()))
    return np.array(out)


def mde(effects, power, target: float = 0.8) -> float:
    """Smallest effect at which ``power`` (increasing in ``effects``) reaches ``target``, by
    linear interpolation; NaN when it never does."""
    effects, power = np.asarray(effects, dtype=float), np.asarray(power, dtype=float)
    above = np.nonzero(power >= target)[0]
    if len(above) == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(effects[0])
    e0, e1, p0, p1 = effects[i - 1], effects[i], power[i - 1], power[i]
    return float(e0 + (target - p0) * (e1 - e0) / (p1 - p0))
