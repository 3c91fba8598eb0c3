"""Which DfE/Ofsted/ONS table each raw file is, from which release, and which file is used.

A folder of raw downloads is read by *table*, not by file name: every file under the folder is
identified by its table id (``b1``, ``c1``, ... ``cla_rates``, ``lait``, ``ofsted_inspections``)
from its name and, for CSV files, its columns. Several releases of one table may sit in one
folder (an analyst's folder often mixes them): the newer release wins per table, and the choice
is returned, never made silently (:func:`choose`). A CSV that is none of the known tables stops
the build with an error naming the file, its unknown columns and the columns missing for the
nearest known table.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sofs_lib.sources.dfe._io import sniff
from sofs_lib.sources.dfe.errors import DfeDataError, DfeLayoutError

EES_CIN = (
    "Characteristics of children in need",
    "https://explore-education-statistics.service.gov.uk/find-statistics/characteristics-of-children-in-need",
)
EES_CLA = (
    "Children looked after in England including adoptions",
    (
        "https://explore-education-statistics.service.gov.uk/find-statistics/"
        "children-looked-after-in-england-including-adoptions"
    ),
)
SFR_CLA = (
    "Children looked after in England including adoption (SFR underlying data)",
    "https://www.gov.uk/government/collections/statistics-looked-after-children",
)
CSWW = (
    "Children's social work workforce",
    "https://explore-education-statistics.service.gov.uk/find-statistics/children-s-social-work-workforce",
)
LAIT = (
    "Local authority interactive tool (LAIT)",
    "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait",
)
OFSTED = (
    "Ofsted: Children's social care data in England",
    "https://www.gov.uk/government/statistics/childrens-social-care-data-in-england-2023",
)
OFSTED_OUT = (
    "Ofsted: Local authority inspection outcomes",
    "https://www.gov.uk/government/statistics/childrens-social-care-in-england-2025",
)
ONS = (
    "ONS mid-year population estimates, children aged 0 to 17 (EES layout)",
    "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
)
SN = (
    "Children's services statistical neighbour benchmarking tool",
    "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait",
)


@dataclass(frozen=True)
class Table:
    table_id: str
    publication: str
    landing_page: str
    name: str  #: regular expression on the file name (case-insensitive)
    columns: tuple = ()  #: columns a CSV of this table must have (after known renames)
    kind: str = "csv"  #: csv, parquet, ods, xlsx
    multi_release: bool = False  #: several releases are used side by side (legacy CLA)


_CIN = [
    ("a1", r"^a1_cin_assessments", ("category", "number")),
    ("b1", r"^b1_children_in_need", ("Anypoint_episodes", "At31_episodes")),
    ("b4", r"^b4_children_in_need_duration", ("At31_episodes", "3_months_or_less_percent")),
    ("c1", r"^c1_children_in_need_referrals", ("Referrals", "Re_referrals_percent")),
    ("c2", r"^c2_children_in_need_assessments", ("Assessments_completed", "Median_days")),
    ("c4", r"^c4_children_in_need_section_47", ("Section47", "ICPC")),
    ("d1", r"^d1_child_protection_plans", ("CPP_start", "CPP_At31")),
    ("d3", r"^d3_cpps_subsequent_plan", ("CPP_start", "CPP_subsequent")),
    ("d5", r"^d5_cpps_at31march_by_duration", ("CPP_At31", "3_months_or_less")),
    ("d6", r"^d6_cpps_reviewed_within", ("CPP_At31_3Months", "Reviewed_within_timescales")),
]

TABLES: tuple[Table, ...] = tuple(
    [Table(t, *EES_CIN, name, cols) for t, name, cols in _CIN]
    + [
        Table(
            "cla_rates",
            *EES_CLA,
            r"^cla_(number_and_rate|rate_20\d\d_20\d\d)",
            ("population_count", "number", "rate_per_10000"),
        ),
        Table("cla_ceased", *EES_CLA, r"^la_children_who_ceased", ("cla_group", "characteristic", "number")),
        Table("cla_started", *EES_CLA, r"^la_children_who_started", ("cla_group", "characteristic", "number")),
        Table("cla_legacy_CLA", *SFR_CLA, r"CLA\d{4}", ("geog_c", "geog_n"), multi_release=True),
        Table("cla_legacy_ADM", *SFR_CLA, r"ADM\d{4}", ("geog_c", "geog_n"), multi_release=True),
        Table("cla_legacy_CEA", *SFR_CLA, r"CEA\d{4}", ("geog_c", "geog_n"), multi_release=True),
        Table("csww_indicators", *CSWW, r"^csww_indicators", ("inpost_fte", "turnover_rate_fte")),
        Table("csww_headline", *CSWW, r"^csww_headline_measures", ("social_worker_fte",)),
        Table("ons_population", *ONS, r"^ons_mid-year_population", ("age_group", "population_estimate")),
        Table("sn_csv", *SN, r"statistical_neighbour.*\.csv$", ("LA num", "SN1")),
        Table("sn_xlsx", *SN, r"^sn_.*\.xlsx$", kind="xlsx"),
        Table("lait", *LAIT, r"^lait_bds_long.*\.(parquet|csv)$", kind="parquet"),
        Table("lait_dictionary", *LAIT, r"^lait_data_dictionary", ("Measure_short",)),
        Table("ofsted_inspections", *OFSTED, r"^childrens_social_care_in_england_.*\.ods$", kind="ods"),
        Table("ofsted_outcomes", *OFSTED_OUT, r"^la_inspection_outcomes_as_at.*\.ods$", kind="ods"),
    ]
)
BY_ID = {t.table_id: t for t in TABLES}

#: catalogue ``source_file`` patterns (data/indicators.csv) -> table id
PATTERN_TABLE = {
    "ees/b1_children_in_need_*.csv": "b1",
    "ees/b4_children_in_need_duration_*.csv": "b4",
    "ees/c1_children_in_need_referrals_*.csv": "c1",
    "ees/c2_children_in_need_assessments_*.csv": "c2",
    "ees/c4_children_in_need_section_47s_*.csv": "c4",
    "ees/d1_child_protection_plans_*.csv": "d1",
    "ees/d3_cpps_subsequent_plan_*.csv": "d3",
    "ees/d5_cpps_at31march_by_duration_*.csv": "d5",
    "ees/d6_cpps_reviewed_within_*.csv": "d6",
    "ees/cla_number_and_rate_per_10k_children.csv": "cla_rates",
    "ees/la_children_who_ceased_*.csv": "cla_ceased",
    "lait/lait_bds_long_*.parquet": "lait",
    "workforce/csww_headline_measures_*.csv": "csww_headline",
    "workforce/csww_indicators_*.csv": "csww_indicators",
    "population-and-neighbours/ons_mid-year_population_*.csv": "ons_population",
    "ofsted/Childrens_social_care_in_England_*.ods": "ofsted_inspections",
    "ofsted/LA_Inspection_Outcomes_as_at_*.ods": "ofsted_outcomes",
    "population-and-neighbours/New_Statistical_Neighbour_*.csv": "sn_csv",
}

_IGNORED = re.compile(r"(^readme|\.md$|\.txt$|^\.|\.pdf$|\.html?$)", re.IGNORECASE)


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        first = fh.readline(1 << 16)
    text = first.decode("utf-8-sig", errors="replace").replace("\ufeff", "")
    if not text.strip():
        return []
    return [str(c).strip() for c in pd.read_csv(io.StringIO(text), nrows=0, dtype=str).columns]


def _has(cols: list[str], need) -> list[str]:
    low = {c.lower() for c in cols}
    return [c for c in need if c.lower() not in low]


def identify(path: str | os.PathLike) -> Table:
    """The table a raw file holds. Raises :class:`DfeLayoutError` naming the file, its unknown
    columns and the columns missing for the nearest table when a CSV is none of the known ones."""
    path = Path(path)
    name = path.name
    kind = sniff(path)
    if kind == "empty":
        from sofs_lib.sources.dfe.errors import DfeEmptyFileError

        raise DfeEmptyFileError(f"{name}: file is empty (0 bytes) (file: {path})", path)
    by_name = [t for t in TABLES if re.search(t.name, name, flags=re.IGNORECASE)]
    if kind != "text":
        if by_name:
            return by_name[0]
        raise DfeLayoutError(path, detail=f"not a table this project reads (a {kind} file)")
    cols = _header(path)
    for t in by_name:
        if t.kind == "parquet" or not _has(cols, t.columns):
            return t
    # renamed file: recognise the table by its columns
    by_cols = [t for t in TABLES if t.kind == "csv" and t.columns and not _has(cols, t.columns)]
    if len(by_cols) == 1:
        return by_cols[0]
    nearest = (
        by_name or sorted((t for t in TABLES if t.columns), key=lambda t: len(_has(cols, t.columns)) / len(t.columns))
    )[0]
    known = set()
    from sofs_lib.sources.dfe import schemas as S

    known |= set(S.EES_CORE) | set(S.EES_LA) | set(S.EES_LABEL_COLUMNS)
    for v in list(S.EES_KNOWN_COLUMNS.values()) + list(S.EES_LAYOUTS.values()):
        known |= set(v)
    known_low = {k.lower() for k in known}
    unknown = [c for c in cols if c.lower() not in known_low]
    raise DfeLayoutError(
        path,
        missing=_has(cols, nearest.columns),
        unexpected=unknown,
        detail=f"none of the known tables (nearest: {nearest.table_id}, {nearest.publication})",
    )


def release_of(path: Path, table: Table) -> str:
    """The release a file belongs to, as a sortable label: the last year its data cover
    (``2022`` for the CIN files of the 2022 release), the date of a LAIT download, the year of
    an Ofsted release or the release year of a legacy CLA file."""
    name = path.name
    if table.table_id.startswith("cla_legacy"):
        return re.search(r"(?:CLA|ADM|CEA)(\d{4})", name, flags=re.IGNORECASE).group(1)
    m = re.search(r"(\d{4}-\d{2}-\d{2})", name)
    if m:
        return m.group(1)
    m = re.search(r"_(\d{4})_(?:to_)?(\d{4})\D", name)
    if m:
        return m.group(2)
    if table.kind == "csv" and table.columns and _header(path)[:1] == ["time_period"]:
        try:
            tp = pd.read_csv(path, usecols=[0], dtype=str, encoding="utf-8-sig").iloc[:, 0]
            years = pd.to_numeric(tp.str[:4], errors="coerce")
            return str(int(years.max() + (1 if tp.str.len().max() == 6 else 0)))
        except (ValueError, KeyError, pd.errors.ParserError):
            years = None  # unreadable first column: fall back to the name
    m = re.findall(r"(20\d\d)", name)
    return m[-1] if m else ""


def inventory(raw_dir: str | os.PathLike) -> pd.DataFrame:
    """Every data file under ``raw_dir``: relative path, table id, publication, release,
    landing page, SHA-256 and size (README and other documents are skipped)."""
    root = Path(raw_dir)
    if not root.is_dir():
        raise DfeDataError(f"data folder {root} does not exist")
    rows = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or _IGNORED.search(p.name):
            continue
        t = identify(p)
        rows.append(
            {
                "path": p.relative_to(root).as_posix(),
                "table_id": t.table_id,
                "publication": t.publication,
                "release": release_of(p, t),
                "landing_page": t.landing_page,
                "sha256": sha256_file(p),
                "size": p.stat().st_size,
            }
        )
    return pd.DataFrame(rows, columns=["path", "table_id", "publication", "release", "landing_page", "sha256", "size"])


def choose(inv: pd.DataFrame, prefer: dict[str, str] | None = None) -> pd.DataFrame:
    """Which file of each table is used: ``prefer`` maps a table id to a file (relative path or
    name) chosen by the user; otherwise the newer release wins. Adds ``used`` (bool) and
    ``reason``. Two different files of one table and one release stop with an error (no way to
    tell which is right)."""
    inv = inv.copy()
    inv["used"] = True
    inv["reason"] = "only release of the table"
    prefer = prefer or {}
    for tid, g in inv.groupby("table_id"):
        if len(g) < 2 or BY_ID[tid].multi_release:
            if len(g) > 1:
                inv.loc[g.index, "reason"] = "one file per release year, all used"
            continue
        if tid in prefer:
            want = str(prefer[tid])
            pick = g[(g["path"] == want) | (g["path"].map(lambda s: Path(s).name) == want)]
            if len(pick) != 1:
                raise DfeDataError(f"table {tid}: the chosen file {want!r} is not one of {g['path'].tolist()}")
            win, why = pick.index[0], "chosen by the user"
        else:
            order = g.sort_values(["release", "path"])
            top = order[order["release"] == order["release"].iloc[-1]]
            if len(top) > 1 and top["sha256"].nunique() > 1:
                raise DfeDataError(
                    f"table {tid}: two different files of the same release {top['release'].iloc[0]!r}: "
                    f"{top['path'].tolist()} (rule: one file per table and release; remove one or "
                    "choose it explicitly)"
                )
            win, why = top.index[0], "newer release"
        inv.loc[g.index, "used"] = False
        inv.loc[g.index, "reason"] = f"superseded by {inv.at[win, 'path']} ({why})"
        inv.at[win, "used"] = True
        inv.at[win, "reason"] = f"{why} of {len(g)} files of this table"
    return inv


def used_files(raw_dir: str | os.PathLike, prefer: dict[str, str] | None = None) -> pd.DataFrame:
    """:func:`choose` applied to the folder's :func:`inventory` (cached per folder state)."""
    root = Path(raw_dir).resolve()
    stamp = tuple(sorted((p.as_posix(), p.stat().st_mtime, p.stat().st_size) for p in root.rglob("*") if p.is_file()))
    key = (str(root), stamp, tuple(sorted((prefer or {}).items())))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = choose(inventory(root), prefer)
    return _CACHE[key]


