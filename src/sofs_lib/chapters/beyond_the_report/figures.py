"""Figures of chapter 07_beyond_the_report."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sofs_lib.display import plotting
from sofs_lib.methods.few_clusters import METHODS

#: subplot parameters of :func:`size_figure`: the legend and a two-line source line below
SIZE_MARGINS = {"left": 0.08, "right": 0.985, "bottom": 0.25, "top": 0.86, "wspace": 0.08, "hspace": 0.42}


def size_figure(size: pd.DataFrame, quantity: str = "size"):
    """Rejection rate by LAs, one panel per number of treated LAs, one line per method."""
    d = size[size["quantity"] == quantity]
    ks = sorted(d["treated_clusters"].unique())
    fig, axes = plt.subplots(2, 3, figsize=(9, 5.6), sharey=True)
    for ax, k in zip(axes.ravel(), ks):
        for m in METHODS:
            s = d[(d["treated_clusters"] == k) & (d["method"] == m)].sort_values("clusters")
            ax.errorbar(s["clusters"], s["rejection_rate"], yerr=2 * s["mc_se"], marker="o", ms=3, label=m, capsize=2)
        if quantity == "size":
            ax.axhline(0.05, color="black", lw=0.8, ls="--")
        ax.set_title(f"{k} treated LA{'s' if k > 1 else ''}", fontsize=10)
        ax.set_xticks([4, 6, 8, 10, 13])
    for ax in axes.ravel()[len(ks) :]:
        ax.set_visible(False)
    # below the panels, not over the lines of the first one (fixed margins leave it room)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.085), ncols=len(labels), frameon=False)
    for ax in axes[-1]:
        ax.set_xlabel("LAs (clusters)")
    for ax in axes[:, 0]:
        ax.set_ylabel("rejection rate at 5%")
    what = "under a true null (size)" if quantity == "size" else "at an effect of 1 shock SD (power)"
    return plotting.finish(
        fig,
        f"Synthetic Monte Carlo: rejection rate {what}",
        "simulated LA-by-year panels (sofs_lib.methods.few_clusters); bars: ±2 MC SE.",
        synthetic=True,
        margins=SIZE_MARGINS,
    )


def synth_figure(curves: dict, names: dict, label: str, unit: str, kind: str):
    """Each pilot (solid) against its synthetic twin (dashed)."""
    n = len(curves)
    cols = 4
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(9, 2.2 * rows + 0.8), squeeze=False)
    for ax, (la, c) in zip(axes.ravel(), curves.items()):
        ax.plot(c["years"], c["actual"], lw=1.5, label="council")
        ax.plot(c["years"], c["synthetic"], lw=1.2, ls="--", label="synthetic twin")
        ax.set_title(names.get(la, la), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    if n < axes.size:  # in the first empty panel's place, not over the first council's lines
        handles, labels = axes[0, 0].get_legend_handles_labels()
        spare = axes.ravel()[n]
        spare.set_visible(True)
        spare.axis("off")
        spare.legend(handles, labels, fontsize=8, loc="center", frameon=False)
    else:
        axes[0, 0].legend(fontsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel(unit, fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("year ending March", fontsize=8)
    return plotting.finish(
        fig,
        f"{label}: each SofS pilot council and its synthetic control",
        f"DfE children's social care statistics ({kind}); pysyncon Synth.",
        synthetic=(kind == "synthetic"),
    )


def event_figure(events: dict, labels: dict, kind: str):
    """Event-study coefficients (did2s) by year relative to adoption, one panel per outcome."""
    ev = {k: v for k, v in events.items() if len(v)}
    n = len(ev)
    cols = 4
    rows = max(1, int(np.ceil(n / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(9, 2.3 * rows + 0.8), squeeze=False)
    for ax, (ind, e) in zip(axes.ravel(), ev.items()):
        ax.errorbar(
            e["rel"],
            e["Estimate"],
            yerr=[e["Estimate"] - e["2.5%"], e["97.5%"] - e["Estimate"]],
            fmt="o",
            ms=3,
            capsize=2,
        )
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(-0.5, color="grey", lw=0.8, ls=":")
        # two lines where a long name would run into its neighbour's
        ax.set_title(textwrap.fill(labels.get(ind, ind), 24), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    for j in range(cols):  # under the lowest panel of each column
        shown = [ax for ax in axes[:, j] if ax.get_visible()]
        if shown:
            shown[-1].set_xlabel("years since adoption", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("effect (indicator units)", fontsize=8)
    return plotting.finish(
        fig,
        "Event study of the SofS pilots (two-stage DiD)",
        f"DfE children's social care statistics ({kind}); pyfixest did2s; 95% CIs clustered by council.",
        synthetic=(kind == "synthetic"),
    )
