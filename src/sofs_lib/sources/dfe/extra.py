"""Builders of the catalogue's ``extra`` indicators (workforce, population, finance, Ofsted).

Each builder takes the raw folder and one catalogue row and returns a long frame
``year, la_code, value, source, suppression`` like the builders of the 29 Appendix 9
indicators (:mod:`sofs_lib.sources.dfe.indicators`), so one panel holds both.

Joint returns: the workforce census has one row for two councils that share children's
services (``314 / 318`` Kingston upon Thames and Richmond upon Thames; ``940 / 941`` North and
West Northamptonshire from 2021). A rate of the joint service is given to each member council;
a count cannot be split, so the members are missing with suppression ``joint``. Either way the
source says ``joint return``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.sources.dfe._io import CODE_SUFFIX
from sofs_lib.sources.dfe.errors import DfeDataError
from sofs_lib.sources.dfe.indicators import (
    _apply_filter,
    _code_of,
    _glob_one,
    _la_only,
    _load,
    _m_ees,
)
from sofs_lib.sources.dfe.names import LA_NAMES
from sofs_lib.sources.dfe.ofsted import load_ofsted_inspections, load_ofsted_outcomes

COUNT_UNITS = ("FTE", "headcount", "children")
_JOINT = re.compile(r"^\s*\d{3}(\s*/\s*\d{3})+\s*$")
GRADES = {
    "Outstanding": 1,
    "Good": 2,
    "Requires improvement to be good": 3,
    "Requires improvement": 3,
    "Inadequate": 4,
}
OFSTED_FRAMEWORKS = ("SIF", "SIF re-inspection", "ILACS 1", "ILACS 2")


def joint_rows(df: pd.DataFrame) -> pd.DataFrame:
    """LA rows of a joint return expanded to one row per member council (``members`` column)."""
    if "old_la_code" not in df.columns:
        return df.iloc[0:0].assign(members="")
    raw = df["old_la_code"].astype("string").fillna("")
    j = df[raw.str.match(_JOINT) & df["la_code"].isna()].copy()
    if j.empty:
        return j.assign(members="")
    j["members"] = j["old_la_code"].str.replace(r"\s+", "", regex=True)
    j = j.assign(la_code=j["members"].str.split("/")).explode("la_code")
    unknown = sorted(set(j["la_code"]) - set(LA_NAMES))
    if unknown:
        raise DfeDataError(f"joint return names unknown LA numbers {unknown}")
    return j


def _workforce_frame(root: Path, row, col: str) -> tuple[pd.DataFrame, Path]:
    path = _glob_one(root, row.source_file.split("|")[0])
    df = _load("workforce", path)
    df = df[df["geographic_level"] == "Local authority"]
    single = df[df["la_code"].notna()]
    out = pd.DataFrame(
        {
            "year": single["year"].astype(int),
            "la_code": single["la_code"].astype(str),
            "value": single[col].astype(float),
            "source": f"{path.name}:{col}",
            "suppression": _code_of(single, [col]),
        }
    )
    j = joint_rows(df)
    if len(j):
        count = row.unit in COUNT_UNITS
        jv = pd.DataFrame(
            {
                "year": j["year"].astype(int),
                "la_code": j["la_code"].astype(str),
                "value": np.nan if count else j[col].astype(float),
                "source": f"{path.name}:{col} (joint return " + j["members"] + ")",
                "suppression": "joint" if count else _code_of(j, [col]),
            }
        )
        out = pd.concat([out, jv], ignore_index=True)
    return out, path


def m_csww(root: Path, row) -> pd.DataFrame:
    """A column of the workforce indicators file; with a LAIT item after ``|``, LAIT fills the
    years before the file's first year."""
    cols = [c.strip() for c in row.source_columns.split("|")]
    out, _ = _workforce_frame(root, row, cols[0])
    if len(cols) > 1:
        lait_path = _glob_one(root, row.source_file.split("|")[1])
        d = _load("lait", lait_path)
        d = d[(d["Short Desc"] == cols[1]) & d["la_code"].notna() & d["year"].notna()]
        d = d[d["year"] < out["year"].min()]
        early = pd.DataFrame(
            {
                "year": d["year"].astype(int),
                "la_code": d["la_code"].astype(str),
                "value": d["value"].astype(float),
                "source": f"{lait_path.name}:{cols[1]}",
                "suppression": _code_of(d, ["value"]),
            }
        )
        out = pd.concat([early, out], ignore_index=True)
    return out.reset_index(drop=True)


class _PopRow:
    source_file = "population-and-neighbours/ons_mid-year_population_*.csv"
    source_columns = "population_estimate"
    filter = "age_group=Children aged 0 to 17 years"
    suppressed = "missing"


