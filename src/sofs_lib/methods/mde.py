"""Smallest effects a design could detect (minimum detectable effects) and standard errors
recovered from printed p-values.

* :func:`mde_two_group` -- two-sided two-sample t test of group means (e.g. 8 pilots against 8
  comparators), via statsmodels' power solver;
* :func:`mde_from_se` -- an estimate with a known standard error (e.g. a DiD coefficient);
* :func:`se_from_p` -- the standard error a coefficient and its two-sided p-value imply;
* :func:`sd_from_oneway_f` -- the pooled SD behind a two-group one-way ANOVA's F and means.
"""

from __future__ import annotations

import math

from scipy import stats


def mde_two_group(n1: int, n2: int, sd: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest difference in means a two-sided two-sample t test detects with ``power``."""
    from statsmodels.stats.power import TTestIndPower

    if n1 < 2 or n2 < 2:
        raise ValueError("each group needs at least 2 units")
    d = TTestIndPower().solve_power(
        effect_size=None, nobs1=n1, ratio=n2 / n1, alpha=alpha, power=power, alternative="two-sided"
    )
    return float(d) * sd


def mde_from_se(se: float, alpha: float = 0.05, power: float = 0.8, df: int | None = None) -> float:
    """(critical value + power quantile) x standard error (normal, or t with ``df``)."""
    dist = stats.norm if df is None else stats.t(df)
    return float((dist.ppf(1 - alpha / 2) + dist.ppf(power)) * se)


def se_from_p(coef: float, p: float, df: int | None = None) -> float:
    """Standard error implied by a coefficient and its two-sided p-value."""
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p}")
    dist = stats.norm if df is None else stats.t(df)
    return abs(coef) / float(dist.ppf(1 - p / 2))


def sd_from_oneway_f(mean1: float, mean2: float, f: float, n1: int, n2: int) -> float:
    """Pooled within-group SD of a two-group one-way ANOVA from its means and F (F = t^2)."""
    if f <= 0:
        raise ValueError("F must be positive to recover a standard deviation")
    return abs(mean1 - mean2) / math.sqrt(f * (1 / n1 + 1 / n2))
