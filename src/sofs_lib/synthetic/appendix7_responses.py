"""Synthetic Appendix 7 self-profiling responses: item-level scores generated to satisfy the
report's narrative about the pilots' T-scores.

**Synthetic -- not the pilots' data.** The report publishes only the narrative (Appendix 7 and
the paragraph "Pilots' assessment of their progress on implementation"); the implementation
chapter (:mod:`sofs_lib.chapters.implementation.profiles`) scores these responses with the
published instrument and checks every statement against them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Hand-designed target T-scores, pilot -> time -> (culture, practice, learning, processes,
#: leadership). They satisfy every statement with a margin (checked in the tests) and are close
#: to standardised (mean ~50, SD ~10 per category over the 17 pilot x time cells), so the
#: T-scores recomputed from the synthetic items land near them. Pilot 7 has no T1. Pilot 7's
#: culture and practice at T3, on which the narrative is silent, balance the columns.
TARGETS: dict[int, dict[str, tuple[float, ...]]] = {
    1: {"T1": (53.5, 53.5, 50.0, 49.0, 50.0), "T3": (52.0, 52.0, 52.5, 47.0, 52.0)},
    2: {"T1": (47.5, 52.5, 47.5, 47.5, 47.5), "T3": (33.0, 39.0, 24.0, 37.5, 36.5)},
    3: {"T1": (34.0, 41.0, 43.0, 37.5, 42.0), "T3": (38.0, 44.0, 45.5, 41.0, 45.0)},
    4: {"T1": (50.0, 50.0, 45.0, 55.0, 45.0), "T3": (52.5, 52.5, 52.5, 52.5, 52.5)},
    5: {"T1": (58.0, 57.5, 65.0, 63.5, 63.0), "T3": (55.0, 55.0, 55.0, 62.0, 55.0)},
    6: {"T1": (46.5, 46.5, 51.0, 46.0, 46.5), "T3": (53.0, 53.0, 53.5, 48.0, 53.0)},
    7: {"T3": (58.0, 53.0, 47.5, 52.0, 53.5)},
    8: {"T1": (70.0, 70.0, 68.0, 72.0, 72.5), "T3": (64.0, 65.0, 64.0, 61.5, 62.0)},
    9: {"T1": (41.0, 34.0, 45.0, 42.0, 37.0), "T3": (42.5, 32.0, 41.0, 38.0, 35.5)},
}

_RAW_CENTRE, _RAW_PER_SD = 5.5, 1.5  # raw category mean = 5.5 + 1.5 (T - 50) / 10
_ITEM_NOISE_SD = 0.9
MAX_ATTEMPTS = 50


def targets_frame(categories) -> pd.DataFrame:
    """:data:`TARGETS` as a tidy DataFrame (pilot, time, category, target_t)."""
    rows = [
        dict(pilot=p, time=t, category=c, target_t=v)
        for p, times in TARGETS.items()
        for t, vals in times.items()
        for c, v in zip(categories, vals)
    ]
    return pd.DataFrame(rows)


def _round_to_sum(x: np.ndarray, total: int, rng_order: np.ndarray) -> np.ndarray:
    """Integers in 1..10 close to ``x`` whose sum is ``total`` (largest-remainder rounding)."""
    v = np.clip(np.floor(x), 1, 10).astype(int)
    frac = x - np.floor(x)
    diff = total - int(v.sum())
    # ties broken by a random order so that the draw, not the item order, decides
    for _ in range(abs(diff)):
        if diff > 0:
            cand = np.where(v < 10)[0]
            key = frac[cand] + 1e-9 * rng_order[cand]
            i = cand[np.argmax(key)]
            v[i] += 1
            frac[i] -= 1
        else:
            cand = np.where(v > 1)[0]
            key = frac[cand] + 1e-9 * rng_order[cand]
            i = cand[np.argmin(key)]
            v[i] -= 1
            frac[i] += 1
    return v


def draw(rng: np.random.Generator, items: pd.DataFrame, categories, pilots, times) -> pd.DataFrame:
    """One draw of item scores whose category means sit on :data:`TARGETS` (see the module)."""
    rows = []
    by_cat = {c: items.loc[items["category"] == c, "item"].to_numpy() for c in categories}
    for p in pilots:
        for t in times:
            if t not in TARGETS[p]:
                continue
            for c, target_t in zip(categories, TARGETS[p][t]):
                ids = by_cat[c]
                k = len(ids)
                mean = _RAW_CENTRE + _RAW_PER_SD * (target_t - 50.0) / 10.0
                noise = rng.normal(0.0, _ITEM_NOISE_SD, size=k)
                x = np.clip(mean + noise - noise.mean(), 1.0, 10.0)
                total = int(np.clip(round(mean * k), k, 10 * k))
                scores = _round_to_sum(x, total, rng.permutation(k))
                rows.extend(zip([p] * k, [t] * k, ids.tolist(), scores.tolist()))
    df = pd.DataFrame(rows, columns=["pilot", "time", "item", "score"])
    return df.astype({"pilot": "int64", "item": "int64", "score": "int64"})
