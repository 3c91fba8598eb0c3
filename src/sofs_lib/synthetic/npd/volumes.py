"""The volume plan: the published Ns turned into units per LA and segment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.npd.design import StudyDesign, load_calibration
from sofs_lib.synthetic.npd.base import _d, _LAInfo, _years
from sofs_lib.synthetic.npd.effects import published_effects


def volume_plan(design: StudyDesign, cal: dict | None = None, effects: dict | None = None) -> pd.DataFrame:
    """Expected units per LA and segment at ``scale`` = 1 (before inflation for exclusions).

    Columns: ``stream`` (assess, nfa, care), ``la``, ``segment`` (pre, from_start),
    ``start``, ``end`` (exclusive), ``units``. The published Ns are split between pilots and
    comparators (the not-pre-treatment observations in the proportion of the pre-treatment
    ones), within groups by ``assumed.la_weights`` (equal otherwise), and turned into daily
    rates over each question's observable window (follow-up of 6 months for EQ3b, 12 for EQ3c
    and EQ3d); LAs outside a question get the lowest rate among the question's LAs (so that
    their records never swamp another question's LAs).
    """
    cal = cal or load_calibration()
    effects = effects or published_effects(cal)
    pub, ass = cal["published"], cal["assumed"]
    sizes = pub["population_sizes"]
    la = design.la_table()
    start = dict(zip(la["la"], la["sofs_start"]))
    post = dict(zip(la["la"], la["post_start"]))
    keep = {eq: float(v) for eq, v in (ass.get("model_share") or {}).items()}
    d0, dend = design.data_start, design.data_end + pd.Timedelta(days=1)
    follow = {"eq3a": 0, "eq3b": 6, "eq3c": 12, "eq3d": 12}

    def wend(eq):
        return dend - pd.DateOffset(months=follow[eq])

    rates: dict[str, dict[str, tuple[float, float]]] = {"assess": {}, "nfa": {}, "care": {}}

    def members(eq):
        g = design.groups[eq]
        return list(g), [c for cs in g.values() for c in cs]

    def allocate(stream, eq, pre_p, pre_c, total, las_p, las_c, wkey=None, np_split=None):
        nonpre = total - pre_p - pre_c
        sp = np_split if np_split is not None else pre_p / (pre_p + pre_c)
        wp_pre = _la_weights(ass, wkey or eq, las_p)
        wc_pre = _la_weights(ass, wkey or eq, las_c)
        wp_np = _la_weights(ass, eq, las_p)
        wc_np = _la_weights(ass, eq, las_c)
        for lst, pre_tot, np_tot, wpre, wnp in (
            (las_p, pre_p, nonpre * sp, wp_pre, wp_np),
            (las_c, pre_c, nonpre * (1 - sp), wc_pre, wc_np),
        ):
            # the non-pre-treatment N counts rows after the settling-in period only (the model
            # leaves the settling-in out): one rate per group (weighted by LA) over the LAs'
            # post windows, which also produces the settling-in rows (not counted)
            post_years = sum(wnp[x] * _years(post[x], wend(eq)) for x in lst)
            for x in lst:
                s = start[x]
                ypre = _years(d0, min(s, wend(eq)))
                rates[stream][x] = (pre_tot * wpre[x] / ypre, np_tot * wnp[x] / max(post_years, 0.25))

    # EQ3a: all assessments; the pre-treatment Ns of Table A10.3 are the fixed-effects sample
    s = sizes["eq3a"]
    share = float(ass["repeated_share"]["eq3a"])
    p, c = members("eq3a")
    allocate("assess", "eq3a", s["n_pre_pilot"] / share, s["n_pre_comparator"] / share, s["n_total"], p, c)

    # EQ3c first (its LAs are a subset of EQ3b's), then EQ3b for the remaining LAs
    s = sizes["eq3c"]
    p3c, c3c = members("eq3c")
    allocate("nfa", "eq3c", s["n_pre_pilot"], s["n_pre_comparator"], s["n_total"], p3c, c3c, wkey="eq3c_pre")
    s = sizes["eq3b"]
    p3b, c3b = members("eq3b")
    shared_pre_p = sum(rates["nfa"][x][0] * _years(d0, start[x]) for x in p3c)
    shared_pre_c = sum(rates["nfa"][x][0] * _years(d0, start[x]) for x in c3c)
    shared_np = sum(rates["nfa"][x][1] * _years(post[x], wend("eq3b")) for x in p3c + c3c)
    rest_p = [x for x in p3b if x not in p3c]
    rest_c = [x for x in c3b if x not in c3c]
    pre_p = s["n_pre_pilot"] - shared_pre_p
    pre_c = s["n_pre_comparator"] - shared_pre_c
    allocate("nfa", "eq3b", pre_p, pre_c, s["n_total"] - shared_pre_p - shared_pre_c - shared_np, rest_p, rest_c)

    s = sizes["eq3d"]
    p, c = members("eq3d")
    allocate("care", "eq3d", s["n_pre_pilot"], s["n_pre_comparator"], s["n_total"], p, c)

    _model_share(rates, keep, set(p3c + c3c))
    return _plan_rows(rates, list(la["la"]), start, d0, dend)


def _la_weights(ass: dict, eq_key: str, las: list) -> dict:
    """Normalised LA weights of a question (``assumed.la_weights``, equal otherwise)."""
    wd = ass.get("la_weights", {}).get(eq_key, {})
    w = np.array([float(wd.get(x, 1.0)) for x in las])
    return dict(zip(las, w / w.sum()))


def _model_share(rates: dict, keep: dict, c_las: set) -> None:
    """Inflate the daily rates for rows lost between generation and the model (CEM, no birth
    date, ...): ``assumed.model_share`` of each stream's question (in place)."""
    primary = {"assess": "eq3a", "care": "eq3d"}
    for stream, r in rates.items():
        for x in list(r):
            eq = primary.get(stream, "eq3c" if x in c_las else "eq3b")
            k = keep.get(eq, 1.0)
            r[x] = (r[x][0] / k, r[x][1] / k)


