"""Events of the same child within a date window, found by sorted search (no pairwise merge).

:class:`ChildEvents` holds one kind of event (a child id and a date each), sorted by child and
date. :meth:`ChildEvents.between` gives, for each query (child, lower bound, upper bound), the
range of that child's events inside the window; a merge of queries with events on the child
followed by the same date comparisons finds the same events.
"""

from __future__ import annotations

import numpy as np


class ChildEvents:
    """Events (``child``, ``when``) sorted by child and date; missing dates are left out."""

    def __init__(self, child, when):
        child = np.asarray(child, dtype=np.int64)
        t = np.asarray(when).astype("datetime64[s]")
        ok = ~np.isnat(t)
        child, t = child[ok], t[ok].astype(np.int64)
        order = np.lexsort((t, child))
        child, t = child[order], t[order]
        new = np.r_[True, child[1:] != child[:-1]] if len(child) else np.zeros(0, dtype=bool)
        self.kids = child[new]
        rank = np.cumsum(new) - 1
        self.lo = int(t.min()) - 1 if len(t) else 0
        self.span = (int(t.max()) + 1 - self.lo + 1) if len(t) else 2
        if len(self.kids) * self.span >= 2**62:
            raise OverflowError("date range too wide for the combined child-date key")
        self.key = rank * self.span + (t - self.lo)
        self.when = t

    def __len__(self) -> int:
        return len(self.key)

    def _keys(self, rank: np.ndarray, when) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(when).astype("datetime64[s]")
        na = np.isnat(t)
        off = np.clip(np.where(na, 0, t.astype(np.int64)) - self.lo, 0, self.span - 1)
        return rank * self.span + off, na

    def between(self, child, start, end, *, start_inclusive: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(first, stop)``: positions (in sorted order) of each query child's events with
        ``start < when <= end`` (``start <= when <= end`` if ``start_inclusive``); empty
        where the child has no events or a bound is missing."""
        child = np.asarray(child, dtype=np.int64)
        pos = np.searchsorted(self.kids, child)
        known = (pos < len(self.kids)) & (self.kids[np.minimum(pos, max(len(self.kids) - 1, 0))] == child)
        if not len(self.kids):
            known = np.zeros(len(child), dtype=bool)
        k_lo, na_lo = self._keys(pos, start)
        k_hi, na_hi = self._keys(pos, end)
        first = np.searchsorted(self.key, k_lo, side="left" if start_inclusive else "right")
        stop = np.searchsorted(self.key, k_hi, side="right")
        empty = ~known | na_lo | na_hi | (stop < first)
        return np.where(empty, 0, first), np.where(empty, 0, stop)


def expand(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(query, event)`` index pairs for the ranges ``first[i]:stop[i]``."""
    n = stop - first
    query = np.repeat(np.arange(len(first)), n)
    starts = np.repeat(first - np.cumsum(n) + n, n)
    return query, starts + np.arange(int(n.sum()))
