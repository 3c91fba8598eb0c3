"""The indicator catalogue (``data/indicators.csv``) and the builder of the LA x year panel.

The catalogue lists the 29 outcome indicators of Appendix 9 (Tables A9.2-A9.4) with the
report's name, a plain definition, the source file and column(s), how the value is derived,
the year convention and a note wherever the report's label does not match the source the
published numbers must have come from.

Year convention: ``year`` is the calendar year in which the reporting year ends (31 March)
-- 2019 means 2018/19. Workforce indicators are at 30 September of ``year`` (the report pairs
2018/19 with September 2019).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.core import paths
from sofs_lib.sources.dfe import schemas as S
from sofs_lib.sources.dfe._io import CODE_SUFFIX
from sofs_lib.sources.dfe.errors import DfeDataError
from sofs_lib.sources.dfe.loaders import (
    cla_legacy_files,
    load_cla_legacy,
    load_ees,
    load_lait,
    load_workforce,
    resolve_dfe_data_dir,
)
from sofs_lib.sources.dfe.names import LA_NAMES, synthetic_name

CATALOGUE_COLUMNS = [
    "indicator_id",
    "order",
    "category",
    "report_name",
    "definition",
    "unit",
    "anova_scale",
    "method",
    "source_publication",
    "source_file",
    "source_columns",
    "filter",
    "suppressed",
    "year_convention",
    "first_year",
    "last_year",
    "note",
    "scope",
]
#: ``scope`` of the 29 indicators of Appendix 9 (the LA chapter's); other rows are ``extra``
A9_SCOPE = "A9"


def load_indicator_catalogue(path: str | os.PathLike | None = None, scope: str | None = A9_SCOPE) -> pd.DataFrame:
    """The indicator catalogue, one row per indicator, in catalogue order.

    ``scope='A9'`` (default): the 29 indicators of Appendix 9, in the order of Tables A9.3/A9.4;
    ``scope='extra'``: the indicators added for the other chapters (workforce, population,
    finance, Ofsted); ``scope=None``: all."""
    p = Path(path) if path is not None else paths.repo_root() / "data" / "indicators.csv"
    cat = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in CATALOGUE_COLUMNS if c not in cat.columns]
    if missing:
        raise DfeDataError(f"{p.name}: catalogue lacks columns {missing}", p)
    cat["order"] = cat["order"].astype(int)
    cat["anova_scale"] = cat["anova_scale"].astype(float)
    cat["first_year"] = cat["first_year"].astype(int)
    cat["last_year"] = cat["last_year"].astype(int)
    if scope is not None:
        if scope not in set(cat["scope"]):
            raise DfeDataError(f"{p.name}: no indicator has scope {scope!r} (scopes: {sorted(set(cat['scope']))})", p)
        cat = cat[cat["scope"] == scope]
    return cat.sort_values("order").reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# cached loading (files are re-read only if they change)
# ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _cached(kind: str, path: str, mtime: float):
    p = Path(path)
    if kind == "ees":
        return load_ees(p)
    if kind == "workforce":
        return load_workforce(p)
    if kind == "lait":
        return load_lait(p)
    if kind == "cla":
        return load_cla_legacy(p)
    raise ValueError(kind)


def _load(kind: str, path: Path) -> pd.DataFrame:
    return _cached(kind, str(path), path.stat().st_mtime)


def _glob_one(root: Path, pattern: str) -> Path:
    """The file of the table a catalogue pattern names, found by table id wherever it is in the
    folder and whatever its name (:func:`sofs_lib.sources.dfe.tables.resolve`; with two
    releases of one table, the newer one, as reported by ``tables.used_files``)."""
    from sofs_lib.sources.dfe import tables

    return tables.resolve(root, pattern)


def _apply_filter(df: pd.DataFrame, flt: str) -> pd.DataFrame:
    flt = (flt or "").strip()
    if not flt:
        return df
    col, val = flt.split("=", 1)
    col = col.strip()
    if col not in df.columns:
        raise DfeDataError(f"filter column {col!r} not in {df.attrs.get('source')}")
    return df[df[col].astype("string").str.strip() == val.strip()]


def _la_only(df: pd.DataFrame) -> pd.DataFrame:
    if "geographic_level" in df.columns:
        df = df[df["geographic_level"] == "Local authority"]
    return df[df["la_code"].notna()]


def _code_of(df: pd.DataFrame, cols) -> pd.Series:
    """The suppression code of each row: the first code among ``cols`` (missing if none)."""
    out = pd.Series(pd.NA, index=df.index, dtype="string")
    for c in cols:
        cc = c + CODE_SUFFIX
        if cc in df.columns:
            out = out.fillna(df[cc].astype("string"))
    return out


def _frame(df: pd.DataFrame, value: pd.Series, source: str, code=None) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "year": df["year"].astype(int).to_numpy(),
            "la_code": df["la_code"].astype(str).to_numpy(),
            "value": value.astype(float).to_numpy(),
            "source": source,
            "suppression": (
                pd.Series(pd.NA, index=df.index, dtype="string") if code is None else code.astype("string")
            ).to_numpy(),
        }
    )
    return out


def _computed_rate(root, df: pd.DataFrame, count: str) -> tuple[pd.Series, str]:
    """A rate per 10,000 children a release dropped, computed from its count and the ONS
    mid-year population of the year before the reporting year ends (the DfE's convention: the
    rate for 2018/19 uses mid-2018)."""
    pop_path = _glob_one(root, "population-and-neighbours/ons_mid-year_population_*.csv")
    pop = _la_only(_apply_filter(_load("ees", pop_path), "age_group=Children aged 0 to 17 years"))
    pop = pop.assign(year=pop["year"] + 1).set_index(["la_code", "year"])["population_estimate"]
    key = pd.MultiIndex.from_arrays([df["la_code"].astype(str), df["year"].astype(int)])
    den = pd.Series(pop.reindex(key).to_numpy(float), index=df.index)
    return (
        df[count] / den.replace(0, np.nan) * 10000.0,
        f"{count} / {pop_path.name}:population_estimate (mid-year t-1) x 10000 (computed)",
    )


def _m_ees(root, row):
    path = _glob_one(root, row.source_file)
    kind = "workforce" if path.parent.name == "workforce" else "ees"
    df = _la_only(_apply_filter(_load(kind, path), row.filter))
    col = row.source_columns.strip()
    missing_rates = _load(kind, path).attrs.get("missing_rates", {})
    if col not in df.columns and col in missing_rates:
        value, how = _computed_rate(root, df, missing_rates[col])
        return _frame(df, value, f"{path.name}:{how}", _code_of(df, [missing_rates[col]]))
    value = df[col].fillna(0.0) if row.suppressed == "zero" else df[col]
    return _frame(df, value, f"{path.name}:{col}", _code_of(df, [col]))


def _m_ees_ratio(root, row):
    path = _glob_one(root, row.source_file)
    df = _la_only(_apply_filter(_load("ees", path), row.filter))
    m = re.match(r"^\s*(\S+)\s*/\s*(\S+)\s*\*\s*100\s*$", row.source_columns)
    num, den = m.group(1), m.group(2)
    n = df[num]
    if row.suppressed == "zero":
        n = n.fillna(0.0).where(df[den].notna())
    value = n / df[den].replace(0, np.nan) * 100.0
    return _frame(df, value, f"{path.name}:{num}/{den}", _code_of(df, [num, den]))


def _lait_item(root, short_desc):
    path = _glob_one(root, "lait/lait_bds_long_*.parquet")
    d = _load("lait", path)
    d = d[(d["Short Desc"] == short_desc) & d["la_code"].notna()]
    return d, path


def _m_lait(root, row):
    item = row.filter.split("=", 1)[1].strip()
    d, path = _lait_item(root, item)
    d = d[d["year"].notna()]
    return _frame(d, d["value"], f"{path.name}:{item}", _code_of(d, ["value"]))


def _m_ratio_ees_lait(root, row):
    b1 = _glob_one(root, row.source_file.split("|")[0])
    df = _la_only(_apply_filter(_load("ees", b1), row.filter.split("|")[0]))
    num_col, den_item = [x.strip() for x in row.source_columns.split("/")]
    sw, path = _lait_item(root, den_item)
    sw = sw[sw["year"].notna()].groupby(["la_code", "year"], as_index=False)[["value", "value" + CODE_SUFFIX]].first()
    sw["year"] = sw["year"].astype(int)
    left = pd.DataFrame(
        {
            "la_code": df["la_code"].astype(str),
            "year": df["year"].astype(int),
            "num": df[num_col],
            "num" + CODE_SUFFIX: _code_of(df, [num_col]),
        }
    )
    m = left.merge(sw.assign(la_code=sw["la_code"].astype(str)), on=["la_code", "year"], how="inner")
    m["value"] = m["num"] / m["value"].replace(0, np.nan)
    return _frame(m, m["value"], f"{b1.name}:{num_col} / {path.name}:{den_item}", _code_of(m, ["num", "value"]))


def _legacy_rate(root, table: str, prefix: str, last_year: int = 2019):
    """Long (year, la_code, value) from legacy wide columns ``<prefix><year>``, taking for each
    year the latest release (up to ``last_year``) that contains it."""
    files = cla_legacy_files(root)
    files = files[(files["table"] == table) & (files["release_year"] <= last_year)]
    best = {}
    for f in files.sort_values("release_year").itertuples():
        d = _load("cla", Path(f.path))
        for c in d.columns:
            m = re.fullmatch(re.escape(prefix) + r"(\d{4})", c)
            if m:
                best[int(m.group(1))] = (d, c, Path(f.path).name)
    parts = []
    for y, (d, c, name) in sorted(best.items()):
        parts.append(
            pd.DataFrame(
                {
                    "year": y,
                    "la_code": d["la_code"].astype(str).to_numpy(),
                    "value": d[c].to_numpy(float),
                    "source": f"{name}:{c}",
                    "suppression": _code_of(d, [c]).to_numpy(),
                }
            )
        )
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["year", "la_code", "value", "source", "suppression"])
    )


def _ees_cla_number(root, label: str, col: str = "rate_per_10000"):
    path = _glob_one(root, "ees/cla_number_and_rate_per_10k_children.csv")
    d = _la_only(_load("ees", path))
    d = d[d["population_count"] == label]
    return _frame(d, d[col], f"{path.name}:{col} ({label})", _code_of(d, [col])), d


def _m_cla_rate(root, row):
    prefix = "CLA_Rate" if row.indicator_id == "lac_rate" else "Started_CLA_Rate"
    table = "CLA" if row.indicator_id == "lac_rate" else "ADM"
    legacy = _legacy_rate(root, table, prefix)
    label = row.filter.split("=", 1)[1].strip()
    ees, _ = _ees_cla_number(root, label)
    ees = ees[ees["year"] > (legacy["year"].max() if len(legacy) else 0)]
    return pd.concat([legacy, ees], ignore_index=True)


def _m_cla_sgo(root, row):
    files = cla_legacy_files(root)
    files = files[(files["table"] == "CEA") & (files["release_year"] <= 2019)]
    parts = []
    for f in files.itertuples():
        d = _load("cla", Path(f.path))
        y = int(f.release_year)
        pcs = [c for c in d.columns if re.match(r"^CEA_SGO_.*_pc$", c)]
        if pcs:  # 2019 release: published percentages by type of carer
            value = d[pcs].fillna(0.0).sum(axis=1).where(d[pcs].notna().any(axis=1))
            src = "+".join(pcs)
            code = _code_of(d, pcs)
        else:
            sg = [c for c in d.columns if re.match(r"^(CLA_ceaSpecG\d?|CEA_SGO\d)$", c)]
            cease = next((c for c in (f"CLA_cease{y}", "CLA_cease") if c in d.columns), None)
            if not sg or cease is None:
                continue
            num = d[sg].fillna(0.0).sum(axis=1) if row.suppressed == "zero" else d[sg].sum(axis=1, min_count=len(sg))
            value = num / d[cease].replace(0, np.nan) * 100.0
            src = f"({'+'.join(sg)})/{cease}"
            code = _code_of(d, sg + [cease])
        parts.append(
            pd.DataFrame(
                {
                    "year": y,
                    "la_code": d["la_code"].astype(str).to_numpy(),
                    "value": value.to_numpy(float),
                    "source": f"{Path(f.path).name}:{src}",
                    "suppression": code.to_numpy(),
                }
            )
        )
    legacy = pd.concat(parts, ignore_index=True)
    # 2020 onwards: EES numbers of SGOs / children ceasing
    path = _glob_one(root, "ees/la_children_who_ceased_*.csv")
    c = _la_only(_load("ees", path))
    c = c[(c["cla_group"] == "Special guardianship orders") & (c["characteristic"] == "Total")]
    c = c[c["year"] > legacy["year"].max()]
    _, den = _ees_cla_number(root, "Children ceasing to be looked after each year", "number")
    cn = "number" + CODE_SUFFIX
    m = c[["la_code", "year", "number", cn]].merge(
        den[["la_code", "year", "number", cn]].rename(columns={"number": "ceased", cn: "ceased" + CODE_SUFFIX}),
        on=["la_code", "year"],
    )
    num = m["number"].fillna(0.0) if row.suppressed == "zero" else m["number"]
    m["value"] = num / m["ceased"].replace(0, np.nan) * 100.0
    ees = _frame(m, m["value"], f"{path.name}:SGO Total / children ceasing", _code_of(m, ["number", "ceased"]))
    return pd.concat([legacy, ees], ignore_index=True)


_METHODS = {
    "ees": _m_ees,
    "ees_ratio": _m_ees_ratio,
    "lait": _m_lait,
    "ratio_ees_lait": _m_ratio_ees_lait,
    "cla_rate": _m_cla_rate,
    "cla_sgo": _m_cla_sgo,
}


def build_indicator_panel(
    dfe_data_dir: str | os.PathLike | None = None,
    indicators: list[str] | None = None,
    years: tuple[int, int] | list[int] | None = None,
    la_codes: list[str] | None = None,
    catalogue: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Long panel ``indicator_id, year, la_code, la_name, value, source`` from the real files.

    ``years``: (first, last) inclusive or a list of years (``year`` = year ending 31 March).
    ``la_codes``: restrict to these DfE LA numbers. Missing values (suppressed or not
    collected) are kept as NaN rows.
    """
    root = resolve_dfe_data_dir(dfe_data_dir)
    cat = catalogue if catalogue is not None else load_indicator_catalogue()
    if indicators is not None:
        unknown = sorted(set(indicators) - set(cat["indicator_id"]))
        if unknown:
            raise KeyError(f"unknown indicators {unknown}")
        cat = cat[cat["indicator_id"].isin(indicators)]
    parts = []
    for row in cat.itertuples(index=False):
        fn = _METHODS[row.method]
        d = fn(root, row)
        d.insert(0, "indicator_id", row.indicator_id)
        parts.append(d)
    panel = pd.concat(parts, ignore_index=True)
    panel["year"] = panel["year"].astype(int)
    if years is not None:
        ys = list(range(years[0], years[1] + 1)) if isinstance(years, tuple) else list(years)
        panel = panel[panel["year"].isin(ys)]
    if la_codes is not None:
        panel = panel[panel["la_code"].isin([str(c) for c in la_codes])]
    panel = panel.drop_duplicates(["indicator_id", "la_code", "year"], keep="last")
    panel["la_name"] = panel["la_code"].map(lambda c: LA_NAMES.get(c, synthetic_name(c)))
    panel = panel[["indicator_id", "year", "la_code", "la_name", "value", "source", "suppression"]].reset_index(
        drop=True
    )
    panel = S.LONG_VALUES.validate(panel)
    panel.attrs["kind"] = "real"
    panel.attrs["dfe_data_dir"] = str(root)
    return panel
