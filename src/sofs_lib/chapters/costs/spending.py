"""Real council spending: the LAIT finance lines for pilots, comparators and England.

Indicators (ids ``fin_<LAIT short name>``): weekly unit costs (social work and commissioning,
looked-after children, fostering, residential care) and gross spending (safeguarding, children
looked after, family support) per child aged 0-17. Years are financial years by their end
(2016 = 2015-16); the LAIT finance series start in 2015-16, during Round 1, so no year before
SofS exists for any pilot.

Tests of the report's "no significant changes over time as far as costs were concerned":
the Appendix 9 two-factor ANOVA (year x pilot status, Type III; :func:`sofs_lib.chapters.la_outcomes.analysis.twoway_anova`)
and an event study around Round 2 (grant from October 2017, first year 2017-18) on logs, with
inference from every re-assignment of the pilot label among the LAs (exact randomisation).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.chapters.costs.coverage import why_words
from sofs_lib.sources.dfe.groups import default_comparators, default_pilots

#: LAIT short name -> catalogue id (data/indicators.csv) and label
UNIT_COST_LINES = {
    "SWFinance": ("fin_social_work_unit_cost", "Social work and commissioning: weekly unit cost"),
    "LACFinance": ("fin_cla_unit_cost", "Looked-after children: weekly unit cost"),
    "FosteringFinance": ("fin_fostering_unit_cost", "Fostering: weekly unit cost"),
    "RescareFinance": ("fin_residential_unit_cost", "Residential care: weekly unit cost"),
}
SPEND_LINES = {
    "SafeguardingFinance": ("fin_safeguarding_gross", "Safeguarding services: gross spend per child"),
    "TotalLACFinance": ("fin_cla_gross", "Children looked after: gross spend per child"),
    "FamilySupportFinance": ("fin_family_support_gross", "Family support: gross spend per child"),
}
SHORT = {k: v[0] for k, v in {**UNIT_COST_LINES, **SPEND_LINES}.items()}
GROSS = [v[0] for v in SPEND_LINES.values()]
LABELS = {v[0]: v[1] for v in {**UNIT_COST_LINES, **SPEND_LINES}.values()}
UNITS = {
    **{v[0]: "£ per week" for v in UNIT_COST_LINES.values()},
    **{v[0]: "£ per child aged 0-17 a year" for v in SPEND_LINES.values()},
}
ROUND2_FIRST_YEAR = 2018
REFERENCE_YEAR = 2017
NO_POPULATION = "no ONS population aged 0-17"


def _lait_file(root: Path) -> Path:
    hits = sorted((root / "lait").glob("lait_bds_long*"))
    if not hits:
        raise FileNotFoundError(f"no LAIT long table (lait/lait_bds_long*) in {root}")
    return hits[-1]


def finance_panel_from_files(dfe_data_dir, keep_missing: bool = False) -> pd.DataFrame:
    """Long panel ``la_code, la_name, year, indicator_id, value`` from the raw DfE files. Gross lines are divided by the ONS mid-year 0-17 population of the
    financial year's first calendar year (see :func:`_per_child` for ``keep_missing``)."""
    from sofs_lib.sources.dfe import load_lait, load_population

    root = Path(dfe_data_dir)
    lines = list(UNIT_COST_LINES) + list(SPEND_LINES)
    df = load_lait(_lait_file(root), short_desc=lines)
    df = df[df["la_code"].notna()].copy()
    df["indicator_id"] = df["Short Desc"].astype(str).map(SHORT)
    pop = load_population(next((root / "population-and-neighbours").glob("ons_mid-year*.csv")))
    pop = pop[pop["age_group"].astype(str).str.contains("0 to 17")].copy()
    pop = pop[pop["la_code"].notna()][["la_code", "year", "population_estimate"]]
    pop["year"] = pop["year"].astype(int) + 1
    out = df[["la_code", "la_name", "year", "indicator_id", "value"]].copy()
    out["year"] = out["year"].astype(int)
    out = out.merge(pop, on=["la_code", "year"], how="left").rename(columns={"population_estimate": "pop"})
    return _per_child(out, keep_missing)


def grouped(panel: pd.DataFrame, pilots=None, comparators=None) -> pd.DataFrame:
    """The panel restricted to pilots and comparators, with ``group`` = Pilot / SNN."""
    pil = list(pilots) if pilots is not None else default_pilots()
    com = list(comparators) if comparators is not None else default_comparators()
    d = panel[panel["la_code"].isin(pil + com)].copy()
    d["group"] = np.where(d["la_code"].isin(pil), "Pilot", "SNN")
    return d


