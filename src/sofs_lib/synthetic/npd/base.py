"""Small functions of the generator: dates, normalised shares, draws, LA look-ups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.npd.design import StudyDesign


def _years(a: pd.Timestamp, b: pd.Timestamp) -> float:
    return max((b - a).days, 0) / 365.25


def _d(ts) -> np.datetime64:
    return np.datetime64(pd.Timestamp(ts).date(), "D")


def _norm(d: dict, floor: float = 0.003) -> dict:
    out = {k: (floor if v is None else float(v)) for k, v in d.items()}
    s = sum(out.values())
    return {k: v / s for k, v in out.items()}


def _choice_index(rng, n, probs: dict) -> tuple[np.ndarray, list]:
    """``n`` draws from ``probs`` as positions in its keys, and the keys."""
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    p = p / p.sum()
    return rng.choice(len(keys), size=n, p=p), keys


def _choice(rng, n, probs: dict):
    idx, keys = _choice_index(rng, n, probs)
    return np.asarray(keys, dtype=object)[idx]


#: keys that stand for "not recorded" (position -1) rather than a code
NOT_RECORDED = (None, "missing")


def _lut(keys, cats) -> np.ndarray:
    """Position of each of ``keys`` in the code list ``cats``; -1 for a key that means "not
    recorded" (:data:`NOT_RECORDED`). Any other key that is not a code is an error (a mistyped
    code would otherwise be generated as not recorded)."""
    pos = {c: i for i, c in enumerate(cats)}
    bad = [k for k in keys if k not in pos and k not in NOT_RECORDED]
    if bad:
        raise ValueError(f"not codes of the list {list(cats)[:8]}...: {bad}")
    return np.array([pos.get(k, -1) for k in keys], dtype=np.int16)


def _code(cats, value) -> int:
    """Position of ``value`` in the code list ``cats`` (it must be a code)."""
    cats = list(cats)
    if value not in cats:
        raise ValueError(f"{value!r} is not a code of the list {cats[:8]}...")
    return cats.index(value)


def _choice_code(rng, n, probs: dict, cats) -> np.ndarray:
    """:func:`_choice` as positions in the code list ``cats`` (the same draws; -1 for a key
    meaning "not recorded"), the form the tables' coded columns are generated in."""
    idx, keys = _choice_index(rng, n, probs)
    return _lut(keys, cats)[idx]


def _is_key(idx: np.ndarray, keys: list, key) -> np.ndarray:
    """Where draws of :func:`_choice_index` are ``key``."""
    return idx == keys.index(key) if key in keys else np.zeros(len(idx), dtype=bool)


class _LAInfo:
    """Vectorised look-ups of each LA's group dates and role."""

    def __init__(self, design: StudyDesign, cal: dict):
        t = design.la_table()
        self.las = list(t["la"])
        self.code = {la: i for i, la in enumerate(self.las)}
        self.pilot = t["pilot"].to_numpy(bool)
        self.start = np.array([_d(x) for x in t["sofs_start"]])
        self.post = np.array([_d(x) for x in t["post_start"]])
        self.data_start = _d(design.data_start)
        self.data_end = _d(design.data_end)

    def weights(self, la_idx, dates):
        """(w, pre_offset_years): ramp weight and centred pre-period time (pilots' pre-trend)."""
        s = self.start[la_idx]
        p = self.post[la_idx]
        d = dates.astype("datetime64[D]")
        span = np.maximum((p - s).astype(float), 1.0)
        w = np.clip((d - s).astype(float) / span, 0.0, 1.0)
        mid = self.data_start + (s - self.data_start) // 2
        pre = np.where(d < s, (d - mid).astype(float) / 365.25, 0.0)
        return w, pre


def _categorical(code: np.ndarray, cats) -> pd.Categorical:
    """Codes (positions in the code list ``cats``, -1 = not recorded) as a categorical."""
    return pd.Categorical.from_codes(code, dtype=pd.CategoricalDtype(list(cats)))


def _fsm(a) -> pd.arrays.IntegerArray:
    """-1 = not recorded -> ``pd.NA`` (``Int8``)."""
    a = np.asarray(a)
    na = a < 0
    return pd.arrays.IntegerArray(np.where(na, 1, a).astype(np.int8), na)
