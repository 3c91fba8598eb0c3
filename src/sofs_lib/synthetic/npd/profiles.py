"""Child characteristics drawn from the pre-treatment profiles of Tables A10.3/A10.4."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.npd import codes
from sofs_lib.synthetic.npd.base import _categorical, _choice, _choice_code, _choice_index, _code, _fsm, _is_key, _norm


def _profile(cal: dict, eq: str, role: str) -> dict:
    m = cal["published"]["pre_treatment_means"][eq]
    ac = {k: (v or 0.0) for k, v in m["academic_year"].items()}
    ac.setdefault("missing", 0.0)
    s = sum(ac.values())
    ac = {k: v / s for k, v in ac.items()}
    g = m["gender"]
    gender = {
        "1": g.get("male") or 0.0,
        "2": g.get("female") or 0.0,
        "0": g.get("not_recorded_unborn") or 0.0,
        "missing": g.get("missing") or 0.0,
    }
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
    "white": {"WBRI": 0.85, "WOTH": 0.10, "WIRI": 0.03, "WIRT": 0.01, "WROM": 0.01},
    "mixed": {"MWBC": 0.35, "MWBA": 0.15, "MWAS": 0.20, "MOTH": 0.30},
    "asian": {"APKN": 0.35, "AIND": 0.20, "ABAN": 0.20, "AOTH": 0.25},
    "black": {"BAFR": 0.50, "BCRB": 0.30, "BOTH": 0.20},
    "any_other": {"OOTH": 0.80, "CHNE": 0.20},
    "unclassified": {"NOBT": 0.70, "REFU": 0.30},
}
_DISABILITY = {"LD": 0.30, "AUT": 0.25, "BEH": 0.15, "COMM": 0.10, "MOB": 0.10, "HEAR": 0.05, "VIS": 0.05}


def _draw_children(rng, event_dates: np.ndarray, prof: dict, age_offset: float = 0.0) -> dict:
    """Child characteristics for units dated ``event_dates`` (ages from the profile).

    ``age_offset`` lowers the drawn ages to compensate for repeated children, whose later
    records are older by the gap between records (see :func:`_pair`)."""
    n = len(event_dates)
    d = event_dates.astype("datetime64[D]")
    yr = d.astype("datetime64[Y]").astype(int) + 1970
    mon = (d.astype("datetime64[M]").astype(int) % 12) + 1
    ay = np.where(mon >= 9, yr, yr - 1)
    aug31 = (ay - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(
        242, "D"
    )  # 31 Aug (non-leap offset)
    # 31 August is day 242 of a non-leap year and 243 of a leap year
    leap = ((ay % 4 == 0) & (ay % 100 != 0)) | (ay % 400 == 0)
    aug31 = aug31 + leap.astype("timedelta64[D]")
    frac = (d - aug31).astype(float) / 365.25  # years since 31 August (0..1)

    grp, grp_keys = _choice_index(rng, n, prof["acad"])
    before = _is_key(grp, grp_keys, "before_school_age")
    primary = _is_key(grp, grp_keys, "primary")
    missing_dob = _is_key(grp, grp_keys, "missing")
    sb, sp, ss = (prof["acad"][k] for k in ("before_school_age", "primary", "secondary"))
    tot = sb + sp + ss
    sb, sp, ss = sb / tot, sp / tot, ss / tot
    fbar = float(frac.mean()) if n else 0.5
    num = prof["age"] - age_offset - sp * (4 + fbar) - ss * (11 + fbar)
    den = sb * (4 + fbar) + 7 * sp + 6 * ss
    inv = float(np.clip(num / den, 0.05, 0.95))  # = 1/(k+1)
    k = 1 / inv - 1
    u = rng.random(n) ** k
    age = np.where(before, (4 + frac) * u, np.where(primary, 4 + frac + 6.999 * u, 11 + frac + 5.999 * u))
    dob = d - np.round(age * 365.25).astype("timedelta64[D]")
    dob = np.minimum(dob, d)
    dob = np.where(missing_dob, np.datetime64("NaT"), dob).astype("datetime64[D]")

    gender = _choice_code(rng, n, prof["gender"], codes.GENDER)  # "missing" is no code: -1
    gender[missing_dob] = _code(codes.GENDER, "0")

    eth_group, eth_keys = _choice_index(rng, n, prof["ethnicity"])
    eth = np.full(n, -1, dtype=np.int16)
    for g, cmap in _ETH_CODES.items():
        sel = _is_key(eth_group, eth_keys, g)
        if sel.any():
            eth[sel] = _choice_code(rng, int(sel.sum()), cmap, codes.ETHNICITY)

    disabled = rng.random(n) < prof["disabled"]
    dis = np.full(n, _code(codes.DISABILITY, "NONE"), dtype=np.int16)
    if disabled.any():
        dis[disabled] = _choice_code(rng, int(disabled.sum()), _DISABILITY, codes.DISABILITY)

    fsm = np.full(n, -1, dtype=np.int8)  # -1 = not recorded
    rec = before & (rng.random(n) < prof["fsm_before_recorded"])
    fsm[rec] = (rng.random(int(rec.sum())) < prof["fsm_before_yes"]).astype(np.int8)
    school = primary | _is_key(grp, grp_keys, "secondary")
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


_ETH_FROM_LABEL = {
    "White": "white",
    "Mixed": "mixed",
    "Asian": "asian",
    "Black": "black",
    "Any other ethnic group": "any_other",
    "Unclassified": "unclassified",
    "Missing": "missing",
}
_ACAD_FROM_LABEL = {
    "before school age": "before_school_age",
    "primary": "primary",
    "secondary": "secondary",
    "missing": "missing",
}
_GENDER_FROM_LABEL = {"male": "1", "female": "2", "not recorded/unborn": "0", "missing": "missing"}


def _realised_profile(children_raw: pd.DataFrame, child_ids: np.ndarray, dates: np.ndarray) -> dict:
    """The characteristics (profile layout) of records already generated, for :func:`_unmix`."""
    from sofs_lib.sources.npd.covariates import add_covariates

    ch = pd.DataFrame(
        {
            "child_id": children_raw["child_id"].to_numpy(),
            "PersonBirthDate": pd.Series(children_raw["PersonBirthDate"].to_numpy().astype("datetime64[D]")).astype(
                "datetime64[s]"
            ),
            "GenderCurrent": _categorical(children_raw["GenderCurrent"].to_numpy(), codes.GENDER),
            "Ethnicity": _categorical(children_raw["Ethnicity"].to_numpy(), codes.ETHNICITY),
            "Disability": _categorical(children_raw["Disability"].to_numpy(), codes.DISABILITY),
            "FSMeligible": _fsm(children_raw["FSMeligible"].to_numpy()),
        }
    )
    df = pd.DataFrame(
        {
            "child_id": child_ids,
            "event_date": pd.Series(dates.astype("datetime64[D]")).astype("datetime64[s]"),
        }
    )
    cov = add_covariates(df, ch)
    share = lambda col, m: cov[col].map(m).value_counts(normalize=True).to_dict()  # noqa: E731
    acad = share("academic_year", _ACAD_FROM_LABEL)
    gender = share("gender", _GENDER_FROM_LABEL)
    gender["0"] = max(gender.get("0", 0.0) - acad.get("missing", 0.0), 0.0)
    return {
        "acad": acad,
        "gender": gender,
        "ethnicity": share("ethnicity", _ETH_FROM_LABEL),
        "age": float(cov["age"].mean()),
        "disabled": float(cov["disabled"].mean()),
    }
