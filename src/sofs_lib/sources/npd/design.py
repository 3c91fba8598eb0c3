"""The study design: which LAs answer which question, when SofS started, and period flags.

A :class:`StudyDesign` says, for each evaluation question (``"eq3a"`` ... ``"eq3d"``), which
pilot is compared with which comparator LAs (a *group*), when each pilot started SofS and how
long its settling-in period lasted. :func:`default_design` builds the design of the report
from ``data/npd/calibration.yml``: pilots per question from Table A10.1; comparator labels,
start dates and settling-in lengths are assumptions stated in that file. For a real extract
build a :class:`StudyDesign` with the extract's LA names.

Period rule (:meth:`StudyDesign.assign_periods`): for a record dated ``d`` in an LA whose
group pilot started SofS on ``start`` with a settling-in of ``y`` years
(``post_start = start + DateOffset(months=round(12*y))``):

* ``pre``      if ``d <  start``
* ``settling`` if ``start <= d < post_start``
* ``post``     if ``d >= post_start``

Comparators take the dates of the pilot they are matched to. ``did`` = pilot LA and ``post``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.core import paths, yamlio
from sofs_lib.sources.npd.calendar import financial_year
from sofs_lib.sources.npd.columns import codes_of, year_month

EQS = ("eq3a", "eq3b", "eq3c", "eq3d")


def calibration_path() -> Path:
    """``data/npd/calibration.yml`` of the project."""
    path = paths.data_dir() / "npd" / "calibration.yml"
    if not path.exists():
        raise FileNotFoundError(f"{paths.relative(path)} is missing")
    return path


def load_calibration(path: str | Path | None = None) -> dict:
    """The calibration targets (published numbers with sources, and stated assumptions)."""
    with open(path or calibration_path(), encoding="utf-8") as fh:
        return yamlio.load(fh)


@dataclass(frozen=True)
class StudyDesign:
    """Groups per question, SofS start dates and settling-in lengths.

    ``groups``: ``{eq: {pilot: [comparator, ...]}}``; ``sofs_start``: ``{pilot: Timestamp}``;
    ``settling_years``: ``{pilot: float}``; ``data_start``/``data_end``: the extract window.
    """

    groups: dict
    sofs_start: dict
    settling_years: dict
    data_start: pd.Timestamp = pd.Timestamp("2008-04-01")
    data_end: pd.Timestamp = pd.Timestamp("2019-03-31")
    _la: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        owner: dict[str, str] = {}
        for eq, grp in self.groups.items():
            for pilot, comps in grp.items():
                if pilot not in self.sofs_start or pilot not in self.settling_years:
                    raise ValueError(f"{eq}: pilot {pilot!r} has no start date or settling-in length")
                for c in comps:
                    if owner.setdefault(c, pilot) != pilot:
                        raise ValueError(f"comparator {c!r} is matched to {owner[c]!r} and {pilot!r}")

    @property
    def pilots(self) -> list[str]:
        return list(self.sofs_start)

    def post_start(self, pilot: str) -> pd.Timestamp:
        """First day of the post settling-in period."""
        months = int(round(12 * float(self.settling_years[pilot])))
        return self.sofs_start[pilot] + pd.DateOffset(months=months)

    def with_settling_in(self, settling_in: dict | None) -> StudyDesign:
        """A copy with some pilots' settling-in lengths (years) replaced."""
        if not settling_in:
            return self
        unknown = set(settling_in) - set(self.settling_years)
        if unknown:
            raise ValueError(f"unknown pilots in settling_in: {sorted(unknown)}")
        new = {**self.settling_years, **{k: float(v) for k, v in settling_in.items()}}
        return replace(self, settling_years=new)

    def la_table(self, eq: str | None = None) -> pd.DataFrame:
        """One row per LA: ``la``, ``pilot`` (bool), ``group_id`` (its pilot), ``sofs_start``,
        ``post_start``; restricted to the LAs of question ``eq`` if given (all LAs otherwise:
        every pilot, and every comparator with the pilot it is matched to)."""
        rows = {}
        for p in self.pilots:
            rows[p] = (True, p)
        eqs = [eq] if eq else list(self.groups)
        if eq:
            rows = {}
            for p in self.groups[eq]:
                rows[p] = (True, p)
        for e in eqs:
            for p, comps in self.groups[e].items():
                for c in comps:
                    rows[c] = (False, p)
        df = pd.DataFrame([(la, pil, grp) for la, (pil, grp) in rows.items()], columns=["la", "pilot", "group_id"])
        df["sofs_start"] = df["group_id"].map(self.sofs_start)
        df["post_start"] = df["group_id"].map({p: self.post_start(p) for p in self.pilots})
        return df

    @property
    def all_las(self) -> list[str]:
        return list(self.la_table()["la"])

    def assign_periods(self, df: pd.DataFrame, date_col: str, eq: str | None = None) -> pd.DataFrame:
        """Add ``pilot``, ``group_id``, ``year``, ``period``, ``did``, ``rel_year`` to ``df``.

        Rows whose ``la`` is not in the design (of ``eq``) get missing values; callers count
        and drop them. ``year`` is the financial year ending of ``date_col``; ``rel_year`` is
        ``year`` minus the financial year of the group's ``post_start`` (0 = first post year,
        negative = leads), for event-study specifications.
        """
        las = self.la_table(eq)
        if not len(df) or set(df.columns) & set(las.columns[1:]):
            return _assign_periods_merge(df, las, date_col)
        m, at = self.la_rows(df, eq, las)
        out = df.reset_index(drop=True)
        out["la"] = m["la"].take(at).reset_index(drop=True)
        known = m["group_id"].notna().to_numpy()[at]
        pilot = np.asarray(m["pilot"].fillna(False), dtype=bool)[at]
        out["pilot"] = pilot
        out["group_id"] = m["group_id"].take(at).reset_index(drop=True)
        d = out[date_col].to_numpy()
        p0 = m["post_start"].to_numpy()[at]
        per = period_codes(d, m["sofs_start"].to_numpy()[at], p0, known)
        out["period"] = pd.Series(PERIODS[per], dtype=object)
        year, year_na = _financial_year(d)
        out["year"] = np.where(year_na, np.nan, year) if year_na.any() else year
        out["did"] = (pilot & (per == 2)).astype("int8")
        post_fy, post_na = _financial_year(p0)
        rel = pd.arrays.IntegerArray(np.where(year_na | post_na, 0, year - post_fy), year_na | post_na)
        out["rel_year"] = rel
        out["pilot"] = pd.arrays.BooleanArray(pilot, ~known)
        return out

    def la_rows(self, df: pd.DataFrame, eq: str | None = None, las: pd.DataFrame | None = None):
        """``(m, at)``: the row of :meth:`la_table` (of ``eq``; ``las`` if given) of each distinct
        ``la`` of ``df``, as a left merge on ``la`` gives it (missing values where the LA is not in
        the design), and the position in ``m`` of each row's LA. The merge is done on the
        distinct LAs only."""
        las = self.la_table(eq) if las is None else las
        code, _ = codes_of(df["la"])
        first = _first_rows(code)
        keys = df[["la"]].iloc[first].reset_index(drop=True)
        m = keys.merge(las, on="la", how="left", validate="many_to_one")
        row = np.empty(code.max(initial=-1) + 2, dtype=np.int64)
        row[np.where(code[first] < 0, len(row) - 1, code[first])] = np.arange(len(first))
        return m, row[np.where(code < 0, len(row) - 1, code)]


