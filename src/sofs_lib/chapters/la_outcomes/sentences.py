"""Sentences of the LA chapter, generated from the numbers it shows (never typed claims).

Every comparative sentence (matches, significant, holds, flips, narrowed, reversed) is built
here from a table the chapter displays, so the sentence and the table cannot disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.methods import coverage


def _names(items, limit: int = 6) -> str:
    items = list(items)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def match_counts(comparison: pd.DataFrame) -> pd.DataFrame:
    """Matches per table and quantity (rows: A9.3/A9.4; columns: pilot_mean, snn_mean, F, p)
    and the number of indicators per table."""
    c = comparison.groupby(["table", "quantity"])["match"].agg(["sum", "count"])
    return c["sum"].unstack("quantity").astype(int), int(c["count"].max())


def match_sentence(comparison: pd.DataFrame, comparators_label: str) -> str:
    """'With the … comparators, comparator means match … for a of 29 indicators in A9.3 …'."""
    m, of = match_counts(comparison)
    parts = [
        f"Table {t}: pilot means {m.at[t, 'pilot_mean']}, comparator means "
        f"{m.at[t, 'snn_mean']}, F {m.at[t, 'F']} and p {m.at[t, 'p']} of {of}"
        for t in m.index
    ]
    return (
        f"With the {comparators_label}, the computed values equal the published ones to the "
        f"printed decimal for: " + "; ".join(parts) + "."
    )


def verdicts(comparison: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """One row per table and indicator: published and computed p, whether each is below
    ``alpha``, ``status`` ('holds' / 'lost' / 'new' / 'both n.s.') and ``reason`` for a change:
    which of the two group means differs from the published one, or neither (then the spread
    of the LA values differs)."""
    w = comparison.pivot_table(
        index=["table", "indicator_id", "report_name"],
        columns="quantity",
        values=["computed", "published", "match"],
        aggfunc="first",
    )
    rows = []
    for (table, iid, name), r in w.iterrows():
        pp, cp = r[("published", "p")], r[("computed", "p")]
        ps, cs = bool(pp < alpha), bool(cp < alpha) if not pd.isna(cp) else False
        status = {
            (True, True): "holds",
            (True, False): "lost",
            (False, True): "new",
            (False, False): "both n.s.",
        }[(ps, cs)]
        reason = ""
        if ps != cs:
            diffs = [
                f"{lab} mean {r[('computed', q)]:.1f} against {r[('published', q)]:.1f} printed"
                for q, lab in (("pilot_mean", "pilot"), ("snn_mean", "comparator"))
                if not bool(r[("match", q)])
            ]
            reason = (
                "; ".join(diffs)
                if diffs
                else f"both means match, but F is {r[('computed', 'F')]:.1f} against "
                f"{r[('published', 'F')]:.1f} printed (the LA values' spread differs)"
            )
        rows.append(
            {
                "table": table,
                "indicator_id": iid,
                "report_name": name,
                "p_published": pp,
                "p_computed": cp,
                "significant_published": ps,
                "significant_computed": cs,
                "status": status,
                "reason": reason,
            }
        )
    out = pd.DataFrame(rows)
    order = {i: k for k, i in enumerate(dict.fromkeys(comparison["indicator_id"]))}
    return out.sort_values(
        ["table", "indicator_id"], key=lambda c: c.map(order) if c.name == "indicator_id" else c
    ).reset_index(drop=True)


def verdict_sentences(v: pd.DataFrame, alpha: float = 0.05, kind: str = "real") -> list[str]:
    """Per table: how many of the report's significant differences hold, which are lost and
    which appear, with the reason for each change. ``kind``: the data's kind; on synthetic
    data the sentence says the panel was built to reproduce the tables."""
    where = (
        "on the public data"
        if kind == "real"
        else "on the synthetic panel (built to reproduce the published tables, so this is no evidence)"
    )
    out = []
    for table, g in v.groupby("table", sort=True):
        sig = g[g["significant_published"]]
        held, lost, new = (g[g["status"] == s] for s in ("holds", "lost", "new"))
        what = "2018/19" if table == "A9.3" else "all years"
        s = (
            f"Table {table} ({what}): of the report's {len(sig)} differences significant at "
            f"{alpha:g}, {len(held)} hold {where}"
        )
        s += f" ({_names(held['report_name'])})" if len(held) else ""
        if len(lost):
            s += (
                "; "
                + f"{len(lost)} lose significance: "
                + "; ".join(f"{r.report_name} (p {r.p_computed:.3f}; {r.reason})" for r in lost.itertuples())
            )
        if len(new):
            s += (
                "; "
                + f"{len(new)} become significant: "
                + "; ".join(
                    f"{r.report_name} (p {r.p_computed:.3f} against {r.p_published:g} printed; {r.reason})"
                    for r in new.itertuples()
                )
            )
        out.append(s + ".")
    return out


def after_sentence(
    eval_means: pd.DataFrame,
    later_means: pd.DataFrame,
    alpha: float,
    later_label: str,
    interaction_p: pd.Series,
) -> str:
    """What the gaps did after the evaluation, from the all-years means shown.

    ``eval_means``/``later_means``: ``report_name``, ``pilot_mean``, ``snn_mean``, ``p``.
    A gap (pilot minus comparator) 'reversed' if its sign changed, 'closed' if it shrank to under
    half its size, 'widened' if it grew by more than half, else 'similar'."""
    e = eval_means.set_index("report_name")
    la = later_means.set_index("report_name").reindex(e.index)
    g0 = e["pilot_mean"] - e["snn_mean"]
    g1 = la["pilot_mean"] - la["snn_mean"]
    kind = pd.Series("similar", index=e.index)
    kind[(g1.abs() < 0.5 * g0.abs())] = "closed"
    kind[(g1.abs() > 1.5 * g0.abs())] = "widened"
    kind[np.sign(g0) * np.sign(g1) < 0] = "reversed"
    kind[g1.isna() | g0.isna()] = "not available"
    a_eval, a_late = int((e["p"] < alpha).sum()), int((la["p"] < alpha).sum())
    parts = [
        (
            f"Pilots and comparators differ significantly (all-years one-way test, {alpha:g}) "
            f"on {a_eval} of {len(e)} indicators over the evaluation years and {a_late} of "
            f"{len(e)} over {later_label}"
        )
    ]
    for k in ("reversed", "closed", "widened"):
        names = list(kind.index[kind == k])
        if names:
            parts.append(f"the gap {k} for {_names(names)}")
    n_sim = int((kind == "similar").sum())
    parts.append(f"{n_sim} gaps stayed within half of their evaluation-years size")
    sig = interaction_p[interaction_p < alpha]
    tail = (
        f"the year x pilot status interaction over {later_label} is significant for {_names(sig.index)}"
        if len(sig)
        else f"no indicator shows a significant year x pilot status interaction over {later_label}"
    )
    return "; ".join(parts) + "; " + tail + ". These are descriptive tests and cannot attribute a change to SofS."


def coverage_sentence(missing: pd.DataFrame) -> str:
    """'k LA-years lack a value …' from :func:`missing_la_years` (the shared wording of
    :func:`sofs_lib.methods.coverage.coverage_sentence`)."""
    return coverage.coverage_sentence(
        missing, nothing="Every pilot and comparator has a value for every indicator and year analysed."
    )


def missing_la_years(panel: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Every LA-year of an analysed group without a value, within each indicator's own span
    (``first_year``/``last_year`` of the catalogue, e.g. caseload from 2016/17): the shared rule
    :func:`sofs_lib.methods.coverage.missing_la_years`, every LA of the panel expected in every
    year of the panel."""
    cat = catalogue.set_index("indicator_id")
    las = panel[["la_code", "la_name", "group"]].drop_duplicates("la_code")
    years = pd.DataFrame({"year": sorted(set(panel["year"]))})
    expected = las.merge(years, how="cross")
    spans = {i: (int(cat.at[i, "first_year"]), int(cat.at[i, "last_year"])) for i in cat.index}
    return coverage.missing_la_years(panel, expected, indicators=list(cat.index), spans=spans)


