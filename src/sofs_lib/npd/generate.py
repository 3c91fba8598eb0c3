"""Synthetic, schema-true NPD extracts (CIN census + SSDA903) calibrated to the report.

:func:`generate` builds child-level records for the nine pilots and sixteen comparator LAs
from April 2008 to March 2019 so that the four analysis populations derived from them by
:mod:`sofs_lib.npd.derive` reproduce what Appendix 10 publishes: the LAs per question
(Table A10.1), the population sizes and pre-treatment characteristics and outcome means
(Tables A10.3, A10.4, Ns under A10.6-A10.11), the share of repeated children, and DiD
effects that default to the published estimates (``true_effects=None``) or can be set to
zero (``true_effects=0``, the "null world").

How the records are made (all vectorised; one ``numpy.random.Generator`` per stream, spawned
from ``SeedSequence(seed)``, so a seed gives byte-identical tables):

1. A *volume plan* turns the published Ns into expected units per LA and segment
   (pre-treatment / from the SofS start) for three streams: assessments (EQ3a),
   referrals closed with no further action (NFA, EQ3b/EQ3c) and periods of care (EQ3d).
   Units are spread uniformly over the days of their segment; ``scale`` multiplies them.
2. **NFA stream**: a referral closed with NFA at referral (``ReferralNFA`` = 1) or after an
   assessment (``ReasonForClosure`` RC8). With the EQ3b probability the child is referred
   again within 6 months of the closure; with the EQ3c probability that re-referral leads
   to a child protection plan or a period of care within 6 months. Some children not
   re-referred within 6 months are re-referred later (outside the window).
3. **Care stream**: periods of care (SSDA903 episodes) where the child is, with the EQ3d
   probability, placed with relatives or friends (U1-U3) or made subject to a special
   guardianship order within 365 days; the rest are not, though some get such a placement
   or order after day 365. A few short-break (V3) episodes are added.
4. **Assessment stream**: further referrals with an assessment, so that each EQ3a LA has
   its target number of assessments; some get a section 47 enquiry, an initial conference
   and a plan.

Every assessment's duration (working days, see :mod:`sofs_lib.npd.calendar`) is 0 (same day)
with probability ``p_same`` or ``ceil(Gamma(3, theta) + shift)``, where ``shift`` is chosen so
that the trend and effect apply to the mean duration including same-day assessments (before
the 76-day cut-off, which attenuates them a little), plus a 1.5% tail of
administrative errors of 77-420 days; ``theta`` is solved so that the mean duration of
assessments of at most 76 days is 27 working days pre-treatment (Table A10.3) -- the
interquartile cut-off of this distribution is about 75-76 days, as in the report.

Outcome model (same form for the four outcomes): with ``w`` = 0 before the SofS start of the
LA's group, rising linearly to 1 over the settling-in period and 1 after it,
``outcome = base[pilot or comparator] + trend * w + effect * w * pilot`` (+ for EQ3a a
pilot-only linear trend during the pre-period, zero on average over the pre-period, so that
event-study leads are non-zero as the report found under fixed effects). EQ3c uses the
log-odds scale (Table A10.10 is a logit). Bases are the pre-treatment means of Tables A10.3
and A10.4; trends and effects are in ``calibration.yml``. Child characteristics are drawn
from the pre-treatment distributions of the same tables (EQ3c's for the EQ3c LAs' NFA
referrals, EQ3b's for the other LAs, EQ3a's for assessments, EQ3d's for care).

CIN episodes of one child in an LA never overlap (an episode open at the child's next referral
is closed that day, see ``_close_before_next``). What is not modelled: assessment factors, CIN
plans, reviews, missing episodes, children moving between LAs, dynamic (lagged) effects,
the effect on the tail of durations that makes the 310-day cut-off estimate larger.
"""

from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize, stats

from . import codes
from .calendar import add_working_days, next_working_day
from .design import EQS, StudyDesign, default_design, load_calibration
from .extract import NPDExtract

DAY = np.timedelta64(1, "D")

#: Keys of ``true_effects`` (defaults: the published estimates in calibration.yml).
EFFECT_KEYS = ("eq3a_duration", "eq3a_same_day", "eq3b_rereferral", "eq3c_escalation_logit", "eq3d_kinship")

#: A null world: every true effect zero.
NULL_EFFECTS = {k: 0.0 for k in EFFECT_KEYS}

# Structural constants (assumptions; documented in the module docstring / calibration.yml).
GAMMA_SHAPE = 3.0
P_NFA_AT_ASSESSMENT = 0.30  # share of NFA closures made after an assessment (RC8)
P_LATE_REREFERRAL = 0.20  # children not re-referred within 6 months but re-referred later
P_ESCALATE_TO_CPP = 0.6  # escalations via a plan rather than a period of care
P_SHORT_BREAK = 0.04  # short-break (V3) periods per period of care
S47_SHARE = 0.20  # assessments with a section 47 enquiry (assessment stream)
ICPC_SHARE = 0.55  # of those, with an initial conference
CPP_SHARE = 0.85  # of those, with a plan
#: Mean gap (years) between the records of a repeated child in the NFA and care streams (see
#: ``_pair``); the assessment stream pairs across years (``_pair_gaps``) and uses the realised gaps.
AGE_GAP = {"nfa": 1.1, "care": 1.5}


def published_effects(calibration: dict | None = None) -> dict[str, float]:
    """The default true effects: the report's DiD estimates (Table 8 / A10.6-A10.11), except
    where ``calibration.yml`` ``assumed.default_effects`` replaces one that cannot be used as a
    true effect as printed (EQ3c's logit, see that file)."""
    cal = calibration or load_calibration()
    d = cal["published"]["did_estimates"]
    out = {
        "eq3a_duration": float(d["eq3a_duration"]["value"]),
        "eq3a_same_day": float(d["eq3a_same_day"]["value"]),
        "eq3b_rereferral": float(d["eq3b_rereferral"]["value"]),
        "eq3c_escalation_logit": float(d["eq3c_escalation_logit"]["value"]),
        "eq3d_kinship": float(d["eq3d_kinship"]["value"]),
    }
    over = (cal.get("assumed", {}).get("default_effects") or {})
    return {**out, **{k: float(v["value"] if isinstance(v, dict) else v) for k, v in over.items() if k in out}}


def _resolve_effects(true_effects, cal) -> dict[str, float]:
    base = published_effects(cal)
    if true_effects is None:
        return base
    if isinstance(true_effects, (int, float)):
        if true_effects != 0:
            raise ValueError("a number for true_effects must be 0 (the null world); use a dict otherwise")
        return dict(NULL_EFFECTS)
    unknown = set(true_effects) - set(EFFECT_KEYS)
    if unknown:
        raise ValueError(f"unknown true_effects keys {sorted(unknown)}; known: {EFFECT_KEYS}")
    return {**base, **{k: float(v) for k, v in true_effects.items()}}


# --------------------------------------------------------------------------------------------
# duration model
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def duration_theta(target_mean: float = 27.0, p_same: float = 0.08, tail: float = 0.015, cutoff: int = 76) -> float:
    """Gamma scale so that E[duration | duration <= cutoff] = target_mean (see module doc)."""

    def cond_mean(theta):
        d = np.arange(1, cutoff + 1)
        pm = stats.gamma.cdf(d, GAMMA_SHAPE, scale=theta) - stats.gamma.cdf(d - 1, GAMMA_SHAPE, scale=theta)
        num = (1 - p_same) * (1 - tail) * (d * pm).sum()
        return num / (p_same + (1 - p_same) * (1 - tail) * pm.sum())

    return float(optimize.brentq(lambda t: cond_mean(t) - target_mean, 1.0, 60.0))


def _excluded_share(theta, shift, p_same, tail, cutoff=76) -> float:
    """Share of assessments above ``cutoff`` days for a duration shift (for volume inflation)."""
    return float((1 - p_same) * (tail + (1 - tail) * stats.gamma.sf(cutoff - shift, GAMMA_SHAPE, scale=theta)))


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _years(a: pd.Timestamp, b: pd.Timestamp) -> float:
    return max((b - a).days, 0) / 365.25


