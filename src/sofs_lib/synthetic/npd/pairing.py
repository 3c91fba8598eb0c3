"""Linking units into repeated children, and stratified binary draws."""

from __future__ import annotations

import numpy as np

from sofs_lib.synthetic.npd.base import _LAInfo


def _pair(rng, la_idx, first_ready, second_time, share, bin_days: int = 365) -> np.ndarray:
    """For each unit, the index of the earlier unit of the same child (-1 if none).

    Units are grouped by LA and consecutive ``bin_days`` windows of ``second_time``; within a
    window, ``share`` x n / 2 units of the later half are linked to units of the earlier half,
    keeping only links with ``second_time`` > ``first_ready`` of the earlier unit (no
    overlap). Links are short (mean gap about half a window), so repeated children age
    little between their records in every LA and period alike.
    """
    parent = np.full(len(la_idx), -1, dtype=np.int64)
    if share <= 0 or len(la_idx) == 0:
        return parent
    t = second_time.astype("datetime64[D]").astype(np.int64)
    key = la_idx.astype(np.int64) * 100000 + (t - t.min()) // bin_days
    order = np.lexsort((t, key))
    ks = key[order]
    cuts = np.flatnonzero(np.diff(ks)) + 1
    for grp in np.split(order, cuts):
        half = len(grp) // 2
        k = int(round(share * len(grp) / 2))
        if k == 0 or half == 0:
            continue
        a = rng.permutation(grp[:half])
        b = rng.permutation(grp[half:])[:half]
        ok = np.flatnonzero(second_time[b] > first_ready[a[: len(b)]])[:k]
        parent[b[ok]] = a[ok]
    return parent


