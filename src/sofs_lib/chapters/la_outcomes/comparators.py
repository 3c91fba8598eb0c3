"""Recover the report's comparator councils from its own tables.

The report's eight comparators ("SNNs") were chosen with a statistical-neighbour model that is
no longer published, but the report prints, for each of its 29 indicators, the comparator
group's mean to one decimal for 2018/19 (Table A9.3) and for all five years (Table A9.4), and
the group's profile (Table A9.1). Each printed mean is a pair of linear inequalities in the
chosen councils' sums and counts: with ``x_i`` = 1 if council ``i`` is chosen, ``s_i`` its sum of
values and ``c_i`` its number of LA-years with a value (so councils missing a year count right),

    lo <= sum(x_i s_i) / sum(x_i c_i) < hi   <=>   sum x_i (s_i - lo c_i) >= 0  and
                                                    sum x_i (s_i - hi c_i) <  0,

where ``[lo, hi)`` is the interval that rounds half up to the printed decimal.
:func:`search` maximises the number of printed means reproduced (each row a soft constraint
with an indicator ``z_k`` and a big-M relaxation, so a few rows revised since publication cannot
make the problem infeasible) with ``scipy.optimize.milp`` under "exactly ``k`` chosen" and,
optionally, Table A9.1's counts as equalities. :func:`identify_comparators` adds the evidence:
the rows reproduced, the best set with the first excluded, the best sets one and two swaps
away (enumerated exhaustively), and whether the set stays the best when any one or two rows are
dropped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from sofs_lib.chapters.la_outcomes.analysis import published_a93_a94
from sofs_lib.core.rounding import round_half_up_array

HALF = 0.05  # half a unit of the printed (first) decimal
TABLES = (("A9.3", "a93_snn"), ("A9.4", "a94_snn"))


def round1(values) -> np.ndarray:
    """The book's one rounding rule to one decimal, vectorised
    (:func:`sofs_lib.core.rounding.round_half_up_array`)."""
    return round_half_up_array(values, 1)


@dataclass
class Rows:
    """The published means as constraints over the candidate councils.

    ``sums[k, i]`` / ``counts[k, i]``: council ``i``'s sum of values and number of LA-years with a
    value for row ``k`` (one row per table and indicator with a published value).
    """

    candidates: list[str]
    labels: pd.DataFrame  # table, indicator_id, published
    sums: np.ndarray
    counts: np.ndarray
    profile: np.ndarray | None = None  # (levels x candidates) 0/1
    profile_target: np.ndarray | None = None
    profile_labels: list = field(default_factory=list)

    def index(self, codes) -> np.ndarray:
        pos = {c: i for i, c in enumerate(self.candidates)}
        missing = [c for c in codes if c not in pos]
        if missing:
            raise KeyError(f"not among the candidate councils: {missing}")
        return np.array([pos[c] for c in codes], dtype=int)


def constraint_rows(
    panel: pd.DataFrame, candidates, last_year: int, years, published: pd.DataFrame | None = None
) -> Rows:
    """Rows for Tables A9.3 (``last_year``) and A9.4 (every year of ``years``) from a long panel
    (``indicator_id, la_code, year, value``). ``published``: frame with ``indicator_id``,
    ``a93_snn``, ``a94_snn`` (default: the report's)."""
    pub = published if published is not None else published_a93_a94()
    cands = [str(c) for c in candidates]
    d = panel[panel["la_code"].isin(cands) & panel["year"].isin(list(years))].dropna(subset=["value"])
    labels, sums, counts = [], [], []
    for table, col in TABLES:
        if col not in pub:
            continue
        dd = d[d["year"] == last_year] if table == "A9.3" else d
        g = dd.groupby(["indicator_id", "la_code"])["value"].agg(["sum", "count"])
        for iid, pv in zip(pub["indicator_id"], pub[col]):
            if pd.isna(pv):
                continue
            gi = g.loc[iid] if iid in g.index.get_level_values(0) else pd.DataFrame(columns=["sum", "count"])
            gi = gi.reindex(cands).fillna(0.0)
            labels.append((table, iid, float(pv)))
            sums.append(gi["sum"].to_numpy(float))
            counts.append(gi["count"].to_numpy(float))
    lab = pd.DataFrame(labels, columns=["table", "indicator_id", "published"])
    return Rows(
        cands,
        lab,
        np.array(sums).reshape(len(lab), len(cands)),
        np.array(counts).reshape(len(lab), len(cands)),
    )


def with_profile(rows: Rows, chars: pd.DataFrame, target: pd.DataFrame) -> Rows:
    """Attach Table A9.1's counts as equalities. ``chars``: ``la_code`` and one column per
    characteristic; ``target``: ``characteristic`` (a column of ``chars``), ``level``, ``count``.
    Every candidate whose level is not listed for a characteristic is excluded (count 0)."""
    c = chars.set_index("la_code").reindex(rows.candidates)
    mats, tgt, labs = [], [], []
    for ch, t in target.groupby("characteristic", sort=False):
        for lvl, n in zip(t["level"], t["count"]):
            mats.append((c[ch] == lvl).to_numpy(float))
            tgt.append(float(n))
            labs.append((ch, lvl))
        mats.append((~c[ch].isin(list(t["level"]))).to_numpy(float))
        tgt.append(0.0)
        labs.append((ch, "other"))
    return Rows(rows.candidates, rows.labels, rows.sums, rows.counts, np.array(mats), np.array(tgt), labs)


def reproduced(rows: Rows, members) -> np.ndarray:
    """Boolean per row: does the group ``members`` (candidate indices) reproduce the printed
    mean? A row with no value among the members is not reproduced."""
    idx = np.asarray(members, dtype=int)
    s, c = rows.sums[:, idx].sum(axis=1), rows.counts[:, idx].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(c > 0, s / np.where(c > 0, c, 1), np.nan)
    return (c > 0) & (round1(mean) == rows.labels["published"].to_numpy())


def _fits_profile(rows: Rows, members) -> bool:
    if rows.profile is None:
        return True
    return bool(np.array_equal(rows.profile[:, list(members)].sum(axis=1), rows.profile_target))


def search(rows: Rows, k: int = 8, exclude_sets=(), time_limit: float = 30.0, eps: float = 1e-7) -> dict:
    """The MILP: choose ``k`` candidates maximising the number of rows reproduced.

    ``exclude_sets``: groups (lists of codes) that may not be chosen again (no-good cuts).
    Returns ``members`` (codes, in candidate order), ``score`` (rows reproduced, re-checked
    exactly), the solver's ``status``, ``optimal`` and ``bound`` (its upper bound on the score).
    """
    n, K = len(rows.candidates), len(rows.labels)
    lo = rows.labels["published"].to_numpy() - HALF
    hi = rows.labels["published"].to_numpy() + HALF - eps
    A_lo = rows.sums - lo[:, None] * rows.counts  # sum x a >= 0 when z = 1
    A_hi = rows.sums - hi[:, None] * rows.counts  # sum x b <= 0 when z = 1
    m_lo = -np.sort(np.minimum(A_lo, 0), axis=1)[:, :k].sum(axis=1) + 1.0
    m_hi = np.sort(np.maximum(A_hi, 0), axis=1)[:, ::-1][:, :k].sum(axis=1) + 1.0
    n_prof = 0 if rows.profile is None else len(rows.profile)
    n_rows = 1 + 3 * K + n_prof + len(exclude_sets)
    A = lil_matrix((n_rows, n + K))
    lb, ub = np.full(n_rows, -np.inf), np.full(n_rows, np.inf)
    A[0, :n] = 1
    lb[0] = ub[0] = k
    for j in range(K):
        r = 1 + 3 * j
        A[r, :n] = A_lo[j]
        A[r, n + j] = -m_lo[j]
        lb[r] = -m_lo[j]
        A[r + 1, :n] = A_hi[j]
        A[r + 1, n + j] = m_hi[j]
        ub[r + 1] = m_hi[j]
        A[r + 2, :n] = rows.counts[j]  # at least one member has a value
        A[r + 2, n + j] = -1
        lb[r + 2] = 0
    r = 1 + 3 * K
    for i in range(n_prof):
        A[r + i, :n] = rows.profile[i]
        lb[r + i] = ub[r + i] = rows.profile_target[i]
    r += n_prof
    for i, ex in enumerate(exclude_sets):
        A[r + i, rows.index(ex)] = 1
        ub[r + i] = k - 1
    res = milp(
        np.r_[np.zeros(n), -np.ones(K)],
        integrality=np.ones(n + K),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(A.tocsr(), lb, ub),
        options={"time_limit": float(time_limit)},
    )
    if res.x is None:
        return {"members": [], "score": 0, "status": res.message, "optimal": False, "bound": np.nan}
    idx = np.flatnonzero(res.x[:n] > 0.5)
    bound = -getattr(res, "mip_dual_bound", np.nan) if res.status != 0 else -res.fun
    return {
        "members": [rows.candidates[i] for i in idx],
        "score": int(reproduced(rows, idx).sum()),
        "status": res.message,
        "optimal": res.status == 0,
        "bound": float(np.floor(bound + 1e-6)),
    }


def neighbourhood(rows: Rows, members, swaps: int) -> pd.DataFrame:
    """Every group ``swaps`` members away from ``members`` (that fits the profile, if one is
    attached), scored exhaustively. Returns one row per group: ``out``, ``in`` (tuples of
    codes) and ``score``, best first."""
    base = rows.index(members)
    others = np.setdiff1d(np.arange(len(rows.candidates)), base)
    pub = rows.labels["published"].to_numpy()
    s0, c0 = rows.sums[:, base].sum(axis=1), rows.counts[:, base].sum(axis=1)
    adds = np.array(list(itertools.combinations(others, swaps)), dtype=int)
    add_s = rows.sums[:, adds].sum(axis=2).T  # (n_adds, K)
    add_c = rows.counts[:, adds].sum(axis=2).T
    prof0 = None if rows.profile is None else rows.profile[:, base].sum(axis=1)
    add_p = None if rows.profile is None else rows.profile[:, adds].sum(axis=2).T
    out = []
    for rem in itertools.combinations(base, swaps):
        rem = list(rem)
        s = s0 - rows.sums[:, rem].sum(axis=1) + add_s
        c = c0 - rows.counts[:, rem].sum(axis=1) + add_c
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = (c > 0) & (round1(np.where(c > 0, s / np.where(c > 0, c, 1), 0)) == pub)
        score = ok.sum(axis=1)
        keep = np.ones(len(adds), bool)
        if add_p is not None:
            keep = (prof0 - rows.profile[:, rem].sum(axis=1) + add_p == rows.profile_target).all(axis=1)
        for j in np.flatnonzero(keep):
            out.append(
                (
                    tuple(rows.candidates[i] for i in rem),
                    tuple(rows.candidates[i] for i in adds[j]),
                    int(score[j]),
                )
            )
    df = pd.DataFrame(out, columns=["out", "in", "score"])
    return df.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def _swap(members, out, into):
    return sorted((set(members) - set(out)) | set(into))


def stability(rows: Rows, members, rivals, max_drop: int = 2) -> pd.DataFrame:
    """Does ``members`` stay strictly the best when any ``d <= max_drop`` rows are dropped?

    Dropping rows it does not reproduce cannot hurt it; the worst case drops ``d`` rows it
    reproduces and a rival does not, so it stays best against rival ``T`` iff
    ``score(S) - score(T) > min(d, |R(S) minus R(T)|)``. ``rivals``: groups (lists of codes) to test
    against. Returns, per ``d``, the smallest such margin and whether the set stays best.
    """
    rs = reproduced(rows, rows.index(members))
    out = []
    for d in range(1, max_drop + 1):
        worst, who = np.inf, None
        for t in rivals:
            rt = reproduced(rows, rows.index(t))
            margin = rs.sum() - rt.sum() - min(d, int((rs & ~rt).sum()))
            if margin < worst:
                worst, who = margin, t
        out.append({"rows_dropped": d, "smallest_margin": worst, "closest_rival": who, "stays_best": bool(worst > 0)})
    return pd.DataFrame(out)


def identify_comparators(rows: Rows, k: int = 8, time_limit: float = 30.0, start: list[str] | None = None) -> dict:
    """The search with its evidence.

    Returns ``members``, ``score``, ``search`` (the MILP result), ``reproduced`` (the rows,
    with a ``reproduced`` flag), ``runner_up`` (MILP with the set excluded), ``swap1``/``swap2``
    (best groups one/two swaps away) and ``stability`` (rows dropped). ``start``: a known group
    (e.g. a cached result) that the search must beat to replace.
    """
    first = search(rows, k, time_limit=time_limit)
    members = polish(rows, first["members"]) if first["members"] else list(start or [])
    if start and _score(rows, start) > _score(rows, members):
        members = sorted(start)
    idx = rows.index(members)
    lab = rows.labels.assign(reproduced=reproduced(rows, idx))
    second = search(rows, k, exclude_sets=[members], time_limit=time_limit)
    if second["members"]:
        second["members"] = polish(rows, second["members"], avoid=[members])
        second["score"] = _score(rows, second["members"])
    n1, n2 = neighbourhood(rows, members, 1), neighbourhood(rows, members, 2)
    rivals = [r for r in [second["members"]] if r]
    rivals += [_swap(members, o, i) for o, i in zip(n1["out"][:20], n1["in"][:20])]
    rivals += [_swap(members, o, i) for o, i in zip(n2["out"][:50], n2["in"][:50])]
    return {
        "members": members,
        "score": int(lab["reproduced"].sum()),
        "search": first,
        "reproduced": lab,
        "runner_up": second,
        "swap1": n1.head(10),
        "swap2": n2.head(10),
        "stability": stability(rows, members, rivals),
    }


def _score(rows: Rows, members) -> int:
    return int(reproduced(rows, rows.index(members)).sum()) if _fits_profile(rows, rows.index(members)) else -1


def polish(rows: Rows, members, avoid=(), max_rounds: int = 20) -> list[str]:
    """Hill-climb by single and double swaps until no neighbour reproduces more rows (the MILP
    stopped at its time limit may return a group whose score it has not maximised). Groups in
    ``avoid`` are never moved to."""
    avoid = {tuple(sorted(a)) for a in avoid}
    cur = sorted(members)
    for _ in range(max_rounds):
        best = _score(rows, cur)
        step = None
        for swaps in (1, 2):
            nb = neighbourhood(rows, cur, swaps)
            for o, i, sc in zip(nb["out"], nb["in"], nb["score"]):
                if sc <= best:
                    break
                cand = _swap(cur, o, i)
                if tuple(cand) not in avoid:
                    step = cand
                    break
            if step:
                break
        if not step:
            return cur
        cur = step
    return cur
