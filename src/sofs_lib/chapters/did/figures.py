"""The figures of the DiD chapter: weighted yearly outcome means of pilots and comparators with
the pilots' counterfactual (Figures 1-4), and the event study of leads and lags. Groups of fewer
than 10 children are not drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.chapters.did import data as D
from sofs_lib.chapters.did.analysis import EQ_INFO, Analysis
from sofs_lib.chapters.did.common import kind_of, source
from sofs_lib.methods import disclosure

#: Subplot parameters of the figures (what the tight layout gives them at the published size,
#: rounded out): their texts are the same whatever the data but the tick labels, so the layout
#: is fixed rather than measured (one pass over every label fewer; the image is cropped to what
#: is drawn). Trends: two title lines above, the legend and a three-line source line below.
TREND_MARGINS = {"left": 0.11, "right": 0.978, "bottom": 0.32, "top": 0.80}
EVENT_MARGINS = {"left": 0.115, "right": 0.982, "bottom": 0.2, "top": 0.845, "wspace": 0.27, "hspace": 0.45}


def trend_data(an: Analysis, eq: str, threshold: int = disclosure.THRESHOLD) -> pd.DataFrame:
    """Weighted yearly outcome means of pilots and comparators (pre and post periods), groups of
    fewer than ``threshold`` units suppressed (NaN)."""
    r = an.result(eq)
    y = D.OUTCOMES[eq][0]
    f = r.frame[list(dict.fromkeys(["cem_w", y, "pilot_i", "year", "post"]))]  # only the columns used
    d = f[f["cem_w"] > 0]
    g = d.assign(wy=d[y] * d["cem_w"]).groupby(["pilot_i", "year", "post"], observed=True)
    t = pd.DataFrame({"n": g.size(), "wy": g["wy"].sum(), "w": g["cem_w"].sum()}).reset_index()
    t["mean"] = t["wy"] / t["w"]
    t.loc[t["n"] < threshold, "mean"] = np.nan
    t["group"] = np.where(t["pilot_i"] == 1, "pilot", "comparator")
    return t[["group", "year", "post", "n", "mean"]]


def counterfactual(an: Analysis, eq: str) -> dict:
    """Pilots' post-period mean, the DiD and the counterfactual (post mean minus the DiD: the
    report's numbers, 21% observed and 31% counterfactual for a DiD of -9.8 points)."""
    r = an.result(eq)
    y = D.OUTCOMES[eq][0]
    f = r.frame[list(dict.fromkeys([y, "cem_w", "did"]))]  # only the columns used
    d = f[(f["cem_w"] > 0) & (f["did"] == 1)]
    fit = r.fits["main"] if r.choice.model != "logit" else r.fits.get("linear_main")
    beta = fit.get("did") if fit is not None else np.nan
    m = float(np.average(d[y], weights=d["cem_w"])) if len(d) else np.nan
    return {"post_mean": m, "did": beta, "counterfactual": m - beta, "model": fit.model if fit else ""}


def figure_trends(an: Analysis, eq: str):
    import matplotlib.pyplot as plt

    from sofs_lib.display import plotting

    info = EQ_INFO[eq]
    t = trend_data(an, eq)
    cf = counterfactual(an, eq)
    scale = 1 if eq == "eq3a" else 100
    unit = "working days" if eq == "eq3a" else "per cent"
    fig, ax = plt.subplots(figsize=(8, 5.2))
    for grp, colr in (("pilot", plotting.PALETTE["pilot"]), ("comparator", plotting.PALETTE["comparator"])):
        s = t[t["group"] == grp].groupby("year")["mean"].mean() * scale  # pre and post of staggered groups
        ax.plot(s.index, s.to_numpy(), marker="o", color=colr, label=f"{grp.capitalize()} LAs")
    post_years = t[(t["group"] == "pilot") & (t["post"] == 1)]["year"]
    if len(post_years) and np.isfinite(cf["counterfactual"]):
        ax.hlines(
            cf["counterfactual"] * scale,
            post_years.min() - 0.3,
            post_years.max() + 0.3,
            colors=plotting.PALETTE["pilot"],
            linestyles="--",
            label=f"Pilots without SofS, {kind_of(an)} (post mean − DiD = {cf['counterfactual'] * scale:.1f})",
        )
        ax.hlines(
            cf["post_mean"] * scale,
            post_years.min() - 0.3,
            post_years.max() + 0.3,
            colors=plotting.PALETTE["pilot"],
            linestyles=":",
            label=f"Pilots' post-period mean, {kind_of(an)} ({cf['post_mean'] * scale:.1f})",
        )
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2, frameon=False)
    title = (
        f"{'Synthetic re-creation of the method of' if an.synthetic else 'Re-run of'} Figure {info['fig']}: "
        f"{info['label']} in pilot and comparator LAs"
    )
    mark_synthetic(fig, an.synthetic)
    plotting.finish(
        fig,
        title,
        source(an) + " Weighted (CEM) means by financial year; settling-in years left out; "
        "years with fewer than 10 children not shown.",
        xlabel="Financial year ending",
        ylabel=f"{info['label']} ({unit})",
        ax=ax,
        synthetic=an.synthetic,
        margins=TREND_MARGINS,
    )
    return fig


