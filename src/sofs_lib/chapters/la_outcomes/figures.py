"""Figures of the LA-level outcome analysis: group means with confidence bands in the style of
Figures A9.1-A9.9 (:func:`plot_indicator`, :func:`plot_indicator_grid`) and the computed group
means against Tables A9.3 and A9.4 (:func:`plot_match`)."""

from __future__ import annotations

import math
import textwrap

import pandas as pd

from sofs_lib.chapters.la_outcomes.analysis import PILOT, SNN
from sofs_lib.sources.dfe.indicators import load_indicator_catalogue

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
    # "2014/15" labels side by side run into each other in a panel a third of the column wide
    ax.set_xticks(
        ys,
        _year_labels(ys),
        rotation=45 if len(ys) > 3 else 0,
        ha="right" if len(ys) > 3 else "center",
        rotation_mode="anchor",
        fontsize=8,
    )


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
    fig, axes = plt.subplots(nrow, ncol, figsize=(10, 3.6 * nrow + 0.8), squeeze=False)
    for ax, iid in zip(axes.ravel(), ids):
        _draw(ax, means_ci[means_ci["indicator_id"] == iid], shade)
        name = cat.loc[iid, "report_name"]
        ax.set_title(textwrap.fill(name, 30), fontsize=9)  # whole, on up to three lines
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


def plot_match(comparison: pd.DataFrame, kind: str = "real"):
    """Computed against published group means (Tables A9.3 and A9.4): the gap as a percentage
    of the published value, per indicator, for pilots and comparators. Points on the zero line
    reproduce the report."""
    import matplotlib.pyplot as plt
    from matplotlib.transforms import offset_copy

    from sofs_lib.display.plotting import finish

    c = comparison[comparison["quantity"].isin(["pilot_mean", "snn_mean"])].copy()
    c["gap_pct"] = 100 * (c["computed"] - c["published"]) / c["published"].abs().where(c["published"] != 0)
    names = [n for n in load_indicator_catalogue().sort_values("order")["report_name"]]
    fig, axes = plt.subplots(1, 2, figsize=(11, 16.5), sharey=True)
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
        ax.set_xlabel("Gap (% of published)")
    # every indicator named in full, on at most two lines
    axes[0].set_yticks(range(len(names)), [textwrap.fill(n, 44) for n in names], fontsize=7)
    axes[0].set_ylim(len(names) - 0.5, -0.5)  # first indicator on top
    # the legend below the x labels, clear of the points, ending at the right panel's edge
    handles, labels = axes[0].get_legend_handles_labels()
    below = offset_copy(axes[1].transAxes, fig=fig, y=-0.75, units="inches")
    axes[1].legend(
        handles, labels, loc="upper right", bbox_to_anchor=(1, 0), bbox_transform=below, ncols=2, frameon=False
    )
    return finish(
        fig,
        "How closely the group means reproduce Tables A9.3 and A9.4 (gap: computed minus published)",
        "appendix Tables A9.3 and A9.4 (published); computed means from "
        + ("DfE files (real)." if kind == "real" else "the synthetic panel."),
        ax=axes[0],
        synthetic=(kind == "synthetic"),
    )
