"""Built-in effects of the synthetic extract beside the estimates that should recover them.

The generator's true effects are the same for every pilot unless ``calibration.yml``
``assumed.effect_by_pilot`` says otherwise (empty by default), so a column that leaves pilots
out has, as built-in effect, the mean multiplier of the pilots it keeps times the effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.chapters.did.analysis import EQ_INFO

#: Question -> (effect key of the generator, the scale of the main estimate).
EFFECT_OF = {
    "eq3a": ("eq3a_duration", "working days"),
    "eq3b": ("eq3b_rereferral", "probability"),
    "eq3c": ("eq3c_escalation_logit", "log-odds"),
    "eq3d": ("eq3d_kinship", "probability"),
}


def built_in(effects: dict, multipliers: dict, key: str, pilots: list[str]) -> float:
    """The average built-in effect over ``pilots`` (multiplier 1 for a pilot not listed)."""
    if key not in effects or not pilots:
        return np.nan
    m = multipliers.get(key, {}) or {}
    return float(effects[key]) * float(np.mean([float(m.get(p, 1.0)) for p in pilots]))


def covers(lo: float, hi: float, value: float) -> bool:
    return bool(np.isfinite(lo) and np.isfinite(hi) and lo <= value <= hi)


def recovery_table(an, multipliers: dict | None = None) -> pd.DataFrame:
    """Per question and column (main model, the other linear model, each sensitivity column):
    built-in effect, estimate, 95% CI and whether the CI covers the built-in effect. Columns
    whose estimate is on another scale than the built-in effect (a logit replaced by its linear
    probability model) get no built-in effect."""
    if multipliers is None:
        from sofs_lib.sources import npd

        multipliers = npd.load_calibration()["assumed"].get("effect_by_pilot") or {}
    rows = []
    for eq, info in EQ_INFO.items():
        r = an.result(eq)
        key, scale = EFFECT_OF[eq]
        pilots = sorted(an.design.groups[eq])
        cols = [("Main model", r.fits["main"], pilots)]
        for other in ("linear_main", "fe_main"):
            f = r.fits.get(other)
            if f is not None and f is not r.fits["main"] and eq != "eq3c":
                cols.append((f"{f.model} model", f, pilots))
        for label, excl in info["exclusions"]:
            if label in r.fits:
                cols.append((label, r.fits[label], [p for p in pilots if p not in excl]))
        if "Alternative cut-off" in r.fits:
            cols.append(("Alternative cut-off", r.fits["Alternative cut-off"], pilots))
        for label, f, kept in cols:
            same_scale = (f.model == "logit") == (eq == "eq3c")
            true = built_in(an.true_effects, multipliers, key, kept) if same_scale else np.nan
            lo, hi = f.get("did", "lo"), f.get("did", "hi")
            rows.append(
                {
                    "question": info["short"],
                    "column": label,
                    "model": f.model,
                    "scale": scale,
                    "built-in effect": true,
                    "estimate": f.get("did"),
                    "95% CI low": lo,
                    "95% CI high": hi,
                    "bias": f.get("did") - true if np.isfinite(true) else np.nan,
                    "CI covers the built-in effect": ("yes" if covers(lo, hi, true) else "no")
                    if np.isfinite(true)
                    else "–",
                }
            )
    return pd.DataFrame(rows)
