"""Matching: pilots to comparator LAs on pre-SofS trends, then children by coarsened exact
matching (CEM), with the balance measures of Table A10.2.

LA-level matching (Appendix 10, "Methods")
------------------------------------------
"We matched the pilot LAs to up to 2 comparator LAs that most closely resembled them in terms
of their trends in the respective outcomes before the introduction of SofS." The report does
not give its closeness measure; this module uses, over the financial years wholly before the
pilot's SofS start:

* ``rmse`` -- the root mean squared difference between the pilot's and the candidate's yearly
  outcome means *after removing each series' own mean* (so it compares trends, not levels),
  divided by the standard deviation of the outcome across the pilot's pre-period units
  (``rmse_sd``, scale free);
* ``slope_diff`` -- the difference of the two series' least-squares slopes per year
  (:func:`numpy.polyfit`).

Rule (:func:`match_las`): pairs (pilot, candidate) are taken in increasing ``rmse_sd``; a pair
is accepted if the candidate is still free (a comparator serves one pilot, as in the design),
the pilot has fewer than ``max_matches`` (2) comparators and ``rmse_sd <= max_rmse_sd``. A
pilot with no accepted candidate, or with fewer than ``min_post`` units after its settling-in,
is left out of the question (the two reasons of the report's footnote 41).

Coarsened exact matching (Iacus, King and Porro 2012)
-----------------------------------------------------
Within strata = the cells of the coarsened covariates (:data:`CEM_VARS`,
age coarsened to bands) crossed with the exact variables (the matched group and the period),
a stratum is matched when it holds at least one treated (pilot) and one control (comparator)
unit; units in unmatched strata get weight 0. Weights (the ``cem`` package's):

* matched treated unit: 1;
* matched control unit in stratum s: ``(m_C / m_T) * (m_T^s / m_C^s)``, where ``m_T``, ``m_C``
  are the numbers of matched treated and control units overall and ``m_T^s``, ``m_C^s`` those
  in the stratum.

The control weights sum to ``m_C`` and, within a stratum, the weighted control count is
proportional to the treated count, so the weighted control distribution over strata equals the
treated one. (A formula with both ratios inverted, ``(m_T/m_C)(m_C^s/m_T^s)``, does not have
these properties.)

Imbalance (Iacus, King and Porro 2008)
--------------------------------------
:func:`l1_imbalance`: ``L1 = 1/2 * sum_cells |f_c - g_c|`` where ``f_c`` and ``g_c`` are the
(weighted) shares of treated and of control units in cell c of a multivariate histogram of the
covariates. The report computes it on the "uncoarsened" variables: here age in whole years and
every categorical variable at its full detail, crossed with the group and the period (L1 on the
CEM coarsening itself is 0 after matching). **Local common support** (``lcs``): the percentage of
non-empty cells holding both treated and control units (the ``cem`` package's LCS).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# LA level
# --------------------------------------------------------------------------------------------


#: covariates coarsened for exact matching (appendix 10)
CEM_VARS = ["age_band", "gender", "disabled", "ethnicity", "academic_year", "fsm"]


def la_year_means(
    df: pd.DataFrame, y: str, la: str = "la", year: str = "year", weights: str | None = None
) -> pd.DataFrame:
    """LA x year table of (weighted) outcome means, with ``n`` per cell in ``attrs['n']``."""
    if weights:
        num = (df[y] * df[weights]).groupby([df[la], df[year]]).sum()
        den = df[weights].groupby([df[la], df[year]]).sum()
        m = (num / den).unstack(year)
    else:
        m = df.groupby([la, year], observed=True)[y].mean().unstack(year)
    m.attrs["n"] = df.groupby([la, year], observed=True).size().unstack(year)
    return m


def closeness(means: pd.DataFrame, pilot: str, candidates, years, sd: float) -> pd.DataFrame:
    """Closeness of each candidate's pre-period trend to the pilot's (see module doc).

    ``means``: LA x year outcome means; ``years``: the pilot's pre-period years; ``sd``: the
    outcome's standard deviation across the pilot's pre-period units (for ``rmse_sd``).
    Candidates without a mean in every year get NaN.
    """
    yrs = [y for y in years if y in means.columns]
    values = means.to_numpy(dtype=float)[:, means.columns.get_indexer(yrs)]
    row = {la: i for i, la in enumerate(means.index)}
    p = values[row[pilot]]
    x = np.asarray(yrs, dtype=float)
    p_ok = len(yrs) >= 2 and not np.isnan(p).any()
    dp = p - p.mean() if p_ok else None
    p_slope = np.polyfit(x, p, 1)[0] if p_ok else None
    rows = []
    for c in candidates:
        if c == pilot or c not in row:
            continue
        q = values[row[c]]
        if not p_ok or np.isnan(q).any():
            rows.append((pilot, c, np.nan, np.nan, np.nan, len(yrs)))
            continue
        rmse = float(np.sqrt(np.mean((dp - (q - q.mean())) ** 2)))
        slope = float(p_slope - np.polyfit(x, q, 1)[0])
        rows.append((pilot, c, rmse, rmse / sd if sd > 0 else np.nan, slope, len(yrs)))
    return pd.DataFrame(rows, columns=["pilot", "candidate", "rmse", "rmse_sd", "slope_diff", "years"])


def match_las(
    close: pd.DataFrame,
    max_matches: int = 2,
    max_rmse_sd: float = np.inf,
    post_counts: dict | None = None,
    min_post: int = 0,
    owner: dict | None = None,
) -> tuple[dict, pd.DataFrame]:
    """Apply the matching rule (module doc) to a closeness table of all pilots.

    ``owner``: ``{comparator: pilot}`` already fixed (e.g. by another question): such a
    comparator can only be matched to that pilot (a comparator takes the dates of one pilot).
    Returns ``({pilot: [comparators]}, decisions)``; ``decisions`` has one row per pilot with
    ``included`` and ``reason``. Pilots with no comparator are not in the mapping.
    """
    owner = owner or {}
    pilots = list(dict.fromkeys(close["pilot"]))
    post_counts = post_counts or {}
    chosen: dict[str, list[str]] = {p: [] for p in pilots}
    used: set[str] = set()
    ok_post = {p: post_counts.get(p, min_post) >= min_post for p in pilots}
    ranked = close.dropna(subset=["rmse_sd"]).sort_values(["rmse_sd", "pilot", "candidate"], kind="stable")
    for r in ranked.itertuples():
        if not ok_post[r.pilot] or r.candidate in used or len(chosen[r.pilot]) >= max_matches:
            continue
        if owner.get(r.candidate, r.pilot) != r.pilot:
            continue
        if r.rmse_sd <= max_rmse_sd:
            chosen[r.pilot].append(r.candidate)
            used.add(r.candidate)
    rows = []
    for p in pilots:
        if not ok_post[p]:
            reason = f"too few units after the settling-in period ({post_counts.get(p, 0)} < {min_post})"
        elif not chosen[p]:
            reason = "no candidate with a close enough pre-SofS trend"
        else:
            reason = "matched"
        rows.append((p, bool(chosen[p]) and ok_post[p], ", ".join(chosen[p]), reason))
    dec = pd.DataFrame(rows, columns=["pilot", "included", "comparators", "reason"])
    return {p: c for p, c in chosen.items() if c and ok_post[p]}, dec


# --------------------------------------------------------------------------------------------
# CEM
# --------------------------------------------------------------------------------------------


def strata(df: pd.DataFrame, variables: list[str]) -> np.ndarray:
    """Integer stratum id of every row: the cell of ``variables`` (missing is a level), the
    cells numbered by first appearance."""
    keys = [_value_codes(df[v]) for v in variables]
    if not keys:
        return np.zeros(len(df), dtype=np.int64)
    k = np.zeros(len(df), dtype=np.int64)
    for arr in keys:
        k = k * (int(arr.max()) + 1 if len(arr) else 1) + arr
    return first_appearance_codes(k).astype(np.int64)


def _value_codes(col: pd.Series) -> np.ndarray:
    """Non-negative integer codes, one per distinct value of ``col`` (missing a value of its
    own): a categorical's own codes, else ``pd.factorize(col, use_na_sentinel=False)``."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy().astype(np.int64) + 1
    return pd.factorize(col, use_na_sentinel=False)[0]


