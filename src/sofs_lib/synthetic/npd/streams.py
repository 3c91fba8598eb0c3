"""The stages of one generator run, in order (:func:`sofs_lib.synthetic.npd.generate`).

Each stage reads what earlier stages made from the run ``c`` (a namespace) and adds what it
makes; the order is the order of the random draws, so a seed gives byte-identical tables.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from sofs_lib.sources.npd import codes
from sofs_lib.sources.npd.calendar import add_working_days
from sofs_lib.sources.npd.design import default_design, load_calibration
from sofs_lib.synthetic.npd.assess_stream import (
    _assessment_pairs,
    _assessment_plan,
    _assessment_profiles,
    _assessment_records,
)
from sofs_lib.synthetic.npd.base import _choice_code, _code, _LAInfo
from sofs_lib.synthetic.npd.effects import (
    AGE_GAP,
    P_ESCALATE_TO_CPP,
    P_LATE_REREFERRAL,
    P_NFA_AT_ASSESSMENT,
    P_SHORT_BREAK,
    _resolve_effects,
)
from sofs_lib.synthetic.npd.pairing import _cells, _pair, _quota, _remap_ids
from sofs_lib.synthetic.npd.profiles import _draw_children, _profile, _unmix
from sofs_lib.synthetic.npd.records import (
    _assessed_path,
    _care_periods,
    _fix_closures_after_plans,
    _Ids,
    _Outcomes,
    _referrals,
    _Tables,
)
from sofs_lib.synthetic.npd.volumes import _realise, _subtract, volume_plan


def _setup(c) -> None:
    """Calibration, design, volume plan, random streams and tables of one run."""
    calibration, pretrends, seed, settling_in, true_effects = (
        c.calibration,
        c.pretrends,
        c.seed,
        c.settling_in,
        c.true_effects,
    )
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
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _nfa_units(c) -> None:
    """NFA stream: referrals closed with no further action, re-referrals and their outcomes."""
    T, end, ids, info, out, plan, r_nfa, scale = c.T, c.end, c.ids, c.info, c.out, c.plan, c.r_nfa, c.scale
    # ---- NFA stream --------------------------------------------------------------------
    la_n, ref = _realise(r_nfa, plan[plan["stream"] == "nfa"], info, scale)
    n = len(la_n)
    at_ass = r_nfa.random(n) < P_NFA_AT_ASSESSMENT
    closure = ref.copy()
    child_n = ids.take("child", n)
    _, auth_a, _ = _assessed_path(
        r_nfa,
        T,
        ids,
        out,
        child_n[at_ass],
        la_n[at_ass],
        ref[at_ass],
        end,
        closure_rc=codes.NFA_AFTER_ASSESSMENT,
    )
    closure[at_ass] = auth_a
    nref = ~at_ass
    cin_r = ids.take("cin", int(nref.sum()))
    _referrals(
        r_nfa,
        T,
        cin_r,
        child_n[nref],
        la_n[nref],
        ref[nref],
        np.ones(int(nref.sum()), bool),
        ref[nref],
        np.full(int(nref.sum()), _code(codes.REASON_FOR_CLOSURE, "RC8"), dtype=np.int16),
        end,
    )
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
    rr = np.where(
        y_b,
        cl + np.ceil(r_nfa.random(n) * wlen).clip(1).astype(np.int64).astype("timedelta64[D]"),
        six + r_nfa.integers(1, 541, n).astype("timedelta64[D]"),
    )
    has_rr = (y_b | (closed & (r_nfa.random(n) < P_LATE_REREFERRAL))) & (rr <= end)
    # re-referrals are assessed and continue (closed RC7 or open); escalations add a plan or care
    idx = np.flatnonzero(has_rr)
    cin_rr, _, _ = _assessed_path(
        r_nfa, T, ids, out, child_n[idx], la_n[idx], rr[idx], end, rc_probs={"RC7": 0.95, "RC5": 0.05}
    )
    esc = y_c[idx]
    # (children drawn below; escalations need DOBs, so they are built after the children)
    pending_esc = (idx[esc], cin_rr[esc], rr[idx][esc])
    nfa_ready = np.where(closed, six, np.datetime64("2100-01-01")).astype("datetime64[D]")
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _nfa_children(c) -> None:
    """Children of the NFA stream (EQ3c profiles in EQ3c LAs, EQ3b elsewhere), repeated children linked."""
    T, cal, child_n, design, eq3c_las, info, la_n, n, nfa_ready, r_kids, r_pair, ref, repeated = (
        c.T,
        c.cal,
        c.child_n,
        c.design,
        c.eq3c_las,
        c.info,
        c.la_n,
        c.n,
        c.nfa_ready,
        c.r_kids,
        c.r_pair,
        c.ref,
        c.repeated,
    )
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
            kids_nfa[(role, use_c)] = (
                sel,
                _draw_children(r_kids, ref[sel], prof, AGE_GAP["nfa"] * repeated["eq3b"] / 2),
            )
    dob_n = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    gen_n = np.full(n, -1, dtype=np.int16)  # codes (-1 = not recorded)
    eth_n = np.full(n, -1, dtype=np.int16)
    dis_n = np.full(n, -1, dtype=np.int16)
    fsm_n = np.full(n, -1, dtype=np.int8)
    for sel, k in kids_nfa.values():
        dob_n[sel], gen_n[sel], eth_n[sel], dis_n[sel], fsm_n[sel] = (
            k["dob"],
            k["gender"],
            k["ethnicity"],
            k["disability"],
            k["fsm"],
        )
    first = parent < 0
    T.add(
        "children",
        child_id=child_n[first],
        la=la_n[first],
        PersonBirthDate=dob_n[first],
        GenderCurrent=gen_n[first],
        Ethnicity=eth_n[first],
        Disability=dis_n[first],
        FSMeligible=fsm_n[first],
    )
    # repeated children: later units take the earlier unit's child id (and characteristics)
    remap = child_n.copy()
    remap[~first] = child_n[parent[~first]]
    dob_eff = np.where(first, dob_n, dob_n[np.maximum(parent, 0)])
    for tname, col in (
        ("cin_referrals", "LAchildID"),
        ("assessments", "LAchildID"),
        ("section47", "LAchildID"),
        ("cp_plans", "LAchildID"),
    ):
        for part in T.parts[tname]:
            part[col] = _remap_ids(part[col], child_n, remap)
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _nfa_escalations(c) -> None:
    """Escalations of re-referrals: a plan (via s47 and conference) or a period of care within 6 months."""
    T, dob_eff, end, ids, la_n, out, pending_esc, r_care, r_nfa, remap = (
        c.T,
        c.dob_eff,
        c.end,
        c.ids,
        c.la_n,
        c.out,
        c.pending_esc,
        c.r_care,
        c.r_nfa,
        c.remap,
    )
    # escalations: a plan (via s47 and conference) or a period of care within 6 months
    e_idx, e_cin, e_rr = pending_esc
    to_cpp = (r_nfa.random(len(e_idx)) < P_ESCALATE_TO_CPP) | np.isnat(dob_eff[e_idx])
    ci = e_idx[to_cpp]
    s47d = e_rr[to_cpp] + r_nfa.integers(0, 31, len(ci)).astype("timedelta64[D]")
    icpc = add_working_days(s47d, r_nfa.integers(5, 16, len(ci)))
    okc = icpc <= end
    ci, s47d, icpc, ccin = ci[okc], s47d[okc], icpc[okc], e_cin[to_cpp][okc]
    T.add(
        "section47",
        S47ID=ids.take("s47", len(ci)),
        CINdetailsID=ccin,
        LAchildID=remap[ci],
        la=la_n[ci],
        S47ActualStartDate=s47d,
        DateOfInitialCPC=icpc,
    )
    cend = icpc + r_nfa.integers(90, 701, len(ci)).astype("timedelta64[D]")
    T.add(
        "cp_plans",
        CPPID=ids.take("cpp", len(ci)),
        CINdetailsID=ccin,
        LAchildID=remap[ci],
        la=la_n[ci],
        CPPstartDate=icpc,
        CPPendDate=np.where(cend > end, np.datetime64("NaT"), cend).astype("datetime64[D]"),
        InitialCategoryOfAbuse=_choice_code(
            r_nfa, len(ci), {"NEG": 0.5, "EMO": 0.35, "PHY": 0.1, "SAB": 0.05}, codes.CATEGORY_OF_ABUSE
        ),
        NumberOfPreviousCPP=np.zeros(len(ci), np.int64),
    )
    _fix_closures_after_plans(T, ccin, cend, end)
    li = e_idx[~to_cpp]
    d0 = e_rr[~to_cpp] + r_nfa.integers(1, 121, len(li)).astype("timedelta64[D]")
    okl = d0 <= end
    li, d0 = li[okl], d0[okl]
    esc_need = _choice_code(r_nfa, len(li), {"N1": 0.8, "N4": 0.05, "N5": 0.1, "N3": 0.05}, codes.PRIMARY_NEED)
    _care_periods(
        r_care,
        T,
        remap[li],
        la_n[li],
        d0,
        r_care.random(len(li)) < out.binary_p("eq3d", la_n[li], d0),
        esc_need,
        end,
    )
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _care_children(r_kids, cal, pil_c, d0c, repeated):
    """Characteristics of the care stream's children (EQ3d profiles, pilots first) and the
    period's main need; a sex is always recorded (SSDA903 needs one)."""
    nc = len(d0c)
    dob_c = np.empty(nc, dtype="datetime64[D]")
    gen_c = np.empty(nc, dtype=np.int16)
    eth_c = np.empty(nc, dtype=np.int16)
    dis_c = np.empty(nc, dtype=np.int16)
    fsm_c = np.empty(nc, dtype=np.int8)
    need_c = np.empty(nc, dtype=np.int16)
    for role, sel in (("pilot", pil_c), ("comparator", ~pil_c)):
        prof = _profile(cal, "eq3d", role)
        k = _draw_children(r_kids, d0c[sel], prof, AGE_GAP["care"] * repeated["eq3d"] / 2)
        dob_c[sel], gen_c[sel], eth_c[sel], dis_c[sel], fsm_c[sel] = (
            k["dob"],
            k["gender"],
            k["ethnicity"],
            k["disability"],
            k["fsm"],
        )
        need_c[sel] = _choice_code(r_kids, int(sel.sum()), prof["main_need"], codes.PRIMARY_NEED)
    gen_c = np.where(gen_c < 0, _code(codes.GENDER, "1"), gen_c)
    gen_c = np.where(gen_c == _code(codes.GENDER, "0"), _code(codes.GENDER, "2"), gen_c)
    return dob_c, gen_c, eth_c, dis_c, fsm_c, need_c


