"""LA-level outcome analysis of Appendix 9, redone on the real DfE data (or a synthetic panel).

For each of the 29 indicators (``data/indicators.csv``):

* group means with 95% confidence intervals by year (:func:`group_means_ci`);
* one-way ANOVA by pilot status for one year (Table A9.3) and pooled over all years
  (Table A9.4) (:func:`oneway_anova`);
* two-way ANOVA, Type III sums of squares, year x pilot status with sum-to-zero contrasts
  (Table A9.5) (:func:`twoway_anova`);
* sensitivity analyses excluding named LAs (``exclude``) and leaving each pilot out in turn
  (:func:`leave_one_out`);
* side-by-side comparison with the published values (:func:`compare_with_published`).

Figures in the style of A9.1-A9.9 are in :mod:`sofs_lib.chapters.la_outcomes.figures`; the
chapter's parameters and data source in :mod:`sofs_lib.chapters.la_outcomes.inputs`.

``years`` defaults to 2014/15-2018/19 (``year`` = the year in which the reporting year ends,
so (2015, 2019)) and may be any span the data cover, through 2021/22.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from sofs_lib.core.rounding import round_half_up
from sofs_lib.published import a9
from sofs_lib.sources.dfe.groups import _codes, default_comparators, default_pilots
from sofs_lib.sources.dfe.indicators import build_indicator_panel, load_indicator_catalogue
from sofs_lib.sources.dfe.names import LA_NAMES

DEFAULT_YEARS = (2015, 2019)
PILOT = "Pilot"
SNN = "SNN"


# ------------------------------------------------------------------------------------------
# Published values (transcribed from the report, Appendix 9) -- used for comparison only
# ------------------------------------------------------------------------------------------
def published_a93_a94() -> pd.DataFrame:
    """Tables A9.3 and A9.4, one row per catalogue indicator (see :mod:`sofs_lib.published.a9`)."""
    return a9.a93_a94(load_indicator_catalogue())


def published_a95() -> dict:
    """Table A9.5 by catalogue indicator (see :mod:`sofs_lib.published.a9`)."""
    return a9.a95(load_indicator_catalogue())


def published_a9_5_frame() -> pd.DataFrame:
    """Table A9.5 as a tidy frame (indicator_id, source, ss, df, ms, F, p)."""
    return a9.a95_frame(load_indicator_catalogue())


# ------------------------------------------------------------------------------------------
# Panel
# ------------------------------------------------------------------------------------------
def _year_list(years) -> list[int]:
    if years is None:
        years = DEFAULT_YEARS
    if isinstance(years, tuple) and len(years) == 2:
        return list(range(int(years[0]), int(years[1]) + 1))
    return [int(y) for y in years]


def analysis_panel(
    dfe_data_dir: str | os.PathLike | None = None,
    pilots=None,
    comparators=None,
    years=DEFAULT_YEARS,
    exclude=(),
    indicators=None,
    panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """LA x year x indicator values with a ``group`` column ('Pilot' / 'SNN').

    ``pilots``/``comparators``: names or DfE LA numbers (defaults from ``data/la_groups.yml``).
    ``exclude``: LAs dropped for a sensitivity analysis. ``panel``: a ready long panel (e.g. the
    synthetic one) instead of reading ``dfe_data_dir``.
    """
    pil = _codes(pilots) if pilots is not None else default_pilots()
    com = _codes(comparators) if comparators is not None else default_comparators()
    overlap = set(pil) & set(com)
    if overlap:
        raise ValueError(f"LAs in both groups: {sorted(LA_NAMES.get(c, c) for c in overlap)}")
    ys = _year_list(years)
    if panel is None:
        panel = build_indicator_panel(dfe_data_dir, indicators=indicators, years=ys, la_codes=pil + com)
    else:
        panel = panel[panel["year"].isin(ys)]
        if indicators is not None:
            panel = panel[panel["indicator_id"].isin(indicators)]
    excl = set(_codes(exclude)) if exclude else set()
    kind = panel.attrs.get("kind", "real")
    p = panel[panel["la_code"].isin(set(pil + com) - excl)].copy()
    p["group"] = np.where(p["la_code"].isin(pil), PILOT, SNN)
    p.attrs["kind"] = kind
    p.attrs["years"] = ys
    p.attrs["excluded"] = sorted(excl)
    missing_years = sorted(set(ys) - set(p["year"]))
    if missing_years:
        warnings.warn(f"no data at all for years {missing_years}", stacklevel=2)
    return p


# ------------------------------------------------------------------------------------------
# Statistics
# ------------------------------------------------------------------------------------------
def group_means_ci(panel: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean, n, SD and t-based confidence interval per indicator, group and year."""
    g = panel.dropna(subset=["value"]).groupby(["indicator_id", "group", "year"])["value"]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    tcrit = stats.t.ppf(0.5 + level / 2, np.maximum(out["n"] - 1, 1))
    half = tcrit * out["sd"] / np.sqrt(out["n"])
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