#: The period labels of the codes of :func:`period_codes` (3: unknown LA or missing date).
PERIODS = np.array(["pre", "settling", "post", pd.NA], dtype=object)


def period_codes(d: np.ndarray, sofs_start: np.ndarray, post_start: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The period rule (module doc) as codes 0 pre, 1 settling, 2 post, 3 unknown, from each
    row's date and its group's dates (``known``: the LA is in the design)."""
    per = np.where(d < sofs_start, 0, np.where(d < post_start, 1, np.where(d >= post_start, 2, 3)))
    return np.where(known & ~np.isnat(d), per, 3)


def _first_rows(code: np.ndarray) -> np.ndarray:
    """The first row of each code, in code order (missing, -1, last), as
    ``np.unique(np.where(code < 0, code.max() + 1, code), return_index=True)[1]``; one pass
    when the codes are numbered by first appearance (as :func:`pandas.factorize` numbers them)."""
    valid = code >= 0
    running = np.maximum.accumulate(np.where(valid, code, -1)) if len(code) else code
    first = np.flatnonzero(valid & (code > np.r_[-1, running[:-1]]))
    if not np.array_equal(code[first], np.arange(len(first))) or len(first) != code.max(initial=-1) + 1:
        return np.unique(np.where(code < 0, code.max(initial=-1) + 1, code), return_index=True)[1]
    return np.r_[first, np.flatnonzero(~valid)[:1]]


def _financial_year(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Financial year ending of ``datetime64`` values, and where they are missing (worked out
    once per distinct day when the days span less than about 100 years)."""
    na = np.isnat(d)
    if d.dtype.kind == "M" and len(d) > 1000 and not na.all():
        day = d.astype("datetime64[D]").view(np.int64)
        lo, hi = int(day[~na].min()), int(day[~na].max())
        if hi - lo < 36_600:
            y, m = year_month(np.arange(lo, hi + 1).astype("datetime64[D]"))
            fy = (y + (m >= 4))[np.where(na, 0, day - lo)]
            return np.where(na, 0, fy), na
    y, m = year_month(d)
    return np.where(na, 0, y + (m >= 4)), na


def _assign_periods_merge(df: pd.DataFrame, las: pd.DataFrame, date_col: str) -> pd.DataFrame:
    """:meth:`StudyDesign.assign_periods` by a merge (empty frames, clashing column names)."""
    out = (
        df.merge(las, on="la", how="left", validate="many_to_one")
        if len(df)
        else df.assign(
            pilot=pd.Series(dtype=object),
            group_id=pd.Series(dtype=object),
            sofs_start=pd.Series(dtype="datetime64[s]"),
            post_start=pd.Series(dtype="datetime64[s]"),
        )
    )
    d = out[date_col]
    period = pd.Series(pd.NA, index=out.index, dtype="object")
    known = out["group_id"].notna()
    period[known & (d < out["sofs_start"])] = "pre"
    period[known & (d >= out["sofs_start"]) & (d < out["post_start"])] = "settling"
    period[known & (d >= out["post_start"])] = "post"
    out["period"] = period
    out["year"] = financial_year(d).to_numpy()
    out["did"] = (out["pilot"].fillna(False).astype(bool) & (period == "post")).astype("int8")
    post_fy = financial_year(out["post_start"]).to_numpy()
    out["rel_year"] = (out["year"] - post_fy).astype("Int64")
    out["pilot"] = out["pilot"].astype("boolean")
    return out.drop(columns=["sofs_start", "post_start"])


def default_design(settling_in: dict | None = None, calibration: dict | None = None) -> StudyDesign:
    """The report's design (Table A10.1) with the assumed comparators, start dates and
    settling-in lengths of ``calibration.yml``; ``settling_in`` overrides lengths per pilot."""
    cal = calibration or load_calibration()
    a = cal["assumed"]
    pub = cal["published"]
    groups = {eq: {p: list(c) for p, c in a["matching"][eq].items()} for eq in EQS}
    for eq in EQS:  # the matching must use exactly the pilots of Table A10.1
        if sorted(groups[eq]) != sorted(pub["pilots_by_eq"][eq]):
            raise ValueError(f"{eq}: assumed matching does not cover the pilots of Table A10.1")
    pilots = [f"Pilot {i}" for i in range(1, 10)]
    start = {p: pd.Timestamp(a["sofs_start"].get(p, a["sofs_start"]["default"])) for p in pilots}
    settle = {p: float(a["settling_in_years"][p]) for p in pilots}
    design = StudyDesign(
        groups=groups,
        sofs_start=start,
        settling_years=settle,
        data_start=pd.Timestamp(pub["data_window"]["start"]),
        data_end=pd.Timestamp(pub["data_window"]["end"]),
    )
    return design.with_settling_in(settling_in)