def first_appearance_codes(x) -> np.ndarray:
    """``pd.factorize(x)[0]`` (codes numbered by first appearance); for integers whose range is
    at most about 4 times their number, by a table over the range instead of hashing."""
    x = np.asarray(x)
    n = len(x)
    if x.dtype.kind not in "iu" or n == 0:
        return pd.factorize(x)[0]
    lo = int(x.min())
    if int(x.max()) - lo >= 4 * n + 1024:
        return pd.factorize(x)[0]
    at = (x - lo).astype(np.int64)
    first = np.full(int(at.max()) + 1, n, dtype=np.int64)
    np.minimum.at(first, at, np.arange(n))  # each value's first row
    pos = first[at]
    return (np.cumsum(pos == np.arange(n)) - 1)[pos]


def cem_weights(treat, stratum) -> tuple[np.ndarray, np.ndarray]:
    """CEM weights (module doc) from a 0/1 treatment array and stratum ids.

    Returns ``(weights, matched)``.
    """
    t = np.asarray(treat).astype(bool)
    s = np.asarray(stratum).astype(np.int64)
    n_s = int(s.max()) + 1 if len(s) else 0
    nt = np.bincount(s[t], minlength=n_s).astype(float)
    nc = np.bincount(s[~t], minlength=n_s).astype(float)
    ok = (nt > 0) & (nc > 0)
    matched = ok[s]
    m_t = float(t[matched].sum())
    m_c = float((~t)[matched].sum())
    w = np.zeros(len(t))
    w[matched & t] = 1.0
    cm = matched & ~t
    if m_t > 0:
        w[cm] = (m_c / m_t) * (nt[s[cm]] / nc[s[cm]])
    return w, matched


