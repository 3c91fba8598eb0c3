"""Chapter 1, the focus groups' "Mapping the Future" scores (report section 3; appendix Table A8.1).

* :func:`focus_group_long` -- Table A8.1 in long form; :func:`focus_group_means` and
  :func:`shortfall_by_pilot` -- the summaries the report draws from it;
* :func:`focus_group_claims` -- every statement of section 3 about the table, recomputed beside
  the published values (numeric statements, then ranking statements);
* :func:`plot_focus_groups` -- the table as a heatmap.

The chapter's other tables (1, 2 and 3) are in :mod:`sofs_lib.chapters.implementation.analysis`.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.implementation.analysis import REPORT
from sofs_lib.core.ledger import classify

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
    ``differs``. One row per statement, in the report's order within each kind.
    """
    m = focus_group_means()
    long = focus_group_long()
    key = {v: k for k, v in ITEM_KEYS.items()}
    rows = _numeric_claims(m, long, key) + _ranking_claims(m, long, key)
    return pd.DataFrame(rows)


def _cell(long: pd.DataFrame, pilot: str, item: str, time: str) -> float:
    """One printed score of Table A8.1."""
    s = long[(long.pilot == pilot) & (long.item == item) & (long.time == time)]["score"]
    return float(s.iloc[0])


def _numeric_claim(qid: str, value: float, tol: float, what: str) -> dict:
    """A quoted number of the text beside its recomputed value, classified within ``tol``."""
    q = published.quote(qid)
    return dict(
        claim=q.note,
        published=q.text,
        reproduced=round(float(value), 4),
        status=classify(q.number, float(value), q.decimals, tol),
        how=what,
        quote_id=qid,
    )


def _numeric_claims(m: pd.DataFrame, long: pd.DataFrame, key: dict[str, str]) -> list[dict]:
    """The text's numbers from Table A8.1: five-pilot means, single cells and one improvement."""

    def mean(k: str, suffix: str) -> dict:
        col = {"t1": "T1 now", "t3": "T3 now"}[suffix]
        return _numeric_claim(f"fg_{k}_{suffix}", m.loc[key[k], col], MEAN_TOL, f"mean of the five pilots' {col}")

    rows = [mean(k, suffix) for k in ("commitment", "safe", "children") for suffix in ("t1", "t3")]
    for suffix, time in (("t1", "T1 now"), ("t3", "T3 now")):
        rows.append(
            _numeric_claim(f"fg_p9_safe_{suffix}", _cell(long, "Pilot 9", key["safe"], time), 0, "Table A8.1 cell")
        )
    for p, k in (("8", "safe"), ("1", "safe"), ("8", "commitment"), ("1", "commitment"), ("1", "children")):
        value = _cell(long, f"Pilot {p}", key[k], "T3 now")
        rows.append(_numeric_claim(f"fg_p{p}_{k}_t3", value, 0, "Table A8.1 cell"))
    rows.append(
        _numeric_claim(
            "fg_groupsup_improvement",
            m.loc[key["groupsup"], "improvement T1→T3"],
            DIFF_TOL,
            "difference of the five-pilot means, T3 now − T1 now",
        )
    )
    rows += [mean(k, suffix) for k in ("court", "time", "groupsup") for suffix in ("t1", "t3")]
    rows.append(mean("partner", "t3"))

    # Court T1: the published 6.0 equals the mean of the T1 *hoped-for* scores.
    court_hope = m.loc[key["court"], "T1 hoped for T3"]
    for r in rows:
        if r["quote_id"] == "fg_court_t1" and r["status"] == "differs":
            r["how"] += (
                f"; the mean of the T1 hoped-for scores is {court_hope:.2f}, which matches "
                "the published 6.0: the text appears to quote the hope, not the T1 position"
            )
    return rows


def _ranking_claim(claim, published_items, found_items, how, values=None, tol=0.0) -> dict:
    """A ranking claim. With ``values`` (item -> recomputed value) a mismatch is
    ``within rounding`` when every claimed item is within ``tol`` of the weakest item found
    (rounding of the printed inputs could reorder them)."""
    ok = set(published_items) == set(found_items)
    status = "exact" if ok else "differs"
    if not ok and values is not None:
        edge = min(values[i] for i in found_items)
        if all(abs(values[i] - edge) <= tol for i in published_items):
            status = "within rounding"
    return dict(
        claim=claim,
        published="; ".join(published_items),
        reproduced="; ".join(found_items),
        status=status,
        how=how,
        quote_id="",
    )


