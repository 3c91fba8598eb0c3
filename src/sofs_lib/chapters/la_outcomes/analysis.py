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
# Figures (style of A9.1-A9.9)
# ------------------------------------------------------------------------------------------
SOURCE_LINES = {
    "ees": "Source: DfE, Characteristics of children in need (Explore Education Statistics).",
    "lait": "Source: DfE, Local Authority Interactive Tool (LAIT).",
    "workforce": "Source: DfE, Children's social work workforce.",
    "cla": "Source: DfE, Children looked after in England including adoption.",
}


FIGURE_INDICATORS = [
    "cin_rate",
    "assessment_rate",
    "assessment_61plus",
    "assessment_median_days",
    "icpc_rate",
    "s47_rate",
    "s47_to_icpc_days",
    "cpp_le3m",
    "lac_rate",
]
"""The indicators of Figures A9.1-A9.9, in the report's order."""

PALETTE = {PILOT: "#1b6ca8", SNN: "#c05a00"}


def _year_labels(ys):
    return [f"{y - 1}/{str(y)[2:]}" for y in ys]


def _draw(ax, d: pd.DataFrame, shade: tuple[int, int] | None = None):
    for grp in (PILOT, SNN):
        gd = d[d["group"] == grp].sort_values("year")
        if gd.empty:
            continue
        label = "Pilots" if grp == PILOT else "Comparators (SNN)"
        ax.plot(gd["year"], gd["mean"], marker="o", color=PALETTE[grp], label=label)
        ax.fill_between(gd["year"], gd["ci_low"], gd["ci_high"], color=PALETTE[grp], alpha=0.15, linewidth=0)
    ys = sorted(d["year"].unique())
    if shade:
        ax.axvspan(shade[0] - 0.5, shade[1] + 0.5, color="#eeeeee", zorder=0)
    ax.set_xticks(ys, _year_labels(ys), rotation=45 if len(ys) > 5 else 0, fontsize=8)


def plot_indicator(means_ci: pd.DataFrame, indicator_id: str, ax=None, kind: str = "real", title: str | None = None):
    """Group means with 95% CI bands by year for one indicator (the style of Figures
    A9.1-A9.9), with the book's title, axis labels and source line. Returns the figure."""
    import matplotlib.pyplot as plt

    from sofs_lib.display.plotting import finish

    row = load_indicator_catalogue().set_index("indicator_id").loc[indicator_id]
    d = means_ci[means_ci["indicator_id"] == indicator_id]
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.2))
    else:
        fig = ax.figure
    _draw(ax, d)
    ax.legend(fontsize=8)
    return finish(
        fig,
        title or f"{row['report_name']}: group means with 95% CI",
        f"{row['source_publication']}. Means of LA values; bands are 95% t-intervals.",
        xlabel="Reporting year (ending 31 March; workforce at 30 September)",
        ylabel=str(row["unit"]),
        ax=ax,
        synthetic=(kind == "synthetic"),
    )


def plot_indicator_grid(
    means_ci: pd.DataFrame,
    indicator_ids=None,
    kind: str = "real",
    title: str = "Pilots and comparators: group means with 95% CIs",
    shade: tuple[int, int] | None = None,
):
    """Small multiples of :func:`plot_indicator` (default: the nine indicators of Figures
    A9.1-A9.9). ``shade`` = (first, last) year ending to shade, e.g. the evaluation window."""
    import matplotlib.pyplot as plt

    from sofs_lib.display.plotting import finish

    ids = list(indicator_ids or FIGURE_INDICATORS)
    cat = load_indicator_catalogue().set_index("indicator_id")
    ncol = 3
    nrow = math.ceil(len(ids) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, 3.1 * nrow + 0.8), squeeze=False)
    for ax, iid in zip(axes.ravel(), ids):
        _draw(ax, means_ci[means_ci["indicator_id"] == iid], shade)
        name = cat.loc[iid, "report_name"]
        ax.set_title(name if len(name) <= 48 else name[:46] + "…", fontsize=9)
        ax.set_ylabel(str(cat.loc[iid, "unit"]), fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
    for ax in axes.ravel()[len(ids) :]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize=7, loc="best")
    src = (
        "DfE Characteristics of children in need, Children looked after, Children's social "
        "work workforce and LAIT; means of LA values, bands are 95% t-intervals."
    )
    if shade:
        src += f" Shaded: {_year_labels([shade[0]])[0]} to {_year_labels([shade[1]])[0]}."
    return finish(fig, title, src, xlabel=None, ax=axes[-1, 0], synthetic=(kind == "synthetic"))


