"""Input validation for extracts in the CIN census / SSDA903 schemas.

:func:`validate_extract` checks, in this order, and raises :class:`NPDValidationError` at the
first table with a problem (message: table, column, rule, and an example offending key and
value). Nothing is dropped or repaired.

1. **Missing fields**: every column of :data:`sofs_lib.sources.npd.extract.COLUMNS` is present.
2. **Declared schema per table** (a pandera ``DataFrameSchema``, :func:`schema`): code
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
4. **Collection window** (with ``window``): no event date after its end; assessments and
   section 47 enquiries not before its start (referrals, plans and episodes may have begun
   before the window).
5. **Episodes**: CIN episodes of one child in one LA do not overlap; SSDA903 episodes of one
   child in one LA are contiguous (none starts before the previous one ceased; an episode
   continuing a period of care starts the day the previous one ceased). Empty ``children`` or
   ``cin_referrals`` tables are refused.
6. **Consistency**: ``ReferralNFA`` = 1 needs a ``CINclosureDate``; every
   ``LAchildID``/``CHILD`` exists in ``children``; every ``CINdetailsID`` referenced by
   assessments, section 47 enquiries and plans exists in ``cin_referrals``; each episode's
   ``CHILD``/``la`` has a header row.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

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
    ("children", "PersonBirthDate"),
    ("children", "GenderCurrent"),
    ("children", "Ethnicity"),
    ("children", "FSMeligible"),
    ("cin_referrals", "PrimaryNeedCode"),
    ("cin_referrals", "CINclosureDate"),
    ("cin_referrals", "ReasonForClosure"),
    ("assessments", "AssessmentAuthorisationDate"),
    ("section47", "DateOfInitialCPC"),
    ("cp_plans", "CPPendDate"),
    ("la_header", "ETHNIC"),
    ("la_episodes", "DEC"),
    ("la_episodes", "REC"),
}


def _is_date(s: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(s)


def _build_schema(table: str):
    import pandera.pandas as pa

    cols = {}
    for col, kind in COLUMNS[table].items():
        checks = []
        if (table, col) in _CODE_LISTS:
            allowed = list(_CODE_LISTS[(table, col)])
            checks.append(
                pa.Check(lambda s, a=allowed: s.astype("string").isin(a), name=f"code in {table}.{col} code list")
            )
        if kind == "date":
            checks.append(pa.Check(_is_date, element_wise=False, name="is a date column"))
        if kind in ("flag", "nflag"):
            checks.append(pa.Check.isin([0, 1]))
        if kind == "int":
            checks.append(pa.Check.ge(0))
        cols[col] = pa.Column(None, checks=checks, nullable=(table, col) in _NULLABLE, required=True)
    return pa.DataFrameSchema(cols, unique=KEYS[table], strict=False, coerce=False, name=table)


@cache
def schema(table: str):
    """The declared pandera ``DataFrameSchema`` of ``table``, built on first use (pandera is
    imported only when a real extract is validated)."""
    return _build_schema(table)


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
    from pandera.errors import SchemaErrors

    try:
        schema(table).validate(df, lazy=True)
    except SchemaErrors as err:
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


#: Event dates checked against the collection window: (table, column, may precede the window).
#: Referrals and episodes may have begun before the window (open at its start); nothing may be
#: dated after its end.
WINDOW_DATES = (
    ("cin_referrals", "CINreferralDate", True),
    ("cin_referrals", "CINclosureDate", True),
    ("assessments", "AssessmentActualStartDate", False),
    ("assessments", "AssessmentAuthorisationDate", False),
    ("section47", "S47ActualStartDate", False),
    ("section47", "DateOfInitialCPC", False),
    ("cp_plans", "CPPstartDate", True),
    ("cp_plans", "CPPendDate", True),
    ("la_episodes", "DECOM", True),
    ("la_episodes", "DEC", True),
)


def check_window(t: dict, start, end) -> None:
    """Every event date inside the collection window ``[start, end]`` (see :data:`WINDOW_DATES`)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    for table, col, may_precede in WINDOW_DATES:
        df = t[table]
        _fail(df, table, col, f"date after the end of the collection window ({end.date()})", df[col] > end)
        if not may_precede:
            _fail(
                df,
                table,
                col,
                f"date before the start of the collection window ({start.date()})",
                df[col] < start,
            )


