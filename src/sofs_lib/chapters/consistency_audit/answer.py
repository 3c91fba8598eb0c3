"""The consistency audit's answer box, generated from its checks (:func:`sofs_lib.chapters.consistency_audit.analysis.frame`:
one row per check with ``topic``, ``title`` and ``verdict``)."""

from __future__ import annotations

import pandas as pd

from sofs_lib.display.sentences import join_names, plural, share

#: verdict columns shown first in the audit's tables, the long texts folded behind them.
FIRST = ["verdict", "title", "recomputed", "published"]
FOLDED = ["inputs", "assumptions", "reasoning"]


def _titles(frame: pd.DataFrame, verdict: str) -> list[str]:
    return frame.loc[frame["verdict"] == verdict, "title"].tolist()


def answer_parts(frame: pd.DataFrame, limit: int = 10) -> dict:
    """The four parts of the audit's answer box (kind: derived)."""
    n = len(frame)
    counts = frame["verdict"].value_counts()
    topics = frame["topic"].nunique()
    ok, within = int(counts.get("consistent", 0)), int(counts.get("consistent within rounding", 0))
    bad, cc = _titles(frame, "inconsistent"), _titles(frame, "cannot check")
    cc_topics = frame.loc[frame["verdict"] == "cannot check", "topic"].unique().tolist()
    bad_topics = frame.loc[frame["verdict"] == "inconsistent", "topic"].value_counts()
    if bad:
        where = join_names(f"{t} ({k})" for t, k in bad_topics.head(3).items())
        new = [
            f"{share(len(bad), n)} checks find numbers that cannot be reconciled with the "
            f"rest of the report, most in {where}:"
        ]
        rows = frame[frame["verdict"] == "inconsistent"]
        new += [f"{r.title} ({r.topic})." for r in rows.head(limit).itertuples()]
        if len(rows) > limit:
            new.append(f"… and {plural(len(rows) - limit, 'more check')}, listed below.")
    else:
        new = [f"None of the {plural(n, 'check')} finds an inconsistency."]
    return dict(
        report=[
            f"The report presents its numbers as agreeing with one another: this audit finds "
            f"{plural(n, 'relation')} among them (statistics from their inputs, averages "
            f"from their tables, totals from their parts) across {plural(topics, 'topic')}."
        ],
        reproduced=[
            f"{share(ok + within, n)} checks agree: {ok} exactly and {within} within "
            "the rounding of the printed numbers."
        ],
        not_reproduced=[
            f"{plural(len(cc), 'check')} cannot be decided from the published numbers"
            + (f" ({join_names(cc_topics)}): what is missing is given with each." if cc else ".")
        ],
        new=new,
        kind="derived",
    )