_CACHE: dict = {}


_PREFER: dict[str, str] = {}


class preferring:
    """Context: the user's choice of file per table (``{table_id: file}``) for :func:`resolve`
    calls that give none (the indicator builders)."""

    def __init__(self, prefer: dict[str, str] | None):
        self.prefer = dict(prefer or {})

    def __enter__(self):
        self.saved = dict(_PREFER)
        _PREFER.clear()
        _PREFER.update(self.prefer)
        return self

    def __exit__(self, *exc):
        _PREFER.clear()
        _PREFER.update(self.saved)
        return False


def resolve(raw_dir: str | os.PathLike, pattern: str, prefer: dict[str, str] | None = None) -> Path:
    """The file used for a catalogue ``source_file`` pattern (by its table, not its name)."""
    pattern = pattern.strip()
    prefer = prefer if prefer is not None else (dict(_PREFER) or None)
    tid = PATTERN_TABLE.get(pattern)
    if tid is None:
        raise DfeDataError(f"no table is registered for the source pattern {pattern!r}")
    inv = used_files(raw_dir, prefer)
    hit = inv[(inv["table_id"] == tid) & inv["used"]]
    if hit.empty:
        raise DfeDataError(f"no file of table {tid} ({BY_ID[tid].publication}) under {raw_dir}")
    return Path(raw_dir) / hit["path"].iloc[0]


