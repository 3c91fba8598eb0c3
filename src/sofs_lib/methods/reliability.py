"""Internal consistency of a multi-item scale.

No library in the project's environment computes Cronbach's alpha (pingouin is not installed),
so this is the textbook formula, small and tested against a hand-worked example:

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the total score)

with sample variances (ddof = 1) over respondents who answered every item (listwise deletion).
"""

from __future__ import annotations

import pandas as pd


def cronbach_alpha(items: pd.DataFrame) -> tuple[float, int]:
    """Cronbach's alpha of the columns of ``items`` (one row per respondent).

    Rows with any missing item are dropped. Returns ``(alpha, respondents used)``; alpha is NaN
    when fewer than 2 items or 2 complete respondents remain, or the total has no variance.
    """
    x = items.dropna().to_numpy(dtype=float)
    n, k = x.shape
    if k < 2 or n < 2:
        return float("nan"), int(n)
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan"), int(n)
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var)), int(n)