def interaction_sentence(inter: pd.DataFrame, alpha: float) -> str:
    """From the two-way ANOVA's 'Year * pilot status' rows (``report_name``, ``p``)."""
    sig = inter[inter["p"] < alpha]
    s = f"Year x pilot status interaction significant at {alpha:g} for {len(sig)} of {len(inter)} indicators"
    if len(sig):
        return s + f" ({_names(sig['report_name'], 10)}): for those the gap changed over the period."
    return s + ": the gap between pilots and comparators did not change detectably over the period."


def fragile_sentence(loo: pd.DataFrame) -> str:
    """From :func:`sofs_lib.chapters.la_outcomes.analysis.leave_one_out` (with ``report_name``)."""
    sig = loo[loo["significant_all"]]
    fragile = sig[~sig["robust"]]
    s = (
        f"Of {len(sig)} indicators with a significant all-years difference, {len(fragile)} lose "
        "significance when one pilot is left out"
    )
    return s + (f": {_names(fragile['report_name'], 10)}." if len(fragile) else ".")


def vintage_sentence(before: pd.DataFrame, after: pd.DataFrame, filled: pd.DataFrame, column: str = "snn_mean") -> str:
    """The effect of :func:`vintage.fill_from_successor` on the match counts (``match_table``
    frames before and after) for ``column``."""
    b = before[before["column"] == column].set_index("table")["matched"]
    a = after[after["column"] == column].set_index("table")["matched"]
    what = ", ".join(sorted(set(filled["indicator_id"])))
    changes = [f"Table {t} from {int(b[t])} to {int(a[t])}" for t in b.index if t in a.index]
    moved = any(int(b[t]) != int(a[t]) for t in b.index if t in a.index)
    return (
        f"Looking a reorganised council up under its successor code for the {len(filled)} "
        f"LA-years it lacks ({what}) changes the comparator means matched: " + "; ".join(changes) + "."
        if moved
        else f"Looking a reorganised council up under its successor code for the {len(filled)} "
        "LA-years it lacks changes no match count."
    )
