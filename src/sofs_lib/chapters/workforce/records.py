"""Ledger records of the workforce chapter: every Table 4 cell and every workforce cell of
Tables A9.3 and A9.4."""

from __future__ import annotations

import pandas as pd

from sofs_lib.chapters.workforce.reproduce import CANDIDATES
from sofs_lib.sources.dfe.indicators import load_indicator_catalogue

QUANTITIES = (
    ("pilot_mean", "Pilot mean", 1),
    ("snn_mean", "SNN mean", 1),
    ("F", "F Statistic", 1),
    ("p", "P-value", 2),
)


def record_table4(led, rec: pd.DataFrame) -> None:
    """Each Table 4 percentage against the share of its central reconstruction (derived)."""
    for r in rec.itertuples():
        led.record(
            "4",
            r.statement,
            r.pilot,
            published=r.percent,
            reproduced=100 * r.count / r.denominator,
            kind="derived",
            decimals=0,
            note=(
                f"{r.count} of {r.denominator} answering ({r.n} respondents, Table 2; "
                f"{r.n - r.denominator} assumed to skip the item; {r.options} admissible "
                "counts)"
            ),
        )


def a9_rows(choice: pd.DataFrame) -> pd.DataFrame:
    """The chosen candidates as one row per table, indicator and quantity."""
    names = load_indicator_catalogue().set_index("indicator_id")["report_name"]
    rows = []
    for iid in CANDIDATES:
        c = choice.loc[iid]
        for tag, table in (("a93", "A9.3"), ("a94", "A9.4")):
            for q, col, dec in QUANTITIES:
                rows.append(
                    dict(
                        table=table,
                        indicator_id=iid,
                        row=names[iid],
                        column=col,
                        quantity=q,
                        computed=c[f"{tag}_{q}"],
                        published=c[f"{tag}_{q}_published"],
                        decimals=dec,
                        series=c["series"],
                        basis=c["basis"],
                        release=c["release"],
                        years=str(2019) if tag == "a93" else c["years_a94"],
                    )
                )
    return pd.DataFrame(rows)


def record_a9(led, rows: pd.DataFrame, kind: str) -> None:
    for r in rows.itertuples():
        led.record(
            r.table,
            r.row,
            r.column,
            published=r.published,
            reproduced=r.computed,
            kind=kind,
            decimals=r.decimals,
            note=f"{r.series} ({r.basis} basis, release {r.release}; years {r.years})",
        )


def a9_view(choice: pd.DataFrame) -> pd.DataFrame:
    """The chosen candidates as shown: one row per workforce row and table, each group mean
    with the number of values it is over beside it (A9.3: LAs in September 2019; A9.4:
    LA-years pooled over its years)."""
    names = load_indicator_catalogue().set_index("indicator_id")["report_name"]
    rows = []
    for iid in CANDIDATES:
        c = choice.loc[iid]
        for tag, table in (("a93", "A9.3"), ("a94", "A9.4")):
            rows.append(
                {
                    "row": names[iid],
                    "table": table,
                    "basis": c["basis"],
                    "release": c["release"],
                    "years": str(2019) if tag == "a93" else c["years_a94"],
                    "pilot mean": c[f"{tag}_pilot_mean"],
                    "pilot n": c[f"{tag}_n_pilot"],
                    "SNN mean": c[f"{tag}_snn_mean"],
                    "SNN n": c[f"{tag}_n_snn"],
                    "F": c[f"{tag}_F"],
                    "p": c[f"{tag}_p"],
                }
            )
    return pd.DataFrame(rows).set_index(["row", "table"])


def a9_match_sentence(rows: pd.DataFrame) -> str:
    """'k of n September 2019 pilot means reproduce Table A9.3: row: basis (series, release); …'
    from :func:`a9_rows` (its A9.3 pilot-mean rows, with ``match``, ``basis``, ``series``,
    ``release``)."""
    pm = rows[(rows["table"] == "A9.3") & (rows["column"] == "Pilot mean")]
    return (
        f"{int(pm['match'].sum())} of {len(pm)} September 2019 pilot means reproduce Table A9.3: "
        + "; ".join(f"{r.row}: {r.basis} basis ({r.series}, release {r.release})" for r in pm.itertuples())
        + "."
    )
