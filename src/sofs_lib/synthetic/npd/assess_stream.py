"""The assessment stream of one generator run: the stages after the NFA and care streams
(:data:`sofs_lib.synthetic.npd.streams.STAGES`), in the order of their random draws."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.synthetic.npd.base import _d
from sofs_lib.synthetic.npd.effects import GAMMA_SHAPE, S47_SHARE, _excluded_share
from sofs_lib.synthetic.npd.pairing import _pair_gaps, _remap_ids
from sofs_lib.synthetic.npd.profiles import _draw_children, _profile, _realised_profile, _unmix
from sofs_lib.synthetic.npd.records import _assessed_path
from sofs_lib.synthetic.npd.volumes import _realise, _subtract


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
    T, a_codes, cal, info, la_a, other, ref_a = (
        c.T,
        c.a_codes,
        c.cal,
        c.info,
        c.la_a,
        c.other,
        c.ref_a,
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
    a_codes, cal, in_a1, info, kept, la_a, na, o_in, other, r_pair, ref_a, repeated = (
        c.a_codes,
        c.cal,
        c.in_a1,
        c.info,
        c.kept,
        c.la_a,
        c.na,
        c.o_in,
        c.other,
        c.r_pair,
        c.ref_a,
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


def _assessment_children(r_kids, profs, pil_a, in_a1, pre_a1, ref_a, gap_a):
    """Characteristics of the assessment stream's children, by group, inside/outside the EQ3a
    LAs and period (later records are older by their gap, more so after the start)."""
    na = len(ref_a)
    dob_a = np.empty(na, dtype="datetime64[D]")
    gen_a = np.empty(na, dtype=np.int16)  # codes (see _draw_children)
    eth_a = np.empty(na, dtype=np.int16)
    dis_a = np.empty(na, dtype=np.int16)
    fsm_a = np.empty(na, dtype=np.int8)
    for (role, inside), prof in profs.items():
        sel = (pil_a == (role == "pilot")) & (in_a1 == inside)
        if not sel.any():
            continue
        for seg in (pre_a1, ~pre_a1):
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
    return dob_a, gen_a, eth_a, dis_a, fsm_a


def _assessment_records(c) -> None:
    """Assessment stream: records, durations with a persistent child component, children."""
    (
        T,
        child_a,
        end,
        first_a,
        ids,
        in_a1,
        la_a,
        na,
        out,
        parent_a,
        pil_a,
        pre_a1,
        profs,
        r_ass,
        r_kids,
        r_pair,
        ref_a,
        rep_cal,
        root_a,
    ) = (
        c.T,
        c.child_a,
        c.end,
        c.first_a,
        c.ids,
        c.in_a1,
        c.la_a,
        c.na,
        c.out,
        c.parent_a,
        c.pil_a,
        c.pre_a1,
        c.profs,
        c.r_ass,
        c.r_kids,
        c.r_pair,
        c.ref_a,
        c.rep_cal,
        c.root_a,
    )
    # persistent child component of durations (working days), shared by a child's records
    u_a = r_pair.normal(0.0, float(rep_cal["eq3a_child_sd_days"]), na)[root_a]
    gap_a = np.where(first_a, 0, (ref_a - ref_a[np.maximum(parent_a, 0)]).astype(np.int64)) / 365.25
    _assessed_path(r_ass, T, ids, out, child_a, la_a, ref_a, end, s47_share=S47_SHARE, child_shift=u_a)
    dob_a, gen_a, eth_a, dis_a, fsm_a = _assessment_children(r_kids, profs, pil_a, in_a1, pre_a1, ref_a, gap_a)
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
