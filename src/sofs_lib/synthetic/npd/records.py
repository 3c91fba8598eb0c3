"""Record builders: durations, outcomes, referrals, periods of care, assessed referrals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.npd import codes
from sofs_lib.sources.npd.calendar import add_working_days, next_working_day
from sofs_lib.sources.npd.design import EQS
from sofs_lib.synthetic.npd.base import _choice_code, _code, _LAInfo
from sofs_lib.synthetic.npd.effects import (
    CPP_SHARE,
    EFFECT_KEYS,
    GAMMA_SHAPE,
    ICPC_SHARE,
    duration_theta,
)


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
    """Accumulates rows of each table as dicts of arrays (concatenated at the end); coded
    columns hold integer positions in their code list (:data:`assemble.SPECS`), -1 = none."""

    def __init__(self):
        self.parts: dict[str, list[dict]] = {
            k: [] for k in ("children", "cin_referrals", "assessments", "section47", "cp_plans", "la_episodes")
        }

    def add(self, table, **cols):
        n = len(next(iter(cols.values())))
        if n:
            self.parts[table].append({k: (np.repeat(v, n) if np.ndim(v) == 0 else v) for k, v in cols.items()})

    def columns(self, table) -> dict[str, np.ndarray]:
        """The table's columns so far, each concatenated over its parts (empty dict if none)."""
        parts = self.parts[table]
        if not parts:
            return {}
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def frame(self, table) -> pd.DataFrame:
        cols = self.columns(table)
        return pd.DataFrame(cols) if cols else pd.DataFrame()


def _referrals(rng, T: _Tables, ids, child, la_idx, ref_date, nfa_flag, closure, rc, end):
    n = len(ids)
    closure = np.where(closure > end, np.datetime64("NaT"), closure).astype("datetime64[D]")
    rc = np.where(np.isnat(closure), -1, rc)
    T.add(
        "cin_referrals",
        CINdetailsID=ids,
        LAchildID=child,
        la=la_idx,
        CINreferralDate=ref_date,
        ReferralSource=_choice_code(
            rng,
            n,
            {
                "6": 0.28,
                "2A": 0.18,
                "3B": 0.06,
                "3A": 0.05,
                "3E": 0.05,
                "3D": 0.04,
                "1A": 0.07,
                "1C": 0.01,
                "1B": 0.02,
                "5A": 0.05,
                "5B": 0.03,
                "8": 0.05,
                "9": 0.02,
                "10": 0.03,
                "4": 0.02,
                "7": 0.02,
                "2B": 0.01,
                "3C": 0.01,
            },
            codes.REFERRAL_SOURCE,
        ),
        PrimaryNeedCode=_choice_code(
            rng,
            n,
            {
                "N1": 0.52,
                "N2": 0.05,
                "N3": 0.04,
                "N4": 0.09,
                "N5": 0.17,
                "N6": 0.02,
                "N7": 0.01,
                "N8": 0.05,
                "N9": 0.03,
                "N0": 0.02,
            },
            codes.PRIMARY_NEED,
        ),
        ReferralNFA=nfa_flag.astype(np.int8),
        CINclosureDate=closure,
        ReasonForClosure=rc,
    )


class _Ids:
    def __init__(self):
        self.next = {}

    def take(self, kind, n):
        s = self.next.get(kind, 1)
        self.next[kind] = s + n
        return np.arange(s, s + n, dtype=np.int64)


#: Placements of a period of care: not with relatives or friends / with them (kinship).
NONKIN_PLACEMENTS = {
    "U6": 0.58,
    "U4": 0.06,
    "U5": 0.02,
    "K2": 0.10,
    "P1": 0.08,
    "R3": 0.06,
    "R1": 0.03,
    "S1": 0.02,
    "H5": 0.02,
    "A5": 0.03,
}
KIN_PLACEMENTS = {"U3": 0.70, "U1": 0.22, "U2": 0.08}
#: Reasons a period of care ends (other than a special guardianship order).
REASONS_CEASED = {
    "E4A": 0.40,
    "E4B": 0.05,
    "E11": 0.07,
    "E12": 0.05,
    "E41": 0.06,
    "E13": 0.06,
    "E3": 0.03,
    "E5": 0.05,
    "E6": 0.02,
    "E8": 0.08,
    "E9": 0.02,
    "E14": 0.02,
    "E7": 0.01,
    "E16": 0.01,
}


