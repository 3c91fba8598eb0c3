"""Figures of the workforce chapter (the book's style: title, axis labels with units, source)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sofs_lib.chapters.workforce.panel import INDICATORS
from sofs_lib.display import plotting

COLOURS = {"Pilot": "#1b6ca8", "Comparator": "#c05a00", "Other English LA": "#7a7a7a"}


def wilson_figure(w: pd.DataFrame):
    """Table 4: each pilot's share agreeing with its 95% Wilson interval, per statement."""
    stmts = list(dict.fromkeys(w["statement"]))
    fig, axes = plt.subplots(len(stmts), 1, figsize=(7.5, 1.5 * len(stmts) + 1), sharex=True)
    for ax, s in zip(np.atleast_1d(axes), stmts):
        d = w[w["statement"] == s]
        y = np.arange(len(d))
        ax.errorbar(
            d["share"],
            y,
            xerr=[d["share"] - d["ci_low"], d["ci_high"] - d["share"]],
            fmt="o",
            color="#1b6ca8",
            capsize=3,
        )
        ax.set_yticks(y, d["pilot"], fontsize=8)
        ax.set_title(s, fontsize=9, loc="left")
        ax.set_xlim(0, 100)
    return plotting.finish(
        fig,
        "Table 4: share agreeing, with 95% Wilson intervals",
        "report Table 4 and Table 2 (respondents); counts reconstructed from the rounded percentages (derived).",
        xlabel="Respondents agreeing (%)",
        ax=np.atleast_1d(axes)[-1],
    )


def trends_figure(means: pd.DataFrame, kind: str, shade=(2017, 2019)):
    """Group means with 95% intervals per indicator, every September of the panel."""
    ids = [i for i in INDICATORS if i in set(means["indicator_id"])]
    ncol = 2
    nrow = int(np.ceil(len(ids) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(10, 2.6 * nrow + 1), squeeze=False)
    for ax, iid in zip(axes.ravel(), ids):
        for grp, col in COLOURS.items():
            d = means[(means["indicator_id"] == iid) & (means["group"] == grp)].sort_values("year")
            if d.empty:
                continue
            ax.plot(d["year"], d["mean"], marker="o", ms=3, color=col, label=grp)
            ax.fill_between(d["year"], d["ci_low"], d["ci_high"], color=col, alpha=0.12, lw=0)
        ax.axvspan(shade[0] - 0.5, shade[1] + 0.5, color="#eeeeee", zorder=0)
        ax.set_title(INDICATORS[iid][0], fontsize=9)
        ax.set_ylabel(INDICATORS[iid][1], fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(ids) :]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize=7)
    title = "Workforce indicators: pilots, comparators and all other English LAs"
    if kind == "synthetic":
        title = "Synthetic data: " + title
    return plotting.finish(
        fig,
        title,
        "DfE Children's social work workforce and LAIT, "
        "30 September each year; means of LA values, bands 95% t-intervals; "
        "shaded: Round 2 (Sept 2017-Sept 2019).",
        xlabel="September of year",
        ax=axes[-1, 0],
        synthetic=(kind == "synthetic"),
    )


def event_figure(es: dict[str, pd.DataFrame], kind: str, ref_year: int):
    """Event-study coefficients (pilots minus other LAs, relative to ``ref_year``)."""
    ids = list(es)
    ncol = 2
    nrow = int(np.ceil(len(ids) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(10, 2.4 * nrow + 1), squeeze=False)
    for ax, iid in zip(axes.ravel(), ids):
        d = es[iid]
        ax.errorbar(
            d["year"],
            d["estimate"],
            yerr=[d["estimate"] - d["ci_low"], d["ci_high"] - d["estimate"]],
            fmt="o",
            color="#1b6ca8",
            capsize=2,
            ms=3,
        )
        ax.axhline(0, color="#333333", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # years that do not touch
        ax.axvline(ref_year + 0.5, color="#999999", lw=0.8, ls="--")
        ax.set_title(INDICATORS[iid][0], fontsize=9)
        ax.set_ylabel(f"difference ({INDICATORS[iid][1]})", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(ids) :]:
        ax.set_visible(False)
    for j in range(1, ncol):  # the x label under each column's lowest panel (finish labels the first)
        shown = [ax for ax in axes[:, j] if ax.get_visible()]
        if shown:
            shown[-1].set_xlabel("September of year")
    title = f"Event study: pilots against other English LAs, relative to September {ref_year}"
    if kind == "synthetic":
        title = "Synthetic data: " + title
    return plotting.finish(
        fig,
        title,
        "two-way fixed effects (LA, year), 95% intervals clustered by LA; balanced panel.",
        xlabel="September of year",
        ax=axes[-1, 0],
        synthetic=(kind == "synthetic"),
    )
