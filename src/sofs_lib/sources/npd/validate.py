"""Input validation for extracts in the CIN census / SSDA903 schemas.

:func:`validate_extract` checks, in this order, and raises :class:`NPDValidationError` at the
first table with a problem (message: table, column, rule, and an example offending key and
value). Nothing is dropped or repaired.

1. **Missing fields**: every column of :data:`sofs_lib.sources.npd.extract.COLUMNS` is present.
2. **Declared schema per table** (a pandera ``DataFrameSchema``, :data:`SCHEMAS`): code
   columns only hold codes of :mod:`sofs_lib.sources.npd.codes` (``la`` is free text), required
   values are present, date columns hold dates, keys are unique
   (``child_id``; ``CINdetailsID``; ``AssessmentID``; ``S47ID``; ``CPPID``;
   (``CHILD``, ``la``) in the header; (``CHILD``, ``la``, ``DECOM``) for episodes).
3. **Impossible dates**: ``CINclosureDate`` before ``CINreferralDate``;
   ``AssessmentAuthorisationDate`` before ``AssessmentActualStartDate``; an assessment, a
   section 47 enquiry or a plan starting before its referral; ``DateOfInitialCPC`` before
   ``S47ActualStartDate``; ``CPPendDate`` before ``CPPstartDate``; ``DEC`` before ``DECOM``;
   birth after the referral (children) or after the episode start (SSDA903 header).
   The CIN census allows referrals of unborn children; in this schema an unborn child has
   no ``PersonBirthDate``. Pass ``allow_birth_after_referral=True`` to accept a recorded
   birth date after the referral.
4. **Consistency**: ``ReferralNFA`` = 1 needs a ``CINclosureDate``; every
   ``LAchildID``/``CHILD`` exists in ``children``; every ``CINdetailsID`` referenced by
   assessments, section 47 enquiries and plans exists in ``cin_referrals``; each episode's
   ``CHILD``/``la`` has a header row.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from sofs_lib.sources.npd import codes
from sofs_lib.sources.npd.extract import COLUMNS, TABLES, NPDExtract


class NPDValidationError(ValueError):
    """An extract breaks a rule. Attributes: ``table``, ``column``, ``rule``, ``key``, ``value``."""

    def __init__(self, table, column, rule, *, key=None, value=None, row=None, n=None):
        self.table, self.column, self.rule = table, column, rule
        self.key, self.value, self.row, self.n = key, value, row, n
        msg = f"table {table!r}"
        if column is not None:
            msg += f", column {column!r}"
        msg += f": {rule}"
        if n is not None:
            msg += f" ({n} record{'s' if n != 1 else ''})"
        ex = []
        if key is not None:
            ex.append(f"key {key}")
        if row is not None:
            ex.append(f"CSV line {row}")
        if value is not None or key is not None or row is not None:
            ex.append(f"value {value!r}")
        if ex:
            msg += "; e.g. " + ", ".join(ex)
        super().__init__(msg)


#: Key columns of each table (used in messages and uniqueness checks).
KEYS = {
    "children": ["child_id"],
    "cin_referrals": ["CINdetailsID"],
    "assessments": ["AssessmentID"],
    "section47": ["S47ID"],
    "cp_plans": ["CPPID"],
    "la_header": ["CHILD", "la"],
    "la_episodes": ["CHILD", "la", "DECOM"],
}

_CODE_LISTS = {
    ("children", "GenderCurrent"): codes.GENDER,
    ("children", "Ethnicity"): codes.ETHNICITY,
    ("children", "Disability"): codes.DISABILITY,
    ("cin_referrals", "ReferralSource"): codes.REFERRAL_SOURCE,
    ("cin_referrals", "PrimaryNeedCode"): codes.PRIMARY_NEED,
    ("cin_referrals", "ReasonForClosure"): codes.REASON_FOR_CLOSURE,
    ("cp_plans", "InitialCategoryOfAbuse"): codes.CATEGORY_OF_ABUSE,
    ("la_header", "SEX"): codes.SEX,
    ("la_header", "ETHNIC"): codes.ETHNICITY,
    ("la_episodes", "RNE"): codes.RNE,
    ("la_episodes", "LS"): codes.LEGAL_STATUS,
    ("la_episodes", "CIN"): codes.PRIMARY_NEED,
    ("la_episodes", "PL"): codes.PLACEMENT,
    ("la_episodes", "REC"): codes.REASON_EPISODE_CEASED,
}

#: Columns that may be empty (all others are required).
_NULLABLE = {
    ("children", "PersonBirthDate"), ("children", "GenderCurrent"), ("children", "Ethnicity"),
    ("children", "FSMeligible"),
    ("cin_referrals", "PrimaryNeedCode"), ("cin_referrals", "CINclosureDate"),
    ("cin_referrals", "ReasonForClosure"),
    ("assessments", "AssessmentAuthorisationDate"),
    ("section47", "DateOfInitialCPC"),
    ("cp_plans", "CPPendDate"),
    ("la_header", "ETHNIC"),
    ("la_episodes", "DEC"), ("la_episodes", "REC"),
}


def _is_date(s: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(s)


def _build_schema(table: str) -> pa.DataFrameSchema:
    cols = {}
    for col, kind in COLUMNS[table].items():
        checks = []
        if (table, col) in _CODE_LISTS:
            allowed = list(_CODE_LISTS[(table, col)])
            checks.append(pa.Check(lambda s, a=allowed: s.astype("string").isin(a), name=f"code in {table}.{col} code list"))
        if kind == "date":
            checks.append(pa.Check(_is_date, element_wise=False, name="is a date column"))
        if kind in ("flag", "nflag"):
            checks.append(pa.Check.isin([0, 1]))
        if kind == "int":
            checks.append(pa.Check.ge(0))
        cols[col] = pa.Column(None, checks=checks, nullable=(table, col) in _NULLABLE, required=True)
    return pa.DataFrameSchema(cols, unique=KEYS[table], strict=False, coerce=False, name=table)


#: The declared pandera schema of each table.
SCHEMAS: dict[str, pa.DataFrameSchema] = {t: _build_schema(t) for t in TABLES}


def _key_of(df: pd.DataFrame, table: str, idx) -> str:
    row = df.loc[idx]
    return ", ".join(f"{k}={row[k]!s}" for k in KEYS[table])


def _fail(df, table, column, rule, mask, value_col=None):
    mask = pd.Series(mask, index=df.index).fillna(False).astype(bool)
    if mask.any():
        idx = mask.idxmax()
        val = df.loc[idx, value_col or column]
        if isinstance(val, pd.Timestamp):
            val = val.strftime("%Y-%m-%d")
        raise NPDValidationError(table, column, rule, key=_key_of(df, table, idx), value=val, n=int(mask.sum()))


def _check_schema(table: str, df: pd.DataFrame) -> None:
    for col in COLUMNS[table]:
        if col not in df.columns:
            raise NPDValidationError(table, col, "required column missing")
    try:
        SCHEMAS[table].validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        first = fc.iloc[0]
        col = first.get("column")
        check = str(first.get("check"))
        val = first.get("failure_case")
        idx = first.get("index")
        if check == "not_nullable":
            rule = "missing value in a required column"
        elif "code list" in check or check.startswith("isin"):
            rule = "unknown code"
        elif "unique" in check or "duplicates" in check.lower():
            rule = f"duplicate key ({', '.join(KEYS[table])})"
            col = ", ".join(KEYS[table]) if col is None or col == table else col
        else:
            rule = f"fails check {check}"
        key = None
        if idx is not None and not pd.isna(idx) and idx in df.index:
            key = _key_of(df, table, idx)
        n = int((fc["check"].astype(str) == check).sum()) if "check" in fc else None
        raise NPDValidationError(table, col, rule, key=key, value=val, n=n) from None


def validate_extract(extract: NPDExtract, *, allow_birth_after_referral: bool = False) -> NPDExtract:
    """Validate all tables (see module docstring); return the extract unchanged if valid."""
    t = extract.tables()
    for name in TABLES:
        _check_schema(name, t[name])

    ch = t["children"]
    ref = t["cin_referrals"]
    ass = t["assessments"]
    s47 = t["section47"]
    cpp = t["cp_plans"]
    hdr = t["la_header"]
    eps = t["la_episodes"]

    # referential integrity
    known_children = pd.Index(ch["child_id"])
    for name, df, col in (
        ("cin_referrals", ref, "LAchildID"), ("assessments", ass, "LAchildID"),
        ("section47", s47, "LAchildID"), ("cp_plans", cpp, "LAchildID"), ("la_header", hdr, "CHILD"),
    ):
        _fail(df, name, col, "child not in the children table", ~df[col].isin(known_children))
    known_ref = pd.Index(ref["CINdetailsID"])
    for name, df in (("assessments", ass), ("section47", s47), ("cp_plans", cpp)):
        _fail(df, name, "CINdetailsID", "CIN episode not in cin_referrals", ~df["CINdetailsID"].isin(known_ref))
    hk = pd.MultiIndex.from_frame(hdr[["CHILD", "la"]].astype({"la": "string"}))
    ek = pd.MultiIndex.from_frame(eps[["CHILD", "la"]].astype({"la": "string"}))
    _fail(eps, "la_episodes", "CHILD", "episode without an la_header row for the child and LA", ~ek.isin(hk))

    # impossible dates
    _fail(ref, "cin_referrals", "CINclosureDate", "closure date before referral date",
          ref["CINclosureDate"] < ref["CINreferralDate"])
    _fail(ref, "cin_referrals", "CINclosureDate", "ReferralNFA = 1 but no CINclosureDate",
          (ref["ReferralNFA"] == 1) & ref["CINclosureDate"].isna())
    _fail(ass, "assessments", "AssessmentAuthorisationDate", "authorisation date before start date",
          ass["AssessmentAuthorisationDate"] < ass["AssessmentActualStartDate"])
    refdate = ref.set_index("CINdetailsID")["CINreferralDate"]
    for name, df, col in (
        ("assessments", ass, "AssessmentActualStartDate"), ("section47", s47, "S47ActualStartDate"),
        ("cp_plans", cpp, "CPPstartDate"),
    ):
        _fail(df, name, col, "starts before the referral of its CIN episode",
              df[col].to_numpy() < df["CINdetailsID"].map(refdate).to_numpy())
    _fail(s47, "section47", "DateOfInitialCPC", "initial conference before the section 47 start",
          s47["DateOfInitialCPC"] < s47["S47ActualStartDate"])
    _fail(cpp, "cp_plans", "CPPendDate", "plan end date before plan start date",
          cpp["CPPendDate"] < cpp["CPPstartDate"])
    _fail(eps, "la_episodes", "DEC", "episode ceased (DEC) before it commenced (DECOM)", eps["DEC"] < eps["DECOM"])
    if not allow_birth_after_referral:
        dob = ch.set_index("child_id")["PersonBirthDate"]
        _fail(ref, "cin_referrals", "CINreferralDate", "child born after the referral date (PersonBirthDate > CINreferralDate)",
              ref["LAchildID"].map(dob).to_numpy() > ref["CINreferralDate"].to_numpy())
    hdob = hdr.assign(la=hdr["la"].astype("string")).set_index(["CHILD", "la"])["DOB"]
    ep_dob = hdob.reindex(pd.MultiIndex.from_frame(eps[["CHILD", "la"]].astype({"la": "string"}))).to_numpy()
    _fail(eps, "la_episodes", "DECOM", "child born after the episode started (DOB > DECOM)", ep_dob > eps["DECOM"].to_numpy())
    return extract
