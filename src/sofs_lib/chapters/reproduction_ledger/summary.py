"""The reproduction ledger's headline and answer box, split by the kind of reproduced value.

A match on synthetic data is true by construction (the generator was calibrated to the published
numbers), so the headline never pools it with matches on real data: :func:`by_kind` counts each
kind separately, real data first, and :func:`answer_parts` writes the sentences from those
counts.
"""

from __future__ import annotations

import pandas as pd

from sofs_lib.display.sentences import join_names, plural, share

KIND_ORDER = ("real", "derived", "synthetic")
STATUSES = ("exact", "within rounding", "differs", "not reproducible")
KIND_PHRASE = {
    "real": "against public DfE/Ofsted data",
    "derived": "recomputed from the report's own published numbers",
    "synthetic": "on synthetic data",
}
KIND_NOTE = {
    "synthetic": " A match on synthetic data is true by construction (the data were "
    "generated to fit the report): it shows that the method runs, not that "
    "the report is right."
}


def by_kind(led: pd.DataFrame) -> pd.DataFrame:
    """Comparisons by kind (rows: real, derived, synthetic, then "all kinds") and status, with
    the exact share of each kind (%)."""
    counts = (
        led.groupby(["kind", "status"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=list(KIND_ORDER), columns=list(STATUSES), fill_value=0)
    )
    counts["total"] = counts.sum(axis=1)
    counts.loc["all kinds"] = counts.sum()
    counts["exact (%)"] = 100 * counts["exact"] / counts["total"].where(counts["total"] > 0)
    counts.index.name = "kind of reproduced value"
    return counts


def kind_sentence(kind: str, row: pd.Series) -> str:
    """One headline sentence for one kind's counts."""
    n = int(row["total"])
    if n == 0:
        return f"No comparison {KIND_PHRASE[kind]}."
    within = int(row["within rounding"])
    exact = int(row["exact"])
    return (
        f"{share(exact, n)} comparisons {KIND_PHRASE[kind]} are exact"
        + (f" and {within} more within rounding" if within else "")
        + f"; {int(row['differs'])} differ and {int(row['not reproducible'])} cannot be "
        "reproduced." + KIND_NOTE.get(kind, "")
    )


def headline(led: pd.DataFrame) -> list[str]:
    """The ledger's headline, one sentence per kind, real data first."""
    t = by_kind(led)
    return [kind_sentence(k, t.loc[k]) for k in KIND_ORDER]


def differing_tables(led: pd.DataFrame, kind: str | None = None, limit: int = 4) -> list[str]:
    """Published tables with the most differing comparisons, as "A9.4 (5)": of one kind, or
    (``kind=None``) of real and derived values: a synthetic difference is no finding."""
    d = led[led["status"] == "differs"]
    d = d[d["kind"] == kind] if kind else d[d["kind"] != "synthetic"]
    counts = d.groupby("table_id").size().sort_values(ascending=False, kind="stable")
    return [f"{t} ({n})" for t, n in counts.head(limit).items()]


def answer_parts(led: pd.DataFrame) -> dict:
    """The four parts of the ledger's answer box (kind: derived: the counts of this page)."""
    t = by_kind(led)
    n_tab = led["table_id"].nunique()
    n_ch = led["chapter"].nunique()
    nr = int(t.loc["all kinds", "not reproducible"])
    differs = [f"{int(t.loc[k, 'differs'])} {k}" for k in KIND_ORDER if t.loc[k, "differs"]]
    tabs = differing_tables(led)
    new = (
        [
            f"Leaving synthetic values aside, the published tables with the most differing "
            f"comparisons are {join_names(tabs)}; each difference is listed below with its note."
        ]
        if tabs
        else ["No comparison of real or derived values differs from the published value."]
    )
    real_tabs = differing_tables(led, "real")
    if real_tabs:
        new.append(f"On real data the differences concentrate in {join_names(real_tabs)}.")
    return dict(
        report=[
            f"The report prints the {plural(len(led), 'published number')} compared here, "
            f"from {plural(n_tab, 'table')} (and the running text), read by "
            f"{plural(n_ch, 'chapter')} of this book."
        ],
        reproduced=[s for k, s in zip(KIND_ORDER, headline(led)) if t.loc[k, "total"]]
        or ["No chapter has recorded a comparison yet."],
        not_reproduced=[
            (
                f"{plural(int(t.loc['all kinds', 'differs']), 'comparison')} differ "
                f"({join_names(differs) or 'none'}) and {nr} cannot be reproduced "
                "from public data."
            )
        ],
        new=new,
        kind="derived",
    )
