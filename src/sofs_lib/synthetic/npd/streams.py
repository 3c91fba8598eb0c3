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
from sofs_lib.synthetic.npd.base import _choice, _d, _LAInfo
from sofs_lib.synthetic.npd.effects import (
    AGE_GAP,
    GAMMA_SHAPE,
    P_ESCALATE_TO_CPP,
    P_LATE_REREFERRAL,
    P_NFA_AT_ASSESSMENT,
    P_SHORT_BREAK,
    S47_SHARE,
    _excluded_share,
    _resolve_effects,
)
from sofs_lib.synthetic.npd.pairing import _cells, _pair, _pair_gaps, _quota, _remap_ids
from sofs_lib.synthetic.npd.profiles import _draw_children, _profile, _realised_profile, _unmix
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
        np.repeat("RC8", int(nref.sum())).astype(object),
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
    gen_n = np.full(n, None, dtype=object)
    eth_n = np.full(n, None, dtype=object)
    dis_n = np.full(n, None, dtype=object)
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
        InitialCategoryOfAbuse=_choice(r_nfa, len(ci), {"NEG": 0.5, "EMO": 0.35, "PHY": 0.1, "SAB": 0.05}),
        NumberOfPreviousCPP=np.zeros(len(ci), np.int64),
    )
    _fix_closures_after_plans(T, ccin, cend, end)
    li = e_idx[~to_cpp]
    d0 = e_rr[~to_cpp] + r_nfa.integers(1, 121, len(li)).astype("timedelta64[D]")
    okl = d0 <= end
    li, d0 = li[okl], d0[okl]
    esc_need = _choice(r_nfa, len(li), {"N1": 0.8, "N4": 0.05, "N5": 0.1, "N3": 0.05})
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


def _care_periods_stream(c) -> None:
    """Care stream: periods of care with the EQ3d kinship outcome; repeated children linked."""
    T, cal, end, ids, info, k, out, part, plan, prof, r_care, r_kids, r_pair, repeated, role, scale, sel = (
        c.T,
        c.cal,
        c.end,
        c.ids,
        c.info,
        c.k,
        c.out,
        c.part,
        c.plan,
        c.prof,
        c.r_care,
        c.r_kids,
        c.r_pair,
        c.repeated,
        c.role,
        c.scale,
        c.sel,
    )
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
        dob_c[sel], gen_c[sel], eth_c[sel], dis_c[sel], fsm_c[sel] = (
            k["dob"],
            k["gender"],
            k["ethnicity"],
            k["disability"],
            k["fsm"],
        )
        need_c[sel] = _choice(r_kids, int(sel.sum()), prof["main_need"])
    gen_c = np.where(gen_c == None, "1", gen_c)  # noqa: E711  (SSDA903 needs a sex)
    gen_c = np.where(gen_c == "0", "2", gen_c)
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
    T, cal, d0c, end, ids, k, la_c, nc, r_care, r_kids = (
        c.T,
        c.cal,
        c.d0c,
        c.end,
        c.ids,
        c.k,
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
    sbg = np.where((k["gender"] == None) | (k["gender"] == "0"), "1", k["gender"])  # noqa: E711
    T.add(
        "children",
        child_id=sb_child,
        la=la_c[sb],
        PersonBirthDate=k["dob"],
        GenderCurrent=sbg,
        Ethnicity=k["ethnicity"],
        Disability=np.repeat("LD", nsb).astype(object),
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
        RNE=np.repeat("S", nsb).astype(object),
        LS=np.repeat("V3", nsb).astype(object),
        CIN=np.repeat("N2", nsb).astype(object),
        PL=_choice(r_care, nsb, {"U6": 0.6, "K2": 0.4}),
        DEC=sb_end,
        REC=np.where(np.isnat(sb_end), None, "E4A").astype(object),
    )
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _assessment_plan(c) -> None:
    """Assessment stream: the residual plan to the EQ3a targets, inflated for the cut-off."""
    T, design, effects, ids, info, out, plan, r_ass, scale = (
        c.T,
        c.design,
        c.effects,
        c.ids,
        c.info,
        c.out,
        c.plan,
        c.r_ass,
        c.scale,
    )
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
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _assessment_profiles(c) -> None:
    """Assessment stream: children's profiles corrected for the other streams' assessments."""
    T, a_codes, cal, info, la_a, other, ref_a, role = (
        c.T,
        c.a_codes,
        c.cal,
        c.info,
        c.la_a,
        c.other,
        c.ref_a,
        c.role,
    )
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
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _assessment_pairs(c) -> None:
    """Assessment stream: repeated children across years and periods (two passes)."""
    a_codes, cal, in_a1, info, is_p, kept, la_a, na, o_in, other, r_pair, ref_a, rep_cal, repeated = (
        c.a_codes,
        c.cal,
        c.in_a1,
        c.info,
        c.is_p,
        c.kept,
        c.la_a,
        c.na,
        c.o_in,
        c.other,
        c.r_pair,
        c.ref_a,
        c.rep_cal,
        c.repeated,
    )
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
    c.__dict__.update({k: v for k, v in locals().items() if k != "c"})


def _assessment_records(c) -> None:
    """Assessment stream: records, durations with a persistent child component, children."""
    (
        T,
        child_a,
        end,
        first_a,
        ids,
        in_a1,
        k,
        la_a,
        na,
        out,
        parent_a,
        part,
        pil_a,
        pre_a1,
        prof,
        profs,
        r_ass,
        r_kids,
        r_pair,
        ref_a,
        rep_cal,
        role,
        root_a,
        sel,
        tname,
    ) = (
        c.T,
        c.child_a,
        c.end,
        c.first_a,
        c.ids,
        c.in_a1,
        c.k,
        c.la_a,
        c.na,
        c.out,
        c.parent_a,
        c.part,
        c.pil_a,
        c.pre_a1,
        c.prof,
        c.profs,
        c.r_ass,
        c.r_kids,
        c.r_pair,
        c.ref_a,
        c.rep_cal,
        c.role,
        c.root_a,
        c.sel,
        c.tname,
    )
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
            dob_a[ss_], gen_a[ss_], eth_a[ss_], dis_a[ss_], fsm_a[ss_] = (
                k["dob"],
                k["gender"],
                k["ethnicity"],
                k["disability"],
                k["fsm"],
            )
    remap_a = child_a.copy()
    remap_a[~first_a] = child_a[parent_a[~first_a]]
    T.add(
        "children",
        child_id=child_a[first_a],
        la=la_a[first_a],
        PersonBirthDate=dob_a[first_a],
        GenderCurrent=gen_a[first_a],
        Ethnicity=eth_a[first_a],
        Disability=dis_a[first_a],
        FSMeligible=fsm_a[first_a],
    )
    for tname in ("cin_referrals", "assessments", "section47", "cp_plans"):
        for part in T.parts[tname]:
            part["LAchildID"] = _remap_ids(part["LAchildID"], child_a, remap_a)
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
