"""Figures of chapter 03_contrast_study (book style: sofs_lib.display.plotting)."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from sofs_lib.chapters.contrast_study.design import LATE_SITE_FIELDWORK, WAVES
from sofs_lib.display import plotting
from sofs_lib.sources import contrast as cs

ARM_COLOURS = {"SofS": plotting.PALETTE["pilot"], "Contrast": plotting.PALETTE["comparator"]}


def _month(s: str, end: bool = False) -> pd.Timestamp:
    t = pd.Timestamp(s + "-01")
    return t + pd.offsets.MonthEnd(0) if end else t


def design_diagram(sites: pd.DataFrame):
    """Timeline: each site's waves (section 2 dates; the late site per appendix 5)."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for i, (name, r) in enumerate(sites.iloc[::-1].iterrows()):
        spans = [LATE_SITE_FIELDWORK] if "Aug 2019" in r["waves"] else list(WAVES.values())
        late = len(spans) == 1
        labels = ["T2-T3"] if late else list(WAVES)  # the late site's dates go beside its name
        for (a, b), lab in zip(spans, labels):
            x0, x1 = _month(a), _month(b, end=True)
            ax.barh(i, (x1 - x0).days, left=x0, height=0.5, color=ARM_COLOURS[r["arm"]], alpha=0.85)
            ax.text(
                x0 + (x1 - x0) / 2,
                i,
                lab,
                ha="center",
                va="center",
                fontsize=8,
                color="white",
                fontweight="bold",
            )
        fam = "" if pd.isna(r["families"]) else f"{int(r['families'])} families, {int(r['social workers'])} SWs"
        when = "; fieldwork Aug 2019-Feb 2020" if late else ""
        ax.text(_month("2018-01"), i + 0.36, f"{name} [{r['arm']}] {fam}{when}", fontsize=8, va="center")
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(sites) - 0.2)
    ax.set_xlim(_month("2018-01"), _month("2020-04"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    for a, b in WAVES.values():
        ax.axvspan(_month(a), _month(b, end=True), color="#dddddd", alpha=0.4, zorder=0)
    return plotting.finish(
        fig,
        "Contrast study design: sites and waves",
        "report section 2 (wave dates), section 3 and appendix 5 (sites, late "
        "SofS site). Contrast families: 28 in all, split not published.",
        xlabel="fieldwork month (grey bands: the T1, T2, T3 windows)",
        ax=ax,
    )


def arm_profiles(means: pd.DataFrame, scores: list[str], title: str, ylabel: str, source: str):
    """Means by arm with 95% intervals for each score (synthetic or real means frame from
    :func:`analysis.arm_means`; suppressed groups are left out)."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    m = means[(means["score"].isin(scores)) & ~means["suppressed"]]
    x = np.arange(len(scores))
    for j, arm in enumerate(cs.ARMS):
        d = m[m["arm"] == arm].set_index("score").reindex(scores)
        mu = d["mean"].astype(float).to_numpy()
        lo, hi = d["low"].astype(float).to_numpy(), d["high"].astype(float).to_numpy()
        ax.errorbar(
            x + (j - 0.5) * 0.2,
            mu,
            yerr=[mu - lo, hi - mu],
            fmt="o",
            capsize=4,
            color=ARM_COLOURS[arm],
            label=arm,
        )
    ax.set_xticks(x, scores)
    # below the plot: inside it covered intervals
    ax.legend(title="arm", loc="upper center", bbox_to_anchor=(0.5, -0.36), ncols=2, frameon=False)
    return plotting.finish(
        fig,
        title,
        source,
        ylabel=ylabel,
        xlabel="scale",
        ax=ax,
        synthetic="synthetic" in title.lower(),
    )


def osc_profiles(long: pd.DataFrame, synthetic: bool):
    """T-scores on the six OSC dimensions by site, one panel per wave."""
    waves = sorted(long["wave"].unique())
    fig, axes = plt.subplots(1, len(waves), figsize=(8, 4), sharey=True)
    axes = np.atleast_1d(axes)
    styles = {"SofS": "-", "Contrast": "--"}
    for ax, w in zip(axes, waves):
        d = long[long["wave"] == w]
        for site, g in d.groupby("site"):
            g = g.set_index("dimension").reindex(cs.OSC_DIMENSIONS)
            ax.plot(
                range(6),
                g["t_score"],
                styles[g["arm"].iloc[0]],
                marker="o",
                label=f"{site} ({g['arm'].iloc[0]})",
            )
        ax.axhline(50, color="grey", lw=0.8)
        ax.set_xticks(range(6), [c[:5] + "." for c in cs.OSC_DIMENSIONS], rotation=45)
        ax.set_title(w)
    axes[0].set_ylabel("T-score (national norm 50, SD 10)")
    # beside the last panel: inside it covered the lines, below it the slanted labels
    axes[-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    return plotting.finish(
        fig,
        ("Synthetic " if synthetic else "") + "OSC profiles by site and wave",
        "OSC team T-scores" + (" generated to follow the report's section 3 narrative." if synthetic else "."),
        xlabel=None,
        ax=axes[0],
        synthetic=synthetic,
    )


def reachable_p(enum: pd.DataFrame, labels: dict, printed: dict, n_sofs: int, n_contrast: int):
    """For each printed family-feedback p: the Fisher two-sided p of every 2x2 table consistent
    with the printed percentages, by number answering; the printed p as a band."""
    items = list(labels)
    fig, axes = plt.subplots(2, 2, figsize=(8, 7), sharex=True)
    for ax, item in zip(axes.ravel(), items):
        e = enum[(enum["item"] == item) & (enum["test"] == "Fisher two-sided")]
        inside = e["within_families"]
        ax.scatter(
            e.loc[~inside, "n1"] + e.loc[~inside, "n2"],
            e.loc[~inside, "p"],
            s=8,
            color="#bbbbbb",
            label="more answers than families",
        )
        ax.scatter(
            e.loc[inside, "n1"] + e.loc[inside, "n2"],
            e.loc[inside, "p"],
            s=10,
            color=plotting.PALETTE["derived"],
            label=f"within {n_sofs} + {n_contrast} families",
        )
        hit = e[e["hit"]]
        ax.scatter(
            hit["n1"] + hit["n2"],
            hit["p"],
            s=40,
            facecolors="none",
            edgecolors="red",
            label="gives the printed p",
        )
        lo, hi = printed[item]
        ax.axhspan(lo, hi, color="red", alpha=0.25)
        ax.axvline(n_sofs + n_contrast, color="grey", ls=":", lw=1)
        ax.set_yscale("log")
        lo_y, hi_y = ax.get_ylim()  # 1-2-5 ticks over two decades or less, else one a decade
        wide = np.log10(hi_y / lo_y) > 2.5
        ax.yaxis.set_major_locator(mticker.LogLocator(subs=(1.0,) if wide else (1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(mticker.NullFormatter())
        ax.set_title(f"{labels[item]}\n(printed p = {lo + (hi - lo) / 2:.3f})", fontsize=9)
    axes[0, 0].legend(fontsize=7, loc="lower left")
    for ax in axes[:, 0]:
        ax.set_ylabel("Fisher two-sided p (log scale)")
    for ax in axes[1]:
        ax.set_xlabel("answers (SofS + contrast)")
    return plotting.finish(
        fig,
        "Which printed p-values can the printed percentages give?",
        "derived from the report's section 3 percentages and p-values; every "
        "2x2 table whose percentages round to the printed ones; dotted line: the "
        f"{n_sofs + n_contrast} families",
        ax=axes[0, 0],
    )