# ------------------------------------------------------------------------------------------
# Chapter parameters and helpers
# ------------------------------------------------------------------------------------------
def parse_years(text: str) -> tuple[int, int]:
    """``"2014/15-2018/19"`` -> (2015, 2019): the years in which the first and last reporting
    years end (31 March)."""
    import re

    m = re.fullmatch(r"\s*(\d{4})/(\d{2})\s*-\s*(\d{4})/(\d{2})\s*", str(text))
    if not m:
        raise ValueError(f"years must look like '2014/15-2018/19', not {text!r}")
    a0, a1, b0, b1 = (int(g) for g in m.groups())
    if (a0 + 1) % 100 != a1 or (b0 + 1) % 100 != b1:
        raise ValueError(f"{text!r}: each year must be a reporting year such as 2018/19")
    if b0 < a0:
        raise ValueError(f"{text!r}: the span ends before it starts")
    return a0 + 1, b0 + 1


def _check_years(v):
    try:
        first, last = parse_years(v)
    except ValueError as exc:
        return f"is not a span of reporting years: {exc}"
    if first < 2014 or last > 2025:
        return "must lie within 2013/14-2024/25, the years the DfE releases read here cover"
    return None


def _check_la_list(v):
    if not all(isinstance(x, str) for x in v):
        return "must be a list of LA names or DfE LA numbers (text)"
    try:
        _codes(v)
    except Exception as exc:  # noqa: BLE001 - report the lookup error in the parameter's words
        return f"names an unknown LA ({exc})"
    return None


def data_source(value):
    """The chapter's data source from the ``dfe_data_dir`` parameter: ``None`` = the committed
    extract of the real DfE files (``data/dfe_extract``), ``"synthetic"`` = the synthetic panel,
    otherwise a folder of raw downloads, relative to the project root (it must exist)."""
    from pathlib import Path

    from sofs_lib.core import paths

    if value is None or str(value) == SYNTHETIC:
        return value
    folder = paths.repo_root() / Path(value)
    if not folder.is_dir():
        raise ValueError(f"dfe_data_dir: folder {value!r} does not exist (relative to the project root)")
    return folder


SYNTHETIC = "synthetic"


def chapter_panel(dfe_data_dir, out_dir, years):
    """The long panel the chapter analyses and its kind.

    ``dfe_data_dir``: ``None`` reads the committed extract (real data), a folder reads the raw
    files in it with the project's loaders (:func:`sofs_lib.sources.dfe.extract.load_panel`),
    ``"synthetic"`` writes the synthetic panel in the EES layout to
    ``out_dir/synthetic_ees.csv`` and reads it back through the same loader.
    Returns ``(panel, kind, pilots, comparators)`` (pilots/comparators None = defaults).
    """
    from sofs_lib.sources.dfe.extract import load_panel
    from sofs_lib.synthetic.la_panel import (
        load_synthetic_panel,
        synthetic_groups,
        write_synthetic_ees,
    )

    if dfe_data_dir is not None and str(dfe_data_dir) == SYNTHETIC:
        path = write_synthetic_ees(out_dir)
        panel = load_synthetic_panel(path)
        pil, com = synthetic_groups()
        return panel, "synthetic", pil, com
    ys = _year_list(years)
    full = load_panel(dfe_data_dir, scope="A9")
    panel = full[full["year"].isin(ys)].reset_index(drop=True)
    panel.attrs.update(full.attrs, kind="real")
    return panel, "real", None, None


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


def plot_match(comparison: pd.DataFrame, kind: str = "real"):
    """Computed against published group means (Tables A9.3 and A9.4): the gap as a percentage
    of the published value, per indicator, for pilots and comparators. Points on the zero line
    reproduce the report."""
    import matplotlib.pyplot as plt

    from sofs_lib.display.plotting import finish

    c = comparison[comparison["quantity"].isin(["pilot_mean", "snn_mean"])].copy()
    c["gap_pct"] = 100 * (c["computed"] - c["published"]) / c["published"].abs().where(c["published"] != 0)
    names = [n for n in load_indicator_catalogue().sort_values("order")["report_name"]]
    short = {n: (n if len(n) <= 45 else n[:43] + "…") for n in names}
    fig, axes = plt.subplots(1, 2, figsize=(11, 8), sharey=True)
    for ax, table in zip(axes, ("A9.3", "A9.4")):
        d = c[c["table"] == table]
        for q, colour, label in (
            ("pilot_mean", PALETTE[PILOT], "Pilot mean"),
            ("snn_mean", PALETTE[SNN], "Comparator (SNN) mean"),
        ):
            dq = d[d["quantity"] == q].set_index("report_name").reindex(names)
            ax.scatter(dq["gap_pct"], range(len(names)), color=colour, label=label, s=22, zorder=3)
        ax.axvline(0, color="#333333", linewidth=1)
        ax.set_title(f"Table {table}", fontsize=10)
        ax.set_xlabel("Computed minus published (% of published)")
    axes[0].set_yticks(range(len(names)), [short[n] for n in names], fontsize=7)
    axes[0].invert_yaxis()
    axes[1].legend(fontsize=8, loc="lower right")
    return finish(
        fig,
        "How closely the group means reproduce Tables A9.3 and A9.4",
        "appendix Tables A9.3 and A9.4 (published); computed means from "
        + ("DfE files (real)." if kind == "real" else "the synthetic panel."),
        ax=axes[0],
        synthetic=(kind == "synthetic"),
    )


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