def _d(ts) -> np.datetime64:
    return np.datetime64(pd.Timestamp(ts).date(), "D")


def _norm(d: dict, floor: float = 0.003) -> dict:
    out = {k: (floor if v is None else float(v)) for k, v in d.items()}
    s = sum(out.values())
    return {k: v / s for k, v in out.items()}


def _choice(rng, n, probs: dict):
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    p = p / p.sum()
    return np.asarray(keys, dtype=object)[rng.choice(len(keys), size=n, p=p)]


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


# --------------------------------------------------------------------------------------------
# profiles of child characteristics (Tables A10.3/A10.4)
# --------------------------------------------------------------------------------------------


def _profile(cal: dict, eq: str, role: str) -> dict:
    m = cal["published"]["pre_treatment_means"][eq]
    ac = {k: (v or 0.0) for k, v in m["academic_year"].items()}
    ac.setdefault("missing", 0.0)
    s = sum(ac.values())
    ac = {k: v / s for k, v in ac.items()}
    g = m["gender"]
    gender = {"1": g.get("male") or 0.0, "2": g.get("female") or 0.0, "0": g.get("not_recorded_unborn") or 0.0,
              "missing": g.get("missing") or 0.0}
    gender["0"] = max(gender["0"] - ac["missing"], 0.0)  # unborn children are the ones without a DOB
    fsm = {k: float(v) for k, v in m["fsm"].items()}
    p0, b = ac["before_school_age"], fsm["below_school_age"]
    y, n_, miss = fsm["yes"], fsm["no"], fsm["missing"]
    rec0 = max(p0 - b, 0.0)  # before-school children with an FSM record
    school = max(1 - p0 - ac["missing"], 1e-9)
    fsm_school = {
        1: max(y - rec0 * y / (y + n_), 0.0),
        0: max(n_ - rec0 * n_ / (y + n_), 0.0),
        -1: max(miss - ac["missing"], 0.0),
    }
    tot = sum(fsm_school.values())
    fsm_school = {k: v / tot * 1.0 for k, v in fsm_school.items()}
    eth = _norm(m["ethnicity"])
    prof = {
        "acad": ac,
        "age": float(m["age"][role]),
        "gender": _norm(gender, floor=0.0),
        "disabled": float(m["disabled"]),
        "fsm_before_recorded": rec0 / p0 if p0 > 0 else 0.0,
        "fsm_before_yes": y / (y + n_),
        "fsm_school": fsm_school,
        "school_share": school,
        "ethnicity": eth,
    }
    if "main_need" in m:
        prof["main_need"] = _norm(m["main_need"][role])
    return prof


_ETH_CODES = {
    "white": {"WBRI": .85, "WOTH": .10, "WIRI": .03, "WIRT": .01, "WROM": .01},
    "mixed": {"MWBC": .35, "MWBA": .15, "MWAS": .20, "MOTH": .30},
    "asian": {"APKN": .35, "AIND": .20, "ABAN": .20, "AOTH": .25},
    "black": {"BAFR": .50, "BCRB": .30, "BOTH": .20},
    "any_other": {"OOTH": .80, "CHNE": .20},
    "unclassified": {"NOBT": .70, "REFU": .30},
}
_DISABILITY = {"LD": .30, "AUT": .25, "BEH": .15, "COMM": .10, "MOB": .10, "HEAR": .05, "VIS": .05}