def group_means(panel: pd.DataFrame, pilots=None, comparators=None) -> pd.DataFrame:
    """Mean of pilots, of comparators and of every English LA in the panel, per indicator and year,
    each with the number of LAs it is over (``n_pilots``, ``n_comparators``, ``n_England``)."""
    g = grouped(panel, pilots, comparators)
    m = g.groupby(["indicator_id", "year", "group"])["value"].agg(["mean", "count"]).reset_index()
    wide = m.pivot_table(index=["indicator_id", "year"], columns="group", values=["mean", "count"])
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    v = panel.dropna(subset=["value"]).groupby(["indicator_id", "year"])["value"]
    eng = pd.DataFrame({"England": v.mean(), "n_England": v.count()})
    out = wide.join(eng, how="left").reset_index()
    return out.rename(
        columns={
            "mean_Pilot": "pilots",
            "mean_SNN": "comparators",
            "count_Pilot": "n_pilots",
            "count_SNN": "n_comparators",
        }
    )


def balanced(g: pd.DataFrame, indicator: str, years) -> tuple[pd.DataFrame, int]:
    """LA x year table of one indicator over ``years``, keeping LAs with every year; returns
    it and the number of LAs dropped for a missing year."""
    d = g[(g["indicator_id"] == indicator) & g["year"].isin(years)]
    w = d.pivot_table(index="la_code", columns="year", values="value")
    keep = w.dropna()
    return keep, len(w) - len(keep)


def anova_over_time(panel: pd.DataFrame, years, pilots=None, comparators=None) -> pd.DataFrame:
    """Appendix 9's two-factor ANOVA (year x pilot status) for every finance line."""
    from sofs_lib.chapters.la_outcomes.analysis import twoway_anova

    g = grouped(panel, pilots, comparators)
    g = g[g["year"].isin(list(years))]
    rows = []
    for iid, d in g.groupby("indicator_id", sort=True):
        d = d.assign(indicator_id="x")
        tab = twoway_anova(d, scale={"x": 1.0})
        tab = tab.set_index("source")
        rows.append(
            {
                "indicator_id": iid,
                "label": LABELS.get(iid, iid),
                "LA-years": len(d),
                "LAs (pilots v comparators)": " v ".join(
                    str(d.loc[d["group"] == gr, "la_code"].nunique()) for gr in ("Pilot", "SNN")
                ),
                "F (pilot status)": tab.loc["Pilot status", "F"],
                "p (pilot status)": tab.loc["Pilot status", "p"],
                "F (year x status)": tab.loc["Year * pilot status", "F"],
                "p (year x status)": tab.loc["Year * pilot status", "p"],
                "df (year x status)": f"{tab.loc['Year * pilot status', 'df']}, {tab.loc['Error', 'df']}",
            }
        )
    return pd.DataFrame(rows)


def _event_coefs(logs: np.ndarray, treated: np.ndarray, ref: int) -> np.ndarray:
    """Event-study coefficients of a balanced two-way fixed-effects model (LA and year effects,
    treated x year dummies, reference column ``ref``): differences in mean changes from ``ref``."""
    ch = logs - logs[:, [ref]]
    return ch[treated].mean(axis=0) - ch[~treated].mean(axis=0)


def event_study(
    panel: pd.DataFrame,
    indicator: str,
    years,
    pilots=None,
    comparators=None,
    max_perms: int = 20000,
    seed: int = 0,
) -> pd.DataFrame:
    """Event study on log values around Round 2 with randomisation inference.

    The coefficient of each year is the pilots' mean change in log value since 2016-17 minus the
    comparators' (the two-way fixed-effects estimate on a balanced panel). Its p-value is the
    share of all re-assignments of the pilot label (or ``max_perms`` random ones) giving a
    coefficient at least as large in absolute value.
    """
    g = grouped(panel, pilots, comparators)
    w, dropped = balanced(g, indicator, list(years))
    pil = set(pilots) if pilots is not None else set(default_pilots())
    com = set(comparators) if comparators is not None else set(default_comparators())
    treated = w.index.isin(pil)
    ys = list(w.columns)
    ref = ys.index(REFERENCE_YEAR)
    logs = np.log(w.to_numpy(float))
    obs = _event_coefs(logs, treated, ref)
    n, k = len(w), int(treated.sum())
    if math.comb(n, k) <= max_perms:
        rows = list(itertools.combinations(range(n), k))
        exact = True
    else:
        rng = np.random.default_rng(seed)
        rows = [rng.choice(n, k, replace=False) for _ in range(max_perms)]
        exact = False
    assign = np.zeros((len(rows), n))
    for i, r in enumerate(rows):
        assign[i, list(r)] = 1.0
    ch = logs - logs[:, [ref]]
    s_t = assign @ ch
    perm = s_t / k - (ch.sum(axis=0) - s_t) / (n - k)
    ge = (np.abs(perm) >= np.abs(obs) - 1e-12).sum(axis=0)
    total = len(rows)
    p = ge / total
    out = pd.DataFrame(
        {
            "indicator_id": indicator,
            "year": ys,
            "event_time": [y - ROUND2_FIRST_YEAR for y in ys],
            "coef_log": obs,
            "pct": 100 * (np.exp(obs) - 1),
            "p_randomisation": p,
        }
    )
    out.loc[out["year"] == REFERENCE_YEAR, "p_randomisation"] = np.nan
    left_out = tuple(sorted((pil | com) - set(w.index)))
    out.attrs.update(
        n_pilots=k, n_comparators=n - k, dropped=dropped, left_out=left_out, assignments=total, exact=exact
    )
    return out


