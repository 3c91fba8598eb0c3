"""Chapter 1, implementation and fidelity (report section 3; appendices A3, A4, A7, A8).

Functions behind every number of the chapter:

* :func:`participation_matrix` -- Table 1 as a matrix;
* :func:`element_use_tests` -- Table 2 and a chi-square test per SofS element of whether use
  differs between pilots, on counts reconstructed from the rounded percentages;
* :func:`ofsted_long` -- Table 3 in long form for the figure; :func:`ofsted_claims` -- the text's
  statements about it;
* :func:`plot_element_use`, :func:`plot_ofsted` -- Tables 2 and 3 as figures.

Table A8.1 (the focus groups) is in :mod:`sofs_lib.chapters.implementation.focus_groups`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from sofs_lib import published
from sofs_lib.published import recon

TICK = "✓"

# ---------------------------------------------------------------- Table 1


def participation_matrix() -> pd.DataFrame:
    """Table 1 (pilots x strands) as printed, with a final column counting strands taken part in
    fully (a tick)."""
    t = published.wide("1", values="value")
    t["Strands (full)"] = (t == TICK).sum(axis=1)
    return t


# ---------------------------------------------------------------- Table 2


def element_use_tests(alpha: float = 0.05, max_missing: int = 3) -> pd.DataFrame:
    """For each SofS element of Table 2: does use differ between the four pilots?

    Counts are reconstructed from each printed percentage ``p`` and the pilot's respondents ``n``
    (row "Number"). Ten of the 32 printed percentages cannot arise from any whole count out of
    ``n`` (e.g. 83% of 61: 50/61 = 82.0%, 51/61 = 83.6%), so some respondents must have skipped
    some items: up to ``max_missing`` non-responses per item and pilot are allowed, and every
    (count, denominator) pair whose percentage rounds to ``p`` is consistent with the table. The
    test is repeated for every combination of consistent pairs and the range of the statistic
    and p-value reported; the central reconstruction uses the largest feasible denominator.
    Pearson chi-square on the 2 x 4 table (3 degrees of freedom); Holm's correction across the
    eight elements (on the central reconstruction).
    """
    t2 = published.wide("2")
    ns = t2.loc["Number"]
    rows = []
    for element in [r for r in t2.index if r not in ("Number", "% of social workers in the pilot")]:
        res = recon.chi2_range(t2.loc[element], ns, max_missing=max_missing)
        rows.append(
            dict(
                element=element,
                chi2=res["statistic"],
                dof=res["dof"],
                p=res["p"],
                nonresponse_assumed=", ".join(res["nonresponse_assumed"]) or "none",
                chi2_min=res["stat_min"],
                chi2_max=res["stat_max"],
                p_min=res["p_min"],
                p_max=res["p_max"],
                reconstructions=res["n_reconstructions"],
            )
        )
    out = pd.DataFrame(rows).set_index("element")
    out["p_holm"] = multipletests(out["p"], method="holm")[1]

    def verdict(r):
        if r.p_max < alpha:
            return "differs between pilots"
        if r.p_min >= alpha:
            return "no significant difference"
        return "depends on rounding"

    out["verdict"] = out.apply(verdict, axis=1)
    out["verdict_holm"] = np.where(out["p_holm"] < alpha, "differs", "no significant difference")
    return out


def reconstructed_counts(max_missing: int = 3) -> pd.DataFrame:
    """Table 2 as counts: central reconstruction with its feasible low-high range per cell."""
    t2 = published.wide("2")
    ns = t2.loc["Number"]
    frames = []
    for element in [r for r in t2.index if r not in ("Number", "% of social workers in the pilot")]:
        ct = recon.counts_table(t2.loc[element], ns, max_missing=max_missing)
        ct["element"] = element
        frames.append(ct.reset_index())
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- Table 3

GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]


def ofsted_long() -> pd.DataFrame:
    """Table 3 in long form: time, aspect, grade, pilots (grades not printed count as zero)."""
    t = published.table("3")
    t[["time", "grade"]] = t["row"].str.split(": ", n=1, expand=True)
    t["time"] = np.where(
        t["time"].str.contains("start of Round 1"), "Start of Round 1 (Sep 2014)", "End of Round 2 (Sep 2019)"
    )
    full = (
        t.pivot_table(index=["time", "column"], columns="grade", values="number", aggfunc="sum")
        .reindex(columns=GRADES)
        .fillna(0)
        .stack()
        .rename("pilots")
        .reset_index()
        .rename(columns={"column": "aspect"})
    )
    return full


def ofsted_claims() -> pd.DataFrame:
    """The report's statements about Table 3, checked against the table.

    Returns one row per statement: the quoted number, the number implied by the table (or by the
    statement's own list), and whether they agree.
    """
    long = ofsted_long()
    end = long[long["time"].str.startswith("End")]

    def n(aspect_start, grades):
        sel = end[end["aspect"].str.startswith(aspect_start) & end["grade"].isin(grades)]
        return int(sel["pilots"].sum())

    rows = []
    q = published.quote("ofsted_help_good_or_outstanding")
    rows.append(
        dict(
            id=q.column,
            statement=q.note,
            published=q.number,
            reproduced=n("The experiences and progress of children who need help", ["Good", "Outstanding"]),
            basis="Table 3, end of Round 2",
        )
    )
    improved = published.quote("ofsted_improved")
    listed = sum(
        published.quote(q).number
        for q in ("ofsted_good_to_outstanding", "ofsted_ri_to_good", "ofsted_inadequate_to_ri")
    )
    rows.append(
        dict(
            id=improved.column,
            statement=improved.note,
            published=improved.number,
            reproduced=listed,
            basis=f"the sentence itself lists {listed:.0f} pilots (good→outstanding, "
            "requires improvement→good, inadequate→requires improvement)",
        )
    )
    tot = long.groupby(["time", "aspect"])["pilots"].sum()
    rows.append(
        dict(
            id="table3_pilots_per_column",
            statement="Table title: judgements on 9 pilots",
            published=9.0,
            reproduced=float(tot.min()) if tot.min() == tot.max() else np.nan,
            basis="each column of Table 3 sums to this many pilots",
        )
    )
    out = pd.DataFrame(rows)
    out["agrees"] = out["published"] == out["reproduced"]
    return out


# ---------------------------------------------------------------- figures

REPORT = "Baginsky et al. (2020), Evaluation of MTM's Signs of Safety pilots"


def plot_element_use(tests: pd.DataFrame | None = None):
    """Table 2 as a dot plot: % of respondents using each element, by pilot; elements whose use
    differs significantly between pilots (every reconstruction) are starred."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from sofs_lib.display.plotting import finish

    t2 = published.wide("2")
    elements = [r for r in t2.index if r not in ("Number", "% of social workers in the pilot")]
    long = t2.loc[elements].reset_index(names="element").melt(id_vars="element", var_name="pilot", value_name="percent")
    if tests is not None:
        star = {e: (" *" if v == "differs between pilots" else "") for e, v in tests["verdict"].items()}
        long["element"] = long["element"].map(lambda e: e + star.get(e, ""))
    fig, ax = plt.subplots(figsize=(8, 4.8))
    sns.stripplot(data=long, y="element", x="percent", hue="pilot", size=8, jitter=False, ax=ax, palette="colorblind")
    ax.set_xlim(20, 100)
    # below the plot: inside it covered the lowest element's dots
    ax.legend(title="Pilot", loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=4, fontsize=8, frameon=False)
    return finish(
        fig,
        "Social workers using each Signs of Safety element (staff survey)",
        f"{REPORT}, Table 2 (published). * use differs between pilots (chi-square on "
        "reconstructed counts, significant under every reconstruction).",
        xlabel="Respondents using the element with some or all families (%)",
        ylabel="",
    )


def plot_ofsted():
    """Table 3 as a figure: pilots by Ofsted grade, start of Round 1 vs end of Round 2, for the
    overall judgement and its three aspects."""
    import matplotlib.pyplot as plt

    from sofs_lib.display.plotting import finish

    long = ofsted_long()
    short = {
        "Overall": "Overall",
        "The impact of leaders on social work practice with children and families": "Leadership",
        "The experiences and progress of children who need help and protection": "Help and protection",
        "The experiences and progress of children in care and care leavers": "Children in care",
    }
    long["aspect"] = long["aspect"].map(short)
    colours = {
        "Outstanding": "#1a9850",
        "Good": "#91cf60",
        "Requires improvement": "#fdae61",
        "Inadequate": "#d73027",
    }
    times = ["Start of Round 1 (Sep 2014)", "End of Round 2 (Sep 2019)"]
    fig, axes = plt.subplots(1, 4, figsize=(10, 4), sharey=True)
    for ax, aspect in zip(axes, short.values()):
        sub = long[long["aspect"] == aspect].pivot(index="time", columns="grade", values="pilots")
        sub = sub.reindex(index=times, columns=GRADES).fillna(0)
        bottom = np.zeros(len(times))
        for g in reversed(GRADES):
            ax.bar(
                ["Start R1", "End R2"],
                sub[g].to_numpy(),
                bottom=bottom,
                color=colours[g],
                label=g,
                edgecolor="white",
            )
            bottom += sub[g].to_numpy()
        ax.set_title(aspect, fontsize=10)
        ax.set_ylim(0, 9.5)
    axes[0].set_ylabel("Pilots (number)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="upper right", ncols=4, fontsize=8, bbox_to_anchor=(0.99, 0.93))
    return finish(
        fig,
        "Ofsted judgements of the nine pilots: start of Round 1 and end of Round 2",
        f"{REPORT}, Table 3 (published).",
        ax=axes[0],
    )
