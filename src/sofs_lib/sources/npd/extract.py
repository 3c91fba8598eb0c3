"""The :class:`NPDExtract` container and reading/writing extracts as CSV folders.

An extract holds seven tables, in the field names of the CIN census and SSDA903 return
(see :mod:`sofs_lib.sources.npd.codes`) plus an NPD-style child record:

============== ================ ============================================================
table          file             one row per / key
============== ================ ============================================================
children       children.csv     child (``child_id``): ``la``, ``PersonBirthDate``,
                                ``GenderCurrent``, ``Ethnicity``, ``Disability``,
                                ``FSMeligible`` (school census; empty = not recorded)
cin_referrals  cin_referrals.csv CIN episode (``CINdetailsID``): ``LAchildID``, ``la``,
                                ``CINreferralDate``, ``ReferralSource``, ``PrimaryNeedCode``,
                                ``ReferralNFA`` (0/1), ``CINclosureDate``, ``ReasonForClosure``
assessments    assessments.csv  assessment (``AssessmentID``): ``CINdetailsID``, ``LAchildID``,
                                ``la``, ``AssessmentActualStartDate``,
                                ``AssessmentAuthorisationDate``
section47      section47.csv    section 47 enquiry (``S47ID``): ``CINdetailsID``,
                                ``LAchildID``, ``la``, ``S47ActualStartDate``,
                                ``DateOfInitialCPC``
cp_plans       cp_plans.csv     child protection plan (``CPPID``): ``CINdetailsID``,
                                ``LAchildID``, ``la``, ``CPPstartDate``, ``CPPendDate``,
                                ``InitialCategoryOfAbuse``, ``NumberOfPreviousCPP``
la_header      la_header.csv    looked-after child in an LA (``CHILD``, ``la``): ``SEX``,
                                ``DOB``, ``ETHNIC``
la_episodes    la_episodes.csv  SSDA903 episode (``CHILD``, ``la``, ``DECOM``): ``RNE``,
                                ``LS``, ``CIN``, ``PL``, ``DEC``, ``REC``
============== ================ ============================================================

``child_id`` = ``LAchildID`` = ``CHILD``: one linked (NPD-style, pseudonymised) identifier
for the same child in every table. Dates are ISO ``YYYY-MM-DD``; empty cells are missing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

TABLES = (
    "children",
    "cin_referrals",
    "assessments",
    "section47",
    "cp_plans",
    "la_header",
    "la_episodes",
)

#: File name of each table in an extract folder.
FILE_NAMES = {t: f"{t}.csv" for t in TABLES}

#: Column types used when reading CSVs: 'id' int64, 'date', 'code' (category of strings),
#: 'flag' (0/1 int8), 'int' (Int64), 'nflag' (nullable 0/1).
COLUMNS: dict[str, dict[str, str]] = {
    "children": {
        "child_id": "id",
        "la": "code",
        "PersonBirthDate": "date",
        "GenderCurrent": "code",
        "Ethnicity": "code",
        "Disability": "code",
        "FSMeligible": "nflag",
    },
    "cin_referrals": {
        "CINdetailsID": "id",
        "LAchildID": "id",
        "la": "code",
        "CINreferralDate": "date",
        "ReferralSource": "code",
        "PrimaryNeedCode": "code",
        "ReferralNFA": "flag",
        "CINclosureDate": "date",
        "ReasonForClosure": "code",
    },
    "assessments": {
        "AssessmentID": "id",
        "CINdetailsID": "id",
        "LAchildID": "id",
        "la": "code",
        "AssessmentActualStartDate": "date",
        "AssessmentAuthorisationDate": "date",
    },
    "section47": {
        "S47ID": "id",
        "CINdetailsID": "id",
        "LAchildID": "id",
        "la": "code",
        "S47ActualStartDate": "date",
        "DateOfInitialCPC": "date",
    },
    "cp_plans": {
        "CPPID": "id",
        "CINdetailsID": "id",
        "LAchildID": "id",
        "la": "code",
        "CPPstartDate": "date",
        "CPPendDate": "date",
        "InitialCategoryOfAbuse": "code",
        "NumberOfPreviousCPP": "int",
    },
    "la_header": {"CHILD": "id", "la": "code", "SEX": "code", "DOB": "date", "ETHNIC": "code"},
    "la_episodes": {
        "CHILD": "id",
        "la": "code",
        "DECOM": "date",
        "RNE": "code",
        "LS": "code",
        "CIN": "code",
        "PL": "code",
        "DEC": "date",
        "REC": "code",
    },
}


@dataclass
class NPDExtract:
    """A (synthetic or real) extract: one DataFrame per table in :data:`TABLES`.

    ``design`` is the :class:`~sofs_lib.sources.npd.design.StudyDesign` the data were generated
    under (``None`` for a real extract: pass a design to the derivations) and ``params`` the
    generator's parameters.
    """

    children: pd.DataFrame
    cin_referrals: pd.DataFrame
    assessments: pd.DataFrame
    section47: pd.DataFrame
    cp_plans: pd.DataFrame
    la_header: pd.DataFrame
    la_episodes: pd.DataFrame
    design: Any = None
    params: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in :data:`TABLES` order."""
        return {t: getattr(self, t) for t in TABLES}

    @property
    def n_records(self) -> int:
        """Total number of rows over all tables."""
        return int(sum(len(df) for df in self.tables().values()))

    def sizes(self) -> pd.Series:
        """Rows per table."""
        return pd.Series({t: len(df) for t, df in self.tables().items()}, name="rows")

    def digest(self) -> str:
        """SHA-256 over ``to_csv()`` of every table (equal digests = byte-identical CSVs)."""
        h = hashlib.sha256()
        for name, df in self.tables().items():
            h.update(name.encode())
            h.update(df.to_csv(index=False, date_format="%Y-%m-%d").encode())
        return h.hexdigest()

    def write_csv(self, folder: str | os.PathLike) -> Path:
        """Write one CSV per table (:data:`FILE_NAMES`) into ``folder`` (created if needed)."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables().items():
            df.to_csv(out / FILE_NAMES[name], index=False, date_format="%Y-%m-%d")
        return out


def _convert(table: str, col: str, kind: str, s: pd.Series) -> pd.Series:
    from sofs_lib.sources.npd.validate import NPDValidationError

    raw = s
    if kind == "date":
        out = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
        bad = out.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    elif kind in ("id", "int", "flag", "nflag"):
        out = pd.to_numeric(s, errors="coerce")
        bad = out.isna() & raw.notna()
        bad |= out.notna() & (out != out.round())
        if kind in ("flag", "nflag"):
            bad |= out.notna() & ~out.isin([0, 1])
    else:
        return s.astype("string").str.strip().astype("category")
    if bad.any():
        i = bad.idxmax()
        raise NPDValidationError(table, col, f"value cannot be read as {kind}", row=int(i) + 2, value=raw.loc[i])
    if kind == "id":
        if out.isna().any():
            i = out.isna().idxmax()
            raise NPDValidationError(table, col, "missing identifier", row=int(i) + 2, value=None)
        return out.astype("int64")
    if kind == "flag":
        return out.astype("Int8") if out.isna().any() else out.astype("int8")
    if kind in ("int", "nflag"):
        return out.astype("Int64" if kind == "int" else "Int8")
    return out


def read_extract(data_dir: str | os.PathLike, *, validate: bool = True, **validate_kw) -> NPDExtract:
    """Read an extract from a folder of CSVs (:data:`FILE_NAMES`), convert types and validate.

    Raises :class:`~sofs_lib.sources.npd.validate.NPDValidationError` naming the file when a file is
    missing, naming the table/column/row when a value cannot be read, and as described in
    :func:`~sofs_lib.sources.npd.validate.validate_extract` for invalid records. Extra columns are
    kept; nothing is dropped. ``validate_kw`` go to :func:`validate_extract`.
    """
    from sofs_lib.sources.npd.validate import NPDValidationError, validate_extract

    folder = Path(data_dir)
    frames: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        path = folder / FILE_NAMES[table]
        if not path.exists():
            raise NPDValidationError(table, None, f"file {FILE_NAMES[table]!r} not found in the extract folder")
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        except pd.errors.EmptyDataError:
            raise NPDValidationError(
                table, None, f"file {FILE_NAMES[table]!r} is empty (not even a header row)"
            ) from None
        for col, kind in COLUMNS[table].items():
            if col not in df.columns:
                raise NPDValidationError(table, col, f"required column missing from {FILE_NAMES[table]}")
            df[col] = _convert(table, col, kind, df[col])
        frames[table] = df
    extract = NPDExtract(**frames)
    if validate:
        validate_extract(extract, **validate_kw)
    return extract