def _draw_children(rng, event_dates: np.ndarray, prof: dict, age_offset: float = 0.0) -> dict:
    """Child characteristics for units dated ``event_dates`` (ages from the profile).

    ``age_offset`` lowers the drawn ages to compensate for repeated children, whose later
    records are older by the gap between records (see :func:`_pair`)."""
    n = len(event_dates)
    d = event_dates.astype("datetime64[D]")
    yr = d.astype("datetime64[Y]").astype(int) + 1970
    mon = (d.astype("datetime64[M]").astype(int) % 12) + 1
    ay = np.where(mon >= 9, yr, yr - 1)
    aug31 = (ay - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(242, "D")  # 31 Aug (non-leap offset)
    # 31 August is day 242 of a non-leap year and 243 of a leap year
    leap = ((ay % 4 == 0) & (ay % 100 != 0)) | (ay % 400 == 0)
    aug31 = aug31 + leap.astype("timedelta64[D]")
    frac = (d - aug31).astype(float) / 365.25  # years since 31 August (0..1)

    grp = _choice(rng, n, prof["acad"])
    sb, sp, ss = (prof["acad"][k] for k in ("before_school_age", "primary", "secondary"))
    tot = sb + sp + ss
    sb, sp, ss = sb / tot, sp / tot, ss / tot
    fbar = float(frac.mean()) if n else 0.5
    num = prof["age"] - age_offset - sp * (4 + fbar) - ss * (11 + fbar)
    den = sb * (4 + fbar) + 7 * sp + 6 * ss
    inv = float(np.clip(num / den, 0.05, 0.95))  # = 1/(k+1)
    k = 1 / inv - 1
    u = rng.random(n) ** k
    age = np.where(grp == "before_school_age", (4 + frac) * u,
                   np.where(grp == "primary", 4 + frac + 6.999 * u, 11 + frac + 5.999 * u))
    dob = d - np.round(age * 365.25).astype("timedelta64[D]")
    dob = np.minimum(dob, d)
    missing_dob = grp == "missing"
    dob = np.where(missing_dob, np.datetime64("NaT"), dob).astype("datetime64[D]")

    gender = _choice(rng, n, prof["gender"]).astype(object)
    gender[missing_dob] = "0"
    gender[gender == "missing"] = None

    eth_group = _choice(rng, n, prof["ethnicity"])
    eth = np.full(n, None, dtype=object)
    for g, cmap in _ETH_CODES.items():
        sel = eth_group == g
        if sel.any():
            eth[sel] = _choice(rng, int(sel.sum()), cmap)

    disabled = rng.random(n) < prof["disabled"]
    dis = np.full(n, "NONE", dtype=object)
    if disabled.any():
        dis[disabled] = _choice(rng, int(disabled.sum()), _DISABILITY)

    fsm = np.full(n, -1, dtype=np.int8)  # -1 = not recorded
    before = grp == "before_school_age"
    rec = before & (rng.random(n) < prof["fsm_before_recorded"])
    fsm[rec] = (rng.random(int(rec.sum())) < prof["fsm_before_yes"]).astype(np.int8)
    school = (grp == "primary") | (grp == "secondary")
    fsm[school] = _choice(rng, int(school.sum()), prof["fsm_school"]).astype(np.int8)
    return {"dob": dob, "gender": gender, "ethnicity": eth, "disability": dis, "fsm": fsm}


def _unmix(target: dict, other: dict, w: float) -> dict:
    """Profile so that a mixture (1-w) x result + w x other has the target's shares/means."""
    if w <= 0:
        return target
    out = dict(target)
    for key in ("acad", "gender", "ethnicity"):
        t, o = target[key], other[key]
        keys = sorted(set(t) | set(o))
        raw = {k: max((t.get(k, 0) - w * o.get(k, 0)) / (1 - w), 0.0) for k in keys}
        s = sum(raw.values())
        out[key] = {k: v / s for k, v in raw.items()}
    for key in ("age", "disabled"):
        out[key] = max((target[key] - w * other[key]) / (1 - w), 0.0)
    return out


# --------------------------------------------------------------------------------------------
# volume plan
# --------------------------------------------------------------------------------------------


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

    def weights(eq_key, las):
        wd = ass.get("la_weights", {}).get(eq_key, {})
        w = np.array([float(wd.get(x, 1.0)) for x in las])
        return dict(zip(las, w / w.sum()))

    def allocate(stream, eq, pre_p, pre_c, total, las_p, las_c, wkey=None, np_split=None):
        nonpre = total - pre_p - pre_c
        sp = np_split if np_split is not None else pre_p / (pre_p + pre_c)
        wp_pre = weights(wkey or eq, las_p)
        wc_pre = weights(wkey or eq, las_c)
        wp_np = weights(eq, las_p)
        wc_np = weights(eq, las_c)
        for lst, pre_tot, np_tot, wpre, wnp in ((las_p, pre_p, nonpre * sp, wp_pre, wp_np),
                                                 (las_c, pre_c, nonpre * (1 - sp), wc_pre, wc_np)):
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

    # rows lost between generation and the model (CEM, no birth date, ...): ``model_share``
    primary = {"assess": "eq3a", "care": "eq3d"}
    c_las = set(p3c + c3c)
    for stream, r in rates.items():
        for x in list(r):
            eq = primary.get(stream, "eq3c" if x in c_las else "eq3b")
            k = keep.get(eq, 1.0)
            r[x] = (r[x][0] / k, r[x][1] / k)

    rows = []
    for stream, r in rates.items():
        low_pre = float(np.min([v[0] for v in r.values()]))
        low_np = float(np.min([v[1] for v in r.values()]))
        for x in la["la"]:
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
        ok = np.flatnonzero(second_time[b] > first_ready[a[:len(b)]])[:k]
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
    share = np.broadcast_to(np.asarray(share, dtype=float), (n,))
    target = int(round(share.sum() / 2))
    role = np.zeros(n, dtype=np.int8)  # 0 free, 1 earlier record, 2 later record
    for _ in range(rounds):
        need = target - int((role == 2).sum())
        free = np.flatnonzero(role == 0)
        if need <= 0 or len(free) < 2:
            break
        pf = share[free] / share[free].sum()
        later = rng.choice(free, size=min(need, len(free) // 2, int((pf > 0).sum())), replace=False, p=pf)
        pool = np.setdiff1d(free, later, assume_unique=True)
        pool = pool[np.argsort(key[pool], kind="stable")]
        gap = np.ceil(rng.exponential(mean_gap_years * 365.25, len(later))).astype(np.int64)
        want = la_idx[later].astype(np.int64) * big + (t[later] - gap - t0)
        pos = np.searchsorted(key[pool], want, side="right") - 1
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


def _cells(info: "_LAInfo", la_idx, dates) -> np.ndarray:
    """Stratification cells for :func:`_quota`: LA x financial year x period (pre / settling /
    post, from the ramp weight)."""
    w, _ = info.weights(la_idx, dates)
    d = dates.astype("datetime64[D]")
    yr = d.astype("datetime64[Y]").astype(np.int64) + 1970
    mon = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    fy = yr + (mon >= 4)
    per = np.where(w <= 0, 0, np.where(w >= 1, 2, 1))
    return (la_idx.astype(np.int64) * 10000 + fy) * 10 + per


# --------------------------------------------------------------------------------------------
# record builders
# --------------------------------------------------------------------------------------------


def _durations(rng, n, shift, p_same, theta, tail):
    g = np.ceil(rng.gamma(GAMMA_SHAPE, theta, n) + shift)
    d = np.maximum(g, 1)
    t = rng.random(n) < tail
    d = np.where(t, rng.integers(77, 421, n), d)
    same = rng.random(n) < p_same
    return np.where(same, 0, d).astype(np.int64)


class _Outcomes:
    def __init__(self, info: _LAInfo, cal: dict, effects: dict, pretrends: dict):
        self.info, self.eff = info, effects
        # per-pilot multipliers of the true effects (mean 1 over each question's pilots)
        mult = cal["assumed"].get("effect_by_pilot") or {}
        self.mult = {k: np.array([float(mult.get(k, {}).get(la, 1.0)) for la in info.las]) for k in EFFECT_KEYS}
        pub = cal["published"]["pre_treatment_means"]
        tr = cal["assumed"]["trends"]
        self.tr = tr
        self.pretrend = pretrends
        self.base = {eq: (pub[eq]["outcome"]["pilot"], pub[eq]["outcome"]["comparator"]) for eq in EQS}
        self.p_same = float(cal["assumed"]["same_day_share_pre"])
        self.tail = float(cal["assumed"]["duration_tail_share"])
        self.theta = duration_theta(float(pub["eq3a"]["outcome"]["comparator"]), self.p_same, self.tail)

    def _pil(self, la_idx):
        return self.info.pilot[la_idx]

    def binary_p(self, eq, la_idx, dates):
        w, _ = self.info.weights(la_idx, dates)
        pil = self._pil(la_idx)
        bp, bc = self.base[eq]
        key = {"eq3b": "eq3b_rereferral", "eq3d": "eq3d_kinship"}[eq]
        p = np.where(pil, bp, bc) + self.tr[key] * w + self.eff[key] * self.mult[key][la_idx] * w * pil
        return np.clip(p, 0.001, 0.999)

    def escalation_p(self, la_idx, dates):
        w, _ = self.info.weights(la_idx, dates)
        pil = self._pil(la_idx)
        bp, bc = self.base["eq3c"]
        lo = np.log(np.where(pil, bp, bc) / (1 - np.where(pil, bp, bc)))
        k = "eq3c_escalation_logit"
        lo = lo + self.tr[k] * w + self.eff[k] * self.mult[k][la_idx] * w * pil
        return 1 / (1 + np.exp(-lo))

    def duration(self, rng, la_idx, start_dates, child_shift=None):
        w, pre = self.info.weights(la_idx, start_dates)
        pil = self._pil(la_idx)
        # effects/trends are on the mean duration (same-day assessments included): the shift of
        # the positive durations offsets the change in the share of same-day assessments
        mu_pos = self.base["eq3a"][1] / (1 - self.p_same)
        trend = (self.tr["eq3a_duration"] + self.tr["eq3a_same_day"] * mu_pos) / (1 - self.p_same)
        eff = (self.eff["eq3a_duration"] + self.eff["eq3a_same_day"] * mu_pos) / (1 - self.p_same)
        shift = trend * w + eff * w * pil
        shift = shift + self.pretrend.get("eq3a_duration", 0.0) * pre * pil
        if child_shift is not None:
            shift = shift + child_shift
        p_same = np.clip(self.p_same + self.tr["eq3a_same_day"] * w + self.eff["eq3a_same_day"] * w * pil, 0, 1)
        return _durations(rng, len(la_idx), shift, p_same, self.theta, self.tail)


class _Tables:
    """Accumulates rows of each table as dicts of arrays (concatenated at the end)."""

    def __init__(self):
        self.parts: dict[str, list[dict]] = {k: [] for k in
                                              ("children", "cin_referrals", "assessments", "section47", "cp_plans", "la_episodes")}

    def add(self, table, **cols):
        n = len(next(iter(cols.values())))
        if n:
            self.parts[table].append({k: (np.repeat(v, n) if np.ndim(v) == 0 else v) for k, v in cols.items()})

    def frame(self, table) -> pd.DataFrame:
        parts = self.parts[table]
        if not parts:
            return pd.DataFrame()
        keys = parts[0].keys()
        return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in keys})


def _referrals(rng, T: _Tables, ids, child, la_idx, ref_date, nfa_flag, closure, rc, end):
    n = len(ids)
    closure = np.where(closure > end, np.datetime64("NaT"), closure).astype("datetime64[D]")
    rc = np.where(np.isnat(closure), None, rc)
    T.add("cin_referrals", CINdetailsID=ids, LAchildID=child, la=la_idx, CINreferralDate=ref_date,
          ReferralSource=_choice(rng, n, {"6": .28, "2A": .18, "3B": .06, "3A": .05, "3E": .05, "3D": .04, "1A": .07,
                                          "1C": .01, "1B": .02, "5A": .05, "5B": .03, "8": .05, "9": .02, "10": .03,
                                          "4": .02, "7": .02, "2B": .01, "3C": .01}),
          PrimaryNeedCode=_choice(rng, n, {"N1": .52, "N2": .05, "N3": .04, "N4": .09, "N5": .17, "N6": .02,
                                            "N7": .01, "N8": .05, "N9": .03, "N0": .02}),
          ReferralNFA=nfa_flag.astype(np.int8), CINclosureDate=closure, ReasonForClosure=rc)


class _Ids:
    def __init__(self):
        self.next = {}

    def take(self, kind, n):
        s = self.next.get(kind, 1)
        self.next[kind] = s + n
        return np.arange(s, s + n, dtype=np.int64)


def _care_periods(rng, T: _Tables, child, la_idx, d0, kin, need, end):
    """SSDA903 episodes of periods of care starting on ``d0``; returns the period end dates
    (NaT when open at ``end``). ``kin``: placed with relatives/friends or SGO within 365 days."""
    n = len(child)
    r = rng.random(n)
    mode = np.where(kin, np.where(r < 0.5, "first", np.where(r < 0.8, "later", "sgo")),
                    np.where(r < 0.12, "late_kin", np.where(r < 0.16, "late_sgo", "none")))
    ls1 = _choice(rng, n, {"V2": .50, "C1": .35, "L2": .08, "L1": .04, "J1": .03})
    nonkin = {"U6": .58, "U4": .06, "U5": .02, "K2": .10, "P1": .08, "R3": .06, "R1": .03, "S1": .02, "H5": .02, "A5": .03}
    kinpl = {"U3": .70, "U1": .22, "U2": .08}
    pl1 = np.where(mode == "first", _choice(rng, n, kinpl), _choice(rng, n, nonkin))
    end_days = 30 + rng.exponential(420, n)
    change = np.full(n, np.nan)
    rne2 = np.full(n, None, dtype=object)
    pl2 = pl1.copy()
    ls2 = ls1.copy()
    # kin placement within / after the first year
    later = mode == "later"
    change[later] = rng.integers(1, 366, later.sum())
    late_k = mode == "late_kin"
    change[late_k] = rng.integers(366, 901, late_k.sum())
    kin_change = later | late_k
    pl2[kin_change] = _choice(rng, int(kin_change.sum()), kinpl)
    rne2[kin_change] = "P"
    # other changes: legal status C1 -> C2, or a move between non-kin placements
    other = (mode == "first") | (mode == "none")
    r2 = rng.random(n)
    legal = other & (ls1 == "C1") & (r2 < 0.4)
    change[legal] = rng.integers(30, 301, legal.sum())
    ls2[legal] = "C2"
    rne2[legal] = "L"
    move = (mode == "none") & ~legal & (r2 < 0.45)
    change[move] = rng.integers(14, 901, move.sum())
    pl2[move] = _choice(rng, int(move.sum()), nonkin)
    rne2[move] = "P"
    has_change = ~np.isnan(change)
    end_days = np.where(has_change, np.maximum(end_days, np.nan_to_num(change) + 30 + rng.exponential(200, n)), end_days)
    # special guardianship orders end the period
    sgo = mode == "sgo"
    end_days[sgo] = rng.integers(60, 366, sgo.sum())
    lsgo = mode == "late_sgo"
    end_days[lsgo] = rng.integers(366, 901, lsgo.sum())
    is_sgo = sgo | lsgo
    rec_end = _choice(rng, n, {"E4A": .40, "E4B": .05, "E11": .07, "E12": .05, "E41": .06, "E13": .06, "E3": .03,
                               "E5": .05, "E6": .02, "E8": .08, "E9": .02, "E14": .02, "E7": .01, "E16": .01})
    rec_end = np.where(is_sgo, _choice(rng, n, {"E43": .6, "E44": .4}), rec_end)
    end_days = np.floor(end_days).astype(np.int64)
    dend = d0 + end_days.astype("timedelta64[D]")
    open_ = dend > end
    dend = np.where(open_, np.datetime64("NaT"), dend).astype("datetime64[D]")
    rec_end = np.where(open_, None, rec_end)
    chg = d0 + np.nan_to_num(change).astype(np.int64).astype("timedelta64[D]")
    ep2 = has_change & (chg <= end) & (open_ | (chg < dend))
    dec1 = np.where(ep2, chg, dend).astype("datetime64[D]")
    rec1 = np.where(ep2, "X1", rec_end)
    T.add("la_episodes", CHILD=child, la=la_idx, DECOM=d0, RNE=np.repeat("S", n).astype(object), LS=ls1,
          CIN=need, PL=pl1, DEC=dec1, REC=rec1)
    T.add("la_episodes", CHILD=child[ep2], la=la_idx[ep2], DECOM=chg[ep2], RNE=rne2[ep2], LS=ls2[ep2],
          CIN=need[ep2], PL=pl2[ep2], DEC=dend[ep2], REC=rec_end[ep2])
    return dend


def _assessed_path(rng, T, ids, out: _Outcomes, child, la_idx, ref_date, end, closure_rc=None,
                   close_after=(20, 600), s47_share=0.0, rc_probs=None, child_shift=None):
    """Referrals with an assessment; returns (cin ids, auth dates). Optional s47/ICPC/plan."""
    n = len(child)
    cin = ids.take("cin", n)
    start = next_working_day(ref_date + rng.integers(0, 8, n).astype("timedelta64[D]"))
    dur = out.duration(rng, la_idx, start, child_shift)
    auth = add_working_days(start, dur)
    keep = start <= end
    auth = np.where(auth > end, np.datetime64("NaT"), auth).astype("datetime64[D]")
    closure = auth + rng.integers(close_after[0], close_after[1] + 1, n).astype("timedelta64[D]")
    if closure_rc is not None:
        rc = np.repeat(closure_rc, n).astype(object)
        closure = np.where(closure_rc == codes.NFA_AFTER_ASSESSMENT, auth, closure)
    else:
        rc = _choice(rng, n, rc_probs or {"RC7": .86, "RC5": .05, "RC6": .02, "RC3": .02, "RC4": .02, "RC1": .02,
                                           "RC2": .01})
    # section 47 / conference / plan
    s47 = (rng.random(n) < s47_share) & keep
    s47_date = start + rng.integers(0, 11, n).astype("timedelta64[D]")
    s47 &= s47_date <= end
    icpc = s47 & (rng.random(n) < ICPC_SHARE)
    icpc_date = add_working_days(s47_date, rng.integers(5, 16, n))
    icpc &= icpc_date <= end
    cpp = icpc & (rng.random(n) < CPP_SHARE)
    cpp_end = icpc_date + rng.integers(90, 701, n).astype("timedelta64[D]")
    closure = np.where(cpp, np.maximum(closure, cpp_end), closure)
    closure = np.where(np.isnat(auth), np.datetime64("NaT"), closure).astype("datetime64[D]")
    closure = np.where(keep, closure, np.datetime64("NaT")).astype("datetime64[D]")
    nk = int(s47.sum())
    T.add("section47", S47ID=ids.take("s47", nk), CINdetailsID=cin[s47], LAchildID=child[s47], la=la_idx[s47],
          S47ActualStartDate=s47_date[s47],
          DateOfInitialCPC=np.where(icpc, icpc_date, np.datetime64("NaT")).astype("datetime64[D]")[s47])
    nc = int(cpp.sum())
    T.add("cp_plans", CPPID=ids.take("cpp", nc), CINdetailsID=cin[cpp], LAchildID=child[cpp], la=la_idx[cpp],
          CPPstartDate=icpc_date[cpp],
          CPPendDate=np.where(cpp_end > end, np.datetime64("NaT"), cpp_end).astype("datetime64[D]")[cpp],
          InitialCategoryOfAbuse=_choice(rng, nc, {"NEG": .48, "EMO": .35, "PHY": .08, "SAB": .04, "MUL": .05}),
          NumberOfPreviousCPP=rng.choice([0, 0, 0, 1, 1, 2], nc).astype(np.int64))
    _referrals(rng, T, cin, child, la_idx, ref_date, np.zeros(n, bool), closure, rc, end)
    T.add("assessments", AssessmentID=ids.take("ass", int(keep.sum())), CINdetailsID=cin[keep], LAchildID=child[keep],
          la=la_idx[keep], AssessmentActualStartDate=start[keep], AssessmentAuthorisationDate=auth[keep])
    return cin, auth, start


def generate(seed: int = 0, scale: float = 1.0, true_effects=None, settling_in: dict | None = None, *,
             pretrends: dict | None = None, calibration: dict | None = None) -> NPDExtract:
    """Generate a synthetic extract (see the module docstring for the model).

    Parameters
    ----------
    seed:
        Seed of ``numpy.random.SeedSequence``; equal parameters give byte-identical tables.
    scale:
        Multiplies every volume (1.0 = the published population sizes, about 1.2 million
        records over all tables; 8.2 gives about 10 million records, which takes about
        30 s and 2.6 GB of memory).
    true_effects:
        ``None`` = the published DiD estimates (:func:`published_effects`); ``0`` = the null
        world; or a dict over :data:`EFFECT_KEYS` overriding some of them (EQ3a in working
        days and proportions, EQ3b/EQ3d in proportions, EQ3c in log-odds).
    settling_in:
        ``{"Pilot 2": 3.0, ...}``: settling-in lengths in years replacing the assumed ones.
    pretrends:
        Differential pilot pre-trends; default ``calibration.yml`` ``assumed.pretrends``
        (``{"eq3a_duration": -1.5}`` working days a year); ``{}`` for none.
    """
    t0 = time.perf_counter()
    cal = calibration or load_calibration()
    effects = _resolve_effects(true_effects, cal)
    pretrends = dict(cal["assumed"].get("pretrends", {})) if pretrends is None else dict(pretrends)
    design = default_design(settling_in, cal)
    info = _LAInfo(design, cal)
    out = _Outcomes(info, cal, effects, pretrends)
    plan = volume_plan(design, cal, effects)
    end = info.data_end
    ss = np.random.SeedSequence(int(seed))
    r_nfa, r_care, r_ass, r_kids, r_pair = (np.random.default_rng(s) for s in ss.spawn(5))
    T, ids = _Tables(), _Ids()
    repeated = cal["assumed"]["repeated_share"]
    eq3c_las = {x for p, cs in design.groups["eq3c"].items() for x in [p, *cs]}

    # ---- NFA stream --------------------------------------------------------------------
    la_n, ref = _realise(r_nfa, plan[plan["stream"] == "nfa"], info, scale)
    n = len(la_n)
    at_ass = r_nfa.random(n) < P_NFA_AT_ASSESSMENT
    closure = ref.copy()
    child_n = ids.take("child", n)
    _, auth_a, _ = _assessed_path(r_nfa, T, ids, out, child_n[at_ass], la_n[at_ass], ref[at_ass], end,
                                            closure_rc=codes.NFA_AFTER_ASSESSMENT)
    closure[at_ass] = auth_a
    nref = ~at_ass
    cin_r = ids.take("cin", int(nref.sum()))
    _referrals(r_nfa, T, cin_r, child_n[nref], la_n[nref], ref[nref], np.ones(int(nref.sum()), bool),
               ref[nref], np.repeat("RC8", int(nref.sum())).astype(object), end)
    closed = ~np.isnat(closure)
    # outcomes
    cl = np.where(closed, closure, ref)
    p_b = out.binary_p("eq3b", la_n, cl)
    y_b = closed & (r_nfa.random(n) < p_b)
    p_c = out.escalation_p(la_n, cl)
    # escalation among the re-referred: stratified (LA x financial year x period), see _quota
    y_c = np.zeros(n, dtype=bool)
    y_c[y_b] = _quota(r_nfa, np.minimum(p_c / p_b, 1.0)[y_b], _cells(info, la_n[y_b], cl[y_b]))
    six = pd.DatetimeIndex(cl).to_series().add(pd.DateOffset(months=6)).to_numpy().astype("datetime64[D]")
    wlen = (six - cl).astype(np.int64)
    rr = np.where(y_b, cl + np.ceil(r_nfa.random(n) * wlen).clip(1).astype(np.int64).astype("timedelta64[D]"),
                  six + r_nfa.integers(1, 541, n).astype("timedelta64[D]"))
    has_rr = (y_b | (closed & (r_nfa.random(n) < P_LATE_REREFERRAL))) & (rr <= end)
    # re-referrals are assessed and continue (closed RC7 or open); escalations add a plan or care
    idx = np.flatnonzero(has_rr)
    cin_rr, _, _ = _assessed_path(r_nfa, T, ids, out, child_n[idx], la_n[idx], rr[idx], end,
                                  rc_probs={"RC7": .95, "RC5": .05})
    esc = y_c[idx]
    # (children drawn below; escalations need DOBs, so they are built after the children)
    pending_esc = (idx[esc], cin_rr[esc], rr[idx][esc])
    nfa_ready = np.where(closed, six, np.datetime64("2100-01-01")).astype("datetime64[D]")

    # ---- children of the NFA stream (profiles EQ3c in EQ3c LAs, EQ3b elsewhere) ---------
    prof_b = {r: _profile(cal, "eq3b", r) for r in ("pilot", "comparator")}
    prof_c = {r: _profile(cal, "eq3c", r) for r in ("pilot", "comparator")}
    in3c = np.isin(np.array(info.las, dtype=object)[la_n], list(eq3c_las))
    # EQ3b's published means mix both: unmix the EQ3b profile by the EQ3c share of EQ3b's units
    b_las = {x for p, cs in design.groups["eq3b"].items() for x in [p, *cs]}
    inb = np.isin(np.array(info.las, dtype=object)[la_n], list(b_las))
    pre_n = ref < info.start[la_n]
    parent = _pair(r_pair, la_n, nfa_ready, ref, float(repeated["eq3b"]), bin_days=730)
    kids_nfa = {}
    pil_n = info.pilot[la_n]
    for role, rmask in (("pilot", pil_n), ("comparator", ~pil_n)):
        base_b = inb & pre_n & rmask
        w3c = float((base_b & in3c).sum() / max(base_b.sum(), 1))
        for use_c in (True, False):
            sel = rmask & (in3c == use_c)
            if not sel.any():
                continue
            prof = prof_c[role] if use_c else _unmix(prof_b[role], prof_c[role], w3c)
            kids_nfa[(role, use_c)] = (sel, _draw_children(r_kids, ref[sel], prof, AGE_GAP["nfa"] * repeated["eq3b"] / 2))
    dob_n = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    gen_n = np.full(n, None, dtype=object)
    eth_n = np.full(n, None, dtype=object)
    dis_n = np.full(n, None, dtype=object)
    fsm_n = np.full(n, -1, dtype=np.int8)
    for sel, k in kids_nfa.values():
        dob_n[sel], gen_n[sel], eth_n[sel], dis_n[sel], fsm_n[sel] = k["dob"], k["gender"], k["ethnicity"], k["disability"], k["fsm"]
    first = parent < 0
    T.add("children", child_id=child_n[first], la=la_n[first], PersonBirthDate=dob_n[first], GenderCurrent=gen_n[first],
          Ethnicity=eth_n[first], Disability=dis_n[first], FSMeligible=fsm_n[first])
    # repeated children: later units take the earlier unit's child id (and characteristics)
    remap = child_n.copy()
    remap[~first] = child_n[parent[~first]]
    dob_eff = np.where(first, dob_n, dob_n[np.maximum(parent, 0)])
    for tname, col in (("cin_referrals", "LAchildID"), ("assessments", "LAchildID"), ("section47", "LAchildID"),
                       ("cp_plans", "LAchildID")):
        for part in T.parts[tname]:
            part[col] = _remap_ids(part[col], child_n, remap)

    # escalations: a plan (via s47 and conference) or a period of care within 6 months
    e_idx, e_cin, e_rr = pending_esc
    to_cpp = (r_nfa.random(len(e_idx)) < P_ESCALATE_TO_CPP) | np.isnat(dob_eff[e_idx])
    ci = e_idx[to_cpp]
    s47d = e_rr[to_cpp] + r_nfa.integers(0, 31, len(ci)).astype("timedelta64[D]")
    icpc = add_working_days(s47d, r_nfa.integers(5, 16, len(ci)))
    okc = icpc <= end
    ci, s47d, icpc, ccin = ci[okc], s47d[okc], icpc[okc], e_cin[to_cpp][okc]
    T.add("section47", S47ID=ids.take("s47", len(ci)), CINdetailsID=ccin, LAchildID=remap[ci], la=la_n[ci],
          S47ActualStartDate=s47d, DateOfInitialCPC=icpc)
    cend = icpc + r_nfa.integers(90, 701, len(ci)).astype("timedelta64[D]")
    T.add("cp_plans", CPPID=ids.take("cpp", len(ci)), CINdetailsID=ccin, LAchildID=remap[ci], la=la_n[ci],
          CPPstartDate=icpc, CPPendDate=np.where(cend > end, np.datetime64("NaT"), cend).astype("datetime64[D]"),
          InitialCategoryOfAbuse=_choice(r_nfa, len(ci), {"NEG": .5, "EMO": .35, "PHY": .1, "SAB": .05}),
          NumberOfPreviousCPP=np.zeros(len(ci), np.int64))
    _fix_closures_after_plans(T, ccin, cend, end)
    li = e_idx[~to_cpp]
    d0 = e_rr[~to_cpp] + r_nfa.integers(1, 121, len(li)).astype("timedelta64[D]")
    okl = d0 <= end
    li, d0 = li[okl], d0[okl]
    esc_need = _choice(r_nfa, len(li), {"N1": .8, "N4": .05, "N5": .1, "N3": .05})
    _care_periods(r_care, T, remap[li], la_n[li], d0, r_care.random(len(li)) < out.binary_p("eq3d", la_n[li], d0),
                  esc_need, end)

    # ---- care stream -------------------------------------------------------------------
    done = T.frame("la_episodes")
    done = done[done["RNE"] == "S"] if len(done) else done
    c_plan = _subtract(plan[plan["stream"] == "care"], done, "la", "DECOM", info, scale)
    la_c, d0c = _realise(r_care, c_plan, info, 1.0)
    nc = len(la_c)
    child_c = ids.take("child", nc)
    kin = _quota(r_care, out.binary_p("eq3d", la_c, d0c), _cells(info, la_c, d0c))
    pil_c = info.pilot[la_c]
    dob_c = np.empty(nc, dtype="datetime64[D]")
    gen_c = np.empty(nc, dtype=object)
    eth_c = np.empty(nc, dtype=object)
    dis_c = np.empty(nc, dtype=object)
    fsm_c = np.empty(nc, dtype=np.int8)
    need_c = np.empty(nc, dtype=object)
    for role, sel in (("pilot", pil_c), ("comparator", ~pil_c)):
        prof = _profile(cal, "eq3d", role)
        k = _draw_children(r_kids, d0c[sel], prof, AGE_GAP["care"] * repeated["eq3d"] / 2)
        dob_c[sel], gen_c[sel], eth_c[sel], dis_c[sel], fsm_c[sel] = k["dob"], k["gender"], k["ethnicity"], k["disability"], k["fsm"]
        need_c[sel] = _choice(r_kids, int(sel.sum()), prof["main_need"])
    gen_c = np.where(gen_c == None, "1", gen_c)  # noqa: E711  (SSDA903 needs a sex)
    gen_c = np.where(gen_c == "0", "2", gen_c)
    # repeated children: linked before the episodes are written (a later period may repeat
    # the earlier period's kinship status, see calibration.yml assumed.repeated_children);
    # links whose earlier period is still open when the later one starts are dropped after
    rep_cal = cal["assumed"]["repeated_children"]
    parent_c = _pair(r_pair, la_c, d0c + np.timedelta64(366, "D"), d0c,
                     float(repeated["eq3d"]) / float(rep_cal["eq3d_link_kept"]), bin_days=1095)
    linked = parent_c >= 0
    copy = linked & (r_care.random(nc) < float(rep_cal["eq3d_same_status"]))
    kin[copy] = kin[parent_c[copy]]
    pend = _care_periods(r_care, T, child_c, la_c, d0c, kin, need_c, end)
    pend_par = pend[np.maximum(parent_c, 0)]
    parent_c[linked & (np.isnat(pend_par) | (pend_par >= d0c))] = -1
    first_c = parent_c < 0
    remap_c = child_c.copy()
    remap_c[~first_c] = child_c[parent_c[~first_c]]
    for part in T.parts["la_episodes"]:
        part["CHILD"] = _remap_ids(part["CHILD"], child_c, remap_c)
    T.add("children", child_id=child_c[first_c], la=la_c[first_c], PersonBirthDate=dob_c[first_c],
          GenderCurrent=gen_c[first_c], Ethnicity=eth_c[first_c], Disability=dis_c[first_c], FSMeligible=fsm_c[first_c])
    # short breaks (V3), excluded from the EQ3d population
    nsb = int(round(nc * P_SHORT_BREAK))
    sb = r_care.choice(nc, nsb, replace=False) if nsb else np.array([], dtype=np.int64)
    sb = np.sort(sb)
    sb_child = ids.take("child", nsb)
    k = _draw_children(r_kids, d0c[sb], _profile(cal, "eq3d", "comparator"))
    sbg = np.where((k["gender"] == None) | (k["gender"] == "0"), "1", k["gender"])  # noqa: E711
    T.add("children", child_id=sb_child, la=la_c[sb], PersonBirthDate=k["dob"], GenderCurrent=sbg,
          Ethnicity=k["ethnicity"], Disability=np.repeat("LD", nsb).astype(object), FSMeligible=k["fsm"])
    sb_start = d0c[sb]
    sb_end = sb_start + r_care.integers(2, 8, nsb).astype("timedelta64[D]")
    sb_end = np.where(sb_end > end, np.datetime64("NaT"), sb_end).astype("datetime64[D]")
    T.add("la_episodes", CHILD=sb_child, la=la_c[sb], DECOM=sb_start, RNE=np.repeat("S", nsb).astype(object),
          LS=np.repeat("V3", nsb).astype(object), CIN=np.repeat("N2", nsb).astype(object),
          PL=_choice(r_care, nsb, {"U6": .6, "K2": .4}), DEC=sb_end,
          REC=np.where(np.isnat(sb_end), None, "E4A").astype(object))

    # ---- assessment stream (residual to the EQ3a targets) --------------------------------
    a_plan = plan[plan["stream"] == "assess"].copy()
    a_las = {x for p, cs in design.groups["eq3a"].items() for x in [p, *cs]}
    # inflate for assessments excluded by the 76-day cut-off (average shift in the segment)
    infl = []
    for _, r in a_plan.iterrows():
        ci_ = info.code[r["la"]]
        if r["segment"] == "pre":
            shift = 0.0
        else:
            s0, p0 = info.start[ci_], info.post[ci_]
            e0 = _d(r["end"])
            ramp = (p0 - s0).astype(float)
            tot = (e0 - s0).astype(float)
            wbar = (max(tot - ramp, 0) + min(ramp, tot) ** 2 / (2 * ramp)) / tot if tot > 0 else 0.0
            shift = wbar * (out.tr["eq3a_duration"] + effects["eq3a_duration"] * info.pilot[ci_]) / (1 - out.p_same)
        q = _excluded_share(out.theta, shift, out.p_same, out.tail)
        if r["segment"] != "pre":  # assessments still open at the end of the data
            cal_days = (GAMMA_SHAPE * out.theta + shift + out.tail * 250) * 7 / 5 + 4
            q = q + cal_days / max((_d(r["end"]) - info.start[ci_]).astype(float), 1.0)
        infl.append(1.0 / (1.0 - q))
    units0 = float(a_plan["units"].sum())
    a_plan["units"] = a_plan["units"].to_numpy() * np.array(infl)
    kept = units0 / float(a_plan["units"].sum())  # share of assessments kept in the population
    # subtract assessments already made by the other streams, per LA and segment
    other = T.frame("assessments")
    a_plan = _subtract(a_plan, other, "la", "AssessmentActualStartDate", info, scale)
    la_a, ref_a = _realise(r_ass, a_plan, info, 1.0)
    na = len(la_a)
    child_a = ids.take("child", na)
    a_codes = np.array([info.code[x] for x in a_las])
    # characteristics: EQ3a profile, corrected (per group) for the other streams' assessments
    # in the EQ3a LAs before the SofS start, whose children follow the EQ3b/EQ3c profiles
    oc = other["la"].to_numpy().astype(np.int64)
    od = other["AssessmentActualStartDate"].to_numpy().astype("datetime64[D]")
    o_in = np.isin(oc, a_codes)
    o_pre = od < info.start[oc]
    kids_so_far = T.frame("children")
    in_a1 = np.isin(la_a, a_codes)
    pre_a1 = ref_a < info.start[la_a]
    pil_a = info.pilot[la_a]
    profs = {}
    for role, is_p in (("pilot", True), ("comparator", False)):
        sel_o = o_in & o_pre & (info.pilot[oc] == is_p)
        n1 = int((in_a1 & pre_a1 & (pil_a == is_p)).sum())
        w = sel_o.sum() / max(sel_o.sum() + n1, 1)
        target = _profile(cal, "eq3a", role)
        if sel_o.any():
            realised = _realised_profile(kids_so_far, other["LAchildID"].to_numpy()[sel_o], od[sel_o])
            profs[(role, True)] = _unmix(target, realised, float(w))
        else:
            profs[(role, True)] = target
        profs[(role, False)] = target
    # repeated children: enough pairs that the EQ3a LAs reach the target share overall
    s_a = float(repeated["eq3a"])
    o_child = other["LAchildID"].to_numpy()[o_in]
    vc = pd.Series(o_child).value_counts()
    rep_o = int(vc[vc > 1].sum())
    n1_all = int(in_a1.sum())
    share1 = float(np.clip((s_a * (n1_all + o_in.sum()) - rep_o) / max(n1_all, 1), 0.0, 0.95))
    share1 = min(share1 / kept, 0.95)  # pairs broken when one record is excluded
    rep_cal = cal["assumed"]["repeated_children"]
    # links cross periods, so a group's pre-treatment share of repeated children depends on its
    # dates: a first pass measures it and the second corrects each group's share so that both
    # groups' pre-treatment shares are the calibrated one (the Ns of Table A10.3)
    gap_y = float(rep_cal["eq3a_mean_gap_years"])
    ready_a = ref_a + np.timedelta64(60, "D")
    pre_a0 = (ref_a < info.start[la_a]) & np.isin(la_a, a_codes)
    sh = np.full(na, share1)
    pass1 = _pair_gaps(np.random.default_rng(r_pair.integers(2**63)), la_a, ready_a, ref_a, sh, gap_y)
    rep1 = np.zeros(na, dtype=bool)
    rep1[pass1 >= 0] = True
    rep1[pass1[pass1 >= 0]] = True
    for is_p in (True, False):
        g = info.pilot[la_a] == is_p
        got = rep1[g & pre_a0].mean() if (g & pre_a0).any() else share1
        sh[g] = np.clip(share1 * (s_a + share1) / 2 / max(got, 1e-6), 0.0, 0.95)
    parent_a = _pair_gaps(r_pair, la_a, ready_a, ref_a, sh, gap_y)
    first_a = parent_a < 0
    root_a = np.where(first_a, np.arange(na), parent_a)
    # persistent child component of durations (working days), shared by a child's records
    u_a = r_pair.normal(0.0, float(rep_cal["eq3a_child_sd_days"]), na)[root_a]
    gap_a = np.where(first_a, 0, (ref_a - ref_a[np.maximum(parent_a, 0)]).astype(np.int64)) / 365.25
    _assessed_path(r_ass, T, ids, out, child_a, la_a, ref_a, end, s47_share=S47_SHARE, child_shift=u_a)
    dob_a = np.empty(na, dtype="datetime64[D]")
    gen_a = np.empty(na, dtype=object)
    eth_a = np.empty(na, dtype=object)
    dis_a = np.empty(na, dtype=object)
    fsm_a = np.empty(na, dtype=np.int8)
    for (role, inside), prof in profs.items():
        sel = (pil_a == (role == "pilot")) & (in_a1 == inside)
        if not sel.any():
            continue
        for seg in (pre_a1, ~pre_a1):  # later records are older by their gap, more so after the start
            ss_ = sel & seg
            if not ss_.any():
                continue
            k = _draw_children(r_kids, ref_a[ss_], prof, float(gap_a[ss_].mean()))
            dob_a[ss_], gen_a[ss_], eth_a[ss_], dis_a[ss_], fsm_a[ss_] = (k["dob"], k["gender"], k["ethnicity"],
                                                                         k["disability"], k["fsm"])
    remap_a = child_a.copy()
    remap_a[~first_a] = child_a[parent_a[~first_a]]
    T.add("children", child_id=child_a[first_a], la=la_a[first_a], PersonBirthDate=dob_a[first_a],
          GenderCurrent=gen_a[first_a], Ethnicity=eth_a[first_a], Disability=dis_a[first_a], FSMeligible=fsm_a[first_a])
    for tname in ("cin_referrals", "assessments", "section47", "cp_plans"):
        for part in T.parts[tname]:
            part["LAchildID"] = _remap_ids(part["LAchildID"], child_a, remap_a)

    extract = _assemble(T, info)
    extract.design = design
    extract.params = {"seed": int(seed), "scale": float(scale), "true_effects": effects,
                      "settling_in": dict(design.settling_years), "pretrends": pretrends,
                      "seconds": round(time.perf_counter() - t0, 2)}
    return extract


def _subtract(plan: pd.DataFrame, done: pd.DataFrame, la_col: str, date_col: str, info: _LAInfo, scale: float) -> pd.DataFrame:
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


_ETH_FROM_LABEL = {"White": "white", "Mixed": "mixed", "Asian": "asian", "Black": "black",
                   "Any other ethnic group": "any_other", "Unclassified": "unclassified", "Missing": "missing"}
_ACAD_FROM_LABEL = {"before school age": "before_school_age", "primary": "primary", "secondary": "secondary",
                    "missing": "missing"}
_GENDER_FROM_LABEL = {"male": "1", "female": "2", "not recorded/unborn": "0", "missing": "missing"}


def _realised_profile(children_raw: pd.DataFrame, child_ids: np.ndarray, dates: np.ndarray) -> dict:
    """The characteristics (profile layout) of records already generated, for :func:`_unmix`."""
    from .derive import add_covariates

    ch = pd.DataFrame({
        "child_id": children_raw["child_id"].to_numpy(),
        "PersonBirthDate": pd.Series(children_raw["PersonBirthDate"].to_numpy().astype("datetime64[D]")).astype("datetime64[s]"),
        "GenderCurrent": children_raw["GenderCurrent"].to_numpy(), "Ethnicity": children_raw["Ethnicity"].to_numpy(),
        "Disability": children_raw["Disability"].to_numpy(),
        "FSMeligible": pd.array(np.where(children_raw["FSMeligible"] < 0, pd.NA, children_raw["FSMeligible"]), dtype="Int8"),
    })
    df = pd.DataFrame({"child_id": child_ids, "event_date": pd.Series(dates.astype("datetime64[D]")).astype("datetime64[s]")})
    cov = add_covariates(df, ch)
    share = lambda col, m: cov[col].map(m).value_counts(normalize=True).to_dict()  # noqa: E731
    acad = share("academic_year", _ACAD_FROM_LABEL)
    gender = share("gender", _GENDER_FROM_LABEL)
    gender["0"] = max(gender.get("0", 0.0) - acad.get("missing", 0.0), 0.0)
    return {"acad": acad, "gender": gender, "ethnicity": share("ethnicity", _ETH_FROM_LABEL),
            "age": float(cov["age"].mean()), "disabled": float(cov["disabled"].mean())}


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


def _fix_closures_after_plans(T: _Tables, cin_ids, plan_end, end):
    """Keep CIN closure on or after the end of a plan of the episode (CIN rule 8565)."""
    if len(cin_ids) == 0:
        return
    pe = pd.Series(plan_end, index=cin_ids)
    for part in T.parts["cin_referrals"]:
        ids = part["CINdetailsID"]
        hit = np.isin(ids, cin_ids)
        if not hit.any():
            continue
        pend = pe.reindex(ids[hit]).to_numpy().astype("datetime64[D]")
        cur = part["CINclosureDate"][hit]
        newc = np.where(np.isnat(cur), cur, np.maximum(cur, pend))
        newc = np.where(newc > end, np.datetime64("NaT"), newc).astype("datetime64[D]")
        part["CINclosureDate"] = part["CINclosureDate"].copy()
        part["CINclosureDate"][hit] = newc
        rc = part["ReasonForClosure"].copy()
        rc[hit] = np.where(np.isnat(newc), None, rc[hit])
        part["ReasonForClosure"] = rc


def _close_before_next(ref: pd.DataFrame) -> pd.DataFrame:
    """Keep each child's CIN episodes in an LA apart (no episode referred while an earlier one
    is open, as real extracts must be): an episode still open, or closed after the child's next
    referral, is closed on the day of that referral (reason RC7, services ceased, if it had
    none). Which streams' records collide this way is a by-product of linking repeated
    children; only closures of episodes that are no analysis unit's date move (NFA units close
    on their referral or assessment day, before the links' next referral)."""
    d = ref.sort_values(["LAchildID", "la", "CINreferralDate", "CINdetailsID"])
    nxt_same = (d["LAchildID"].shift(-1).eq(d["LAchildID"]) & d["la"].shift(-1).eq(d["la"])).to_numpy()
    nxt_ref = d["CINreferralDate"].shift(-1)
    bad = nxt_same & (d["CINclosureDate"].isna() | (d["CINclosureDate"] > nxt_ref)).to_numpy()
    if not bad.any():
        return ref
    idx = d.index[bad]
    out = ref.copy()
    out.loc[idx, "CINclosureDate"] = nxt_ref[bad].to_numpy()
    rc = out["ReasonForClosure"]
    fill = idx[rc.loc[idx].isna().to_numpy()]
    out.loc[fill, "ReasonForClosure"] = "RC7"
    return out


def _dates(a) -> pd.Series:
    return pd.Series(np.asarray(a, dtype="datetime64[D]")).astype("datetime64[s]")


def _assemble(T: _Tables, info: _LAInfo) -> NPDExtract:
    las = pd.CategoricalDtype(info.las)

    def la_col(x):
        return pd.Categorical.from_codes(np.asarray(x, dtype=np.int64), dtype=las)

    def cat(x, cats):
        return pd.Categorical(pd.Series(x, dtype=object), categories=list(cats))

    ch = T.frame("children")
    children = pd.DataFrame({
        "child_id": ch["child_id"].astype(np.int64), "la": la_col(ch["la"]),
        "PersonBirthDate": _dates(ch["PersonBirthDate"]),
        "GenderCurrent": cat(ch["GenderCurrent"], codes.GENDER), "Ethnicity": cat(ch["Ethnicity"], codes.ETHNICITY),
        "Disability": cat(ch["Disability"], codes.DISABILITY),
        "FSMeligible": pd.array(np.where(ch["FSMeligible"] < 0, pd.NA, ch["FSMeligible"]), dtype="Int8"),
    }).sort_values("child_id", ignore_index=True)

    r = T.frame("cin_referrals")
    cin_referrals = pd.DataFrame({
        "CINdetailsID": r["CINdetailsID"].astype(np.int64), "LAchildID": r["LAchildID"].astype(np.int64),
        "la": la_col(r["la"]), "CINreferralDate": _dates(r["CINreferralDate"]),
        "ReferralSource": cat(r["ReferralSource"], codes.REFERRAL_SOURCE),
        "PrimaryNeedCode": cat(r["PrimaryNeedCode"], codes.PRIMARY_NEED),
        "ReferralNFA": r["ReferralNFA"].astype(np.int8), "CINclosureDate": _dates(r["CINclosureDate"]),
        "ReasonForClosure": cat(r["ReasonForClosure"], codes.REASON_FOR_CLOSURE),
    }).sort_values("CINdetailsID", ignore_index=True)
    cin_referrals = _close_before_next(cin_referrals)

    a = T.frame("assessments")
    assessments = pd.DataFrame({
        "AssessmentID": a["AssessmentID"].astype(np.int64), "CINdetailsID": a["CINdetailsID"].astype(np.int64),
        "LAchildID": a["LAchildID"].astype(np.int64), "la": la_col(a["la"]),
        "AssessmentActualStartDate": _dates(a["AssessmentActualStartDate"]),
        "AssessmentAuthorisationDate": _dates(a["AssessmentAuthorisationDate"]),
    }).sort_values("AssessmentID", ignore_index=True)

    s = T.frame("section47")
    section47 = pd.DataFrame({
        "S47ID": s["S47ID"].astype(np.int64), "CINdetailsID": s["CINdetailsID"].astype(np.int64),
        "LAchildID": s["LAchildID"].astype(np.int64), "la": la_col(s["la"]),
        "S47ActualStartDate": _dates(s["S47ActualStartDate"]), "DateOfInitialCPC": _dates(s["DateOfInitialCPC"]),
    }).sort_values("S47ID", ignore_index=True)

    c = T.frame("cp_plans")
    cp_plans = pd.DataFrame({
        "CPPID": c["CPPID"].astype(np.int64), "CINdetailsID": c["CINdetailsID"].astype(np.int64),
        "LAchildID": c["LAchildID"].astype(np.int64), "la": la_col(c["la"]),
        "CPPstartDate": _dates(c["CPPstartDate"]), "CPPendDate": _dates(c["CPPendDate"]),
        "InitialCategoryOfAbuse": cat(c["InitialCategoryOfAbuse"], codes.CATEGORY_OF_ABUSE),
        "NumberOfPreviousCPP": c["NumberOfPreviousCPP"].astype(np.int64),
    }).sort_values("CPPID", ignore_index=True)

    e = T.frame("la_episodes")
    la_episodes = pd.DataFrame({
        "CHILD": e["CHILD"].astype(np.int64), "la": la_col(e["la"]), "DECOM": _dates(e["DECOM"]),
        "RNE": cat(e["RNE"], codes.RNE), "LS": cat(e["LS"], codes.LEGAL_STATUS), "CIN": cat(e["CIN"], codes.PRIMARY_NEED),
        "PL": cat(e["PL"], codes.PLACEMENT), "DEC": _dates(e["DEC"]), "REC": cat(e["REC"], codes.REASON_EPISODE_CEASED),
    }).sort_values(["CHILD", "DECOM"], ignore_index=True)

    # SSDA903 header: one row per child and LA with episodes, from the child record
    hk = la_episodes[["CHILD", "la"]].drop_duplicates(ignore_index=True)
    chi = children.set_index("child_id")
    sex = chi["GenderCurrent"].astype(object).reindex(hk["CHILD"]).to_numpy()
    sex = np.where(np.isin(sex, ["1", "2"]), sex, "1")
    dob = chi["PersonBirthDate"].reindex(hk["CHILD"]).to_numpy()
    la_header = pd.DataFrame({
        "CHILD": hk["CHILD"], "la": hk["la"], "SEX": cat(sex, codes.SEX),
        "DOB": pd.Series(dob).astype("datetime64[s]"),
        "ETHNIC": cat(chi["Ethnicity"].astype(object).reindex(hk["CHILD"]).to_numpy(), codes.ETHNICITY),
    }).sort_values(["CHILD", "la"], ignore_index=True)
    return NPDExtract(children=children, cin_referrals=cin_referrals, assessments=assessments, section47=section47,
                      cp_plans=cp_plans, la_header=la_header, la_episodes=la_episodes)