def _first_episode(rng, n, kin):
    """How each period goes (``mode``), its first legal status and placement, and a draft
    length in days."""
    r = rng.random(n)
    mode = np.where(
        kin,
        np.where(r < 0.5, "first", np.where(r < 0.8, "later", "sgo")),
        np.where(r < 0.12, "late_kin", np.where(r < 0.16, "late_sgo", "none")),
    )
    ls1 = _choice_code(rng, n, {"V2": 0.50, "C1": 0.35, "L2": 0.08, "L1": 0.04, "J1": 0.03}, codes.LEGAL_STATUS)
    pl1 = np.where(
        mode == "first",
        _choice_code(rng, n, KIN_PLACEMENTS, codes.PLACEMENT),
        _choice_code(rng, n, NONKIN_PLACEMENTS, codes.PLACEMENT),
    )
    end_days = 30 + rng.exponential(420, n)
    return mode, ls1, pl1, end_days


def _second_episode(rng, n, mode, ls1, pl1):
    """The day of a change of placement or legal status (NaN if none) and the second
    episode's reason for the new episode, placement and legal status."""
    change = np.full(n, np.nan)
    rne2 = np.full(n, -1, dtype=np.int16)
    pl2 = pl1.copy()
    ls2 = ls1.copy()
    # kin placement within / after the first year
    later = mode == "later"
    change[later] = rng.integers(1, 366, later.sum())
    late_k = mode == "late_kin"
    change[late_k] = rng.integers(366, 901, late_k.sum())
    kin_change = later | late_k
    pl2[kin_change] = _choice_code(rng, int(kin_change.sum()), KIN_PLACEMENTS, codes.PLACEMENT)
    rne2[kin_change] = _code(codes.RNE, "P")
    # other changes: legal status C1 -> C2, or a move between non-kin placements
    other = (mode == "first") | (mode == "none")
    r2 = rng.random(n)
    legal = other & (ls1 == _code(codes.LEGAL_STATUS, "C1")) & (r2 < 0.4)
    change[legal] = rng.integers(30, 301, legal.sum())
    ls2[legal] = _code(codes.LEGAL_STATUS, "C2")
    rne2[legal] = _code(codes.RNE, "L")
    move = (mode == "none") & ~legal & (r2 < 0.45)
    change[move] = rng.integers(14, 901, move.sum())
    pl2[move] = _choice_code(rng, int(move.sum()), NONKIN_PLACEMENTS, codes.PLACEMENT)
    rne2[move] = _code(codes.RNE, "P")
    return change, rne2, pl2, ls2


def _period_length(rng, n, mode, change, end_days):
    """Length of each period in whole days and its reason for ending (SGOs end the period)."""
    has_change = ~np.isnan(change)
    end_days = np.where(
        has_change, np.maximum(end_days, np.nan_to_num(change) + 30 + rng.exponential(200, n)), end_days
    )
    sgo = mode == "sgo"
    end_days[sgo] = rng.integers(60, 366, sgo.sum())
    lsgo = mode == "late_sgo"
    end_days[lsgo] = rng.integers(366, 901, lsgo.sum())
    rec_end = _choice_code(rng, n, REASONS_CEASED, codes.REASON_EPISODE_CEASED)
    rec_end = np.where(sgo | lsgo, _choice_code(rng, n, {"E43": 0.6, "E44": 0.4}, codes.REASON_EPISODE_CEASED), rec_end)
    return np.floor(end_days).astype(np.int64), rec_end