def _oneway(values_by_group: dict[str, np.ndarray]):
    a = values_by_group.get(PILOT, np.array([]))
    b = values_by_group.get(SNN, np.array([]))
    if len(a) < 1 or len(b) < 1 or len(a) + len(b) < 3:
        return np.nan, np.nan
    if np.var(np.concatenate([a, b])) == 0:
        return np.nan, np.nan
    res = stats.f_oneway(a, b)
    return float(res.statistic), float(res.pvalue)


def oneway_anova(panel: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One-way ANOVA by pilot status per indicator: for ``year`` (Table A9.3) or, with
    ``year=None``, pooling every LA-year (Table A9.4). Returns group means, n, F, df and p."""
    d = panel.dropna(subset=["value"])
    if year is not None:
        d = d[d["year"] == year]
    rows = []
    for iid, g in d.groupby("indicator_id", sort=False):
        vals = {k: v["value"].to_numpy(float) for k, v in g.groupby("group")}
        F, p = _oneway(vals)
        n1, n2 = len(vals.get(PILOT, [])), len(vals.get(SNN, []))
        rows.append(
            {
                "indicator_id": iid,
                "year": year if year is not None else "all",
                "pilot_mean": float(np.mean(vals[PILOT])) if n1 else np.nan,
                "snn_mean": float(np.mean(vals[SNN])) if n2 else np.nan,
                "n_pilot": n1,
                "n_snn": n2,
                "F": F,
                "df1": 1,
                "df2": n1 + n2 - 2,
                "p": p,
            }
        )
    return _order(pd.DataFrame(rows))


def _order(df: pd.DataFrame) -> pd.DataFrame:
    cat = load_indicator_catalogue()[["indicator_id", "order", "report_name"]]
    out = df.merge(cat, on="indicator_id", how="left").sort_values(
        ["order"] + [c for c in ("source_order",) if c in df]
    )
    return out.drop(columns=[c for c in ("order", "source_order") if c in out]).reset_index(drop=True)


def twoway_anova(panel: pd.DataFrame, scale: dict | None = None, indicators=None) -> pd.DataFrame:
    """Two-way ANOVA (Type III SS), year x pilot status with sum-to-zero contrasts.

    ``scale`` maps indicator_id -> multiplier applied before the ANOVA (default: the
    catalogue's ``anova_scale``, e.g. 0.01 for assessments lasting 61+ days, which Table A9.5
    analysed as a proportion). Returns rows Year, Pilot status, Year * pilot status, Error,
    Corrected total with ss, df, ms, F and p.
    """
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    if scale is None:
        cat = load_indicator_catalogue()
        scale = dict(zip(cat["indicator_id"], cat["anova_scale"]))
    d = panel.dropna(subset=["value"])
    if indicators is not None:
        d = d[d["indicator_id"].isin(indicators)]
    rows = []
    names = {
        "C(year, Sum)": "Year",
        "C(group, Sum)": "Pilot status",
        "C(year, Sum):C(group, Sum)": "Year * pilot status",
        "Residual": "Error",
    }
    for iid, g in d.groupby("indicator_id", sort=False):
        g = g.assign(y=g["value"] * float(scale.get(iid, 1.0)))
        if g["group"].nunique() < 2 or g["year"].nunique() < 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = smf.ols("y ~ C(year, Sum) * C(group, Sum)", data=g).fit()
            tab = anova_lm(fit, typ=3)
        for k, (src, r) in enumerate(tab.iterrows()):
            if src not in names:
                continue
            ss, df_ = float(r["sum_sq"]), int(round(r["df"]))
            rows.append(
                {
                    "indicator_id": iid,
                    "source": names[src],
                    "source_order": k,
                    "ss": ss,
                    "df": df_,
                    "ms": ss / df_ if df_ else np.nan,
                    "F": float(r["F"]) if not pd.isna(r["F"]) else np.nan,
                    "p": float(r["PR(>F)"]) if not pd.isna(r["PR(>F)"]) else np.nan,
                }
            )
        tot = float(((g["y"] - g["y"].mean()) ** 2).sum())
        rows.append(
            {
                "indicator_id": iid,
                "source": "Corrected total",
                "source_order": 99,
                "ss": tot,
                "df": len(g) - 1,
                "ms": np.nan,
                "F": np.nan,
                "p": np.nan,
            }
        )
    out = pd.DataFrame(rows)
    return _order(out) if len(out) else out


def analyse(
    dfe_data_dir=None,
    pilots=None,
    comparators=None,
    years=DEFAULT_YEARS,
    exclude=(),
    year_for_a93: int | None = None,
    panel: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Run everything: returns dict with 'panel', 'means_ci', 'a93' (one-way, last year),
    'a94' (one-way, all years), 'a95' (two-way, Type III)."""
    p = analysis_panel(dfe_data_dir, pilots, comparators, years, exclude, panel=panel)
    ys = _year_list(years)
    y93 = year_for_a93 if year_for_a93 is not None else max(ys)
    return {
        "panel": p,
        "means_ci": group_means_ci(p),
        "a93": oneway_anova(p, y93),
        "a94": oneway_anova(p, None),
        "a95": twoway_anova(p),
    }


def compare_with_published(
    results: dict[str, pd.DataFrame], published_values: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Tidy comparison with Tables A9.3/A9.4: one row per indicator, table and quantity
    (pilot_mean, snn_mean, F, p) with the computed value, the published one, the computed value
    rounded to the published decimals, ``match`` (equal when rounded) and ``gap``."""
    pub = published_values if published_values is not None else published_a93_a94()
    rows = []
    for table, key, pre in (("A9.3", "a93", "a93_"), ("A9.4", "a94", "a94_")):
        r = results[key].set_index("indicator_id")
        for rec in pub.itertuples(index=False):
            iid = rec.indicator_id
            for q, col, nd in (
                ("pilot_mean", "pilot", 1),
                ("snn_mean", "snn", 1),
                ("F", "F", 1),
                ("p", "p", 2),
            ):
                pv = getattr(rec, pre + col)
                cv = r.at[iid, q] if iid in r.index else np.nan
                rounded = round_half_up(cv, nd)
                rows.append(
                    {
                        "table": table,
                        "indicator_id": iid,
                        "quantity": q,
                        "computed": cv,
                        "published": pv,
                        "computed_rounded": rounded,
                        "match": bool(rounded == pv),
                        "gap": cv - pv,
                    }
                )
    out = pd.DataFrame(rows)
    cat = load_indicator_catalogue()[["indicator_id", "report_name"]]
    return out.merge(cat, on="indicator_id", how="left")


def match_score(comparison: pd.DataFrame, quantity: str = "pilot_mean") -> pd.DataFrame:
    """Number of indicators whose ``quantity`` matches the published value, per table."""
    c = comparison[comparison["quantity"] == quantity]
    return c.groupby("table")["match"].agg(matched="sum", of="count").reset_index()


# ------------------------------------------------------------------------------------------
# Sensitivity
# ------------------------------------------------------------------------------------------
def leave_one_out(panel: pd.DataFrame, pilots, comparators, years, alpha: float = 0.05) -> pd.DataFrame:
    """Sensitivity: the all-years one-way test (A9.4) with each pilot left out in turn.

    Returns one row per indicator: the full-sample p, how many of the leave-one-out runs stay
    significant at ``alpha``, and the largest p among them.
    """
    base = oneway_anova(analysis_panel(None, pilots, comparators, years, panel=panel), None)
    pil = _codes(pilots) if pilots is not None else default_pilots()
    runs = []
    for code in pil:
        r = oneway_anova(analysis_panel(None, pilots, comparators, years, exclude=[code], panel=panel), None)
        runs.append(r.set_index("indicator_id")["p"].rename(code))
    lo = pd.concat(runs, axis=1)
    out = base.set_index("indicator_id")[["p"]].rename(columns={"p": "p_all"})
    out["significant_all"] = out["p_all"] < alpha
    out["runs"] = lo.shape[1]
    out["runs_significant"] = (lo < alpha).sum(axis=1)
    out["p_max_leave_one_out"] = lo.max(axis=1)
    out["robust"] = np.where(
        out["significant_all"], out["runs_significant"] == out["runs"], out["runs_significant"] == 0
    )
    return out.reset_index()


# ------------------------------------------------------------------------------------------
# Side-by-side views for the chapter
# ------------------------------------------------------------------------------------------
_QUANTITIES = (("pilot_mean", "pilot mean"), ("snn_mean", "SNN mean"), ("F", "F"), ("p", "p"))


def side_by_side(comparison: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One of Tables A9.3/A9.4 as printed rows (catalogue order) with a computed and a published
    column per quantity, and a boolean frame marking computed cells that do not match."""
    c = comparison[comparison["table"] == table]
    w = c.pivot(index="report_name", columns="quantity", values=["computed", "published"])
    order = load_indicator_catalogue().sort_values("order")["report_name"].tolist()
    w = w.reindex([n for n in order if n in w.index])
    view = pd.DataFrame(
        {f"{label}: {what}": w[(what, q)] for q, label in _QUANTITIES for what in ("computed", "published")}
    )
    m = c.pivot(index="report_name", columns="quantity", values="match").reindex(view.index)
    mismatch = pd.DataFrame(False, index=view.index, columns=view.columns)
    for q, label in _QUANTITIES:
        mismatch[f"{label}: computed"] = ~m[q].astype(bool)
    return view, mismatch


def compare_a95(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Computed two-way ANOVA rows beside Table A9.5 (indicators the report tabulates)."""
    return results["a95"].merge(published_a9_5_frame(), on=["indicator_id", "source"], suffixes=("", "_published"))


def record(led, comparison: pd.DataFrame, a95: pd.DataFrame, kind: str) -> None:
    """Write the A9.3/A9.4 and A9.5 comparisons to a reproduction ledger."""
    for r in comparison.itertuples():
        led.record(
            r.table,
            r.report_name,
            r.quantity,
            published=r.published,
            reproduced=r.computed,
            kind=kind,
            decimals=2 if r.quantity == "p" else 1,
        )
    for r in a95.itertuples():
        for q in ("ss", "F", "p"):
            pv = getattr(r, f"{q}_published")
            if pv is not None and not pd.isna(pv):
                led.record(
                    "A9.5",
                    f"{r.report_name}: {r.source}",
                    q,
                    published=pv,
                    reproduced=getattr(r, q),
                    kind=kind,
                    decimals=3,
                )
