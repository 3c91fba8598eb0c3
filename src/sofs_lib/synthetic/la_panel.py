"""A synthetic LA panel whose analysis reproduces the published Tables A9.3, A9.4 and A9.5.

It is the book's embedded default when the real DfE files are absent. Values are constructed
algebraically, not sampled: for each indicator we fix the cell means (group x year) and the
within-cell sums of squares so that

* the 2018/19 group means and one-way F (Table A9.3),
* the all-years group means and one-way F (Table A9.4), and
* for the nine indicators of Table A9.5, the Type III sums of squares for year, pilot status,
  their interaction and error,

equal the published values to their printed decimals. Design: 8 "pilot" and 8 "SNN"
synthetic LAs x 5 years (2014/15-2018/19), balanced, so Type III = sequential sums of squares.
Each cell's 8 values are ``mean + s * z`` with ``z = (-1,...,-1, 7)`` (mean 0), which keeps them
non-negative. Everything is labelled synthetic: LA names "Synthetic LA 01".."16", codes
001-016, a ``kind`` column = 'synthetic' and ``attrs['kind']``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sofs_lib.core.rounding import round_half_up_array
from sofs_lib.published import a9
from sofs_lib.sources.dfe.indicators import load_indicator_catalogue
from sofs_lib.sources.dfe.loaders import load_ees

YEARS = [2015, 2016, 2017, 2018, 2019]
N_PER_GROUP = 8
PILOT_CODES = [f"{i:03d}" for i in range(1, 9)]
SNN_CODES = [f"{i:03d}" for i in range(9, 17)]
_Z = np.array([-1.0] * 7 + [7.0])  # zero-sum pattern, sum of squares 56


def _pick_F(F_pub: float, p_pub: float, df2: int) -> float:
    """An F that rounds to ``F_pub`` (1 dp) and, if possible, whose p rounds to ``p_pub`` (2 dp)."""
    lo, hi = max(F_pub - 0.05, 0.0), F_pub + 0.0499
    grid = np.linspace(lo, hi, 2001)
    grid = grid[grid > 0] if F_pub == 0 else grid
    p = stats.f.sf(grid, 1, df2)
    ok = round_half_up_array(p, 2) == p_pub
    cand = grid[ok] if ok.any() else grid
    target = F_pub if F_pub > 0 else cand.min()
    return float(cand[np.argmin(np.abs(cand - target))])


def _interval_pick(pub_a: float, pub_b: float, diff: float) -> float:
    """m_a with round(m_a)=pub_a and round(m_a + diff)=pub_b (1 dp); middle of the feasible set."""
    lo = max(pub_a - 0.05, pub_b - 0.05 - diff)
    hi = min(pub_a + 0.0499, pub_b + 0.0499 - diff)
    if lo > hi:
        raise ValueError(f"published means {pub_a}, {pub_b} inconsistent with difference {diff}")
    return (lo + hi) / 2


def _exact_ss(a95: dict) -> dict:
    """Unrounded sums of squares consistent with every printed figure of Table A9.5: each
    component within its rounding interval, as close as possible to the value implied by its
    printed F, and summing to a value that rounds to the printed corrected total."""
    ss = {k: v[0] for k, v in a95.items()}
    F = {k: v[1] for k, v in a95.items()}
    dfs = {"Year": 4, "Pilot status": 1, "Year * pilot status": 4}
    half = 0.00045
    clip = lambda x, c: min(max(x, c - half), c + half)
    out = dict(ss)
    ratio = sum(F[k] * d / 70.0 for k, d in dfs.items())
    err = clip(ss["Corrected total"] / (1.0 + ratio), ss["Error"])
    out["Error"] = err
    for k, d in dfs.items():
        out[k] = clip(F[k] * d * err / 70.0, ss[k])
    parts = list(dfs) + ["Error"]
    # make the parts add up to the printed total, moving each only within its rounding interval
    need = ss["Corrected total"] - sum(out[k] for k in parts)
    for k in sorted(parts, key=lambda k: -ss[k]):
        if need == 0:
            break
        room = (ss[k] + half - out[k]) if need > 0 else (ss[k] - half - out[k])
        step = max(need, room) if need < 0 else min(need, room)
        out[k] += step
        need -= step
    return out


def _cell_design(rec, a95: dict | None, scale: float):
    try:
        return _cell_design_exact(rec, a95, scale, shrink=False)
    except ValueError:
        if a95 is not None:
            raise
        # move the means inside their rounding intervals: smaller 2018/19 gap, larger pooled gap
        return _cell_design_exact(rec, a95, scale, shrink=True)


def _shrunk(a: float, b: float, smaller: bool) -> tuple[float, float]:
    """Means that round to (a, b) with the gap made as small (or as large) as rounding allows."""
    sign = 1.0 if b >= a else -1.0
    if smaller:
        if a == b:
            return a, b
        return a + sign * 0.0499, b - sign * 0.0499
    return a - sign * 0.0499, b + sign * 0.0499


def _cell_design_exact(rec, a95: dict | None, scale: float, shrink: bool):
    """Return cell means m[g][t] (g: 0 pilot, 1 SNN; t over YEARS) and within SS per cell."""
    T = len(YEARS)
    n = N_PER_GROUP
    P5, S5 = rec.a93_pilot, rec.a93_snn
    if shrink:
        P5, S5 = _shrunk(P5, S5, smaller=True)
    if a95 is None:
        mP, mS = (rec.a94_pilot, rec.a94_snn) if not shrink else _shrunk(rec.a94_pilot, rec.a94_snn, smaller=False)
        if mP == mS and rec.a94_p < 0.995:  # equal printed means but F > 0: separate them slightly
            mP, mS = mP - 0.01, mS + 0.01
        if P5 == S5 and rec.a93_p < 0.995:
            P5, S5 = P5 - 0.01, S5 + 0.01
        m = np.zeros((2, T))
        m[0, -1], m[1, -1] = P5, S5
        m[0, :-1] = (T * mP - P5) / (T - 1)
        m[1, :-1] = (T * mS - S5) / (T - 1)
        grand = m.mean()
        ss_pilot = n * T * ((m.mean(axis=1) - grand) ** 2).sum()
        ss_year = 2 * n * ((m.mean(axis=0) - grand) ** 2).sum()
        inter = m - m.mean(axis=1, keepdims=True) - m.mean(axis=0, keepdims=True) + grand
        ss_int = n * (inter**2).sum()
        F94 = _pick_F(rec.a94_F, rec.a94_p, 2 * n * T - 2)
        ss_err = (78 * ss_pilot / F94 - ss_year - ss_int) if ss_pilot > 0 else None
    else:
        # Table A9.5 quantities are on the ANOVA scale; means on the published scale
        ss = _exact_ss(a95)
        D = math.sqrt(ss["Pilot status"] / (n * T / 2)) / scale  # |mean_S - mean_P| in published units
        D = D if rec.a94_snn >= rec.a94_pilot else -D
        mP = _interval_pick(rec.a94_pilot, rec.a94_snn, D)
        mS = mP + D
        # year effects a_t and interaction b_t (pilot +b, SNN -b), sum to zero over years
        a5 = ((P5 - mP) + (S5 - mS)) / 2
        b5 = ((P5 - mP) - (S5 - mS)) / 2

        def spread(last, ss_target):
            # values x_1..x_4 with sum -last and sum of squares ss_target - last^2
            rest = ss_target - last**2 - last**2 / (T - 1)
            if rest < 0:
                raise ValueError("published 2018/19 means inconsistent with Table A9.5 sums of squares")
            u = np.array([1.0, -1.0, 1.0, -1.0]) / 2.0
            return -last / (T - 1) + math.sqrt(rest) * u

        a = np.append(spread(a5, ss["Year"] / (2 * n) / scale**2), a5)
        b = np.append(spread(b5, ss["Year * pilot status"] / (2 * n) / scale**2), b5)
        m = np.vstack([mP + a + b, mS + a - b])
        ss_err = ss["Error"] / scale**2
    # within-cell SS: 2019 cells from the A9.3 F, the rest share what is left of the error SS
    F93 = _pick_F(rec.a93_F, rec.a93_p, 2 * n - 2)
    between5 = n * ((m[:, -1] - m[:, -1].mean()) ** 2).sum()
    W5 = between5 * (2 * n - 2) / F93 if between5 > 0 else (ss_err or 1.0) / T
    W = np.zeros((2, T))
    w5 = m[:, -1] ** 2 / (m[:, -1] ** 2).sum()
    W[:, -1] = W5 * w5
    if ss_err is None:
        ss_err = W5 * T
    rest = ss_err - W5
    if rest < 0:
        raise ValueError(f"{rec.indicator_id}: cannot meet both one-way F statistics (error SS too small)")
    w = m[:, :-1] ** 2 / (m[:, :-1] ** 2).sum()
    W[:, :-1] = rest * w
    return m, W


def synthetic_panel(catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Wide synthetic table in Explore Education Statistics tidy layout: one row per LA and
    year, one column per indicator (``indicator_id``), plus ``kind='synthetic'``."""

    cat = catalogue if catalogue is not None else load_indicator_catalogue()
    scale = dict(zip(cat["indicator_id"], cat["anova_scale"]))
    values = {}
    a95_all = a9.a95(load_indicator_catalogue())
    for rec in a9.a93_a94(load_indicator_catalogue()).itertuples(index=False):
        a95 = None
        if rec.indicator_id in a95_all:
            a95 = {r[0]: (r[1], r[4]) for r in a95_all[rec.indicator_id]}
        m, W = _cell_design(rec, a95, scale.get(rec.indicator_id, 1.0))
        col = {}
        for g, codes in ((0, PILOT_CODES), (1, SNN_CODES)):
            for t, y in enumerate(YEARS):
                s = math.sqrt(W[g, t] / (_Z**2).sum())
                vals = m[g, t] + s * _Z
                if (vals < 0).any():
                    raise ValueError(f"{rec.indicator_id}: negative synthetic value")
                for c, v in zip(codes, vals):
                    col[(c, y)] = float(v)
        values[rec.indicator_id] = col
    rows = []
    for y in YEARS:
        for c in PILOT_CODES + SNN_CODES:
            rows.append(
                {
                    "time_period": str(y),
                    "time_identifier": "Reporting year",
                    "geographic_level": "Local authority",
                    "country_code": "E92000001",
                    "country_name": "England",
                    "region_code": "",
                    "region_name": "Synthetic",
                    "old_la_code": c,
                    "new_la_code": "",
                    "la_name": f"Synthetic LA {int(c):02d}",
                    **{iid: values[iid][(c, y)] for iid in values},
                    "kind": "synthetic",
                }
            )
    df = pd.DataFrame(rows)
    df.attrs["kind"] = "synthetic"
    return df