def event_study_all(panel: pd.DataFrame, years, pilots=None, comparators=None) -> pd.DataFrame:
    """:func:`event_study` for every finance line; attrs collected per indicator."""
    parts, meta = [], {}
    for iid in sorted(LABELS):
        if iid not in set(panel["indicator_id"]):
            continue
        es = event_study(panel, iid, years, pilots, comparators)
        parts.append(es)
        meta[iid] = dict(es.attrs)
    out = pd.concat(parts, ignore_index=True)
    out.attrs["meta"] = meta
    return out


def clustered_check(panel: pd.DataFrame, indicator: str, years, pilots=None, comparators=None):
    """The same event study by OLS with LA-clustered errors (few clusters: shown for contrast)."""
    import statsmodels.formula.api as smf

    g = grouped(panel, pilots, comparators)
    w, _ = balanced(g, indicator, list(years))
    d = w.stack().rename("value").reset_index()
    d["treated"] = d["la_code"].isin(set(pilots) if pilots is not None else set(default_pilots())).astype(int)
    d["y"] = np.log(d["value"])
    for yr in w.columns:
        if yr != REFERENCE_YEAR:
            d[f"t{yr}"] = ((d["year"] == yr) & (d["treated"] == 1)).astype(int)
    terms = " + ".join(f"t{yr}" for yr in w.columns if yr != REFERENCE_YEAR)
    fit = smf.ols(f"y ~ C(la_code) + C(year) + {terms}", data=d).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d["la_code"])[0]}
    )
    res = pd.DataFrame({"coef_log": fit.params.filter(like="t20"), "p_cluster": fit.pvalues.filter(like="t20")})
    res.index = [int(i[1:]) for i in res.index]
    res.attrs["clusters"] = int(d["la_code"].nunique())
    return res


def finance_panel_from_extract(load_panel, keep_missing: bool = False) -> pd.DataFrame:
    """The same panel from the committed real LA extract (``load_panel(indicators=...)``, long
    table with the catalogue's finance lines and ``pop_0_17``; see :func:`_per_child`)."""
    ids = list(LABELS) + ["pop_0_17"]
    d = load_panel(ids)
    keep = ["la_code", "la_name", "year", "indicator_id", "value"] + (["suppression"] if "suppression" in d else [])
    d = d[keep].copy()
    d["la_code"] = d["la_code"].astype(str)
    d["year"] = d["year"].astype(int)
    pop = d[d["indicator_id"] == "pop_0_17"][["la_code", "year", "value"]].rename(columns={"value": "pop"})
    pop = pop.dropna(subset=["pop"])
    pop["year"] = pop["year"] + 1
    out = d[d["indicator_id"] != "pop_0_17"].merge(pop, on=["la_code", "year"], how="left")
    return _per_child(out, keep_missing)


def _per_child(out: pd.DataFrame, keep_missing: bool) -> pd.DataFrame:
    """Gross lines divided by ``pop``; values without a population are dropped and counted
    (``attrs['dropped_no_population']``). With ``keep_missing`` the rows without a value stay,
    with ``why`` (the suppression code's meaning, or no population)."""
    gross = out["indicator_id"].isin(GROSS)
    no_pop = gross & out["pop"].isna() & out["value"].notna()
    out.loc[gross, "value"] = out.loc[gross, "value"] / out.loc[gross, "pop"]
    codes = out["suppression"] if "suppression" in out else pd.Series(None, index=out.index, dtype=object)
    out["why"] = [why_words(c) if pd.isna(v) else "" for c, v in zip(codes, out["value"])]
    out.loc[no_pop, "why"] = NO_POPULATION
    out = out.drop(columns=[c for c in ("pop", "suppression") if c in out])
    out.attrs["kind"] = "real"
    out.attrs["dropped_no_population"] = int(no_pop.sum())
    if keep_missing:
        return out.reset_index(drop=True)
    return out.drop(columns="why").dropna(subset=["value"]).reset_index(drop=True)


def all_la_mean(panel: pd.DataFrame, indicator: str, year: int) -> tuple[float, int]:
    """Mean of one line over every English LA with a value in ``year``, and how many."""
    d = panel[(panel["indicator_id"] == indicator) & (panel["year"] == year)]["value"].dropna()
    return float(d.mean()), len(d)