def mark_synthetic(fig, synthetic: bool) -> None:
    """A visible mark on the image itself: a large diagonal "SYNTHETIC DATA" behind the plot."""
    if synthetic:
        fig.text(
            0.5,
            0.5,
            "SYNTHETIC DATA",
            fontsize=44,
            color="#c0392b",
            alpha=0.16,
            rotation=25,
            ha="center",
            va="center",
            fontweight="bold",
            zorder=0,
        )


def event_data(an: Analysis, eq: str, fit_key: str = "event") -> pd.DataFrame:
    r = an.result(eq)
    f = r.fits.get(fit_key)
    if f is None:
        return pd.DataFrame(columns=["term", "label", "x", "estimate", "lo", "hi", "p"])
    t = f.table
    rows = []
    for term in t.index:
        if term.startswith("lead_"):
            k = int(term.split("_")[1])
            rows.append((term, f"L{k}", -k, *t.loc[term, ["estimate", "lo", "hi", "p"]]))
        elif term.startswith("lag_"):
            m = int(term.split("_")[1])
            rows.append((term, "t" if m == 0 else f"t+{m}", m + 1, *t.loc[term, ["estimate", "lo", "hi", "p"]]))
    return pd.DataFrame(rows, columns=["term", "label", "x", "estimate", "lo", "hi", "p"]).sort_values("x")


def effect_unit(eq: str, model: str) -> str:
    """The unit of a DiD coefficient of question ``eq`` fitted by ``model``: working days for
    EQ3a, log-odds for a logit, else a proportion (a linear probability model)."""
    if model == "logit":
        return "log-odds"
    return "working days" if EQ_INFO[eq]["unit"] == "working days" else "proportion"


def figure_event_study(an: Analysis):
    import matplotlib.pyplot as plt

    from sofs_lib.display import plotting

    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, eq in zip(axes.ravel(), EQ_INFO):
        e = event_data(an, eq)
        r = an.result(eq)
        if len(e):
            col = np.where(e["x"] < 0, plotting.PALETTE["comparator"], plotting.PALETTE["pilot"])
            ax.errorbar(
                e["x"],
                e["estimate"],
                yerr=[e["estimate"] - e["lo"], e["hi"] - e["estimate"]],
                fmt="none",
                ecolor="#777777",
                capsize=3,
            )
            ax.scatter(e["x"], e["estimate"], c=col, zorder=3)
            ax.set_xticks(e["x"], e["label"], fontsize=8)
        ax.axhline(0, color="#333333", lw=0.8)
        ax.axvline(0, color="#999999", ls="--", lw=0.8)
        ax.set_title(f"{EQ_INFO[eq]['short']}: {EQ_INFO[eq]['label']} ({r.fits['event'].model})", fontsize=10)
        ax.set_ylabel(f"Effect ({effect_unit(eq, r.fits['event'].model)})")
    for ax in axes[-1]:
        ax.set_xlabel("Year: leads L5-L1, then lags t, t+1, ...")
    mark_synthetic(fig, an.synthetic)
    plotting.finish(
        fig,
        ("Synthetic data: " if an.synthetic else "")
        + "leads (placebo) and lags of the DiD indicator, with 95% confidence intervals",
        source(an) + " Leads (L): years up to the SofS start (L1 = the start year); lags: years after the "
        "settling-in period (t = the first). The settling-in period (dashed line) is left out.",
        synthetic=an.synthetic,
        margins=EVENT_MARGINS,
    )
    return fig
