"""LA-level outcome analysis of Appendix 9, redone on the real DfE data (or a synthetic panel).

For each of the 29 indicators (``data/indicators.csv``):

* group means with 95% confidence intervals by year (:func:`group_means_ci`);
* one-way ANOVA by pilot status for one year (Table A9.3) and pooled over all years
  (Table A9.4) (:func:`oneway_anova`);
* two-way ANOVA, Type III sums of squares, year x pilot status with sum-to-zero contrasts
  (Table A9.5) (:func:`twoway_anova`);
* sensitivity analyses excluding named LAs (``exclude``);
* side-by-side comparison with the published values (:func:`compare_with_published`);
* figures in the style of A9.1-A9.9 (:func:`plot_indicator`).

``years`` defaults to 2014/15-2018/19 (``year`` = the year in which the reporting year ends,
so (2015, 2019)) and may be any span the data cover, through 2021/22.
"""

from __future__ import annotations

import math
import os
import warnings
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from scipy import stats

from .dfe.groups import default_comparators, default_pilots, _codes
from .dfe.indicators import build_indicator_panel, load_indicator_catalogue
from .dfe.names import LA_NAMES

DEFAULT_YEARS = (2015, 2019)
PILOT = "Pilot"
SNN = "SNN"


def round_half_up(x, ndigits: int = 1) -> float:
    """Round as SPSS/Excel print (half away from zero), robust to binary noise."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return float("nan")
    q = Decimal(1).scaleb(-ndigits)
    return float(Decimal(repr(round(float(x), 9))).quantize(q, rounding=ROUND_HALF_UP))


# ------------------------------------------------------------------------------------------
# Published values (transcribed from the report, Appendix 9) -- used for comparison only
# ------------------------------------------------------------------------------------------
_A93_A94 = [
    # indicator_id, A9.3: pilot, snn, F, p;  A9.4: pilot, snn, F, p
    ("cin_rate", 523.7, 627.4, 2.7, 0.12, 525.7, 605.1, 7.5, 0.01),
    ("cin_duration_lt3m", 29.4, 26.0, 1.8, 0.20, 28.0, 26.6, 1.4, 0.24),
    ("cin_duration_gt2y", 29.4, 30.9, 0.3, 0.57, 28.5, 30.8, 2.9, 0.09),
    ("referral_rate", 480.3, 543.9, 1.2, 0.29, 473.4, 516.7, 2.5, 0.12),
    ("referrals_not_in_need", 33.6, 25.2, 2.0, 0.18, 28.7, 24.9, 1.5, 0.22),
    ("referrals_nfa", 5.4, 8.4, 0.6, 0.44, 8.6, 9.0, 0.0, 0.84),
    ("rereferrals", 23.0, 22.7, 0.0, 0.92, 21.5, 22.8, 1.2, 0.28),
    ("assessment_rate", 466.4, 609.7, 6.5, 0.02, 433.4, 525.3, 10.1, 0.00),
    ("assessment_median_days", 31.3, 27.5, 0.7, 0.43, 23.5, 26.7, 2.1, 0.15),
    ("assessment_same_day", 2.0, 2.8, 0.6, 0.44, 5.1, 3.1, 3.2, 0.08),
    ("assessment_61plus", 6.5, 9.2, 0.8, 0.38, 5.4, 8.8, 7.7, 0.01),
    ("s47_rate", 146.9, 183.0, 2.4, 0.14, 134.3, 163.2, 7.2, 0.01),
    ("icpc_rate", 50.7, 65.9, 7.9, 0.01, 49.5, 64.4, 23.6, 0.00),
    ("s47_to_icpc_days", 13.5, 14.4, 5.4, 0.04, 13.2, 14.0, 9.8, 0.00),
    ("cpp_rate", 43.6, 57.6, 9.1, 0.01, 42.7, 55.9, 26.1, 0.00),
    ("cpp_subsequent", 20.6, 19.4, 0.5, 0.49, 19.5, 19.5, 0.0, 0.99),
    ("cpp_le3m", 33.4, 30.4, 1.5, 0.25, 32.8, 29.6, 5.9, 0.02),
    ("cpp_reviewed", 93.0, 93.1, 0.0, 0.97, 94.3, 93.2, 0.8, 0.37),
    ("cin_per_sw", 12.2, 14.1, 1.9, 0.19, 13.8, 14.2, 0.3, 0.58),
    ("sw_turnover", 13.8, 18.6, 1.8, 0.20, 17.3, 17.4, 0.0, 0.98),
    ("sw_vacancy", 17.6, 16.5, 0.0, 0.84, 19.0, 17.6, 0.4, 0.52),
    ("sw_agency", 17.9, 17.0, 0.0, 0.87, 17.6, 16.7, 0.1, 0.71),
    ("sw_absence", 2.7, 2.8, 0.0, 0.96, 3.0, 3.1, 0.1, 0.73),
    ("caseload", 16.8, 17.1, 0.2, 0.69, 16.7, 17.1, 0.2, 0.64),
    ("lac_rate", 47.6, 61.3, 2.1, 0.17, 47.1, 55.8, 6.3, 0.01),
    ("lac_start_rate", 20.1, 25.8, 1.8, 0.20, 22.5, 25.4, 2.8, 0.10),
    ("lac_adopted", 11.7, 11.7, 0.0, 1.00, 13.4, 14.4, 0.8, 0.39),
    ("care_applications", 8.4, 10.3, 1.9, 0.19, 9.1, 10.0, 1.4, 0.25),
    ("sgo", 12.4, 11.7, 0.1, 0.79, 12.1, 11.9, 0.1, 0.82),
]
#: Tables A9.3 (2018/19) and A9.4 (all years), one row per indicator
PUBLISHED_A9_3_A9_4 = pd.DataFrame(
    _A93_A94,
    columns=["indicator_id", "a93_pilot", "a93_snn", "a93_F", "a93_p", "a94_pilot", "a94_snn", "a94_F", "a94_p"],
)

#: Table A9.5 (two-way ANOVA, Type III): indicator -> rows (source, SS, df, MS, F, sig)
PUBLISHED_A9_5 = {
    "cin_rate": [("Year", 5225.143, 4, 1306.286, .073, .990), ("Pilot status", 125960.192, 1, 125960.192, 7.054, .010),
                 ("Year * pilot status", 53780.322, 4, 13445.080, .753, .559), ("Error", 1250035.983, 70, 17857.657, None, None),
                 ("Corrected total", 1435001.640, 79, None, None, None)],
    "assessment_rate": [("Year", 140012.864, 4, 35003.216, 2.145, .084), ("Pilot status", 168930.580, 1, 168930.580, 10.354, .002),
                        ("Year * pilot status", 24801.581, 4, 6200.395, .380, .822), ("Error", 1142063.892, 70, 16315.198, None, None),
                        ("Corrected total", 1475808.918, 79, None, None, None)],
    "assessment_61plus": [("Year", .008, 4, .002, .590, .671), ("Pilot status", .024, 1, .024, 7.365, .008),
                          ("Year * pilot status", .007, 4, .002, .562, .691), ("Error", .227, 70, .003, None, None),
                          ("Corrected total", .266, 79, None, None, None)],
    "s47_rate": [("Year", 6574.288, 4, 1643.572, .679, .609), ("Pilot status", 16669.538, 1, 16669.538, 6.890, .011),
                 ("Year * pilot status", 4925.691, 4, 1231.423, .509, .729), ("Error", 169355.083, 70, 2419.358, None, None),
                 ("Corrected total", 197524.599, 79, None, None, None)],
    "icpc_rate": [("Year", 93.199, 4, 23.300, .122, .974), ("Pilot status", 4429.776, 1, 4429.776, 23.121, .000),
                  ("Year * pilot status", 1111.903, 4, 277.976, 1.451, .227), ("Error", 13411.361, 70, 191.591, None, None),
                  ("Corrected total", 19046.240, 79, None, None, None)],
    "s47_to_icpc_days": [("Year", 8.625, 4, 2.156, 1.621, .179), ("Pilot status", 13.613, 1, 13.613, 10.232, .002),
                         ("Year * pilot status", 6.325, 4, 1.581, 1.189, .323), ("Error", 93.125, 70, 1.330, None, None),
                         ("Corrected total", 121.688, 79, None, None, None)],
    "cpp_rate": [("Year", 75.877, 4, 18.969, .136, .968), ("Pilot status", 3523.185, 1, 3523.185, 25.347, .000),
                 ("Year * pilot status", 719.302, 4, 179.825, 1.294, .281), ("Error", 9729.726, 70, 138.996, None, None),
                 ("Corrected total", 14048.090, 79, None, None, None)],
    "cpp_le3m": [("Year", 132.043, 4, 33.011, .911, .462), ("Pilot status", 208.013, 1, 208.013, 5.741, .019),
                 ("Year * pilot status", 82.201, 4, 20.550, .567, .687), ("Error", 2536.243, 70, 36.232, None, None),
                 ("Corrected total", 2958.500, 79, None, None, None)],
    "lac_rate": [("Year", 252.800, 4, 63.200, .245, .912), ("Pilot status", 1496.450, 1, 1496.450, 5.791, .019),
                 ("Year * pilot status", 137.300, 4, 34.325, .133, .970), ("Error", 18089.250, 70, 258.418, None, None),
                 ("Corrected total", 19975.800, 79, None, None, None)],
}


def published_a9_5_frame() -> pd.DataFrame:
    """Table A9.5 as a tidy frame (indicator_id, source, ss, df, ms, F, p)."""
    rows = [(i, *r) for i, rs in PUBLISHED_A9_5.items() for r in rs]
    return pd.DataFrame(rows, columns=["indicator_id", "source", "ss", "df", "ms", "F", "p"])


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
        rows.append({
            "indicator_id": iid, "year": year if year is not None else "all",
            "pilot_mean": float(np.mean(vals[PILOT])) if n1 else np.nan,
            "snn_mean": float(np.mean(vals[SNN])) if n2 else np.nan,
            "n_pilot": n1, "n_snn": n2, "F": F, "df1": 1, "df2": n1 + n2 - 2, "p": p,
        })
    return _order(pd.DataFrame(rows))


def _order(df: pd.DataFrame) -> pd.DataFrame:
    cat = load_indicator_catalogue()[["indicator_id", "order", "report_name"]]
    out = df.merge(cat, on="indicator_id", how="left").sort_values(["order"] + [c for c in ("source_order",) if c in df])
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
    names = {"C(year, Sum)": "Year", "C(group, Sum)": "Pilot status",
             "C(year, Sum):C(group, Sum)": "Year * pilot status", "Residual": "Error"}
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
            rows.append({"indicator_id": iid, "source": names[src], "source_order": k, "ss": ss, "df": df_,
                         "ms": ss / df_ if df_ else np.nan,
                         "F": float(r["F"]) if not pd.isna(r["F"]) else np.nan,
                         "p": float(r["PR(>F)"]) if not pd.isna(r["PR(>F)"]) else np.nan})
        tot = float(((g["y"] - g["y"].mean()) ** 2).sum())
        rows.append({"indicator_id": iid, "source": "Corrected total", "source_order": 99, "ss": tot,
                     "df": len(g) - 1, "ms": np.nan, "F": np.nan, "p": np.nan})
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


def compare_with_published(results: dict[str, pd.DataFrame], published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy comparison with Tables A9.3/A9.4: one row per indicator, table and quantity
    (pilot_mean, snn_mean, F, p) with the computed value, the published one, the computed value
    rounded to the published decimals, ``match`` (equal when rounded) and ``gap``."""
    pub = published if published is not None else PUBLISHED_A9_3_A9_4
    rows = []
    for table, key, pre in (("A9.3", "a93", "a93_"), ("A9.4", "a94", "a94_")):
        r = results[key].set_index("indicator_id")
        for rec in pub.itertuples(index=False):
            iid = rec.indicator_id
            for q, col, nd in (("pilot_mean", "pilot", 1), ("snn_mean", "snn", 1), ("F", "F", 1), ("p", "p", 2)):
                pv = getattr(rec, pre + col)
                cv = r.at[iid, q] if iid in r.index else np.nan
                rounded = round_half_up(cv, nd)
                rows.append({"table": table, "indicator_id": iid, "quantity": q, "computed": cv, "published": pv,
                             "computed_rounded": rounded, "match": bool(rounded == pv), "gap": cv - pv})
    out = pd.DataFrame(rows)
    cat = load_indicator_catalogue()[["indicator_id", "report_name"]]
    return out.merge(cat, on="indicator_id", how="left")


