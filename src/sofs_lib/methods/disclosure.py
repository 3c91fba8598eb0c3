"""Statistical disclosure control for tables built from individual-level records.

Secure research environments (the ONS Secure Research Service, the DfE's National Pupil Database
terms) require that no published cell counts fewer than 10 individuals, and that a suppressed cell
cannot be recovered by subtraction from row or column totals. This module applies both rules:

* **primary suppression** -- every count below ``threshold`` (default 10) is suppressed;
* **secondary (complementary) suppression** -- in any row or column (of the cells being
  protected) that has exactly one suppressed cell, the smallest other non-zero cell is also
  suppressed, repeatedly until no row or column has a lone suppressed cell.

Statistics computed from a suppressed group (its mean, its percentage) are suppressed with it
(:func:`suppress_groups`). The rules apply to synthetic data too: the same code runs on real
extracts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLD = 10
MARK = "[c]"


class DisclosureError(ValueError):
    """A table could not be protected (for example counts that are not whole numbers)."""


def suppress_counts(
    counts: pd.DataFrame, threshold: int = THRESHOLD, keep_zeros: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppress small counts in a table of counts (rows x columns, no totals).

    Returns ``(protected, mask)`` where ``protected`` has the suppressed cells as ``pd.NA`` (an
    object column), and ``mask`` is True where a cell was suppressed. Zeros are suppressed too
    unless ``keep_zeros`` (a zero can be disclosive: "no child in this group ...").
    """
    values = counts.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise DisclosureError("counts table has missing values; fill or drop them first")
    if not np.allclose(values, np.round(values)):
        raise DisclosureError("counts table holds non-integer values; suppress counts, not rates")
    primary = values < threshold
    if keep_zeros:
        primary &= values != 0
    mask = primary.copy()
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = mask if axis == 1 else mask.T
            vals = values if axis == 1 else values.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1 and lines.shape[1] > 1:
                    candidates = [(vals[i, j], j) for j in range(lines.shape[1]) if not lines[i, j] and vals[i, j] > 0]
                    if not candidates:
                        candidates = [(vals[i, j], j) for j in range(lines.shape[1]) if not lines[i, j]]
                    if candidates:
                        _, j = min(candidates)
                        if axis == 1:
                            mask[i, j] = True
                        else:
                            mask[j, i] = True
                        changed = True
    m = pd.DataFrame(mask, index=counts.index, columns=counts.columns)
    protected = counts.astype(object).mask(m, pd.NA)
    return protected, m


def suppress_groups(
    table: pd.DataFrame,
    count_col: str,
    stat_cols: list[str] | None = None,
    threshold: int = THRESHOLD,
    by: str | list[str] | None = None,
) -> pd.DataFrame:
    """Suppress rows of a summary table whose group has fewer than ``threshold`` individuals.

    ``count_col`` holds the group sizes; the count and every column in ``stat_cols`` (means,
    percentages, coefficients built from that group) become ``[c]``. When ``by`` names grouping
    columns, a set of rows sharing ``by`` that has exactly one suppressed row also loses its next
    smallest row (so the suppressed count cannot be recovered from a total of the set).
    Returns a new table; a ``suppressed`` column says which rows were hidden.
    """
    if count_col not in table.columns:
        raise DisclosureError(f"no column {count_col!r} in the table")
    out = table.copy()
    n = out[count_col].astype(float)
    hide = (n < threshold).to_numpy().copy()
    if by is not None:
        keys = [by] if isinstance(by, str) else list(by)
        for _, pos in out.reset_index(drop=True).groupby(keys, sort=False).indices.items():
            pos = list(pos)
            if sum(hide[p] for p in pos) == 1 and len(pos) > 1:
                others = [(n.iloc[p], p) for p in pos if not hide[p]]
                hide[min(others)[1]] = True
    cols = [count_col] + list(stat_cols or [])
    for c in cols:
        out[c] = out[c].astype(object)
        out.loc[hide, c] = MARK
    out["suppressed"] = hide
    return out
