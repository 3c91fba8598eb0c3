"""Reconstructing counts from rounded percentages, and tests on the reconstructions.

The report prints percentages rounded to whole numbers and the number of respondents. The true
count behind ``p%`` of ``n`` is any integer ``k`` with ``round(100 k / n) == p``; every such
``k`` is a valid reconstruction. Tests computed on reconstructed counts are therefore reported
as a range over all consistent counts, not as one number.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from sofs_lib.core.rounding import round_half_up


class ReconstructionError(ValueError):
    """No count is consistent with a printed percentage and group size."""


def count_bounds(pct: float, n: int, decimals: int = 0) -> tuple[int, int]:
    """Smallest and largest count ``k`` (0..n) whose percentage ``100 k / n`` rounds to ``pct``.

    Rounding is half-up at ``decimals`` places (as printed tables round). Raises
    :class:`ReconstructionError` if no count fits, which means the printed percentage and ``n``
    contradict each other.

    >>> count_bounds(82, 51)
    (42, 42)
    >>> count_bounds(50, 200)
    (99, 100)
    """
    if n <= 0:
        raise ReconstructionError(f"group size must be positive, got {n}")
    ks = [k for k in range(n + 1) if math.isclose(round_half_up(100 * k / n, decimals), pct)]
    if not ks:
        raise ReconstructionError(f"no count out of {n} gives {pct}% at {decimals} decimals")
    return min(ks), max(ks)


def count_options(pct: float, n: int, decimals: int = 0, max_missing: int = 0) -> list[tuple[int, int]]:
    """Every (count, denominator) pair consistent with a printed percentage when up to
    ``max_missing`` of the ``n`` respondents may have skipped the item (denominator from
    ``n - max_missing`` to ``n``). Empty if none fits."""
    opts = []
    for m in range(n, max(n - max_missing, 1) - 1, -1):
        try:
            lo, hi = count_bounds(pct, m, decimals)
        except ReconstructionError:
            continue
        opts += [(k, m) for k in range(lo, hi + 1)]
    return opts


def counts_table(pct: pd.Series, ns: pd.Series, decimals: int = 0, max_missing: int = 0) -> pd.DataFrame:
    """Reconstruct one row of counts from rounded percentages.

    For each group: the central reconstruction uses the largest denominator ``m <= n`` that
    admits a consistent count (``m < n`` means item non-response must be assumed) and the count
    ``round(p m / 100)``; ``count_low``/``count_high`` give the range over every consistent
    (count, denominator) pair, and ``options`` how many pairs there are. Raises
    :class:`ReconstructionError` naming the group if no pair fits.
    """
    rows = []
    for g in pct.index:
        opts = count_options(float(pct[g]), int(ns[g]), decimals, max_missing)
        if not opts:
            raise ReconstructionError(
                f"group {g!r}: no count out of {int(ns[g])} (allowing up to {max_missing} "
                f"non-responses) gives {pct[g]}% at {decimals} decimals"
            )
        m = max(d for _, d in opts)
        ks = [k for k, d in opts if d == m]
        central = min(max(int(round(float(pct[g]) * m / 100)), min(ks)), max(ks))
        rows.append(
            dict(
                group=g,
                percent=pct[g],
                n=int(ns[g]),
                denominator=m,
                count=central,
                count_low=min(k for k, _ in opts),
                count_high=max(k for k, _ in opts),
                options=len(opts),
            )
        )
    return pd.DataFrame(rows).set_index("group")


def chi2_yes_no(yes: np.ndarray, ns: np.ndarray) -> tuple[float, float, int]:
    """Pearson chi-square test of homogeneity of a yes/no outcome across groups
    (a 2 x k table, no continuity correction). Returns (statistic, p, dof)."""
    table = np.vstack([yes, np.asarray(ns) - np.asarray(yes)])
    res = stats.chi2_contingency(table, correction=False)
    return float(res.statistic), float(res.pvalue), int(res.dof)


def chi2_range(
    pct: pd.Series, ns: pd.Series, decimals: int = 0, max_missing: int = 0, max_combinations: int = 200_000
) -> dict:
    """Chi-square test of a yes/no outcome across groups on counts reconstructed from rounded
    percentages: the central reconstruction and the range over *every* consistent
    (count, denominator) combination (see :func:`counts_table`).

    Returns a dict with ``statistic``, ``p``, ``dof`` (central) and ``stat_min``, ``stat_max``,
    ``p_min``, ``p_max``, ``n_reconstructions``, ``nonresponse_assumed`` (groups whose central
    denominator is below n).
    """
    ct = counts_table(pct, ns, decimals, max_missing)
    stat, p, dof = chi2_yes_no(ct["count"].to_numpy(), ct["denominator"].to_numpy())
    options = [count_options(float(pct[g]), int(ns[g]), decimals, max_missing) for g in pct.index]
    n_comb = math.prod(len(o) for o in options)
    if n_comb > max_combinations:
        raise ReconstructionError(f"{n_comb} reconstructions exceed max_combinations")
    res = []
    for combo in itertools.product(*options):
        ks = np.array([k for k, _ in combo])
        ms = np.array([m for _, m in combo])
        res.append(chi2_yes_no(ks, ms)[:2])
    arr = np.array(res)
    return dict(
        statistic=stat,
        p=p,
        dof=dof,
        stat_min=float(arr[:, 0].min()),
        stat_max=float(arr[:, 0].max()),
        p_min=float(arr[:, 1].min()),
        p_max=float(arr[:, 1].max()),
        n_reconstructions=n_comb,
        nonresponse_assumed=[g for g in ct.index if ct.loc[g, "denominator"] < ct.loc[g, "n"]],
    )