def _care_periods_stream(c) -> None:
    """Care stream: periods of care with the EQ3d kinship outcome; repeated children linked."""
    T, cal, end, ids, info, out, plan, r_care, r_kids, r_pair, repeated, scale = (
        c.T,
        c.cal,
        c.end,
        c.ids,
        c.info,
        c.out,
        c.plan,
        c.r_care,
        c.r_kids,
        c.r_pair,
        c.repeated,
        c.scale,
    )
    # ---- care stream -------------------------------------------------------------------
    done = T.frame("la_episodes")
    done = done[done["RNE"] == _code(codes.RNE, codes.RNE_STARTED)] if len(done) else done
    c_plan = _subtract(plan[plan["stream"] == "care"], done, "la", "DECOM", info, scale)
    la_c, d0c = _realise(r_care, c_plan, info, 1.0)
    nc = len(la_c)
    child_c = ids.take("child", nc)
    kin = _quota(r_care, out.binary_p("eq3d", la_c, d0c), _cells(info, la_c, d0c))
    dob_c, gen_c, eth_c, dis_c, fsm_c, need_c = _care_children(r_kids, cal, info.pilot[la_c], d0c, repeated)
    # repeated children: linked before the episodes are written (a later period may repeat
    # the earlier period's kinship status, see calibration.yml assumed.repeated_children);
    # links whose earlier period is still open when the later one starts are dropped after
    rep_cal = cal["assumed"]["repeated_children"]
    parent_c = _pair(
        r_pair,
        la_c,
        d0c + np.timedelta64(366, "D"),
        d0c,
        float(repeated["eq3d"]) / float(rep_cal["eq3d_link_kept"]),
        bin_days=1095,
    )
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
    T.add(
        "children",
        child_id=child_c[first_c],
        la=la_c[first_c],
        PersonBirthDate=dob_c[first_c],
        GenderCurrent=gen_c[first_c],
        Ethnicity=eth_c[first_c],
        Disability=dis_c[first_c],
        FSMeligible=fsm_c[first_c],
    )
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _short_breaks(c) -> None:
    """Short breaks (V3), excluded from the EQ3d population."""
    T, cal, d0c, end, ids, la_c, nc, r_care, r_kids = (
        c.T,
        c.cal,
        c.d0c,
        c.end,
        c.ids,
        c.la_c,
        c.nc,
        c.r_care,
        c.r_kids,
    )
    # short breaks (V3), excluded from the EQ3d population
    nsb = int(round(nc * P_SHORT_BREAK))
    sb = r_care.choice(nc, nsb, replace=False) if nsb else np.array([], dtype=np.int64)
    sb = np.sort(sb)
    sb_child = ids.take("child", nsb)
    k = _draw_children(r_kids, d0c[sb], _profile(cal, "eq3d", "comparator"))
    g = k["gender"]
    sbg = np.where((g < 0) | (g == _code(codes.GENDER, "0")), _code(codes.GENDER, "1"), g)
    T.add(
        "children",
        child_id=sb_child,
        la=la_c[sb],
        PersonBirthDate=k["dob"],
        GenderCurrent=sbg,
        Ethnicity=k["ethnicity"],
        Disability=np.full(nsb, _code(codes.DISABILITY, "LD"), dtype=np.int16),
        FSMeligible=k["fsm"],
    )
    sb_start = d0c[sb]
    sb_end = sb_start + r_care.integers(2, 8, nsb).astype("timedelta64[D]")
    sb_end = np.where(sb_end > end, np.datetime64("NaT"), sb_end).astype("datetime64[D]")
    T.add(
        "la_episodes",
        CHILD=sb_child,
        la=la_c[sb],
        DECOM=sb_start,
        RNE=np.full(nsb, _code(codes.RNE, codes.RNE_STARTED), dtype=np.int16),
        LS=np.full(nsb, _code(codes.LEGAL_STATUS, "V3"), dtype=np.int16),
        CIN=np.full(nsb, _code(codes.PRIMARY_NEED, "N2"), dtype=np.int16),
        PL=_choice_code(r_care, nsb, {"U6": 0.6, "K2": 0.4}, codes.PLACEMENT),
        DEC=sb_end,
        REC=np.where(np.isnat(sb_end), -1, _code(codes.REASON_EPISODE_CEASED, "E4A")).astype(np.int16),
    )
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


#: The stages in the order they run.
STAGES = (
    _setup,
    _nfa_units,
    _nfa_children,
    _nfa_escalations,
    _care_periods_stream,
    _short_breaks,
    _assessment_plan,
    _assessment_profiles,
    _assessment_pairs,
    _assessment_records,
)