def _ranking_claims(m: pd.DataFrame, long: pd.DataFrame, key: dict[str, str]) -> list[dict]:
    """The text's rankings of items by their five-pilot means (strongest, weakest, largest
    improvement and gaps), then its statements about pilots."""
    strong = [key["commitment"], key["safe"], key["children"]]
    gap = m["gap: hoped − achieved"]
    rows = [
        *(
            _ranking_claim(
                f"Strongest three areas at {t}",
                strong,
                list(m[f"{t} now"].nlargest(3).index),
                f"three highest {t} now means",
                m[f"{t} now"],
                2 * MEAN_TOL,
            )
            for t in ("T1", "T3")
        ),
        *(
            _ranking_claim(f"Weakest area at {t}", [key["court"]], [m[f"{t} now"].idxmin()], f"lowest {t} now mean")
            for t in ("T1", "T3")
        ),
        _ranking_claim(
            "Strongest improvement T1→T3",
            [key["groupsup"]],
            [m["improvement T1→T3"].idxmax()],
            "largest T3 − T1 difference of means",
            m["improvement T1→T3"],
            2 * DIFF_TOL,
        ),
        _ranking_claim(
            "Largest difference between expected and actual T3 scores",
            [key["court"]],
            [gap.idxmax()],
            "largest T1 hoped − T3 now difference of means",
            gap,
            2 * DIFF_TOL,
        ),
        _ranking_claim(
            "Other areas where T3 was lower than expected",
            [key["partner"], key["time"]],
            list(gap.drop(key["court"]).nlargest(2).index),
            "two largest hoped − achieved gaps other than Family Court",
        ),
    ]
    return rows + _pilot_claims(long, key)


def _pilot_claims(long: pd.DataFrame, key: dict[str, str]) -> list[dict]:
    """The text's statements about which pilots fell short, improved, or did not increase."""
    sb = shortfall_by_pilot()
    court = long[long.item == key["court"]].pivot(index="pilot", columns="time", values="score")
    safe = long[long.item == key["safe"]].pivot(index="pilot", columns="time", values="score")
    return [
        _ranking_claim(
            "Pilots whose T3 scores were uniformly lower than T1 hopes",
            ["Pilot 2", "Pilot 7", "Pilot 9"],
            list(sb.index[sb["all items short of hope"]]),
            "pilots with T3 < T1 hope on all 12 items",
        ),
        _ranking_claim(
            "Pilots where scores improved across all areas",
            ["Pilot 8", "Pilot 2"],
            list(sb.index[sb["all items improved"]]),
            "pilots with T3 > T1 now on all 12 items",
        ),
        _ranking_claim(
            "Family Court: strong improvement in Pilots 1, 8 and 9",
            ["Pilot 1", "Pilot 8", "Pilot 9"],
            list(court.index[(court["T3 now"] - court["T1 now"]) >= 1.0]),
            "pilots whose Family Court score rose by at least 1 point (reading 'strong' as ≥ 1.0)",
        ),
        _ranking_claim(
            "'Safe organisation' increased in 4 of 5 pilots; the exception Pilot 9",
            ["Pilot 9"],
            list(safe.index[safe["T3 now"] <= safe["T1 now"]]),
            "pilots whose score did not increase",
        ),
    ]


# ---------------------------------------------------------------- figure


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
    fig, ax = plt.subplots(figsize=(11, 8.5))
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
    # whole item names on two lines: one long line would leave the cells too narrow
    # for their printed scores
    ax.set_yticks(np.arange(len(w)) + 0.5, [textwrap.fill(t, 38) for t in w.index], fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    return finish(
        fig,
        "Focus groups' 'Mapping the Future' scores by pilot and time",
        f"{REPORT}, appendix Table A8.1 (published; the printed header calls T3 'T2').",
        xlabel="Pilot and time (T1 now, T1 hoped for T3, T3 now)",
        ylabel="",
    )