def cem(
    df: pd.DataFrame,
    treat: str = "pilot_i",
    coarsened: list[str] | None = None,
    exact: list[str] | None = None,
) -> pd.DataFrame:
    """``df`` with ``cem_stratum``, ``cem_matched`` and ``cem_w`` added (module doc)."""

    variables = list(exact or []) + list(coarsened if coarsened is not None else CEM_VARS)
    s = strata(df, variables)
    w, m = cem_weights(df[treat].to_numpy(), s)
    return df.assign(cem_stratum=s, cem_matched=m, cem_w=w)


# --------------------------------------------------------------------------------------------
# imbalance
# --------------------------------------------------------------------------------------------


def l1_imbalance(
    df: pd.DataFrame, treat: str, variables: list[str], weights: str | None = None, bins: dict | None = None
) -> dict:
    """Multivariate L1 imbalance and local common support (module doc).

    ``bins``: ``{column: bin width}`` for numeric columns (floored to the width), e.g.
    ``{"age": 1}``. Rows with zero weight are ignored. Returns ``{"l1", "lcs", "cells"}``.
    """
    d = df
    w = np.ones(len(d)) if weights is None else d[weights].to_numpy(dtype=float)
    keep = w > 0
    cols = {}
    for v in variables:  # each column as it is (the cells are its values; missing a level)
        x = d[v].reset_index(drop=True)
        if bins and v in bins:
            x = np.floor(x.astype(float) / bins[v])
        cols[v] = x
    cell = strata(pd.DataFrame(cols), variables)[keep]
    t = d[treat].to_numpy().astype(bool)[keep]
    w = w[keep]
    n_c = int(cell.max()) + 1 if len(cell) else 0
    ft = np.bincount(cell[t], weights=w[t], minlength=n_c)
    fc = np.bincount(cell[~t], weights=w[~t], minlength=n_c)
    f = ft / ft.sum() if ft.sum() > 0 else ft
    g = fc / fc.sum() if fc.sum() > 0 else fc
    l1 = 0.5 * float(np.abs(f - g).sum())
    nonempty = (ft > 0) | (fc > 0)
    both = (ft > 0) & (fc > 0)
    lcs = 100.0 * both.sum() / nonempty.sum() if nonempty.sum() else np.nan
    return {"l1": l1, "lcs": float(lcs), "cells": int(nonempty.sum())}
