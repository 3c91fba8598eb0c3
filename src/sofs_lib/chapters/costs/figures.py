"""Figures of chapter 06_costs (book style: sofs_lib.display.plotting.finish)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sofs_lib.chapters.costs.spending import LABELS, ROUND2_FIRST_YEAR, UNITS
from sofs_lib.display.plotting import PALETTE, finish

_K = 1000.0


def tornado(df: pd.DataFrame, price_year: str, top: int = 12):
    """One-way sensitivity of the total cost per pilot (average)."""
    d = df.head(top).iloc[::-1]
    base = df.attrs["base"] / _K
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(d) + 1.8))
    y = np.arange(len(d))
    lo, hi = d["at low"] / _K - base, d["at high"] / _K - base
    ax.barh(y, lo, left=base, color="#1b6ca8", label="input at its 5th percentile")
    ax.barh(y, hi, left=base, color="#c05a00", label="input at its 95th percentile")
    ax.axvline(base, color="#333333", lw=1)
    ax.set_yticks(
        y,
        [textwrap.fill(lab + (" (assumption)" if a else ""), 44) for lab, a in zip(d["label"], d["assumption"])],
        fontsize=7,
    )
    # above the bars, not over the shortest ones
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8, frameon=False)
    return finish(
        fig,
        "What drives the cost of SofS: one input at a time",
        f"unit costs and assumptions of data/unit_costs.yml; quantities from the report. "
        f"Total = Round 2 plus discounted years after the grant, {price_year} prices.",
        xlabel=f"Cost per pilot (average), £ thousand, {price_year} prices",
        ylabel="",
    )


def monte_carlo(draws: pd.DataFrame, interval: pd.DataFrame, price_year: str):
    """Distribution of the total cost per pilot (average)."""
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.hist(draws["total"] / _K, bins=60, color="#5e35b1", alpha=0.8)
    cols = list(interval.columns)
    for c, ls in zip(cols, ("-", "--", "--")):
        ax.axvline(interval.loc["total", c] / _K, color="#222222", ls=ls, lw=1)
    return finish(
        fig,
        f"Cost of SofS per pilot (average): {len(draws):,} Monte Carlo draws",
        f"derived from the report's quantities and data/unit_costs.yml; lines: mean and {cols[1]}–{cols[2]} interval.",
        xlabel=f"£ thousand, {price_year} prices",
        ylabel="Draws (number)",
    )


def _n(means: pd.DataFrame, col: str) -> str:
    """'8 LAs' or '7-8 LAs': how many LAs a plotted mean is over, across lines and years."""
    lo, hi = int(means[col].min()), int(means[col].max())
    return f"{lo} LAs" if lo == hi else f"{lo}–{hi} LAs"


def spending(means: pd.DataFrame):
    """Pilots, comparators and England on every LAIT finance line, every year."""
    ids = [i for i in LABELS if i in set(means["indicator_id"])]
    ncol = 2
    nrow = int(np.ceil(len(ids) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(9, 2.6 * nrow), sharex=True)
    for ax, iid in zip(axes.flat, ids):
        d = means[means["indicator_id"] == iid].sort_values("year")
        ax.plot(d["year"], d["pilots"], "o-", color=PALETTE["pilot"], label=f"Pilots (mean of {_n(means, 'n_pilots')})")
        ax.plot(
            d["year"],
            d["comparators"],
            "s-",
            color=PALETTE["comparator"],
            label=f"Comparators (mean of {_n(means, 'n_comparators')})",
        )
        ax.plot(
            d["year"], d["England"], "--", color="#555555", label=f"All English LAs (mean of {_n(means, 'n_England')})"
        )
        ax.axvspan(ROUND2_FIRST_YEAR - 0.5, ROUND2_FIRST_YEAR + 1.5, color="#dddddd", alpha=0.5)
        ax.set_title(LABELS[iid], fontsize=9)
        ax.set_ylabel(UNITS[iid].replace(" a year", ""), fontsize=8)
    for ax in axes.flat[len(ids) :]:
        ax.axis("off")
    for ax in axes.flat[len(ids) - ncol : len(ids)]:
        ax.tick_params(labelbottom=True)  # the panel above an empty one keeps its year labels
    if len(ids) < axes.size:  # in the empty panel, not over the lines of the first one
        handles, labels = axes.flat[0].get_legend_handles_labels()
        axes.flat[len(ids)].legend(handles, labels, fontsize=9, loc="center", frameon=False)
    else:
        axes.flat[0].legend(fontsize=7, loc="upper left")
    for ax in axes[-1]:
        ax.set_xlabel("Financial year (by its end; shaded: Round 2)", fontsize=8)
    return finish(
        fig,
        "Council spending on children's services: pilots, comparators, all LAs",
        "DfE LAIT (S251 outturn) finance lines via the committed LA extract; ONS mid-year "
        "population 0-17. Real data, cash terms; LAs per mean by line and year in the table below.",
    )


def events(es: pd.DataFrame):
    """Event-study coefficients (per cent) with randomisation p-values."""
    ids = list(dict.fromkeys(es["indicator_id"]))
    fig, ax = plt.subplots(figsize=(8, 6))
    for k, iid in enumerate(ids):
        d = es[es["indicator_id"] == iid]
        x = d["event_time"] + (k - len(ids) / 2) * 0.06
        (ln,) = ax.plot(x, d["pct"], "o-", lw=1, ms=4, label=LABELS[iid])
        sig = d["p_randomisation"] < 0.05
        ax.scatter(x[sig], d["pct"][sig], s=140, marker="*", color=ln.get_color(), edgecolor="black", zorder=3)
    ax.axhline(0, color="#333333", lw=1)
    ax.axvline(-0.5, color="#999999", ls=":")
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.17))  # below the x label
    return finish(
        fig,
        "Pilots against comparators before and after Round 2 began",
        "DfE LAIT finance lines (real data); two-way fixed-effects event study on logs, "
        "reference 2016-17; stars: randomisation p < 0.05 over every re-assignment of the "
        "pilot label.",
        xlabel="Years since Round 2 began (0 = 2017-18)",
        ylabel="Pilots minus comparators, % change since 2016-17",
    )


def break_even(believe: pd.DataFrame):
    """Break-even effect against the published estimate and the smallest detectable effect."""
    d = believe
    fig, ax = plt.subplots(figsize=(8, 4.4))
    y = np.arange(len(d))
    ax.barh(y + 0.25, d["break-even"], height=0.25, color="#5e35b1", label="Break-even (after the grant)")
    ax.barh(y, d["smallest detectable"], height=0.25, color="#9e9e9e", label="Smallest detectable effect")
    ax.barh(
        y - 0.25,
        d["published estimate"].fillna(0),
        height=0.25,
        color="#1f4e79",
        label="Published estimate (DiD)",
    )
    ax.set_yticks(y, [f"{i}\n({u})" for i, u in zip(d.index, d["unit"])], fontsize=8)
    ax.axvline(0, color="#333333", lw=1)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3)  # below the x label
    return finish(
        fig,
        "What SofS would have to achieve to pay for itself",
        "derived: costs from the report and data/unit_costs.yml; effects and designs from Appendices 9 and 10.",
        xlabel="Effect per pilot per year (units as labelled)",
        ylabel="",
    )


def starters(summary: pd.DataFrame):
    """New social workers per pilot per year (mean and range over the pilots)."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    x = summary.index.to_numpy()
    n = summary.assign(n_pilots=summary["pilots reporting"])
    ax.fill_between(x, summary["least"], summary["most"], color="#cfe0f0", label="Range over the pilots")
    ax.plot(
        x,
        summary["mean starters per pilot (FTE)"],
        "o-",
        color=PALETTE["pilot"],
        label=f"Mean per pilot (of {_n(n, 'n_pilots').replace('LAs', 'pilots')})",
    )
    ax.legend(fontsize=8)
    return finish(
        fig,
        "New social workers joining the pilot authorities each year",
        "DfE Children's social work workforce (starters FTE, 30 September). Real data.",
        xlabel="Year (30 September)",
        ylabel="Starters (FTE)",
    )
