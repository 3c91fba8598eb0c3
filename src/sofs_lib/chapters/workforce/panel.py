"""The national children's social work workforce panel: every English LA, every September from
2015 to the last available, in the long layout of the project's LA extract

``la_code, la_name, year, indicator_id, value, suppression, publication, release, file``

(``year`` = the 30 September of the count). Three sources, in this order:

* ``dfe_data_dir`` given: the raw DfE files read with the project's loaders (the workforce
  indicator file, the 2022 headline-measures file, LAIT for 2015-2016, ONS population, CIN b1);
* otherwise the committed real extract (``sofs_lib.sources.dfe.extract.load_panel``) if the
  project has it;
* otherwise a seeded synthetic national panel (:mod:`sofs_lib.synthetic.workforce_panel`).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.sources.dfe import load_ees, load_lait, load_population, load_workforce
from sofs_lib.sources.dfe.extract import COLUMNS
from sofs_lib.sources.dfe.groups import (
    SOFS_NAMED_COUNCILS,
    _codes,
    default_comparators,
    default_pilots,
)
from sofs_lib.sources.dfe.names import LA_NAMES

LAYOUT = COLUMNS  # the panel contract of sofs_lib.sources.dfe.extract
PUB = "Children's social work workforce"

#: indicator id -> (label, unit, basis); the panel's workforce indicators
INDICATORS = {
    "sw_turnover_fte": ("Turnover rate (FTE)", "%", "FTE"),
    "sw_turnover_headcount": ("Turnover rate (headcount)", "%", "headcount"),
    "sw_vacancy_rate_fte": ("Vacancy rate (FTE)", "%", "FTE"),
    "sw_agency_rate_fte": ("Agency worker rate (FTE)", "%", "FTE"),
    "sw_agency_rate_headcount": ("Agency worker rate (headcount)", "%", "headcount"),
    "sw_agency_cover_rate_fte": ("Agency workers covering vacancies (FTE)", "%", "FTE"),
    "sw_absence_rate_fte": ("Sickness absence rate (FTE days)", "%", "FTE"),
    "sw_caseload_fte": ("Average caseload per case holder (FTE)", "cases", "FTE"),
    "sw_starters_rate_fte": ("Starters as % of social workers (FTE)", "%", "FTE"),
    "sw_per_10k": ("Social workers (FTE) per 10,000 children", "per 10,000", "FTE"),
}
#: indicators analysed in the DiD and MDE tables (the report's workforce measures + extras)
ANALYSED = list(INDICATORS)

_CSWW_COLUMNS = {  # indicator file (2017 to latest) column -> id
    "inpost_fte": "sw_fte",
    "inpost_headcount": "sw_headcount",
    "starters_fte": "sw_starters_fte",
    "starters_headcount": "sw_starters_headcount",
    "leavers_fte": "sw_leavers_fte",
    "leavers_headcount": "sw_leavers_headcount",
    "turnover_rate_fte": "sw_turnover_fte",
    "turnover_rate_headcount": "sw_turnover_headcount",
    "agency_rate_fte": "sw_agency_rate_fte",
    "agency_rate_headcount": "sw_agency_rate_headcount",
    "agency_cover_rate_fte": "sw_agency_cover_rate_fte",
    "vacancy_rate_fte": "sw_vacancy_rate_fte",
    "absence_rate_fte": "sw_absence_rate_fte",
    "caseload_fte": "sw_caseload_fte",
}
_HEADLINE_COLUMNS = {  # headline-measures file (2017-2022, 2022 release)
    "social_worker_fte": "sw_fte",
    "social_worker_headcount": "sw_headcount",
    "turnover_rate_fte_%": "sw_turnover_fte",
    "turnover_rate_headcount_%": "sw_turnover_headcount",
    "agency_worker_rate_fte_%": "sw_agency_rate_fte",
    "agency_worker_rate_headcount_%": "sw_agency_rate_headcount",
    "agency_cover_rate_fte_%": "sw_agency_cover_rate_fte",
    "vacancy_rate_fte_%": "sw_vacancy_rate_fte",
    "absence_rate_fte_%": "sw_absence_rate_fte",
    "caseload_fte": "sw_caseload_fte",
}
_LAIT_ITEMS = {
    "Work_Force_NoSW": "sw_fte",
    "Work_Force_TO_Rate": "sw_turnover_fte",
    "Work_Force_Agecy_Rate": "sw_agency_rate_fte",
    "Work_Force_Vac_Rate": "sw_vacancy_rate_fte",
    "Work_Force_SWAbsence": "sw_absence_rate_fte",
    "Work_Force_AvgNumCase_SW": "sw_caseload_fte",
}
#: release priority when one (LA, year, indicator) comes from several files: latest first
RELEASE_ORDER = ("2025", "2022", "LAIT 2024-11", "2024-11-21")


class WorkforcePanelError(ValueError):
    """The workforce data cannot be assembled (missing file or indicator)."""


def _long(df: pd.DataFrame, mapping: dict, release: str, file: str, publication: str = PUB):
    df = df[df["la_code"].notna()]
    parts = []
    for col, iid in mapping.items():
        if col not in df.columns:
            raise WorkforcePanelError(f"{file}: column {col!r} not found")
        parts.append(
            pd.DataFrame(
                {
                    "la_code": df["la_code"].astype(str).to_numpy(),
                    "year": df["year"].astype(int).to_numpy(),
                    "indicator_id": iid,
                    "value": df[col].astype(float).to_numpy(),
                    "suppression": np.where(df[col].isna(), "suppressed or not collected", ""),
                    "publication": publication,
                    "release": release,
                    "file": file,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _one(root: Path, pattern: str) -> Path:
    hits = sorted(root.glob(pattern))
    if not hits:
        raise WorkforcePanelError(f"no file {pattern} under the DfE data folder")
    return hits[-1]


def panel_from_files(root) -> pd.DataFrame:
    """Read the raw DfE files into the long layout (every release kept)."""
    root = Path(root)
    f_ind = _one(root, "workforce/csww_indicators_*.csv")
    f_head = _one(root, "workforce/csww_headline_measures_*.csv")
    f_lait = _one(root, "lait/lait_bds_long_*.parquet")
    f_pop = _one(root, "population-and-neighbours/ons_mid-year_population_estimates_*.csv")
    f_b1 = _one(root, "ees/b1_children_in_need_*.csv")
    parts = [
        _long(load_workforce(f_ind), _CSWW_COLUMNS, "2025", f_ind.name),
        _long(load_workforce(f_head), _HEADLINE_COLUMNS, "2022", f_head.name),
    ]
    lait = load_lait(f_lait, list(_LAIT_ITEMS))
    lait = lait[lait["year"].notna()]
    for item, iid in _LAIT_ITEMS.items():
        d = lait[lait["Short Desc"] == item].copy()
        d["v"] = d["value"]
        parts.append(_long(d, {"v": iid}, "LAIT 2024-11", f_lait.name, "LAIT"))
    pop = load_population(f_pop)
    parts.append(
        _long(
            pop,
            {"population_estimate": "pop_0_17"},
            "ONS",
            f_pop.name,
            "ONS mid-year population estimates",
        )
    )
    b1 = load_ees(f_b1)
    b1 = b1[b1.get("category", pd.Series("Children in Need", index=b1.index)) == "Children in Need"]
    parts.append(
        _long(
            b1,
            {"At31_episodes": "cin_at31"},
            "2022",
            f_b1.name,
            "Characteristics of children in need",
        )
    )
    out = pd.concat(parts, ignore_index=True)
    out["la_name"] = out["la_code"].map(LA_NAMES)
    out = out.drop_duplicates(["la_code", "year", "indicator_id", "release"], keep="last")
    out = out[LAYOUT]
    out.attrs["kind"] = "real"
    return out


def load_source(dfe_data_dir=None, seed: int = 20150930) -> tuple[pd.DataFrame, str, str]:
    """The long workforce panel, its kind ('real' / 'synthetic') and a source line."""
    if dfe_data_dir is not None:
        return panel_from_files(dfe_data_dir), "real", "DfE files read from the data folder"
    try:
        mod = importlib.import_module("sofs_lib.sources.dfe.extract")
    except ModuleNotFoundError:
        mod = None
    if mod is not None and hasattr(mod, "load_panel"):
        d = mod.load_panel()
        return d[LAYOUT], "real", "the project's committed extract of DfE files"
    from sofs_lib.synthetic.workforce_panel import synthetic_workforce_panel

    return synthetic_workforce_panel(seed), "synthetic", "a seeded synthetic national panel"


def latest(long: pd.DataFrame) -> pd.DataFrame:
    """One value per (LA, year, indicator): the latest release that has a non-missing value;
    derived indicators added (starters rate, social workers per 10,000 children, CIN per
    social worker). Wide: rows (la_code, year), one column per indicator."""
    d = long.dropna(subset=["value"]).copy()
    rank = {r: i for i, r in enumerate(RELEASE_ORDER)}
    d["_rank"] = d["release"].map(rank).fillna(len(rank))
    d = d.sort_values("_rank").drop_duplicates(["la_code", "year", "indicator_id"], keep="first")
    w = d.pivot(index=["la_code", "year"], columns="indicator_id", values="value")
    if {"sw_starters_fte", "sw_fte"} <= set(w.columns):
        w["sw_starters_rate_fte"] = 100 * w["sw_starters_fte"] / w["sw_fte"]
    if {"pop_0_17", "sw_fte"} <= set(w.columns):
        w["sw_per_10k"] = 1e4 * w["sw_fte"] / w["pop_0_17"]
    return w.reset_index()


def groups(codes, pilots=None, comparators=None) -> pd.Series:
    """Group of each LA code: 'Pilot', 'Comparator', 'Other English LA' or 'Excluded' (a council
    the report names as a SofS pilot but that is not among ``pilots``, e.g. the dropped one)."""
    pil = set(_codes(pilots)) if pilots is not None else set(default_pilots())
    com = set(_codes(comparators)) if comparators is not None else set(default_comparators())
    if pil & com:
        raise ValueError(f"LAs in both groups: {sorted(pil & com)}")
    named = {c for c in (_codes([n])[0] for n in SOFS_NAMED_COUNCILS)} - pil
    codes = pd.Series(codes)
    return pd.Series(
        np.select(
            [codes.isin(pil), codes.isin(com), codes.isin(named)],
            ["Pilot", "Comparator", "Excluded"],
            "Other English LA",
        ),
        index=codes.index,
    )


def analysis_frame(
    long: pd.DataFrame, first: int, last: int | None = None, pilots=None, comparators=None
) -> pd.DataFrame:
    """Wide LA x year frame from ``first`` to ``last`` (default: last available) with ``group``."""
    w = latest(long)
    last = int(w["year"].max()) if last is None else last
    w = w[(w["year"] >= first) & (w["year"] <= last)].copy()
    w["group"] = groups(w["la_code"], pilots, comparators).to_numpy()
    w["la_name"] = w["la_code"].map(LA_NAMES).fillna(w["la_code"])
    return w


def group_means(frame: pd.DataFrame, indicators=None) -> pd.DataFrame:
    """Mean, n and 95% t-interval per indicator, group and year (Excluded LAs left out)."""
    from scipy import stats

    ids = [i for i in (indicators or ANALYSED) if i in frame.columns]
    d = frame[frame["group"] != "Excluded"].melt(["la_code", "year", "group"], ids, var_name="indicator_id").dropna()
    g = d.groupby(["indicator_id", "group", "year"])["value"].agg(["count", "mean", "std"])
    g = g.rename(columns={"count": "n", "std": "sd"}).reset_index()
    half = stats.t.ppf(0.975, np.maximum(g["n"] - 1, 1)) * g["sd"] / np.sqrt(g["n"])
    g["ci_low"], g["ci_high"] = g["mean"] - half, g["mean"] + half
    return g
