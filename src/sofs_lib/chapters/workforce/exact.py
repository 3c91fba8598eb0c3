"""Exact conditional test of homogeneity for a 2 x k table (Freeman-Halton).

scipy's ``fisher_exact`` is exact only for 2 x 2 tables (larger tables get a Monte Carlo p), so
the 2 x k case is enumerated here: with the column totals ``n_j`` and the total number of
"yes" answers ``K`` fixed, the counts ``k_j`` follow the multivariate hypergeometric law
``P(k) = prod_j C(n_j, k_j) / C(N, K)``. The p-value sums ``P`` over every table no more likely
than the observed one (Fisher's ordering, as R's ``fisher.test``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import gammaln


def _logc(n: int, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


@lru_cache(maxsize=64)
def _enumerate(sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Log weights and running totals of every count vector of groups ``sizes`` (outer sums of
    one-dimensional log binomials), sorted by running total and cached: reconstructions share
    their group sizes."""
    logw = np.zeros((1,), dtype=float)
    partial = np.zeros((1,), dtype=int)
    for m in sizes:
        ks = np.arange(m + 1)
        logw = np.add.outer(logw, _logc(m, ks)).ravel()
        partial = np.add.outer(partial, ks).ravel()
    order = np.argsort(partial, kind="stable")
    return logw[order], partial[order]


def freeman_halton_2xk(yes, n) -> float:
    """Exact p of a 2 x k table given "yes" counts and group sizes (k = 2..5 groups).

    >>> round(freeman_halton_2xk([3, 1], [4, 4]), 4)
    0.4857
    """
    yes = np.asarray(yes, dtype=int)
    n = np.asarray(n, dtype=int)
    if yes.shape != n.shape or yes.ndim != 1 or not 2 <= len(n) <= 5:
        raise ValueError("freeman_halton_2xk needs 2 to 5 groups of equal-length counts and sizes")
    if (yes < 0).any() or (yes > n).any():
        raise ValueError("counts must lie between 0 and the group size")
    total = int(yes.sum())
    obs = float(sum(_logc(int(m), np.array(k)) for m, k in zip(n, yes)))
    logw, partial = _enumerate(tuple(int(m) for m in n[:-1]))
    m_last = int(n[-1])
    lo = np.searchsorted(partial, total - m_last, side="left")
    hi = np.searchsorted(partial, total, side="right")
    logw = logw[lo:hi] + _logc(m_last, np.arange(m_last + 1))[total - partial[lo:hi]]
    mx = logw.max()
    w = np.exp(logw - mx)
    extreme = logw <= obs + 1e-7 * max(1.0, abs(obs))
    return float(min(1.0, w[extreme].sum() / w.sum()))