def write_synthetic_ees(folder: str | os.PathLike) -> Path:
    """Write the synthetic panel as an EES-style CSV (full float precision) and return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "synthetic_la_outcomes_2015_to_2019.csv"
    df = synthetic_panel()
    df.to_csv(path, index=False, float_format="%.17g")
    return path


def load_synthetic_panel(path: str | os.PathLike) -> pd.DataFrame:
    """Read a synthetic EES CSV back through :func:`load_ees` and return the long panel
    (indicator_id, year, la_code, la_name, value, source) with ``attrs['kind']='synthetic'``."""
    d = load_ees(path, required_values=[])
    ids = [c for c in d.attrs["value_columns"]]
    long = d.melt(id_vars=["year", "la_code", "la_name"], value_vars=ids, var_name="indicator_id", value_name="value")
    long["source"] = "synthetic"
    long = long[["indicator_id", "year", "la_code", "la_name", "value", "source"]]
    long.attrs["kind"] = "synthetic"
    return long


def synthetic_groups() -> tuple[list[str], list[str]]:
    """(pilot codes, SNN codes) of the synthetic panel."""
    return list(PILOT_CODES), list(SNN_CODES)


def synthetic_long_panel() -> pd.DataFrame:
    """The synthetic panel in the layout of the LA extract
    (:data:`sofs_lib.sources.dfe.extract.COLUMNS`), written and read back through the EES loader;
    ``load_panel("synthetic")`` returns it once this module is imported."""
    import tempfile

    from sofs_lib.sources.dfe.extract import COLUMNS

    with tempfile.TemporaryDirectory() as tmp:
        long = load_synthetic_panel(write_synthetic_ees(tmp))
    long = long.assign(
        suppression=pd.Series(pd.NA, index=long.index, dtype="string"),
        publication="synthetic",
        release="synthetic",
        file="synthetic",
    )
    return long[COLUMNS]


def _register() -> None:
    from sofs_lib.sources.dfe.extract import register_panel

    register_panel("synthetic", synthetic_long_panel)


_register()
