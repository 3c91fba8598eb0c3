"""A small hand-made extract shared by the sofs_lib.sources.npd tests (every expected value worked by hand).

No tests here: the builders are imported by test_npd_derive.py and test_npd_validate.py.
"""

import pandas as pd

from sofs_lib.sources.npd import NPDExtract, StudyDesign

D = pd.Timestamp


def design() -> StudyDesign:
    groups = {eq: {"Pilot 1": ["Comparator A"]} for eq in ("eq3a", "eq3b", "eq3c", "eq3d")}
    # SofS from 1 Oct 2014, settling-in 2 years -> post from 1 Oct 2016
    return StudyDesign(groups=groups, sofs_start={"Pilot 1": D("2014-10-01")}, settling_years={"Pilot 1": 2.0})


def _dates(df, cols):
    for c in cols:
        df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
    return df


def extract() -> NPDExtract:
    children = pd.DataFrame(
        {
            "child_id": list(range(1, 8)) + list(range(10, 17)) + list(range(20, 27)),
            "la": ["Pilot 1"] * 21,
            "PersonBirthDate": ["2010-05-01"] * 21,
            "GenderCurrent": ["1", "2"] * 10 + ["1"],
            "Ethnicity": ["WBRI"] * 21,
            "Disability": ["NONE"] * 21,
            "FSMeligible": pd.array([1] * 21, dtype="Int8"),
        }
    )
    children.loc[children["child_id"] == 2, "la"] = "Comparator A"
    children.loc[children["child_id"] == 7, "la"] = "Other LA"
    _dates(children, ["PersonBirthDate"])

    # EQ3b/EQ3c referrals (CIN episodes)
    ref = pd.DataFrame(
        [
            # id, child, la, referral, NFA, closure, reason
            (101, 10, "Pilot 1", "2018-08-31", 1, "2018-08-31", "RC8"),  # re-referred on 2019-02-28: within
            (102, 10, "Pilot 1", "2019-02-28", 0, None, None),
            (103, 11, "Pilot 1", "2018-08-31", 1, "2018-08-31", "RC8"),  # re-referred on 2019-03-01: outside
            (104, 11, "Pilot 1", "2019-03-01", 0, None, None),
            (105, 12, "Pilot 1", "2017-04-01", 0, "2017-05-10", "RC8"),  # NFA after assessment
            (106, 12, "Pilot 1", "2017-05-10", 0, None, None),  # same day as closure: not within
            (107, 13, "Pilot 1", "2018-10-15", 1, "2018-10-15", "RC8"),  # follow-up incomplete
            (108, 14, "Pilot 1", "2016-02-01", 0, "2016-09-01", "RC7"),  # not NFA
            (109, 15, "Pilot 1", "2017-01-10", 1, "2017-01-10", "RC8"),  # re-ref -> plan within 6 months
            (110, 15, "Pilot 1", "2017-03-01", 0, None, None),
            (111, 16, "Pilot 1", "2017-01-10", 1, "2017-01-10", "RC8"),  # re-ref -> care after 6 months
            (112, 16, "Pilot 1", "2017-03-01", 0, None, None),
            # EQ3a CIN episodes
            (201, 1, "Pilot 1", "2017-12-20", 0, None, None),
            (202, 2, "Comparator A", "2017-12-20", 0, None, None),
            (203, 3, "Pilot 1", "2018-03-29", 0, None, None),
            (204, 4, "Pilot 1", "2016-01-04", 0, None, None),
            (205, 5, "Pilot 1", "2016-01-04", 0, None, None),
            (206, 6, "Pilot 1", "2019-03-01", 0, None, None),
            (207, 7, "Other LA", "2015-06-01", 0, None, None),
        ],
        columns=[
            "CINdetailsID",
            "LAchildID",
            "la",
            "CINreferralDate",
            "ReferralNFA",
            "CINclosureDate",
            "ReasonForClosure",
        ],
    )
    _dates(ref, ["CINreferralDate", "CINclosureDate"])
    ref["ReferralNFA"] = ref["ReferralNFA"].astype("int8")
    ref["ReferralSource"] = "6"
    ref["PrimaryNeedCode"] = "N1"
    ref = ref[
        [
            "CINdetailsID",
            "LAchildID",
            "la",
            "CINreferralDate",
            "ReferralSource",
            "PrimaryNeedCode",
            "ReferralNFA",
            "CINclosureDate",
            "ReasonForClosure",
        ]
    ]

    ass = pd.DataFrame(
        [
            (1, 201, 1, "Pilot 1", "2017-12-22", "2018-01-03"),  # 5 working days (Christmas)
            (2, 202, 2, "Comparator A", "2017-12-22", "2017-12-22"),  # same day
            (3, 203, 3, "Pilot 1", "2018-03-29", "2018-04-03"),  # 1 working day (Easter)
            (4, 204, 4, "Pilot 1", "2016-01-04", "2016-04-21"),  # 76: kept
            (5, 205, 5, "Pilot 1", "2016-01-04", "2016-04-22"),  # 77: above the cut-off
            (6, 206, 6, "Pilot 1", "2019-03-04", None),  # not authorised
            (7, 207, 7, "Other LA", "2015-06-01", "2015-06-05"),  # LA not in the design
            (8, 105, 12, "Pilot 1", "2017-04-03", "2017-05-10"),
        ],
        columns=[
            "AssessmentID",
            "CINdetailsID",
            "LAchildID",
            "la",
            "AssessmentActualStartDate",
            "AssessmentAuthorisationDate",
        ],
    )
    _dates(ass, ["AssessmentActualStartDate", "AssessmentAuthorisationDate"])

    s47 = pd.DataFrame(
        [(1, 110, 15, "Pilot 1", "2017-07-20", "2017-08-31")],
        columns=["S47ID", "CINdetailsID", "LAchildID", "la", "S47ActualStartDate", "DateOfInitialCPC"],
    )
    _dates(s47, ["S47ActualStartDate", "DateOfInitialCPC"])
    cpp = pd.DataFrame(
        [(1, 110, 15, "Pilot 1", "2017-08-31", None, "NEG", 0)],  # 2017-03-01 + 6m = 2017-09-01
        columns=[
            "CPPID",
            "CINdetailsID",
            "LAchildID",
            "la",
            "CPPstartDate",
            "CPPendDate",
            "InitialCategoryOfAbuse",
            "NumberOfPreviousCPP",
        ],
    )
    _dates(cpp, ["CPPstartDate", "CPPendDate"])

    eps = pd.DataFrame(
        [
            # child, DECOM, RNE, LS, CIN, PL, DEC, REC
            (16, "2017-09-02", "S", "V2", "N1", "U6", None, None),  # care one day after the 6-month window
            (20, "2016-01-01", "S", "C1", "N1", "U6", "2016-12-31", "X1"),
            (20, "2016-12-31", "P", "C1", "N1", "U3", None, None),  # kin placement on day 365 (2016 is leap)
            (21, "2016-01-01", "S", "V2", "N1", "U6", "2017-01-01", "E44"),  # SGO on day 366
            (22, "2016-01-01", "S", "V2", "N5", "U6", "2016-12-31", "E43"),  # SGO on day 365
            (23, "2016-05-01", "S", "V3", "N2", "U6", "2016-05-03", "E4A"),  # short break
            (24, "2016-02-01", "P", "C2", "N1", "U4", "2016-09-01", "E4A"),  # no S episode in the extract
            (25, "2018-06-01", "S", "V2", "N1", "U3", None, None),  # follow-up incomplete
            (26, "2015-03-01", "S", "C1", "N1", "U1", "2015-09-01", "E4A"),  # kin from day 0
            (26, "2016-03-01", "S", "V2", "N1", "K2", None, None),  # second period, not kin
        ],
        columns=["CHILD", "DECOM", "RNE", "LS", "CIN", "PL", "DEC", "REC"],
    )
    eps.insert(1, "la", "Pilot 1")
    _dates(eps, ["DECOM", "DEC"])
    hdr = eps[["CHILD", "la"]].drop_duplicates(ignore_index=True)
    hdr["SEX"] = "1"
    hdr["DOB"] = pd.Timestamp("2010-05-01")
    hdr["DOB"] = hdr["DOB"].astype("datetime64[s]")
    hdr["ETHNIC"] = "WBRI"

    cats = {
        "children": ["la", "GenderCurrent", "Ethnicity", "Disability"],
        "cin_referrals": ["la", "ReferralSource", "PrimaryNeedCode", "ReasonForClosure"],
        "assessments": ["la"],
        "section47": ["la"],
        "cp_plans": ["la", "InitialCategoryOfAbuse"],
        "la_header": ["la", "SEX", "ETHNIC"],
        "la_episodes": ["la", "RNE", "LS", "CIN", "PL", "REC"],
    }
    frames = {
        "children": children,
        "cin_referrals": ref,
        "assessments": ass,
        "section47": s47,
        "cp_plans": cpp,
        "la_header": hdr,
        "la_episodes": eps,
    }
    for t, cols in cats.items():
        for c in cols:
            frames[t][c] = frames[t][c].astype("category")
    for df in frames.values():
        for c in (
            "child_id",
            "LAchildID",
            "CHILD",
            "CINdetailsID",
            "AssessmentID",
            "S47ID",
            "CPPID",
            "NumberOfPreviousCPP",
        ):
            if c in df:
                df[c] = df[c].astype("int64")
    return NPDExtract(**frames, design=design())
