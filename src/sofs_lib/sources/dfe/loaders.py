"""Loaders for the real DfE and ONS files used in Appendix 9 (the Ofsted workbooks are read by
:mod:`sofs_lib.sources.dfe.ofsted`).

Every loader takes a file path (or, for the convenience functions, the data folder
``dfe_data_dir``), checks the declared layout, maps suppression codes to missing, harmonises
LA names and codes (:mod:`sofs_lib.sources.dfe.names`) and validates the output against a pandera
schema. Suppression counts are attached as ``df.attrs['suppressed']`` ((column, code, count) tuples)
and ``df.attrs['n_suppressed']``; :func:`sofs_lib.sources.dfe.suppression_summary` returns them as a
DataFrame.

Errors: :class:`DfeLayoutError` (missing/unexpected columns, non-numeric values),
:class:`DfeFormatError` (a spreadsheet where a CSV is expected, or vice versa),
:class:`DfeEmptyFileError` (empty file). All name the file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.core import paths
from sofs_lib.sources.dfe import schemas as S
from sofs_lib.sources.dfe._io import (
    attach_report,
    check_columns,
    check_duplicate_keys,
    read_csv_text,
    sniff,
    to_numeric_with_codes,
    validate_schema,
)
from sofs_lib.sources.dfe.errors import DfeEmptyFileError, DfeFormatError, DfeLayoutError
from sofs_lib.sources.dfe.names import harmonise
from sofs_lib.sources.dfe.ods import read_sheet

#: default location of the data folder, relative to the repository root
DEFAULT_DFE_DATA_DIR = Path("..") / "shared" / "dfe-data"


def resolve_dfe_data_dir(dfe_data_dir: str | os.PathLike | None = None) -> Path:
    """The data folder: the argument, else ``$SOFS_DFE_DATA_DIR``, else ``../shared/dfe-data``
    relative to the project root (:func:`sofs_lib.core.paths.repo_root`)."""
    if dfe_data_dir is not None:
        return Path(dfe_data_dir)
    env = os.environ.get("SOFS_DFE_DATA_DIR")
    if env:
        return Path(env)
    return (paths.repo_root() / DEFAULT_DFE_DATA_DIR).resolve()


def _year_from_period(tp: pd.Series) -> pd.Series:
    """EES ``time_period``: 2019 -> 2019; 201819 -> 2019 (year in which the period ends)."""
    s = tp.astype("string").str.strip()
    out = pd.Series(np.nan, index=s.index)
    four = s.str.fullmatch(r"\d{4}").fillna(False)
    six = s.str.fullmatch(r"\d{6}").fillna(False)
    out[four] = s[four].astype(int)
    out[six] = s[six].str[:4].astype(int) + 1
    if out.isna().any():
        bad = sorted(set(s[out.isna()].astype(str)))[:5]
        raise ValueError(f"unrecognised time_period values {bad}")
    return out.astype(int)


def _layout_for(path: Path):
    stem = path.name.lower()
    for key, cols in S.EES_LAYOUTS.items():
        if stem.startswith(key.lower()):
            return key, cols
    return None, None


def _apply_renames(df: pd.DataFrame, key: str | None) -> tuple[pd.DataFrame, dict]:
    """Map the column names of the releases we know onto the declared ones: the explicit
    :data:`~sofs_lib.sources.dfe.schemas.EES_RENAMES` of the layout, then a declared column that is
    present under another case (c1's ``Category`` is ``category`` from the 2024 release)."""
    if key is None:
        return df, {}
    declared = list(S.EES_LAYOUTS.get(key, [])) + list(S.EES_KNOWN_COLUMNS.get(key, []))
    renames = {
        old: new for old, new in S.EES_RENAMES.get(key, {}).items() if old in df.columns and new not in df.columns
    }
    lower = {c.lower(): c for c in df.columns}
    for col in declared:
        if col not in df.columns and col not in renames.values():
            hit = lower.get(col.lower())
            if hit is not None and hit != col and hit not in declared:
                renames[hit] = col
    return (df.rename(columns=renames) if renames else df), renames


# --------------------------------------------------------------------------------------------
# Explore Education Statistics tidy CSV (CIN, CLA, workforce, population)
# --------------------------------------------------------------------------------------------
def load_ees(
    path: str | os.PathLike,
    required_values: list[str] | None = None,
    strict: bool = False,
    date_basis: str = "march",
) -> pd.DataFrame:
    """Load an Explore Education Statistics tidy CSV.

    Adds ``year`` (the calendar year in which the reporting year ends: 31 March for CIN/CLA,
    30 September for workforce) and harmonised ``la_code``/``ons_code``/``la_name``. Value
    columns become floats (suppression codes -> NaN, counted in ``attrs['suppressed']``).
    ``required_values`` defaults to the declared layout for the publication (by file name).
    """
    path = Path(path)
    df = read_csv_text(path)
    key, declared = _layout_for(path)
    df, renamed = _apply_renames(df, key)
    if required_values is None:
        required_values = declared or []
    has_la = "la_name" in df.columns or "new_la_code" in df.columns or "old_la_code" in df.columns
    derivable = S.RATE_FROM_COUNT.get(key, {})
    missing_rates = {r: c for r, c in derivable.items() if r not in df.columns and c in df.columns}
    required_values = [c for c in required_values if c not in missing_rates]
    required = S.EES_CORE + (S.EES_LA if has_la or declared else []) + list(required_values)
    optional = set(S.EES_LABEL_COLUMNS) | set(S.EES_LA)
    if declared is None:
        # generic layout: value columns are whatever else is there
        optional |= set(df.columns)
    else:
        optional |= set(S.EES_KNOWN_COLUMNS.get(key, []))
    extra = check_columns(df, path, required, optional=optional, strict=strict)
    label_cols = [c for c in df.columns if c in S.EES_LABEL_COLUMNS]
    core = set(S.EES_CORE) | set(S.EES_LA)
    value_cols = [c for c in df.columns if c not in core and c not in label_cols]
    if declared is None:
        # generic layout: a column none of whose entries is a number is a label column
        for c in list(value_cols):
            txt = df[c].dropna().astype(str).str.strip()
            if len(txt) and not pd.to_numeric(txt.str.replace(",", ""), errors="coerce").notna().any():
                value_cols.remove(c)
                label_cols.append(c)
    df, counts = to_numeric_with_codes(df, value_cols, path)
    try:
        df["year"] = _year_from_period(df["time_period"])
    except ValueError as e:
        raise DfeLayoutError(path, detail=str(e)) from None
    if has_la:
        df = harmonise(
            df,
            name_col="la_name",
            code_col="old_la_code",
            ons_col="new_la_code",
            year_col="year",
            date_basis=date_basis,
        )
        df.loc[df["geographic_level"] != "Local authority", ["la_code", "la_name", "ons_code"]] = pd.NA
        _check_la_codes(df, path)
    else:
        df["la_code"] = pd.Series(pd.NA, index=df.index, dtype="string")
    for c in value_cols:
        if (df[c] < 0).any():
            raise DfeLayoutError(path, detail=f"column {c!r} has negative values")
    df = check_duplicate_keys(
        df, ["la_code", "year", "time_identifier"] + label_cols, value_cols, path, where=df["la_code"].notna()
    )
    df = validate_schema(S.EES_OUTPUT, df, path)
    df.attrs["value_columns"] = value_cols
    df.attrs["label_columns"] = label_cols
    df.attrs["layout"] = key or "generic EES"
    df.attrs["renamed_columns"] = renamed
    #: rate columns this release lacks but whose counts it has (computed by the panel builder)
    df.attrs["missing_rates"] = missing_rates
    df.attrs["year_basis"] = "30 September" if date_basis == "september" else "year ending 31 March"
    return attach_report(df, path, counts, extra)


def _check_la_codes(df: pd.DataFrame, path: Path) -> None:
    """Every LA row must map to one council of ``data/la_codes.csv``: its DfE number and its ONS
    code must agree, and a row that matches no council stops the load (a joint return such as
    ``314 / 318`` is kept for the builders that split it)."""
    from sofs_lib.sources.dfe.names import ONS_TO_LA

    la = df[df["geographic_level"] == "Local authority"]
    if "new_la_code" in la.columns and "old_la_code" in la.columns:
        by_ons = la["new_la_code"].astype("string").str.strip().map(ONS_TO_LA)
        bad = la[la["la_code"].notna() & by_ons.notna() & (by_ons != la["la_code"]).fillna(False)]
        if len(bad):
            r = bad.iloc[0]
            raise DfeLayoutError(
                path,
                detail=(
                    f"{len(bad)} LA row(s) whose DfE number and ONS code name different councils, e.g. "
                    f"old_la_code={r['old_la_code']!r} new_la_code={r['new_la_code']!r} la_name={r['la_name']!r} "
                    "(rule: both codes of a row belong to one council in data/la_codes.csv)"
                ),
            )
    old = (
        la["old_la_code"].astype("string").fillna("") if "old_la_code" in la.columns else pd.Series("", index=la.index)
    )
    joint = old.str.fullmatch(r"\s*\d{3}(\s*/\s*\d{3})+\s*").fillna(False)
    unknown = la[la["la_code"].isna() & ~joint]
    if len(unknown):
        ex = unknown[[c for c in ("time_period", "old_la_code", "new_la_code", "source_la_name") if c in unknown]]
        raise DfeLayoutError(
            path,
            detail=(
                f"{len(unknown)} LA row(s) match no council of data/la_codes.csv, e.g. "
                f"{ex.drop_duplicates().head(3).to_dict('records')} (a new or renamed council: add its "
                "codes to data/la_codes.csv)"
            ),
        )


def load_workforce(path: str | os.PathLike, strict: bool = False) -> pd.DataFrame:
    """Children's social work workforce indicator file (EES layout; ``year`` = 30 September)."""
    return load_ees(path, strict=strict, date_basis="september")


def load_population(path: str | os.PathLike, strict: bool = False) -> pd.DataFrame:
    """ONS mid-year population estimates (0-17) in EES layout; ``year`` = mid-year (30 June)."""
    df = load_ees(path, strict=strict)
    df.attrs["year_basis"] = "mid-year (30 June)"
    return df


# --------------------------------------------------------------------------------------------
# Older SFR 'Children looked after in England' CSVs (2014-2019 releases)
# --------------------------------------------------------------------------------------------
def _cla_legacy_kind(path: Path) -> tuple[str, int]:
    m = re.search(r"(CLA|ADM|CEA)(\d{4})", path.name, flags=re.I)
    if not m:
        raise DfeLayoutError(path, detail="file name does not say which table (CLA/ADM/CEA) and release year")
    return m.group(1).upper(), int(m.group(2))


def load_cla_legacy(path: str | os.PathLike, strict: bool = False) -> pd.DataFrame:
    """One table of the older SFR release: ``*CLA<year>`` (at 31 March), ``*ADM<year>`` (started),
    ``*CEA<year>`` (ceased). Keeps the wide layout, LA rows only, adds ``release_year``, ``table``
    and harmonised LA columns. Column names in these files carry their own years
    (``CLA_Rate2019``); :func:`cla_legacy_series` turns them into a long series."""
    path = Path(path)
    kind, release = _cla_legacy_kind(path)
    df = read_csv_text(path)
    pattern = S.CLA_LEGACY_REQUIRED_PATTERN[kind]
    missing = [c for c in S.CLA_LEGACY_ID if c not in df.columns]
    if not any(re.match(pattern, c) for c in df.columns):
        missing.append(pattern.strip("^$").replace("\\d{4}", "<year>").replace("(", "").replace(")?", ""))
    if missing:
        extra = [
            c
            for c in df.columns
            if not c.startswith(("CLA_", "SCLA_", "CEA_", "Ceased_"))
            and c not in S.CLA_LEGACY_ID + S.CLA_LEGACY_OPTIONAL
        ]
        raise DfeLayoutError(path, missing=missing, unexpected=extra)
    if strict:
        bad = [
            c
            for c in df.columns
            if c not in S.CLA_LEGACY_ID + S.CLA_LEGACY_OPTIONAL and not re.match(r"^(CLA|SCLA|CEA|Ceased)_", c)
        ]
        if bad:
            raise DfeLayoutError(path, unexpected=bad)
    df = df[df["geog_l"].astype("string").str.upper().eq("LA").fillna(False)].copy()
    value_cols = [c for c in df.columns if c not in S.CLA_LEGACY_ID + S.CLA_LEGACY_OPTIONAL]
    df, counts = to_numeric_with_codes(df, value_cols, path)
    df = df.assign(release_year=release, table=kind).copy()
    df = harmonise(df, name_col="geog_n", code_col="geog_c", ons_col="New_geog_code", year_col="release_year")
    df = check_duplicate_keys(df, ["la_code"], value_cols, path, where=df["la_code"].notna())
    df.attrs["value_columns"] = value_cols
    return attach_report(df, path, counts)


def cla_legacy_files(dfe_data_dir=None) -> pd.DataFrame:
    """Table of the legacy files found under ``cla-legacy/``: path, table, release_year."""
    root = resolve_dfe_data_dir(dfe_data_dir) / "cla-legacy"
    rows = []
    for p in sorted(root.glob("*/*.csv")):
        try:
            kind, rel = _cla_legacy_kind(p)
        except DfeLayoutError:
            continue
        rows.append({"path": p, "table": kind, "release_year": rel})
    return pd.DataFrame(rows, columns=["path", "table", "release_year"])


# --------------------------------------------------------------------------------------------
# LAIT long table (parquet)
# --------------------------------------------------------------------------------------------
def _lait_year(years: pd.Series) -> pd.Series:
    """'2019' -> 2019; '2018 (Revised)' -> 2018; '2015-16 (OT)' -> 2016; '2013-15' -> 2015."""
    s = years.astype("string").str.strip()
    m = s.str.extract(r"^(\d{4})(?:\s*[-/]\s*(\d{2,4}))?")
    start = pd.to_numeric(m[0], errors="coerce")
    end = pd.to_numeric(m[1], errors="coerce")
    end = end.where(end.isna() | (end >= 100), (start // 100) * 100 + end)
    return end.fillna(start).astype("Int64")


def load_lait(path: str | os.PathLike, short_desc: list[str] | None = None) -> pd.DataFrame:
    """DfE Local Authority Interactive Tool long table.

    Returns one row per (``Short Desc``, LA, period) with ``value`` (float; suppression codes
    -> NaN), ``year`` (end year of the period; for workforce items the 30 September of that
    year), ``la_code`` etc. ``short_desc`` restricts to some indicators (faster).
    """
    path = Path(path)
    kind = sniff(path)
    if kind == "empty":
        raise DfeEmptyFileError(f"{path.name}: file is empty (0 bytes) (file: {path})", path)
    if kind == "parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as e:  # damaged parquet
            raise DfeFormatError(f"{path.name}: cannot read Parquet ({e}) (file: {path})", path) from None
        df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
        if len(df) == 0:
            raise DfeEmptyFileError(f"{path.name}: no rows (file: {path})", path)
    elif kind == "text":
        df = read_csv_text(path)
    else:
        raise DfeFormatError(
            f"{path.name}: expected the LAIT Parquet (or CSV) table, got a spreadsheet (file: {path})", path
        )
    extra = check_columns(df, path, S.LAIT_COLUMNS)
    if short_desc is not None:
        df = df[df["Short Desc"].isin(short_desc)]
    df = df.rename(columns={"Values": "value"})
    df["value"] = df["value"].astype("string")
    df, counts = to_numeric_with_codes(df, ["value"], path)
    df["year"] = _lait_year(df["Years"])
    code = pd.to_numeric(df["LA Number"], errors="coerce")
    df["la_number_raw"] = code
    df["LA Number"] = code.astype("Int64").astype("string")
    df = harmonise(df, name_col="LA and Regions", code_col="LA Number", year_col="year")
    df = check_duplicate_keys(df, ["Short Desc", "la_code", "Years"], ["value"], path, where=df["la_code"].notna())
    df = validate_schema(S.LONG_VALUES, df, path)
    return attach_report(df.reset_index(drop=True), path, counts, extra)


# --------------------------------------------------------------------------------------------
# Statistical neighbours (2021 model)
# --------------------------------------------------------------------------------------------
def _sn_raw(path: Path) -> pd.DataFrame:
    """The statistical-neighbour table as read: the workbook's 'LA SN Groups' sheet from its
    'LA num' header row, or the CSV."""
    if sniff(path) == "zip":
        rows = read_sheet(path, "LA SN Groups")
        hdr = next((i for i, r in enumerate(rows[:20]) if r and "LA num" in [str(x) for x in r]), None)
        if hdr is None:
            raise DfeLayoutError(path, missing=S.SN_ID, detail="no header row with 'LA num'")
        width = len(rows[hdr])
        return pd.DataFrame([(r + [None] * width)[:width] for r in rows[hdr + 1 :]], columns=rows[hdr], dtype=object)
    return read_csv_text(path)


def _sn_columns(cols) -> list[str]:
    """Column names with each closeness column (``SNP``, ``SNP.1``, ...) numbered after the
    ``SN<i>`` column before it."""
    dedup = []
    last_sn = None
    for c in cols:
        c = str(c).strip()
        m = re.match(r"^SN(\d+)$", c)
        if m:
            last_sn = m.group(1)
            dedup.append(c)
        elif re.match(r"^SNP(\.\d+)?$", c) and last_sn:
            dedup.append(f"SNP{last_sn}")
        else:
            dedup.append(c)
    return dedup


def _sn_records(raw: pd.DataFrame) -> list[dict]:
    """One record per LA and neighbour rank; LAs after the 'Old SNs' row are 'pre-reorganisation'."""
    section = "current"
    recs = []
    for _, r in raw.iterrows():
        lanum = r["LA num"]
        name = r["LA Name"]
        if (
            (lanum is None or pd.isna(lanum) or str(lanum).strip() == "")
            and isinstance(name, str)
            and "old" in name.lower()
        ):
            section = "pre-reorganisation"
            continue
        if lanum is None or pd.isna(lanum) or str(lanum).strip() == "":
            continue
        code = str(lanum).strip().split(".")[0]
        for i in range(1, 11):
            nb = r[f"SN{i}"]
            if nb is None or pd.isna(nb) or str(nb).strip() in ("", "-", "x", ".."):
                continue  # no neighbours computed (e.g. LAs created after the model)
            recs.append(
                {
                    "la_code": code,
                    "source_la_name": name,
                    "region": r["GOReg"],
                    "rank": i,
                    "neighbour_code": str(nb).strip().split(".")[0],
                    "closeness": str(r[f"SNP{i}"]).strip(),
                    "section": section,
                }
            )
    return recs


def load_statistical_neighbours(path: str | os.PathLike) -> pd.DataFrame:
    """DfE Children's Services Statistical Neighbour Benchmarking groups (CSV or the workbook).

    Long format: ``la_code, la_name, region, rank (1-10), neighbour_code, neighbour_name,
    closeness`` and ``section`` ('current' LAs or 'pre-reorganisation' LAs listed under
    'Old SNs'). ``closeness`` is the model's banding of the weighted distance (Extremely
    close ... Not close).
    """
    path = Path(path)
    raw = _sn_raw(path)
    raw.columns = _sn_columns(list(raw.columns))
    required = S.SN_ID + [f"SN{i}" for i in range(1, 11)] + [f"SNP{i}" for i in range(1, 11)]
    check_columns(
        raw, path, required, optional=[c for c in raw.columns if c.startswith("Unnamed") or c in ("", "None")]
    )
    out = pd.DataFrame(_sn_records(raw))
    if out.empty:
        raise DfeEmptyFileError(f"{path.name}: no statistical-neighbour rows (file: {path})", path)
    from sofs_lib.sources.dfe.names import LA_NAMES

    out["la_name"] = out["la_code"].map(LA_NAMES)
    out["neighbour_name"] = out["neighbour_code"].map(LA_NAMES)
    out["closeness"] = out["closeness"].str.replace(r"^Somewhat Close$", "Somewhat close", regex=True)
    out = validate_schema(S.SN_OUTPUT, out, path)
    return attach_report(out, path, pd.DataFrame(columns=["column", "code", "count"]))
