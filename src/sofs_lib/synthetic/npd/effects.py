"""True effects, structural constants and the duration model of the synthetic NPD extract."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import optimize, stats

from sofs_lib.sources.npd.design import load_calibration

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
    over = cal.get("assumed", {}).get("default_effects") or {}
    return {
        **out,
        **{k: float(v["value"] if isinstance(v, dict) else v) for k, v in over.items() if k in out},
    }


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