def _population(root: Path) -> pd.DataFrame:
    return _m_ees(root, _PopRow)


def m_per_pop(root: Path, row) -> pd.DataFrame:
    """``<count indicator> / pop_0_17 * 10000``: computed from the ONS population; for a joint
    return the joint count over the members' summed population, given to each member."""
    num_id = row.source_columns.split("/")[0].strip()
    if num_id != "sw_fte":
        raise DfeDataError(f"{row.indicator_id}: per_pop is defined for sw_fte only, not {num_id!r}")
    pop = _population(root)[["year", "la_code", "value"]].rename(columns={"value": "pop"})

    class _Num:
        source_file = "workforce/csww_indicators_*.csv | lait/lait_bds_long_*.parquet"
        source_columns = "inpost_fte | Work_Force_NoSW"
        unit = "rate"  # keep the joint value on each member, then divide by the summed population

    num = m_csww(root, _Num)
    num = num[num["year"].isin(set(pop["year"]))]  # no population estimate yet: no rate
    num = num.merge(pop, on=["year", "la_code"], how="left")
    joint = num["source"].str.contains("joint return", regex=False)
    if joint.any():
        members = num.loc[joint, "source"].str.extract(r"joint return ([\d/]+)")[0]
        num.loc[joint, "group"] = members
        tot = num[joint].groupby(["group", "year"])["pop"].transform(lambda s: s.sum(min_count=len(s)))
        num.loc[joint, "pop"] = tot
    value = num["value"] / num["pop"].replace(0, np.nan) * 10000.0
    pop_file = _glob_one(root, _PopRow.source_file).name
    return pd.DataFrame(
        {
            "year": num["year"],
            "la_code": num["la_code"],
            "value": value,
            "source": num["source"] + f" / {pop_file}:population_estimate x 10000 (computed)",
            "suppression": num["suppression"],
        }
    )


def ofsted_judgements(root: Path) -> pd.DataFrame:
    """Every SIF/ILACS overall judgement known from the two Ofsted files (la_code, published,
    judgement, file), the outcomes file adding each LA's latest judgement."""
    p_ins = _glob_one(root, "ofsted/Childrens_social_care_in_England_*.ods")
    ins = load_ofsted_inspections(p_ins)
    ins = ins[ins["framework"].isin(OFSTED_FRAMEWORKS) & ins["la_code"].notna() & ins["judgement"].notna()]
    parts = [
        pd.DataFrame(
            {
                "la_code": ins["la_code"].astype(str),
                "published": ins["published"],
                "judgement": ins["judgement"].astype(str),
                "file": p_ins.name,
            }
        )
    ]
    try:
        p_out = _glob_one(root, "ofsted/LA_Inspection_Outcomes_as_at_*.ods")
    except DfeDataError:
        p_out = None
    if p_out is not None:
        o = load_ofsted_outcomes(p_out)
        o = o[o["la_code"].notna() & o["Overall effectiveness"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "la_code": o["la_code"].astype(str),
                    "published": o["Publication date"],
                    "judgement": o["Overall effectiveness"].astype(str).str.strip(),
                    "file": p_out.name,
                }
            )
        )
    j = pd.concat(parts, ignore_index=True).dropna(subset=["published"])
    bad = sorted(set(j["judgement"]) - set(GRADES))
    if bad:
        raise DfeDataError(f"Ofsted files: unknown overall judgements {bad}")
    return j.drop_duplicates(["la_code", "published", "judgement"]).reset_index(drop=True)


def m_ofsted_grade(root: Path, row) -> pd.DataFrame:
    """Grade (1 outstanding ... 4 inadequate) of the latest judgement published by 31 March."""
    j = ofsted_judgements(root)
    first = int(row.first_year)
    last = int(j["published"].max().year)
    recs = []
    for y in range(first, last + 1):
        at = pd.Timestamp(f"{y}-03-31")
        if at > j["published"].max():
            break
        d = j[j["published"] <= at].sort_values(["published", "file"]).groupby("la_code").tail(1)
        recs.append(
            pd.DataFrame(
                {
                    "year": y,
                    "la_code": d["la_code"],
                    "value": d["judgement"].map(GRADES).astype(float),
                    "source": d["file"] + ":overall effectiveness published " + d["published"].dt.strftime("%Y-%m-%d"),
                    "suppression": pd.NA,
                }
            )
        )
    return pd.concat(recs, ignore_index=True)


EXTRA_METHODS = {"csww": m_csww, "per_pop": m_per_pop, "ofsted_grade": m_ofsted_grade}

__all__ = [
    "CODE_SUFFIX",
    "EXTRA_METHODS",
    "GRADES",
    "_apply_filter",
    "_la_only",
    "joint_rows",
    "ofsted_judgements",
]