def check_cin_overlaps(ref: pd.DataFrame) -> None:
    """No two CIN episodes of one child in one LA overlap: sorted by referral date, an episode
    must start after the previous one closed (an open previous episode overlaps every later
    one)."""
    d = (
        ref[["CINdetailsID", "LAchildID", "la", "CINreferralDate", "CINclosureDate"]]
        .assign(la=ref["la"].astype("string"))
        .sort_values(["LAchildID", "la", "CINreferralDate", "CINdetailsID"])
    )
    same = (d["LAchildID"].eq(d["LAchildID"].shift())) & (d["la"].eq(d["la"].shift()))
    prev_close = d["CINclosureDate"].shift()
    prev_open = prev_close.isna()
    bad = same & (prev_open | (d["CINreferralDate"] < prev_close))
    if bad.any():
        i = bad.to_numpy().argmax()
        row, prev = d.iloc[i], d.iloc[i - 1]
        closed = "still open" if pd.isna(prev["CINclosureDate"]) else f"closed {prev['CINclosureDate'].date()}"
        raise NPDValidationError(
            "cin_referrals",
            "CINreferralDate",
            f"overlapping CIN episodes of child {row['LAchildID']} in {row['la']}: episode "
            f"{row['CINdetailsID']} referred {row['CINreferralDate'].date()} while episode {prev['CINdetailsID']} "
            f"(referred {prev['CINreferralDate'].date()}) was {closed}",
            key=f"CINdetailsID={row['CINdetailsID']}",
            value=row["CINreferralDate"].strftime("%Y-%m-%d"),
            n=int(bad.sum()),
        )


def check_episode_contiguity(eps: pd.DataFrame) -> None:
    """SSDA903 episodes of one child in one LA, sorted by ``DECOM``: an episode must not start
    before the previous one ceased (nor while it is open); an episode that continues a period
    of care (``RNE`` other than S) starts on the day the previous episode ceased."""
    d = eps[["CHILD", "la", "DECOM", "DEC", "RNE"]].assign(
        la=eps["la"].astype("string"), RNE=eps["RNE"].astype("string")
    )
    d = d.sort_values(["CHILD", "la", "DECOM"])
    same = d["CHILD"].eq(d["CHILD"].shift()) & d["la"].eq(d["la"].shift())
    prev_dec = d["DEC"].shift()
    overlap = same & (prev_dec.isna() | (d["DECOM"] < prev_dec))
    gap = same & ~overlap & (d["RNE"] != "S") & (d["DECOM"] != prev_dec)
    for mask, what in (
        (overlap, "starts before the previous episode ceased"),
        (
            gap,
            "continues a period of care (RNE not S) but does not start the day the previous episode ceased",
        ),
    ):
        if mask.any():
            i = mask.to_numpy().argmax()
            row, prev = d.iloc[i], d.iloc[i - 1]
            pdec = "open" if pd.isna(prev["DEC"]) else str(prev["DEC"].date())
            raise NPDValidationError(
                "la_episodes",
                "DECOM",
                f"non-contiguous episodes of child {row['CHILD']} in {row['la']}: the episode of "
                f"{row['DECOM'].date()} {what} (previous episode {prev['DECOM'].date()} to {pdec})",
                key=f"CHILD={row['CHILD']}, la={row['la']}, DECOM={row['DECOM'].date()}",
                value=row["DECOM"].strftime("%Y-%m-%d"),
                n=int(mask.sum()),
            )


def _check_references(t: dict) -> None:
    """Referential integrity: every record's child, CIN episode and (episodes) LA header exist."""
    ch, ref, hdr, eps = t["children"], t["cin_referrals"], t["la_header"], t["la_episodes"]
    ass, s47, cpp = t["assessments"], t["section47"], t["cp_plans"]
    known_children = pd.Index(ch["child_id"])
    for name, df, col in (
        ("cin_referrals", ref, "LAchildID"),
        ("assessments", ass, "LAchildID"),
        ("section47", s47, "LAchildID"),
        ("cp_plans", cpp, "LAchildID"),
        ("la_header", hdr, "CHILD"),
    ):
        _fail(df, name, col, "child not in the children table", ~df[col].isin(known_children))
    known_ref = pd.Index(ref["CINdetailsID"])
    for name, df in (("assessments", ass), ("section47", s47), ("cp_plans", cpp)):
        _fail(df, name, "CINdetailsID", "CIN episode not in cin_referrals", ~df["CINdetailsID"].isin(known_ref))
    hk = pd.MultiIndex.from_frame(hdr[["CHILD", "la"]].astype({"la": "string"}))
    ek = pd.MultiIndex.from_frame(eps[["CHILD", "la"]].astype({"la": "string"}))
    _fail(eps, "la_episodes", "CHILD", "episode without an la_header row for the child and LA", ~ek.isin(hk))


