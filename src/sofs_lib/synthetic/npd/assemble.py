"""The generated rows as the seven tables of an NPD extract."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.npd import codes
from sofs_lib.sources.npd.extract import NPDExtract
from sofs_lib.synthetic.npd.base import _LAInfo
from sofs_lib.synthetic.npd.records import _Tables


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
    children = pd.DataFrame(
        {
            "child_id": ch["child_id"].astype(np.int64),
            "la": la_col(ch["la"]),
            "PersonBirthDate": _dates(ch["PersonBirthDate"]),
            "GenderCurrent": cat(ch["GenderCurrent"], codes.GENDER),
            "Ethnicity": cat(ch["Ethnicity"], codes.ETHNICITY),
            "Disability": cat(ch["Disability"], codes.DISABILITY),
            "FSMeligible": pd.array(np.where(ch["FSMeligible"] < 0, pd.NA, ch["FSMeligible"]), dtype="Int8"),
        }
    ).sort_values("child_id", ignore_index=True)

    r = T.frame("cin_referrals")
    cin_referrals = pd.DataFrame(
        {
            "CINdetailsID": r["CINdetailsID"].astype(np.int64),
            "LAchildID": r["LAchildID"].astype(np.int64),
            "la": la_col(r["la"]),
            "CINreferralDate": _dates(r["CINreferralDate"]),
            "ReferralSource": cat(r["ReferralSource"], codes.REFERRAL_SOURCE),
            "PrimaryNeedCode": cat(r["PrimaryNeedCode"], codes.PRIMARY_NEED),
            "ReferralNFA": r["ReferralNFA"].astype(np.int8),
            "CINclosureDate": _dates(r["CINclosureDate"]),
            "ReasonForClosure": cat(r["ReasonForClosure"], codes.REASON_FOR_CLOSURE),
        }
    ).sort_values("CINdetailsID", ignore_index=True)
    cin_referrals = _close_before_next(cin_referrals)

    a = T.frame("assessments")
    assessments = pd.DataFrame(
        {
            "AssessmentID": a["AssessmentID"].astype(np.int64),
            "CINdetailsID": a["CINdetailsID"].astype(np.int64),
            "LAchildID": a["LAchildID"].astype(np.int64),
            "la": la_col(a["la"]),
            "AssessmentActualStartDate": _dates(a["AssessmentActualStartDate"]),
            "AssessmentAuthorisationDate": _dates(a["AssessmentAuthorisationDate"]),
        }
    ).sort_values("AssessmentID", ignore_index=True)

    s = T.frame("section47")
    section47 = pd.DataFrame(
        {
            "S47ID": s["S47ID"].astype(np.int64),
            "CINdetailsID": s["CINdetailsID"].astype(np.int64),
            "LAchildID": s["LAchildID"].astype(np.int64),
            "la": la_col(s["la"]),
            "S47ActualStartDate": _dates(s["S47ActualStartDate"]),
            "DateOfInitialCPC": _dates(s["DateOfInitialCPC"]),
        }
    ).sort_values("S47ID", ignore_index=True)

    c = T.frame("cp_plans")
    cp_plans = pd.DataFrame(
        {
            "CPPID": c["CPPID"].astype(np.int64),
            "CINdetailsID": c["CINdetailsID"].astype(np.int64),
            "LAchildID": c["LAchildID"].astype(np.int64),
            "la": la_col(c["la"]),
            "CPPstartDate": _dates(c["CPPstartDate"]),
            "CPPendDate": _dates(c["CPPendDate"]),
            "InitialCategoryOfAbuse": cat(c["InitialCategoryOfAbuse"], codes.CATEGORY_OF_ABUSE),
            "NumberOfPreviousCPP": c["NumberOfPreviousCPP"].astype(np.int64),
        }
    ).sort_values("CPPID", ignore_index=True)

    e = T.frame("la_episodes")
    la_episodes = pd.DataFrame(
        {
            "CHILD": e["CHILD"].astype(np.int64),
            "la": la_col(e["la"]),
            "DECOM": _dates(e["DECOM"]),
            "RNE": cat(e["RNE"], codes.RNE),
            "LS": cat(e["LS"], codes.LEGAL_STATUS),
            "CIN": cat(e["CIN"], codes.PRIMARY_NEED),
            "PL": cat(e["PL"], codes.PLACEMENT),
            "DEC": _dates(e["DEC"]),
            "REC": cat(e["REC"], codes.REASON_EPISODE_CEASED),
        }
    ).sort_values(["CHILD", "DECOM"], ignore_index=True)

    # SSDA903 header: one row per child and LA with episodes, from the child record
    hk = la_episodes[["CHILD", "la"]].drop_duplicates(ignore_index=True)
    chi = children.set_index("child_id")
    sex = chi["GenderCurrent"].astype(object).reindex(hk["CHILD"]).to_numpy()
    sex = np.where(np.isin(sex, ["1", "2"]), sex, "1")
    dob = chi["PersonBirthDate"].reindex(hk["CHILD"]).to_numpy()
    la_header = pd.DataFrame(
        {
            "CHILD": hk["CHILD"],
            "la": hk["la"],
            "SEX": cat(sex, codes.SEX),
            "DOB": pd.Series(dob).astype("datetime64[s]"),
            "ETHNIC": cat(chi["Ethnicity"].astype(object).reindex(hk["CHILD"]).to_numpy(), codes.ETHNICITY),
        }
    ).sort_values(["CHILD", "la"], ignore_index=True)
    return NPDExtract(
        children=children,
        cin_referrals=cin_referrals,
        assessments=assessments,
        section47=section47,
        cp_plans=cp_plans,
        la_header=la_header,
        la_episodes=la_episodes,
    )