def _pair_gaps(rng, la_idx, first_ready, second_time, share, mean_gap_years: float, rounds: int = 8):
    """For each unit, the index of the earlier unit of the same child (-1 if none), with
    gaps between a child's records spread over years.

    ``sum(share) / 2`` units (``share``: a number or one per unit; drawn with probability
    proportional to it) are *later records*; each draws a gap from an
    exponential distribution with mean ``mean_gap_years`` and is linked to the nearest
    unused unit of the same LA dated at or before its own date minus the gap, provided that
    unit is over (``first_ready`` < the later unit's ``second_time``). Later records and
    their earlier records are disjoint (children have two records), so the units of repeated
    children are 2 x the links. Units without a partner (a gap reaching before the data or a
    taken partner) are retried with new gaps and new later records for ``rounds`` rounds.
    Unlike :func:`_pair`, links cross periods: a child can be seen before SofS and after the
    settling-in period, which is what identifies a child fixed-effects DiD.
    """
    n = len(la_idx)
    parent = np.full(n, -1, dtype=np.int64)
    if np.all(np.asarray(share) <= 0) or n < 2:
        return parent
    t = second_time.astype("datetime64[D]").astype(np.int64)
    ready = first_ready.astype("datetime64[D]").astype(np.int64)
    t0 = int(t.min())
    big = np.int64(1 << 24)
    key = la_idx.astype(np.int64) * big + (t - t0)
    key_sorted = bool(np.all(key[1:] >= key[:-1]))  # units in LA and date order (``_realise``)
    share = np.broadcast_to(np.asarray(share, dtype=float), (n,))
    target = int(round(share.sum() / 2))
    role = np.zeros(n, dtype=np.int8)  # 0 free, 1 earlier record, 2 later record
    for _ in range(rounds):
        need = target - int((role == 2).sum())
        free = np.flatnonzero(role == 0)
        if need <= 0 or len(free) < 2:
            break
        pf = share[free] / share[free].sum()
        size = min(need, len(free) // 2, int((pf > 0).sum()))
        later = _choice_without_replacement(rng, free, size, pf)
        in_pool = role == 0
        in_pool[later] = False
        pool = np.flatnonzero(in_pool)  # = np.setdiff1d(free, later), in index order
        if not key_sorted:
            pool = pool[np.argsort(key[pool], kind="stable")]
        gap = np.ceil(rng.exponential(mean_gap_years * 365.25, len(later))).astype(np.int64)
        want = la_idx[later].astype(np.int64) * big + (t[later] - gap - t0)
        pos = _searchsorted(key[pool], want) - 1
        ok = pos >= 0
        cand = np.where(ok, pool[np.maximum(pos, 0)], -1)
        ok &= (cand >= 0) & (la_idx[np.maximum(cand, 0)] == la_idx[later])
        ok &= ready[np.maximum(cand, 0)] < t[later]
        later, cand = later[ok], cand[ok]
        _, first_use = np.unique(cand, return_index=True)  # a partner is used once
        later, cand = later[first_use], cand[first_use]
        parent[later] = cand
        role[later] = 2
        role[cand] = 1
    return parent


def _searchsorted(sorted_keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.searchsorted(sorted_keys, values, side="right")``, searching the values in sorted
    order (the same result, much faster for millions of values than random probes)."""
    order = np.argsort(values)  # any order of equal values gives the same result
    out = np.empty(len(values), dtype=np.int64)
    out[order] = np.searchsorted(sorted_keys, values[order], side="right")
    return out


def _choice_without_replacement(rng, a: np.ndarray, size: int, p: np.ndarray) -> np.ndarray:
    """``rng.choice(a, size, replace=False, p=p)``: the same draws and the same result.

    numpy's algorithm, step by step: draw ``size - found`` uniforms, zero the probabilities of
    the items found so far, invert the cumulative distribution (``searchsorted``, right) and keep
    the new items at their first occurrence, until ``size`` items are found. The inversion
    searches the uniforms in sorted order and the first occurrences are found from that order,
    which is what makes it fast for large populations; every number is the one numpy computes.
    """
    p = np.array(p, dtype=np.float64)
    if np.count_nonzero(p > 0) < size:
        raise ValueError("Fewer non-zero entries in p than size")
    found = np.zeros(size, dtype=np.int64)
    n_uniq = 0
    while n_uniq < size:
        x = rng.random(size - n_uniq)
        if n_uniq > 0:
            p[found[:n_uniq]] = 0
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        order = np.argsort(x)  # the first occurrences below do not depend on the order of ties
        new_sorted = cdf.searchsorted(x[order], side="right")
        starts = np.flatnonzero(np.r_[True, new_sorted[1:] != new_sorted[:-1]])
        first = np.sort(np.minimum.reduceat(order, starts))  # first occurrence of each item
        new = np.empty_like(new_sorted)
        new[order] = new_sorted
        new = new[first]
        found[n_uniq : n_uniq + new.size] = new
        n_uniq += new.size
    return np.asarray(a).take(found)


def _quota(rng, p, cell) -> np.ndarray:
    """Binary outcomes with probabilities ``p`` whose number of ones in each ``cell`` is
    ``sum(p)`` of the cell, rounded at random (stratified draw).

    Which units get the ones is random, with probability proportional to ``p`` (exponential
    race: the ``k`` smallest ``E / p`` of a cell, ``E`` standard exponential). Each unit's
    outcome is still 0/1 with mean ``p``, but a cell's rate cannot drift from its target by
    sampling noise, so the realised DiD of the synthetic world is close to the true effect in
    every seed (the model's standard errors still reflect unit-level Bernoulli noise)."""
    n = len(p)
    y = np.zeros(n, dtype=bool)
    if n == 0:
        return y
    codes_, inv = np.unique(cell, return_inverse=True)
    tot = np.bincount(inv, weights=p, minlength=len(codes_))
    k = np.floor(tot + rng.random(len(codes_))).astype(np.int64)
    race = rng.exponential(1.0, n) / np.maximum(p, 1e-12)
    order = np.lexsort((race, inv))
    first = np.r_[0, np.flatnonzero(np.diff(inv[order])) + 1]
    start = np.zeros(len(codes_), dtype=np.int64)
    start[inv[order][first]] = first
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - start[inv[order]]
    return rank < k[inv]


def _cells(info: _LAInfo, la_idx, dates) -> np.ndarray:
    """Stratification cells for :func:`_quota`: LA x financial year x period (pre / settling /
    post, from the ramp weight)."""
    w, _ = info.weights(la_idx, dates)
    d = dates.astype("datetime64[D]")
    yr = d.astype("datetime64[Y]").astype(np.int64) + 1970
    mon = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    fy = yr + (mon >= 4)
    per = np.where(w <= 0, 0, np.where(w >= 1, 2, 1))
    return (la_idx.astype(np.int64) * 10000 + fy) * 10 + per


def _remap_ids(values: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Replace ids in ``values`` found in the contiguous range ``old`` by ``new``."""
    if len(old) == 0:
        return values
    lo = old[0]
    pos = values - lo
    inside = (pos >= 0) & (pos < len(old))
    out = values.copy()
    out[inside] = new[pos[inside]]
    return out
