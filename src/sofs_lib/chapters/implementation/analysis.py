"""Chapter 1, implementation and fidelity (report section 3; appendices A3, A4, A7, A8).

Functions behind every number of the chapter:

* :func:`participation_matrix` -- Table 1 as a matrix;
* :func:`element_use_tests` -- Table 2 and a chi-square test per SofS element of whether use
  differs between pilots, on counts reconstructed from the rounded percentages;
* :func:`ofsted_long` -- Table 3 in long form for the figure; :func:`ofsted_claims` -- the text's
  statements about it;
* :func:`focus_group_long`, :func:`focus_group_summary`, :func:`focus_group_claims` -- Table A8.1
  and every summary the report draws from it, recomputed beside the published values.
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


# ---------------------------------------------------------------- Table A8.1

TIME_LABELS = {"T1 N": "T1 now", "T1 F": "T1 hoped for T3", "T2 N": "T3 now"}
ITEM_KEYS = {
    "Clear commitment to Signs of Safety from management": "commitment",
    "It feels like a safe organisation in which to work": "safe",
    "Informing, involving and listening to children": "children",
    "Family Court engaged in Sigs of Safety approach": "court",
    "Having sufficient time to spend with families": "time",
    "Group supervision and appreciative inquiry in place": "groupsup",
    "Partner agency involvement": "partner",
}


def focus_group_long() -> pd.DataFrame:
    """Table A8.1 in long form: item, pilot ("Pilot 9"), time ("T1 now", "T1 hoped for T3",
    "T3 now"), score. The printed header's "T2 N" is the time the report's text calls T3."""
    t = published.table("A8.1")
    parts = t["column"].str.extract(r"^P\s*(?P<p>\d)\s+(?P<t>T\d [NF])$")
    if parts.isna().any().any():
        bad = t.loc[parts.isna().any(axis=1), "column"].iloc[0]
        raise published.PublishedDataError(f"Table A8.1: unexpected column label {bad!r}")
    return pd.DataFrame(
        {
            "item": t["row"],
            "pilot": "Pilot " + parts["p"],
            "time": parts["t"].map(TIME_LABELS),
            "score": t["number"],
        }
    )


def focus_group_means() -> pd.DataFrame:
    """Item means across the five pilots (unweighted: the table gives no group sizes) at each
    time, with the T1→T3 improvement and the hoped-for minus achieved gap."""
    long = focus_group_long()
    m = long.pivot_table(index="item", columns="time", values="score", aggfunc="mean", sort=False)
    m = m[list(TIME_LABELS.values())]
    m["improvement T1→T3"] = m["T3 now"] - m["T1 now"]
    m["gap: hoped − achieved"] = m["T1 hoped for T3"] - m["T3 now"]
    return m


def shortfall_by_pilot() -> pd.DataFrame:
    """Per pilot: items where the T3 score fell short of the T1 hope, and items that improved."""
    long = focus_group_long()
    w = long.pivot_table(index=["pilot", "item"], columns="time", values="score", sort=False)
    w["short"] = w["T3 now"] < w["T1 hoped for T3"]
    w["improved"] = w["T3 now"] > w["T1 now"]
    g = w.groupby(level="pilot", sort=False)
    out = pd.DataFrame(
        {"items": g.size(), "T3 below T1 hope": g["short"].sum(), "T3 above T1 now": g["improved"].sum()}
    )
    out["all items short of hope"] = out["T3 below T1 hope"] == out["items"]
    out["all items improved"] = out["T3 above T1 now"] == out["items"]
    return out


# Half a printed unit on each of five pilot means: the mean of five values each rounded to 0.1
# can lie up to 0.05 from the mean of the unrounded values; a difference of two such means, 0.1.
MEAN_TOL = 0.05
DIFF_TOL = 0.10


def focus_group_claims() -> pd.DataFrame:
    """Every statement the report (section 3) draws from Table A8.1, recomputed.

    Numeric statements: published value, recomputed value, and status (via
    :func:`sofs_lib.core.ledger.classify` with the tolerance input rounding allows). Ranking
    statements: the published claim and what the table shows, with status ``exact`` or
    ``differs``.
    """
    # Long by design: one short block per claim of the text about Table A8.1, in the report's order.
    from sofs_lib.core.ledger import classify

    m = focus_group_means()
    long = focus_group_long()
    key = {v: k for k, v in ITEM_KEYS.items()}

    def cell(pilot, item, time):
        s = long[(long.pilot == pilot) & (long.item == item) & (long.time == time)]["score"]
        return float(s.iloc[0])

    rows = []

    def num(qid, value, tol, what):
        q = published.quote(qid)
        rows.append(
            dict(
                claim=q.note,
                published=q.text,
                reproduced=round(float(value), 4),
                status=classify(q.number, float(value), q.decimals, tol),
                how=what,
                quote_id=qid,
            )
        )

    for k in ("commitment", "safe", "children"):
        num(f"fg_{k}_t1", m.loc[key[k], "T1 now"], MEAN_TOL, "mean of the five pilots' T1 now")
        num(f"fg_{k}_t3", m.loc[key[k], "T3 now"], MEAN_TOL, "mean of the five pilots' T3 now")
    num("fg_p9_safe_t1", cell("Pilot 9", key["safe"], "T1 now"), 0, "Table A8.1 cell")
    num("fg_p9_safe_t3", cell("Pilot 9", key["safe"], "T3 now"), 0, "Table A8.1 cell")
    for p, k in (("8", "safe"), ("1", "safe"), ("8", "commitment"), ("1", "commitment"), ("1", "children")):
        num(f"fg_p{p}_{k}_t3", cell(f"Pilot {p}", key[k], "T3 now"), 0, "Table A8.1 cell")
    num(
        "fg_groupsup_improvement",
        m.loc[key["groupsup"], "improvement T1→T3"],
        DIFF_TOL,
        "difference of the five-pilot means, T3 now − T1 now",
    )
    num("fg_court_t1", m.loc[key["court"], "T1 now"], MEAN_TOL, "mean of the five pilots' T1 now")
    num("fg_court_t3", m.loc[key["court"], "T3 now"], MEAN_TOL, "mean of the five pilots' T3 now")
    num("fg_time_t1", m.loc[key["time"], "T1 now"], MEAN_TOL, "mean of the five pilots' T1 now")
    num("fg_time_t3", m.loc[key["time"], "T3 now"], MEAN_TOL, "mean of the five pilots' T3 now")
    num("fg_groupsup_t1", m.loc[key["groupsup"], "T1 now"], MEAN_TOL, "mean of the five pilots' T1 now")
    num("fg_groupsup_t3", m.loc[key["groupsup"], "T3 now"], MEAN_TOL, "mean of the five pilots' T3 now")
    num("fg_partner_t3", m.loc[key["partner"], "T3 now"], MEAN_TOL, "mean of the five pilots' T3 now")

    # Court T1: the published 6.0 equals the mean of the T1 *hoped-for* scores.
    court_hope = m.loc[key["court"], "T1 hoped for T3"]
    for r in rows:
        if r["quote_id"] == "fg_court_t1" and r["status"] == "differs":
            r["how"] += (
                f"; the mean of the T1 hoped-for scores is {court_hope:.2f}, which matches "
                "the published 6.0: the text appears to quote the hope, not the T1 position"
            )

    def rank(claim, published_items, found_items, how, values=None, tol=0.0):
        """A ranking claim. With ``values`` (item -> recomputed value) a mismatch is
        ``within rounding`` when every claimed item is within ``tol`` of the weakest item found
        (rounding of the printed inputs could reorder them)."""
        ok = set(published_items) == set(found_items)
        status = "exact" if ok else "differs"
        if not ok and values is not None:
            edge = min(values[i] for i in found_items)
            if all(abs(values[i] - edge) <= tol for i in published_items):
                status = "within rounding"
        rows.append(
            dict(
                claim=claim,
                published="; ".join(published_items),
                reproduced="; ".join(found_items),
                status=status,
                how=how,
                quote_id="",
            )
        )

    strong = [key["commitment"], key["safe"], key["children"]]
    rank(
        "Strongest three areas at T1",
        strong,
        list(m["T1 now"].nlargest(3).index),
        "three highest T1 now means",
        m["T1 now"],
        2 * MEAN_TOL,
    )
    rank(
        "Strongest three areas at T3",
        strong,
        list(m["T3 now"].nlargest(3).index),
        "three highest T3 now means",
        m["T3 now"],
        2 * MEAN_TOL,
    )
    rank("Weakest area at T1", [key["court"]], [m["T1 now"].idxmin()], "lowest T1 now mean")
    rank("Weakest area at T3", [key["court"]], [m["T3 now"].idxmin()], "lowest T3 now mean")
    rank(
        "Strongest improvement T1→T3",
        [key["groupsup"]],
        [m["improvement T1→T3"].idxmax()],
        "largest T3 − T1 difference of means",
        m["improvement T1→T3"],
        2 * DIFF_TOL,
    )
    rank(
        "Largest difference between expected and actual T3 scores",
        [key["court"]],
        [m["gap: hoped − achieved"].idxmax()],
        "largest T1 hoped − T3 now difference of means",
        m["gap: hoped − achieved"],
        2 * DIFF_TOL,
    )
    rank(
        "Other areas where T3 was lower than expected",
        [key["partner"], key["time"]],
        list(m["gap: hoped − achieved"].drop(key["court"]).nlargest(2).index),
        "two largest hoped − achieved gaps other than Family Court",
    )
    sb = shortfall_by_pilot()
    rank(
        "Pilots whose T3 scores were uniformly lower than T1 hopes",
        ["Pilot 2", "Pilot 7", "Pilot 9"],
        list(sb.index[sb["all items short of hope"]]),
        "pilots with T3 < T1 hope on all 12 items",
    )
    rank(
        "Pilots where scores improved across all areas",
        ["Pilot 8", "Pilot 2"],
        list(sb.index[sb["all items improved"]]),
        "pilots with T3 > T1 now on all 12 items",
    )
    w = long[long.item == key["court"]].pivot(index="pilot", columns="time", values="score")
    rank(
        "Family Court: strong improvement in Pilots 1, 8 and 9",
        ["Pilot 1", "Pilot 8", "Pilot 9"],
        list(w.index[(w["T3 now"] - w["T1 now"]) >= 1.0]),
        "pilots whose Family Court score rose by at least 1 point (reading 'strong' as ≥ 1.0)",
    )
    safe = long[long.item == key["safe"]].pivot(index="pilot", columns="time", values="score")
    rank(
        "'Safe organisation' increased in 4 of 5 pilots; the exception Pilot 9",
        ["Pilot 9"],
        list(safe.index[safe["T3 now"] <= safe["T1 now"]]),
        "pilots whose score did not increase",
    )
    return pd.DataFrame(rows)


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
    ax.legend(title="Pilot", loc="lower left", ncols=4, fontsize=8)
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


def plot_focus_groups():
    """Table A8.1 as a heatmap: each item's score by pilot at T1 (now), T1 (hoped for) and T3."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from sofs_lib.display.plotting import finish

    long = focus_group_long()
    long["col"] = (
        long["pilot"].str.replace("Pilot ", "P")
        + "\n"
        + long["time"].map({"T1 now": "T1", "T1 hoped for T3": "hope", "T3 now": "T3"})
    )
    cols = list(dict.fromkeys(long["col"]))
    w = long.pivot(index="item", columns="col", values="score").reindex(
        index=list(dict.fromkeys(long["item"])), columns=cols
    )
    fig, ax = plt.subplots(figsize=(11, 6))
    sns.heatmap(
        w,
        annot=True,
        fmt=".1f",
        cmap="RdYlGn",
        vmin=1,
        vmax=10,
        ax=ax,
        cbar_kws={"label": "Mean score (1 = not at all, 10 = completely)"},
        annot_kws={"fontsize": 7},
    )
    ax.set_yticks(np.arange(len(w)) + 0.5, [t[:48] + ("…" if len(t) > 48 else "") for t in w.index], fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    return finish(
        fig,
        "Focus groups' 'Mapping the Future' scores by pilot and time",
        f"{REPORT}, appendix Table A8.1 (published; the printed header calls T3 'T2').",
        xlabel="Pilot and time (T1 now, T1 hoped for T3, T3 now)",
        ylabel="",
    )