def _check_date_order(t: dict) -> None:
    """Impossible dates within a record or against its CIN episode's referral."""
    ref, ass, s47, cpp, eps = (t[n] for n in ("cin_referrals", "assessments", "section47", "cp_plans", "la_episodes"))
    _fail(
        ref,
        "cin_referrals",
        "CINclosureDate",
        "closure date before referral date",
        ref["CINclosureDate"] < ref["CINreferralDate"],
    )
    _fail(
        ref,
        "cin_referrals",
        "CINclosureDate",
        "ReferralNFA = 1 but no CINclosureDate",
        (ref["ReferralNFA"] == 1) & ref["CINclosureDate"].isna(),
    )
    _fail(
        ass,
        "assessments",
        "AssessmentAuthorisationDate",
        "authorisation date before start date",
        ass["AssessmentAuthorisationDate"] < ass["AssessmentActualStartDate"],
    )
    refdate = ref.set_index("CINdetailsID")["CINreferralDate"]
    for name, df, col in (
        ("assessments", ass, "AssessmentActualStartDate"),
        ("section47", s47, "S47ActualStartDate"),
        ("cp_plans", cpp, "CPPstartDate"),
    ):
        _fail(
            df,
            name,
            col,
            "starts before the referral of its CIN episode",
            df[col].to_numpy() < df["CINdetailsID"].map(refdate).to_numpy(),
        )
    _fail(
        s47,
        "section47",
        "DateOfInitialCPC",
        "initial conference before the section 47 start",
        s47["DateOfInitialCPC"] < s47["S47ActualStartDate"],
    )
    _fail(
        cpp,
        "cp_plans",
        "CPPendDate",
        "plan end date before plan start date",
        cpp["CPPendDate"] < cpp["CPPstartDate"],
    )
    _fail(
        eps,
        "la_episodes",
        "DEC",
        "episode ceased (DEC) before it commenced (DECOM)",
        eps["DEC"] < eps["DECOM"],
    )


def _check_births(t: dict, allow_birth_after_referral: bool) -> None:
    """No child born after its referral (unless allowed) or after an episode of care started."""
    ch, ref, hdr, eps = t["children"], t["cin_referrals"], t["la_header"], t["la_episodes"]
    if not allow_birth_after_referral:
        dob = ch.set_index("child_id")["PersonBirthDate"]
        _fail(
            ref,
            "cin_referrals",
            "CINreferralDate",
            "child born after the referral date (PersonBirthDate > CINreferralDate)",
            ref["LAchildID"].map(dob).to_numpy() > ref["CINreferralDate"].to_numpy(),
        )
    hdob = hdr.assign(la=hdr["la"].astype("string")).set_index(["CHILD", "la"])["DOB"]
    ep_dob = hdob.reindex(pd.MultiIndex.from_frame(eps[["CHILD", "la"]].astype({"la": "string"}))).to_numpy()
    _fail(
        eps,
        "la_episodes",
        "DECOM",
        "child born after the episode started (DOB > DECOM)",
        ep_dob > eps["DECOM"].to_numpy(),
    )


def validate_extract(
    extract: NPDExtract,
    *,
    allow_birth_after_referral: bool = False,
    window: tuple | None = None,
    cin_overlaps: bool = True,
) -> NPDExtract:
    """Validate all tables (see module docstring); return the extract unchanged if valid.
    ``window`` = ``(start, end)`` of the collection also checks every event date against it;
    ``cin_overlaps=False`` skips the overlap rule (to inspect an extract known to break it;
    the chapter never does)."""
    t = extract.tables()
    for name in TABLES:
        _check_schema(name, t[name])
    for name in ("children", "cin_referrals"):
        if len(t[name]) == 0:
            raise NPDValidationError(name, None, "table holds no records")
    _check_references(t)
    _check_date_order(t)
    _check_births(t, allow_birth_after_referral)
    if window is not None:
        check_window(t, *window)
    if cin_overlaps:
        check_cin_overlaps(t["cin_referrals"])
    check_episode_contiguity(t["la_episodes"])
    return extract
