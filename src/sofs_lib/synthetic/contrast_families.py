"""Synthetic contrast-study extract: families, workers, instruments and team OSC scores.

A seeded, schema-true stand-in (layout :data:`sofs_lib.sources.contrast.SCHEMA`) for the
family-level data of the contrast study, which are not public. It is **synthetic**: it shows the
chapter's method end to end and is no evidence about any site.

Design (assumptions, stated in the chapter): four sites, one team each; ``Site 1`` and
``Site 4`` use SofS (the report's numbering), ``Site 4`` being the site that joined late
(waves T2 and T3 only); the SofS sites have the report's 18 families / 6 workers and 14 / 11;
the remaining families are split evenly between the two contrast sites, 6 workers each.

Calibration, to printed numbers read through :mod:`sofs_lib.published`:

* Table 5 -- every arm-by-subscale mean rounds to the printed value, with the contrast mean
  below the pilot mean on every subscale (the text's "better on each"), item responses being
  nudged one step at a time until it holds;
* the Cronbach's alphas (Yatchmenoff .972, WAI .955 and .974) -- the item-noise scale is
  found by bisection;
* Table 6 -- competence slopes and residual spreads set from the printed coefficients and
  standard errors, for ``n_yatchmenoff`` answering families (not matched exactly: sampling);
* the 2x2 family-feedback items -- exact counts given by the caller (``two_by_two``), e.g. the
  tables the chapter found to reproduce both the printed percentages and p.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sofs_lib import published as pub
from sofs_lib.sources import contrast as cs

#: site, arm, families by wave (T1, T2, T3), workers. Family and worker numbers of the SofS
#: sites are the report's (quotes contrast_p9_* and contrast_p4_*), filled in by _sites().
WAVE_SPLIT = {"Site 1": (6, 6, 6), "Site 2": (5, 5, 4), "Site 3": (5, 5, 4), "Site 4": (0, 7, 7)}
REVERSED_YAT = ["yat_m1", "yat_m2", "yat_m3"]
REMOVED_YAT = "yat_b8"
REVERSED_WAI = ["wai_04", "wai_10"]
#: HCSFF items without printed percentages: (SofS yes of 32, contrast yes of 28), chosen to
#: follow the text's direction (contrast higher on the first six, SofS on the next three,
#: equal importance of a plan) without a significant difference.
HCSFF_UNPRINTED = {
    "hcsff_same_worker": (21, 21),
    "hcsff_understand_asked": (23, 22),
    "hcsff_understand_support": (22, 21),
    "hcsff_involved_decisions": (20, 20),
    "hcsff_know_whom": (24, 23),
    "hcsff_questions_answered": (21, 20),
    "hcsff_listened": (26, 19),
    "hcsff_understood": (25, 19),
    "hcsff_difference": (24, 18),
    "hcsff_plan_important": (29, 25),
}


@dataclass(frozen=True)
class TwoByTwo:
    """Counts for one yes/no item: yes and answering in the SofS and contrast arms."""

    k1: int
    n1: int
    k2: int
    n2: int


def _sites() -> pd.DataFrame:
    q = pub.quote
    n_all = int(q("contrast_families_n").number)
    n_p9, n_p4 = int(q("contrast_p9_families").number), int(q("contrast_p4_families").number)
    rest = n_all - n_p9 - n_p4
    rows = [
        ("Site 1", "SofS", n_p9, int(q("contrast_p9_social_workers").number)),
        ("Site 2", "Contrast", rest - rest // 2, 6),
        ("Site 3", "Contrast", rest // 2, 6),
        ("Site 4", "SofS", n_p4, int(q("contrast_p4_social_workers").number)),
    ]
    df = pd.DataFrame(rows, columns=["site", "arm", "families", "workers"])
    if [sum(WAVE_SPLIT[s]) for s in df.site] != df.families.tolist():
        raise ValueError("WAVE_SPLIT does not add up to the families per site")
    return df


def _families(rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    fam, wk = [], []
    fid = wid = 0
    for s in _sites().itertuples():
        ids = [f"W{wid + i + 1:02d}" for i in range(s.workers)]
        wid += s.workers
        use = rng.integers(2, 6, s.workers) if s.arm == "SofS" else [pd.NA] * s.workers
        wk += [(w, s.site, u) for w, u in zip(ids, use)]
        j = 0
        for wave, n in zip(cs.WAVES, WAVE_SPLIT[s.site]):
            for _ in range(n):
                fid += 1
                fam.append((f"F{fid:03d}", ids[j % s.workers], s.site, s.arm, wave))
                j += 1
    return (
        pd.DataFrame(fam, columns=["family_id", "worker_id", "site", "arm", "wave"]),
        pd.DataFrame(wk, columns=["worker_id", "site", "sofs_use"]),
    )


def _likert(x, low, high):
    return np.clip(np.rint(x), low, high).astype(int)


def _nudge(items: pd.DataFrame, groups: pd.Series, target: dict, low: int, high: int, rng):
    """Move single responses one step until each group's mean of item means is at target
    (within 0.01); ``target``: group -> mean. Returns a new frame."""
    arr = items.to_numpy(dtype=float, na_value=np.nan)
    for g, goal in target.items():
        rows = np.flatnonzero((groups == g).to_numpy() & ~np.isnan(arr).any(axis=1))
        total, cells = arr[rows].sum(), arr[rows].size
        for _ in range(5000):
            if abs(total / cells - goal) < 0.01:
                break
            step = 1 if goal > total / cells else -1
            i, j = rows[rng.integers(len(rows))], rng.integers(arr.shape[1])
            if low <= arr[i, j] + step <= high:
                arr[i, j] += step
                total += step
    return pd.DataFrame(arr, index=items.index, columns=items.columns).round().astype("Int64")


def _bisect(make, target: float, lo=0.05, hi=3.0, it=22):
    """Noise scale at which make(scale) -> (frame, alpha) reaches target alpha."""
    best = None
    for _ in range(it):
        mid = (lo + hi) / 2
        frame, a = make(mid)
        if best is None or abs(a - target) < abs(best[1] - target):
            best = (frame, a)
        if a > target:
            lo = mid
        else:
            hi = mid
    return best[0]


def _yatchmenoff(fam, comp, n_answer, seed, alpha_fn, gain=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t5, t6 = pub.wide("5"), pub.wide("6")
    xc = (comp - comp.mean()).to_numpy()
    sd_x = comp.std()
    g = rng.normal(size=len(fam))
    e = rng.normal(size=(len(fam), len(cs.YAT_ITEMS)))
    answer = np.zeros(len(fam), bool)
    answer[rng.choice(len(fam), n_answer, replace=False)] = True
    arm = fam["arm"].to_numpy()
    # contrast below pilot on every subscale, both inside their rounding intervals
    offs = {"SofS": 0.02, "Contrast": -0.02}

    def make(tau):
        cols = {}
        k = 0
        for sub, names in cs.YAT_SUBSCALES.items():
            b, se = t6.loc[sub, "Coefficient"], t6.loc[sub, "Std. error"]
            b = b * (gain or {}).get(sub, 1.0)
            sig = se * sd_x * np.sqrt(n_answer - 2)
            mu = np.where(arm == "SofS", t5.loc[sub, "Pilot"], t5.loc[sub, "Contrast"])
            lat = mu + b * xc + sig * g
            for name in names:
                cols[name] = _likert(lat + tau * e[:, k], 1, 5)
                k += 1
        df = pd.DataFrame(cols, index=fam.index).astype("Int64")
        df[REMOVED_YAT] = _likert(3 + 1.2 * e[:, k - 1], 1, 5)
        df.loc[~answer, :] = pd.NA
        nrng = np.random.default_rng(seed + 1)
        for sub, names in cs.YAT_SUBSCALES.items():
            keep = [c for c in names if c != REMOVED_YAT]
            tgt = {
                a: t5.loc[sub, "Pilot" if a == "SofS" else "Contrast"] + offs[a] for a in cs.ARMS
            }
            df[keep] = _nudge(df[keep], fam["arm"], tgt, 1, 5, nrng)
        kept = [c for c in cs.YAT_ITEMS if c != REMOVED_YAT]
        return df, alpha_fn(df[kept])[0]

    df = _bisect(make, pub.quote("contrast_yatchmenoff_alpha").number)
    for c in REVERSED_YAT:  # stored as worded: agreeing = mistrust
        df[c] = 6 - df[c]
    return df


def _slope_gain(fam, comp, yat) -> dict:
    """Printed Table 6 slope over the slope obtained, per subscale (one correction pass)."""
    t6 = pub.wide("6")
    out = {}
    for sub, names in cs.YAT_SUBSCALES.items():
        keep = [c for c in names if c != REMOVED_YAT]
        y = yat[keep].astype(float)
        if sub == "Mistrust":
            y = 6 - y
        y = y.mean(axis=1, skipna=False)
        ok = y.notna()
        slope = np.polyfit(comp[ok], y[ok], 1)[0]
        out[sub] = (
            float(np.clip(t6.loc[sub, "Coefficient"] / slope, 0.5, 3.0)) if slope < 0 else 1.0
        )
    return out


def _wai(fam, comp, seed, alpha_fn) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = len(fam)
    xc = (comp - comp.mean()).to_numpy()
    h = rng.normal(size=n)
    out = []
    for version, slope, base, qid in (
        ("worker", 0.14, 5.0, "contrast_wai_alpha_social_worker"),
        ("family", 0.26, 5.1, "contrast_wai_alpha_family"),
    ):
        own = rng.normal(size=n)
        e = rng.normal(size=(n, 12))
        mirror = rng.permutation(n) < n // 2
        lat = base + slope * xc + (0.8 if version == "worker" else 1.0) * h + 0.35 * own

        def make(tau, lat=lat, e=e, version=version, mirror=mirror):
            cols = {}
            for j, name in enumerate(cs.WAI_ITEMS):
                x = lat + tau * e[:, j]
                if version == "family" and name == "wai_05":
                    # footnote 36: no linear association, yet agreement by kappa: half the
                    # families give the worker's answer, half its mirror image
                    w5 = out[0]["wai_05"].to_numpy(dtype=float)
                    x = np.where(mirror, 8 - w5, w5)
                if version == "family" and name == "wai_10":  # a step apart (footnote 37)
                    x = x + 1.0
                cols[name] = _likert(x, 1, 7)
            df = pd.DataFrame(cols, index=fam.index).astype("Int64")
            return df, alpha_fn(df)[0]

        df = _bisect(make, pub.quote(qid).number)
        for c in REVERSED_WAI:
            df[c] = 8 - df[c]
        out.append(df)
    return out[0], out[1]


def _binary(fam, spec: TwoByTwo, rng) -> pd.Series:
    s = pd.Series(pd.NA, index=fam.index, dtype="Int64")
    for arm, k, n in (("SofS", spec.k1, spec.n1), ("Contrast", spec.k2, spec.n2)):
        idx = rng.permutation(np.flatnonzero((fam["arm"] == arm).to_numpy()))
        if n > len(idx) or k > n:
            raise ValueError(f"{arm}: {k} of {n} cannot be placed among {len(idx)} families")
        s.iloc[idx[:k]] = 1
        s.iloc[idx[k:n]] = 0
    return s


def default_two_by_two() -> dict[str, TwoByTwo]:
    """Full-group counts nearest the printed percentages (every family answering)."""
    q = pub.quote
    n1 = int(q("contrast_families_total").number)
    n2 = int(q("contrast_families_n").number) - n1
    pairs = {
        "hcsff_aware_plan": "contrast_hcsff_aware_plan",
        "hcsff_plan_views": "contrast_hcsff_plan_views",
        "chart_changes": "contrast_chart_changes",
        "chart_goals": "contrast_chart_goals",
    }
    return {
        item: TwoByTwo(
            round(q(f"{qq}_sofs").number * n1 / 100),
            n1,
            round(q(f"{qq}_contrast").number * n2 / 100),
            n2,
        )
        for item, qq in pairs.items()
    }


def generate(
    seed: int = 20180601,
    two_by_two: dict[str, TwoByTwo] | None = None,
    n_yatchmenoff: int = 52,
    *,
    reliability: Callable[[pd.DataFrame], tuple[float, int]],
) -> dict[str, pd.DataFrame]:
    """The synthetic extract as ``file name -> frame`` (see module docstring).

    ``reliability``: the scale-reliability function the alphas are calibrated with (the
    chapter passes :func:`sofs_lib.methods.reliability.cronbach_alpha`; generators sit below the
    methods layer, so it is handed in rather than imported)."""

    rng = np.random.default_rng(seed)
    fam, wk = _families(rng)
    if not 10 <= n_yatchmenoff <= len(fam):
        raise ValueError(f"n_yatchmenoff must be from 10 to {len(fam)}, not {n_yatchmenoff}")
    skill = dict(zip(wk["worker_id"], rng.normal(0, 0.8, len(wk))))
    w = fam["worker_id"].map(skill).to_numpy()
    ccbc = pd.DataFrame(
        {c: _likert(3 + w + rng.normal(0, 0.5, len(fam)), 1, 5) for c in cs.CCBC_ITEMS}
    ).astype("Int64")
    comp = ccbc["ccbc_overall"].astype(float)
    yat = _yatchmenoff(fam, comp, n_yatchmenoff, seed + 10, reliability)
    gain = {s: 1.0 for s in cs.YAT_SUBSCALES}
    for _ in range(2):  # undo the attenuation of clipped items
        gain = {s: g * f for (s, g), f in zip(gain.items(), _slope_gain(fam, comp, yat).values())}
        yat = _yatchmenoff(fam, comp, n_yatchmenoff, seed + 10, reliability, gain)
    wai_w, wai_f = _wai(fam, comp, seed + 20, reliability)
    tt = {**default_two_by_two(), **(two_by_two or {})}
    hc = pd.DataFrame(index=fam.index)
    for item in cs.HCSFF_ITEMS:
        spec = tt.get(item) or TwoByTwo(HCSFF_UNPRINTED[item][0], 32, HCSFF_UNPRINTED[item][1], 28)
        hc[item] = _binary(fam, spec, rng)
    chart = pd.DataFrame(index=fam.index)
    for item in cs.CHART_ITEMS:
        agree = _binary(fam, tt[item], rng)
        strong = pd.Series(rng.random(len(fam)) < 0.5, index=fam.index)
        val = pd.Series(pd.NA, index=fam.index, dtype="Int64")
        val[agree == 1] = np.where(strong[agree == 1], 5, 4)
        val[agree == 0] = rng.integers(1, 4, int((agree == 0).sum()))
        if item == "chart_changes":  # contrast: half 'strongly agree', half 'agree'
            yes = fam.index[(fam["arm"] == "Contrast") & (agree == 1)]
            val[yes] = [5 if i % 2 == 0 else 4 for i in range(len(yes))]
        chart[item] = val
    key = fam[["family_id"]]
    return {
        "families.csv": fam,
        "workers.csv": wk,
        "checklist.csv": pd.concat([key, ccbc.set_index(fam.index)], axis=1),
        "yatchmenoff.csv": pd.concat([key, yat[cs.YAT_ITEMS]], axis=1),
        "wai_worker.csv": pd.concat([key, wai_w], axis=1),
        "wai_family.csv": pd.concat([key, wai_f], axis=1),
        "hcsff.csv": pd.concat([key, hc], axis=1),
        "family_chart.csv": pd.concat([key, chart], axis=1),
        "osc.csv": osc_scores(seed + 30),
    }


def osc_scores(seed: int) -> pd.DataFrame:
    """Team OSC T-scores at T1 and T2 following the report's narrative (section 3): Sites 1, 2
    and 4 alike at T1, Site 3 average; at T2 Sites 1 and 4 unchanged, Site 2 more proficient
    and less resistant, Site 3 the reverse; engagement below 50 everywhere, lower in the SofS
    sites at T1 and in the contrast sites at T2; functionality and stress above 50."""
    rng = np.random.default_rng(seed)
    base = {"proficiency": 45, "rigidity": 55, "resistance": 55, "functionality": 56, "stress": 63}
    t2_shift = {
        "Site 2": {"proficiency": 9, "resistance": -9},
        "Site 3": {"proficiency": -11, "resistance": 11},
    }
    rows = []
    for s, arm in (
        ("Site 1", "SofS"),
        ("Site 2", "Contrast"),
        ("Site 3", "Contrast"),
        ("Site 4", "SofS"),
    ):
        for wave in ("T1", "T2"):
            v = dict(base)
            if s == "Site 3":
                v.update(proficiency=50, rigidity=50, resistance=50)
            for d, sh in (t2_shift.get(s, {}) if wave == "T2" else {}).items():
                v[d] += sh
            v["engagement"] = {
                ("SofS", "T1"): 38,
                ("Contrast", "T1"): 44,
                ("SofS", "T2"): 40,
                ("Contrast", "T2"): 34,
            }[(arm, wave)]
            noise = rng.integers(-1, 2, len(cs.OSC_DIMENSIONS))
            rows.append(
                {
                    "site": s,
                    "wave": wave,
                    **{d: int(v[d] + n) for d, n in zip(cs.OSC_DIMENSIONS, noise)},
                }
            )
    return pd.DataFrame(rows)
