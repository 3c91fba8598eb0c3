"""Appendix 7 self-profiling: the figures of the (synthetic) T-scores.

:func:`plot_profile` draws one pilot's category T-scores at T1 and T3; :func:`plot_all_profiles`
draws all nine as small multiples. Both take the output of
:func:`sofs_lib.chapters.implementation.profile_scores.tscores`.
"""

from __future__ import annotations

import pandas as pd

from sofs_lib.chapters.implementation.profile_scores import CATEGORIES, CATEGORY_LABELS, PILOTS, TIMES
from sofs_lib.chapters.implementation.profiles import SOURCE_NOTE

__all__ = ["Y_LABEL", "plot_profile", "plot_all_profiles"]

Y_LABEL = "T-score (50 = mean of pilots, 10 = 1 SD)"

_REF_LINES = {30: "±2 SD", 40: "±1 SD", 50: "mean", 60: "±1 SD", 70: "±2 SD"}


def _draw_profile(ax, tscores_df: pd.DataFrame, pilot: int, legend: bool = True) -> None:
    import seaborn as sns

    d = tscores_df[(tscores_df["pilot"] == pilot) & tscores_df["category"].isin(CATEGORIES)]
    d = d.dropna(subset=["t_score"]).copy()
    d["x"] = d["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    for y, label in _REF_LINES.items():
        ax.axhline(
            y,
            color="0.5" if y == 50 else "0.8",
            lw=1.0 if y == 50 else 0.8,
            ls="-" if y == 50 else "--",
            zorder=0,
        )
        ax.text(
            1.01,
            y,
            label,
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=7,
            color="0.4",
        )
    if not d.empty:
        sns.lineplot(
            data=d.sort_values("x"),
            x="x",
            y="t_score",
            hue="time",
            hue_order=[t for t in TIMES if t in set(d["time"])],
            palette={"T1": "#9e9e9e", "T3": "#1f5fa8"},
            marker="o",
            ax=ax,
            legend=legend,
        )
    lo = min(20.0, float(d["t_score"].min()) - 3 if not d.empty else 20.0)
    hi = max(80.0, float(d["t_score"].max()) + 3 if not d.empty else 80.0)
    ax.set_ylim(lo, hi)
    ax.set_xlim(-0.4, len(CATEGORIES) - 0.6)
    ax.set_xticks(range(len(CATEGORIES)))
    ax.set_xticklabels([CATEGORY_LABELS[c].replace(" ", "\n", 1) for c in CATEGORIES], fontsize=8)
    missing = [t for t in TIMES if t not in set(d["time"])]
    title = f"Pilot {pilot}" + (f" (no {', '.join(missing)} data)" if missing else "")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("Category")
    ax.set_ylabel(Y_LABEL)
    if legend and ax.get_legend() is not None:
        ax.legend(title="Time", fontsize=8, title_fontsize=8, loc="upper right")


def plot_profile(tscores_df: pd.DataFrame, pilot: int, ax=None, source: bool | None = None):
    """One pilot's category T-scores at T1 and T3 (a profile line per time point).

    Horizontal reference lines at 30/40/50/60/70 are labelled "mean", "±1 SD", "±2 SD". When
    ``ax`` is None a new figure is made, titled, and given the source line (synthetic data);
    with an ``ax`` supplied the source line is added only if ``source=True``. Returns the figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        source = True if source is None else source
    else:
        fig = ax.figure
    _draw_profile(ax, tscores_df, pilot)
    ax.set_title(f"Pilot {pilot}: T-scores for profile of SofS progress at T1 and T3 (synthetic)", fontsize=10)
    if source:
        fig.subplots_adjust(bottom=0.2, right=0.88)
        fig.text(0.01, 0.01, SOURCE_NOTE, fontsize=7, color="0.35", ha="left", va="bottom")
    return fig


def plot_all_profiles(tscores_df: pd.DataFrame):
    """All nine pilots' profiles as a 3 x 3 grid of small multiples in one figure.

    Same conventions as :func:`plot_profile`: reference lines at 30-70, shared y axis labelled
    with :data:`Y_LABEL`, an overall title and the synthetic-data source line. Returns the
    figure.
    """
    import matplotlib.pyplot as plt

    from sofs_lib.display import plotting

    fig, axes = plt.subplots(5, 2, figsize=(9, 17), sharey=True)
    for i, (ax, pilot) in enumerate(zip(axes.flat, PILOTS)):
        _draw_profile(ax, tscores_df, pilot, legend=(i == 0))
        ax.tick_params(axis="x", labelrotation=30)
        for t in ax.get_xticklabels():
            t.set_ha("right")
            t.set_rotation_mode("anchor")
        if i % 2:
            ax.set_ylabel("")
        else:
            ax.set_ylabel("T-score")
        ax.set_xlabel("")
    key = axes.flat[-1]  # the tenth panel holds the legend and the scale's reading
    key.set_axis_off()
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if axes.flat[0].get_legend() is not None:
        axes.flat[0].get_legend().remove()
    key.legend(handles, labels, title="Time", loc="upper left", frameon=False)
    key.text(0.0, 0.35, Y_LABEL.replace(" (", "\n("), transform=key.transAxes, va="top")
    return plotting.finish(
        fig,
        "Self-profiling T-scores by category at T1 and T3, Pilots 1-9 (synthetic data)",
        SOURCE_NOTE.removeprefix("Source: "),
        synthetic=True,
    )