def _care_periods(rng, T: _Tables, child, la_idx, d0, kin, need, end):
    """SSDA903 episodes of periods of care starting on ``d0``; returns the period end dates
    (NaT when open at ``end``). ``kin``: placed with relatives/friends or SGO within 365 days."""
    n = len(child)
    mode, ls1, pl1, end_days = _first_episode(rng, n, kin)
    change, rne2, pl2, ls2 = _second_episode(rng, n, mode, ls1, pl1)
    end_days, rec_end = _period_length(rng, n, mode, change, end_days)
    has_change = ~np.isnan(change)
    dend = d0 + end_days.astype("timedelta64[D]")
    open_ = dend > end
    dend = np.where(open_, np.datetime64("NaT"), dend).astype("datetime64[D]")
    rec_end = np.where(open_, -1, rec_end)
    chg = d0 + np.nan_to_num(change).astype(np.int64).astype("timedelta64[D]")
    ep2 = has_change & (chg <= end) & (open_ | (chg < dend))
    dec1 = np.where(ep2, chg, dend).astype("datetime64[D]")
    rec1 = np.where(ep2, _code(codes.REASON_EPISODE_CEASED, codes.REC_CONTINUES), rec_end)
    T.add(
        "la_episodes",
        CHILD=child,
        la=la_idx,
        DECOM=d0,
        RNE=np.full(n, _code(codes.RNE, codes.RNE_STARTED), dtype=np.int16),
        LS=ls1,
        CIN=need,
        PL=pl1,
        DEC=dec1,
        REC=rec1,
    )
    T.add(
        "la_episodes",
        CHILD=child[ep2],
        la=la_idx[ep2],
        DECOM=chg[ep2],
        RNE=rne2[ep2],
        LS=ls2[ep2],
        CIN=need[ep2],
        PL=pl2[ep2],
        DEC=dend[ep2],
        REC=rec_end[ep2],
    )
    return dend


#: Initial category of abuse of the plans of assessed referrals.
ABUSE_CATEGORIES = {"NEG": 0.48, "EMO": 0.35, "PHY": 0.08, "SAB": 0.04, "MUL": 0.05}


def _assessed_path(
    rng,
    T,
    ids,
    out: _Outcomes,
    child,
    la_idx,
    ref_date,
    end,
    closure_rc=None,
    close_after=(20, 600),
    s47_share=0.0,
    rc_probs=None,
    child_shift=None,
):
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
        rc = np.full(n, _code(codes.REASON_FOR_CLOSURE, closure_rc), dtype=np.int16)
        closure = np.where(closure_rc == codes.NFA_AFTER_ASSESSMENT, auth, closure)
    else:
        rc = _choice_code(
            rng,
            n,
            rc_probs or {"RC7": 0.86, "RC5": 0.05, "RC6": 0.02, "RC3": 0.02, "RC4": 0.02, "RC1": 0.02, "RC2": 0.01},
            codes.REASON_FOR_CLOSURE,
        )
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
    T.add(
        "section47",
        S47ID=ids.take("s47", nk),
        CINdetailsID=cin[s47],
        LAchildID=child[s47],
        la=la_idx[s47],
        S47ActualStartDate=s47_date[s47],
        DateOfInitialCPC=np.where(icpc, icpc_date, np.datetime64("NaT")).astype("datetime64[D]")[s47],
    )
    nc = int(cpp.sum())
    T.add(
        "cp_plans",
        CPPID=ids.take("cpp", nc),
        CINdetailsID=cin[cpp],
        LAchildID=child[cpp],
        la=la_idx[cpp],
        CPPstartDate=icpc_date[cpp],
        CPPendDate=np.where(cpp_end > end, np.datetime64("NaT"), cpp_end).astype("datetime64[D]")[cpp],
        InitialCategoryOfAbuse=_choice_code(rng, nc, ABUSE_CATEGORIES, codes.CATEGORY_OF_ABUSE),
        NumberOfPreviousCPP=rng.choice([0, 0, 0, 1, 1, 2], nc).astype(np.int64),
    )
    _referrals(rng, T, cin, child, la_idx, ref_date, np.zeros(n, bool), closure, rc, end)
    T.add(
        "assessments",
        AssessmentID=ids.take("ass", int(keep.sum())),
        CINdetailsID=cin[keep],
        LAchildID=child[keep],
        la=la_idx[keep],
        AssessmentActualStartDate=start[keep],
        AssessmentAuthorisationDate=auth[keep],
    )
    return cin, auth, start


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
        rc[hit] = np.where(np.isnat(newc), -1, rc[hit])
        part["ReasonForClosure"] = rc