def _plan_rows(rates: dict, las: list, start: dict, d0, dend) -> pd.DataFrame:
    """Units per stream, LA and segment from the daily rates; LAs outside a question get the
    lowest rate among the question's LAs."""
    rows = []
    for stream, r in rates.items():
        low_pre = float(np.min([v[0] for v in r.values()]))
        low_np = float(np.min([v[1] for v in r.values()]))
        for x in las:
            rp, rn = r.get(x, (low_pre, low_np))
            s0 = start[x]
            rows.append((stream, x, "pre", d0, s0, rp * _years(d0, s0)))
            rows.append((stream, x, "from_start", s0, dend, rn * _years(s0, dend)))
    return pd.DataFrame(rows, columns=["stream", "la", "segment", "start", "end", "units"])


def _realise(rng, plan: pd.DataFrame, info: _LAInfo, scale: float, inflate=None):
    """Unit LA codes and dates (uniform within segment) for a stream's plan rows."""
    n = np.round(plan["units"].to_numpy() * scale * (1.0 if inflate is None else inflate)).astype(np.int64)
    n = np.maximum(n, 0)
    la_idx = np.repeat(np.array([info.code[x] for x in plan["la"]]), n)
    s = np.repeat(np.array([_d(x) for x in plan["start"]]), n)
    e = np.repeat(np.array([_d(x) for x in plan["end"]]), n)
    span = (e - s).astype(np.int64)
    dates = s + (rng.random(n.sum()) * span).astype(np.int64).astype("timedelta64[D]")
    order = np.lexsort((dates, la_idx))
    return la_idx[order], dates[order]


def _subtract(
    plan: pd.DataFrame, done: pd.DataFrame, la_col: str, date_col: str, info: _LAInfo, scale: float
) -> pd.DataFrame:
    """Plan rows with ``units * scale`` less the units already made (by LA and segment)."""
    plan = plan.copy()
    if len(done):
        c = done[la_col].to_numpy().astype(np.int64)
        d = done[date_col].to_numpy().astype("datetime64[D]")
        cnt = pd.DataFrame({"la": c, "pre": d < info.start[c]}).value_counts()
    else:
        cnt = pd.Series(dtype=float)
    units = []
    for la, seg, u in zip(plan["la"], plan["segment"], plan["units"]):
        units.append(max(u * scale - float(cnt.get((info.code[la], seg == "pre"), 0)), 0.0))
    plan["units"] = units
    return plan
