"""Audit check of the LA chapter: the printed comparator means against one real group.

Tables A9.3 and A9.4 print the comparator ("SNN") group's mean for 29 indicators each. If
they are what they claim, some group of eight real councils reproduces most of them; the check
recomputes them for the group recovered from those tables (``data/la_groups.yml``) on the
committed extract of the public files. A mean that differs is "cannot check" (today's files are
a later vintage than the evaluators'), never "inconsistent".
"""

from __future__ import annotations

from sofs_lib.chapters.consistency_audit.base import Check, Entry
from sofs_lib.chapters.la_outcomes import comparators as C
from sofs_lib.chapters.la_outcomes.recovered import WINDOW, build_rows
from sofs_lib.sources.dfe.groups import default_comparators

#: the issue's target: printed comparator means reproduced in each of A9.3 and A9.4
TARGET = 22


def check_recovered_comparators(panel=None) -> list[Check]:
    """One check with an entry per printed comparator mean (A9.3 and A9.4)."""
    if panel is None:
        from sofs_lib.sources.dfe.extract import load_panel

        panel = load_panel(None, scope="A9")
    panel = panel[panel["year"].between(*WINDOW)]
    rows = build_rows(panel)
    members = sorted(default_comparators())
    idx = rows.index(members)
    hit = C.reproduced(rows, idx)
    s, c = rows.sums[:, idx].sum(axis=1), rows.counts[:, idx].sum(axis=1)
    entries = []
    for k, r in enumerate(rows.labels.itertuples()):
        mean = s[k] / c[k] if c[k] else float("nan")
        entries.append(
            Entry(
                r.table,
                r.indicator_id,
                "SNN mean",
                r.published,
                mean,
                "consistent within rounding" if hit[k] else "cannot check",
                f"mean of the recovered comparators over {int(c[k])} LA values",
            )
        )
    per = rows.labels.assign(hit=hit).groupby("table")["hit"].sum()
    ok = all(per.get(t, 0) >= TARGET for t in ("A9.3", "A9.4"))
    counts = "; ".join(f"{t}: {int(n)} of {int((rows.labels['table'] == t).sum())}" for t, n in per.items())
    return [
        Check(
            "recovered_comparators",
            "LA-level outcomes (A9)",
            "A9.3/A9.4 comparator means from one group of eight real councils",
            "Tables A9.3, A9.4 (SNN means); committed extract of the DfE files; data/la_groups.yml",
            "the comparators are the eight councils recovered from the printed means; means of the "
            "LA values present, rounded half up to one decimal",
            f"printed means reproduced: {counts}",
            "SNN means of Tables A9.3 and A9.4",
            "consistent within rounding" if ok else "cannot check",
            (
                "One group of eight councils reproduces most printed comparator means, so the tables "
                "are consistent with a real comparator group; the misses are indicators whose files "
                "have since been revised or reorganised."
                if ok
                else "Fewer printed comparator means are reproduced than expected: the tables could not be "
                "tied to one comparator group on these data."
            ),
            entries,
        )
    ]