def mixed_folder(base: str | os.PathLike, newer: str | os.PathLike, dest: str | os.PathLike) -> pd.DataFrame:
    """Build in ``dest`` the folder an analyst gets by putting a later release's files in place
    of their earlier versions: every file of ``base`` except those of a table ``newer`` has,
    plus the files of ``newer``, at the same relative paths (linked, or copied where links are
    not possible). Returns one row per table replaced (table, old file, new file)."""
    import shutil

    base, newer, dest = Path(base), Path(newer), Path(dest)
    old_inv, new_inv = inventory(base), inventory(newer)
    replaced = set(new_inv["table_id"])
    dest.mkdir(parents=True, exist_ok=True)

    def put(src: Path, rel: str):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.symlink_to(src.resolve())
        except OSError:  # pragma: no cover - file systems without links
            shutil.copy2(src, target)

    for r in old_inv.itertuples(index=False):
        if r.table_id not in replaced:
            put(base / r.path, r.path)
    for r in new_inv.itertuples(index=False):
        put(newer / r.path, r.path)
    rows = []
    for tid in sorted(replaced):
        rows.append(
            {
                "table_id": tid,
                "old_file": ", ".join(old_inv.loc[old_inv["table_id"] == tid, "path"]),
                "new_file": ", ".join(new_inv.loc[new_inv["table_id"] == tid, "path"]),
            }
        )
    return pd.DataFrame(rows, columns=["table_id", "old_file", "new_file"])