def match_score(comparison: pd.DataFrame, quantity: str = "pilot_mean") -> pd.DataFrame:
    """Number of indicators whose ``quantity`` matches the published value, per table."""
    c = comparison[comparison["quantity"] == quantity]
    return c.groupby("table")["match"].agg(matched="sum", of="count").reset_index()


# ------------------------------------------------------------------------------------------
# Figures (style of A9.1-A9.9)
# ------------------------------------------------------------------------------------------
SOURCE_LINES = {
    "ees": "Source: DfE, Characteristics of children in need (Explore Education Statistics).",
    "lait": "Source: DfE, Local Authority Interactive Tool (LAIT).",
    "workforce": "Source: DfE, Children's social work workforce.",
    "cla": "Source: DfE, Children looked after in England including adoption.",
}


def plot_indicator(means_ci: pd.DataFrame, indicator_id: str, ax=None, kind: str = "real", title: str | None = None):
    """Group mean lines with 95% CI bands by year for one indicator. Returns the figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    cat = load_indicator_catalogue().set_index("indicator_id")
    row = cat.loc[indicator_id]
    d = means_ci[means_ci["indicator_id"] == indicator_id].sort_values("year")
    sns.set_theme(style="whitegrid")
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.2))
    else:
        fig = ax.figure
    palette = {PILOT: "#1f5fa8", SNN: "#d9822b"}
    sns.lineplot(data=d, x="year", y="mean", hue="group", palette=palette, marker="o", ax=ax)
    for grp, gd in d.groupby("group"):
        ax.fill_between(gd["year"], gd["ci_low"], gd["ci_high"], color=palette[grp], alpha=0.15, linewidth=0)
    ys = sorted(d["year"].unique())
    ax.set_xticks(ys)
    ax.set_xticklabels([f"{y - 1}/{str(y)[2:]}" for y in ys])
    ax.set_xlabel("Reporting year (ending 31 March; workforce at 30 September)")
    ax.set_ylabel(f"{row['report_name']}\n[{row['unit']}]" if len(row["report_name"]) < 40 else f"Mean ({row['unit']})")
    ax.set_title(title or f"{row['report_name']}: group means with 95% CI")
    ax.legend(title="")
    pub = str(row["source_publication"])
    src = f"Source: {pub}. Group means of LA values; bands are 95% t-intervals."
    if kind == "synthetic":
        src = "SYNTHETIC DATA constructed to match the published tables; not real LA values. " + src
    fig.text(0.01, 0.005, src, fontsize=7, ha="left", va="bottom")
    fig.subplots_adjust(bottom=0.2)
    return fig
