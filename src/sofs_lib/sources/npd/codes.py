"""Code lists of the children in need (CIN) census and the SSDA903 (children looked after) return.

Field names follow the XML/CSV element names of the DfE specifications:

* CIN census: "Children in need census 2018 to 2019: technical specification" and its guide
  (elements ``CINreferralDate``, ``ReferralSource``, ``PrimaryNeedCode``, ``CINclosureDate``,
  ``ReasonForClosure``, ``ReferralNFA``, ``AssessmentActualStartDate``,
  ``AssessmentAuthorisationDate``, ``S47ActualStartDate``, ``DateOfInitialCPC``,
  ``CPPstartDate``, ``CPPendDate``, ``InitialCategoryOfAbuse``, ``NumberOfPreviousCPP``,
  ``GenderCurrent``, ``Ethnicity``, ``PersonBirthDate``, ``Disability``).
* SSDA903: "Children looked after return 2018 to 2019: guide" (episode fields ``DECOM``,
  ``RNE``, ``LS``, ``CIN``, ``PL``, ``DEC``, ``REC``; header fields ``CHILD``, ``SEX``,
  ``DOB``, ``ETHNIC``).

The code values below were checked against public machine-readable transcriptions of those
specifications (the Social Finance ``liia-tools`` CIN and SSDA903 schemas, and the
``lac_validator``/``cin_validator`` rule sets). What could not be confirmed is said beside it:

* ``REC`` codes E45-E48 (special guardianship orders split by relative/friend and former
  foster carer) replace E43/E44 in a later SSDA903 collection. The transcription we found
  labels the change "2019"; we could not confirm whether that means the 2018-19 or the
  2019-20 collection, so both sets are accepted and the generator uses E43/E44.
* ``PL`` codes Q1/Q2 (foster placement with relative or friend / other foster carer) are the
  codes that U1-U3/U4-U6 replaced; we could not confirm the collection year of the change, so
  Q1/Q2 are accepted as legacy codes (Q1 counts as kinship) and the generator uses U1-U6
  throughout 2008-2019.
* For ``ReferralNFA`` = 1 we could not confirm which ``ReasonForClosure`` the CIN guide
  expects; the generator records RC8 and no derivation relies on it.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# CIN census
# --------------------------------------------------------------------------------------------

#: ReferralSource (CIN census 2018 to 2019).
REFERRAL_SOURCE = (
    "1A",
    "1B",
    "1C",
    "1D",
    "2A",
    "2B",
    "3A",
    "3B",
    "3C",
    "3D",
    "3E",
    "3F",
    "4",
    "5A",
    "5B",
    "5C",
    "6",
    "7",
    "8",
    "9",
    "10",
)

#: PrimaryNeedCode / category of need. N0 'not stated', N9 'cases other than children in need'.
PRIMARY_NEED = ("N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9")

#: Labels used in Table A10.4 ('Main need').
PRIMARY_NEED_LABELS = {
    "N0": "not stated",
    "N1": "abuse or neglect",
    "N2": "child's disability/illness",
    "N3": "parental disability/illness",
    "N4": "family in acute stress",
    "N5": "family dysfunction",
    "N6": "socially unacceptable behaviour",
    "N7": "low income",
    "N8": "absent parenting",
    "N9": "cases other than children in need",
}

#: ReasonForClosure (CIN census): RC1 adopted, RC2 died, RC3 child arrangements order,
#: RC4 special guardianship order, RC5 transferred to another LA, RC6 transferred to adult
#: social care, RC7 services ceased for any other reason, RC8 case closed after assessment, NFA.
REASON_FOR_CLOSURE = ("RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8")
NFA_AFTER_ASSESSMENT = "RC8"

#: GenderCurrent: 0 not known (includes unborn), 1 male, 2 female, 9 not specified.
GENDER = ("0", "1", "2", "9")

#: Ethnicity (CIN) / ETHNIC (SSDA903): the DfE 4-character codes.
ETHNICITY = (
    "WBRI",
    "WIRI",
    "WIRT",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
)

#: Major ethnic group used in Tables A10.3/A10.4.
ETHNIC_GROUP = {
    **{c: "White" for c in ("WBRI", "WIRI", "WIRT", "WOTH", "WROM")},
    **{c: "Mixed" for c in ("MWBC", "MWBA", "MWAS", "MOTH")},
    **{c: "Asian" for c in ("AIND", "APKN", "ABAN", "AOTH")},
    **{c: "Black" for c in ("BCRB", "BAFR", "BOTH")},
    **{c: "Any other ethnic group" for c in ("CHNE", "OOTH")},
    **{c: "Unclassified" for c in ("REFU", "NOBT")},
}

#: Disability (CIN census): NONE or the type of impairment.
DISABILITY = (
    "NONE",
    "MOB",
    "HAND",
    "PC",
    "INC",
    "COMM",
    "LD",
    "HEAR",
    "VIS",
    "BEH",
    "CON",
    "AUT",
    "DDA",
)

#: InitialCategoryOfAbuse / LatestCategoryOfAbuse.
CATEGORY_OF_ABUSE = ("NEG", "PHY", "SAB", "EMO", "MUL")

# --------------------------------------------------------------------------------------------
# SSDA903
# --------------------------------------------------------------------------------------------

#: RNE, reason for new episode: S started to be looked after; L change of legal status only;
#: P change of placement and carer(s) only; T change of placement (same carer(s)) only;
#: B change of legal status and placement and carer(s); U change of legal status and
#: placement (same carer(s)).
RNE = ("S", "L", "P", "T", "B", "U")
RNE_STARTED = "S"

#: LS, legal status.
LEGAL_STATUS = ("C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4")
#: Short-break legal statuses (V3 agreed series of short breaks, episodes recorded; V4 agreements).
SHORT_BREAK_LS = ("V3", "V4")

#: PL, placement type (2018-19 list) plus legacy Q1/Q2.
PLACEMENT = (
    "A3",
    "A4",
    "A5",
    "A6",
    "H5",
    "K1",
    "K2",
    "P1",
    "P2",
    "P3",
    "R1",
    "R2",
    "R3",
    "R5",
    "S1",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "Z1",
    "Q1",
    "Q2",
)
#: Foster placements with relative(s) or friend(s) (kinship): U1 long-term, U2 fostering for
#: adoption/concurrent planning, U3 other; Q1 is the legacy code they replaced.
KINSHIP_PLACEMENTS = ("U1", "U2", "U3", "Q1")

#: REC, reason episode ceased.
REASON_EPISODE_CEASED = (
    "X1",
    "E11",
    "E12",
    "E13",
    "E14",
    "E15",
    "E16",
    "E17",
    "E2",
    "E3",
    "E41",
    "E43",
    "E44",
    "E45",
    "E46",
    "E47",
    "E48",
    "E4A",
    "E4B",
    "E5",
    "E6",
    "E7",
    "E8",
    "E9",
)
#: X1: episode ceases and a new episode begins on the same day (the period of care continues).
REC_CONTINUES = "X1"
#: Special guardianship orders: E43 to former foster carers, E44 to other carers; E45-E48 the
#: later split by relative/friend (see module docstring for the uncertainty over the year).
SGO_CODES = ("E43", "E44", "E45", "E46", "E47", "E48")

#: SEX in the SSDA903 header: 1 male, 2 female.
SEX = ("1", "2")
