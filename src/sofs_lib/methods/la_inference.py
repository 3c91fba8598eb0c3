"""Few-cluster inference for an individual-level DiD regression whose treatment is an LA's.

The report's equation [1] is ``y ~ pilot_i + post + did + X`` on children, weighted (CEM weights)
and clustered by LA. With 4 to 13 LAs its CRV1 p-value can be far from its nominal size
(:mod:`sofs_lib.methods.few_clusters`). For one fitted design this module gives:

* :func:`wild_bootstrap` -- the wild cluster restricted bootstrap of the ``wildboottest`` package
  (``WildboottestCL``) on the weighted design (rows scaled by the square root of the weights:
  weighted least squares as ordinary least squares, which is what the package bootstraps);
* :func:`la_permutation` -- randomisation inference over which LAs are the pilots: the number of
  pilots is kept and every LA keeps its own ``post`` indicator (its dates: the timing of the
  design), so an assignment moves only ``pilot_i`` and ``did = pilot_i * post``. The DiD
  coefficient of every assignment comes from one projection: with ``M`` the weighted residual
  maker of the other regressors, ``r_l = M 1[la = l]`` and ``q_l = M (1[la = l] * post)``, an
  assignment ``S`` has ``x1 = sum_S r_l``, ``x2 = sum_S q_l`` and the 2 x 2 normal equations
  of ``M y`` on ``(x1, x2)`` (Frisch-Waugh-Lovell), so all assignments cost one least-squares
  solve with ``2G + 1`` right-hand sides. The statistic is ``|did|``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


class LaInferenceError(ValueError):
    """Bad input to the LA-level inference (named in the message)."""


def _weights(w, n):
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    if len(w) != n or np.any(~np.isfinite(w)) or np.any(w < 0):
        raise LaInferenceError("weights must be finite, non-negative and one per row")
    return np.sqrt(w)


def la_sets(las, treated, max_exact: int = 5000, draws: int = 2000, rng=None):
    """``(S (A, G) 0/1, exact)``: every set of ``len(treated)`` LAs out of ``las`` (row 0: the
    observed pilots) when there are at most ``max_exact``, else the observed set and
    ``draws - 1`` random ones."""
    las = list(las)
    obs = np.array([la in set(treated) for la in las], dtype=float)
    k, G = int(obs.sum()), len(las)
    if not 1 <= k < G:
        raise LaInferenceError(f"need 1 <= pilots < LAs; got {k} pilots of {G} LAs")
    if math.comb(G, k) <= max_exact:
        rows = [obs]
        for c in itertools.combinations(range(G), k):
            s = np.zeros(G)
            s[list(c)] = 1
            if not np.array_equal(s, obs):
                rows.append(s)
        return np.array(rows), True
    rng = np.random.default_rng(rng)
    return np.array([obs] + [rng.permutation(obs) for _ in range(draws - 1)]), False


def la_permutation(y, W, la, post, treated, w=None, max_exact: int = 5000, draws: int = 2000, rng=None):
    """Randomisation inference for the DiD coefficient (module doc). ``W``: (N, k) the other
    regressors (intercept, post, covariates, year dummies; not pilot or did); ``la``: LA label
    per row; ``post``: 0/1 per row; ``treated``: the pilot LAs. Returns a dict with ``beta``
    (observed), ``p``, ``n_assignments``, ``exact``, ``floor`` (the smallest p possible) and
    ``betas`` (every assignment's coefficient)."""
    treated = set(treated)
    y, W = np.asarray(y, dtype=float), np.asarray(W, dtype=float)
    la, post = np.asarray(la), np.asarray(post, dtype=float)
    n = len(y)
    if W.shape[0] != n or len(la) != n or len(post) != n:
        raise LaInferenceError("y, W, la and post must have one row per observation")
    sw = _weights(w, n)
    las = sorted(set(la.tolist()), key=str)
    L = (la[:, None] == np.array(las, dtype=object)[None, :]).astype(float)
    did_obs = L[:, [la_ in set(treated) for la_ in las]].sum(1) * post
    Z = np.column_stack([L, L * post[:, None], y, did_obs]) * sw[:, None]
    Wt = W * sw[:, None]
    coef, *_ = np.linalg.lstsq(Wt, Z, rcond=None)
    R = Z - Wt @ coef
    G = len(las)
    Rl, Rq, ry, rf = R[:, :G], R[:, G : 2 * G], R[:, 2 * G], R[:, 2 * G + 1]
    Gll, Glq, Gqq = Rl.T @ Rl, Rl.T @ Rq, Rq.T @ Rq
    S, exact = la_sets(las, treated, max_exact, draws, rng)
    a11 = np.einsum("ag,gh,ah->a", S, Gll, S)
    a12 = np.einsum("ag,gh,ah->a", S, Glq, S)
    a22 = np.einsum("ag,gh,ah->a", S, Gqq, S)
    det = a11 * a22 - a12**2
    ok = np.abs(det) > 1e-9 * np.maximum(np.abs(a11 * a22), 1e-300)
    if not ok[0]:
        raise LaInferenceError("the DiD coefficient is not identified under the observed assignment")

    def coefs(r):
        b1, b2 = S @ (Rl.T @ r), S @ (Rq.T @ r)
        return np.where(ok, (a11 * b2 - a12 * b1) / np.where(ok, det, 1.0), np.nan)

    def pval(betas):
        b = np.abs(betas[ok])
        return float((b >= abs(betas[0]) * (1 - 1e-9) - 1e-12).mean())

    betas = coefs(ry)
    # the floor: the p of an outcome that is the observed DiD regressor itself (1/A, or more when
    # other assignments reach the same |beta|, e.g. the complement of the pilots)
    return {
        "beta": float(betas[0]),
        "p": pval(betas),
        "n_assignments": int(ok.sum()),
        "exact": bool(exact),
        "floor": pval(coefs(rf)),
        "betas": betas,
    }


def wild_bootstrap(y, X, names, param: str, cluster, w=None, B: int = 999, kind: str = "webb", seed: int = 0) -> dict:
    """Wild cluster restricted bootstrap p of ``param`` (``wildboottest.WildboottestCL``,
    bootstrap type 11, null imposed) on the weighted design, ties counted as at least as
    extreme (:func:`sofs_lib.methods.wild.bootstrap_p`; ``p_strict``: the package's own
    ``|t*| > |t|``); returns ``t``, ``p``, ``B``, ``draws`` (the draws the p is a share of:
    ``B``, or the ``2^G`` Rademacher draws when they were enumerated in full) and whether they
    were."""
    import warnings

    from sofs_lib.methods.wild import bootstrap_p, wcr

    y, X = np.asarray(y, dtype=float), np.asarray(X, dtype=float)
    sw = _weights(w, len(y))
    names = list(names)
    if param not in names:
        raise LaInferenceError(f"parameter {param!r} is not a column of X ({names[:5]}...)")
    R = np.zeros(len(names))
    R[names.index(param)] = 1
    codes = np.unique(np.asarray(cluster).astype(str), return_inverse=True)[1].astype(np.int64)
    # the package's own denominators, so that p_strict is its own p-value to the last digit
    boot = wcr(X * sw[:, None], y * sw, codes, R, B, seed, kind=kind, package_denominator=True)
    full = boot.full_enumeration
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot.get_pvalue(pval_type="two-tailed")
    t = np.asarray(boot.t_stat).ravel()[0]
    return {
        "t": float(t),
        "p": bootstrap_p(boot.t_stat, boot.t_boot),
        "p_strict": float(np.asarray(boot.pvalue).ravel()[0]),  # wildboottest's own: ties left out
        "B": int(B),
        "draws": int(np.asarray(boot.t_boot).size),
        "enumerated": bool(full),
    }
