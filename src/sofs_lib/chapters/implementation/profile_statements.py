"""Appendix 7 self-profiling: the narrative about the T-scores as checkable data.

The report's figures of the T-scores (A7.1-A7.9) are images that are not in the text, so only
the *narrative* about them survives: Appendix 7's paragraph per pilot and the report paragraph
"Pilots' assessment of their progress on implementation". This module encodes every statement
(:data:`STATEMENTS`, transcribed in ``data/published/appendix7_statements.csv``), the numeric
readings of the narrative's words (:data:`READINGS`, defined once here) and the relations about
the set of pilots (:data:`RANK_RELATIONS`), and checks the statements against T-scores from
:func:`sofs_lib.chapters.implementation.profile_scores.tscores` (:func:`check_statements`).

"T2" in Appendix 7 means T3
---------------------------
Appendix 7's narrative compares "T1" with "T2", but its own introduction, its figure titles
("... at T1 and T3") and the report paragraph all say the exercise was run at T1 and T3 (end of
Round 2). We read every "T2" of Appendix 7 as **T3**; quotes in :data:`STATEMENTS` keep the
report's wording ("T2") while the ``time`` column says ``"T3"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sofs_lib.chapters.implementation.profile_scores import CATEGORIES
from sofs_lib.core import paths

__all__ = ["READINGS", "RANK_RELATIONS", "STATEMENTS", "Reading", "check_statements"]


@dataclass(frozen=True)
class Reading:
    """Numeric reading of a narrative phrase: an interval for a T-score (``kind="level"``) or
    for a change T3 - T1 (``kind="change"``)."""

    phrase: str
    kind: str
    lower: float
    upper: float
    lower_inclusive: bool
    upper_inclusive: bool

    def contains(self, x: float) -> bool:
        if x is None or not np.isfinite(x):
            return False
        lo = x >= self.lower if self.lower_inclusive else x > self.lower
        hi = x <= self.upper if self.upper_inclusive else x < self.upper
        return bool(lo and hi)

    def describe(self, var: str = "T") -> str:
        parts = []
        if np.isfinite(self.lower):
            parts.append(f"{self.lower:g} {'<=' if self.lower_inclusive else '<'} ")
        parts.append(var)
        if np.isfinite(self.upper):
            parts.append(f" {'<=' if self.upper_inclusive else '<'} {self.upper:g}")
        return "".join(parts)


_INF = math.inf

#: The numeric readings of the narrative's words, defined once. "Remained below average" is the
#: ``below`` reading applied at T3; "just above/below" are ``slightly_above/below``; "decreased",
#: "fallen" and "lowered" are all ``decreased`` (the size of a "slight" decrease is not read).
READINGS: dict[str, Reading] = {
    "average": Reading("average", "level", 47.5, 52.5, True, True),
    "slightly_above": Reading("slightly/just above average", "level", 50, 55, False, True),
    "slightly_below": Reading("slightly/just below average", "level", 45, 50, True, False),
    "above": Reading("above average", "level", 50, _INF, False, False),
    "below": Reading("below average / remained below average", "level", -_INF, 50, False, False),
    "sd1_above": Reading("one standard deviation above", "level", 60, _INF, True, False),
    "sd1_below": Reading("one standard deviation below", "level", -_INF, 40, False, True),
    "sd2_above": Reading("2 standard deviations above", "level", 70, _INF, True, False),
    "sd2_below": Reading("2 standard deviations below", "level", -_INF, 30, False, True),
    "improved": Reading("improved", "change", 0, _INF, False, False),
    "decreased": Reading("decreased / fallen / lowered", "change", -_INF, 0, False, False),
}

#: Relations about the set of pilots (overall scores), not read through an interval.
RANK_RELATIONS: dict[str, str] = {
    "highest_two": "the two pilots with the highest overall T-score at `time` are `pilot`",
    "lowest_two": "the two pilots with the lowest overall T-score at `time` are `pilot`",
    "lowest": "`pilot` has the lowest overall T-score at `time`",
    "largest_decrease": "`pilot` has the most negative overall change T3 - T1 (and it is < 0)",
    "largest_increase": "`pilot` has the largest overall change T3 - T1 (and it is > 0)",
    "no_data": "`pilot` has no T-scores at `time`",
}

_CHANGE = "T1->T3"


_ALL = CATEGORIES


def _statement_rows() -> list[dict]:
    """The narrative statements as transcribed in ``data/published/appendix7_statements.csv``
    (one row per sentence; ``categories`` ``;``-separated or ``all``; ``pilot`` ``;``-separated
    for statements about two pilots), one output row per pilot x time x category claim."""
    t = pd.read_csv(paths.published_dir() / "appendix7_statements.csv", dtype=str, keep_default_na=False)
    unknown = sorted(set(t["relation"]) - set(READINGS) - set(RANK_RELATIONS))
    if unknown:
        raise ValueError(f"appendix7_statements.csv: unknown relation(s) {unknown}")
    rows = []
    for rec in t.itertuples(index=False):
        pilots = tuple(int(x) for x in rec.pilot.split(";"))
        cats = _ALL if rec.categories == "all" else rec.categories.split(";")
        for c in cats:
            rows.append(
                dict(
                    source=rec.source,
                    pilot=pilots[0] if len(pilots) == 1 else pilots,
                    time=rec.time,
                    category=c,
                    relation=rec.relation,
                    negated=rec.negated == "true",
                    quote=rec.quote,
                )
            )
    return rows


def _build_statements() -> pd.DataFrame:
    r = _statement_rows()
    df = pd.DataFrame(r)
    df.insert(0, "statement_id", [f"S{i:03d}" for i in range(1, len(df) + 1)])

    def bound(rel, attr):
        return getattr(READINGS[rel], attr) if rel in READINGS else np.nan

    df["lower"] = [bound(x, "lower") for x in df["relation"]]
    df["upper"] = [bound(x, "upper") for x in df["relation"]]
    df["reading"] = [
        ("not " if neg else "")
        + (READINGS[rel].describe("T3 - T1" if t == _CHANGE else "T") if rel in READINGS else RANK_RELATIONS[rel])
        for rel, neg, t in zip(df["relation"], df["negated"], df["time"])
    ]
    return df[
        [
            "statement_id",
            "source",
            "pilot",
            "time",
            "category",
            "relation",
            "negated",
            "lower",
            "upper",
            "reading",
            "quote",
        ]
    ]


#: Every narrative statement of Appendix 7 and of the report paragraph, one row per pilot x
#: time x category claim. Columns: ``statement_id``; ``source``; ``pilot`` (an int, or a tuple
#: of ints for the "highest/lowest two" statements); ``time`` (``"T1"``, ``"T3"`` -- the
#: narrative's "T2" -- or ``"T1->T3"`` for a change); ``category`` (one of :data:`CATEGORIES`
#: or ``"overall"``); ``relation`` (a key of :data:`READINGS` or :data:`RANK_RELATIONS`);
#: ``negated`` (True for claims implied by "other than ..." / "only ...", e.g. Pilot 4 did *not*
#: improve in processes); ``lower``/``upper`` (the reading's bounds; inclusivity in
#: ``reading``); ``reading`` (the bound in words); ``quote`` (the report's words, verbatim,
#: still saying "T2"). Comparisons the narrative does not make (e.g. "2 SD above *only* in
#: processes and leadership" for Pilot 8) are not added.
STATEMENTS: pd.DataFrame = _build_statements()


def _lookup(tscores_df: pd.DataFrame) -> dict[tuple, float]:
    d = tscores_df.dropna(subset=["t_score"])
    return {(int(p), t, c): float(v) for p, t, c, v in zip(d["pilot"], d["time"], d["category"], d["t_score"])}


def check_statements(tscores_df: pd.DataFrame, statements: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check each statement of :data:`STATEMENTS` against ``tscores_df`` (from
    :func:`sofs_lib.chapters.implementation.profile_scores.tscores`).

    Returns the statements with ``value_t1``, ``value_t3`` (the T-scores involved, where one
    pilot and category is concerned), ``value`` (the T-score for a level statement, T3 - T1 for
    a change), ``found`` (what was found, in words) and ``holds`` (bool). A statement about a
    missing value does not hold.
    """
    st = STATEMENTS if statements is None else statements
    T = _lookup(tscores_df)
    overall = {k: v for k, v in T.items() if k[2] == "overall"}

    def ov(time):  # pilot -> overall T at time
        return {p: v for (p, t, _), v in overall.items() if t == time}

    def ov_change():
        a, b = ov("T1"), ov("T3")
        return {p: b[p] - a[p] for p in a if p in b}

    rows = []
    for s in st.itertuples(index=False):
        v1 = v3 = value = np.nan
        found = ""
        if s.relation in READINGS:
            rd = READINGS[s.relation]
            v1 = T.get((s.pilot, "T1", s.category), np.nan)
            v3 = T.get((s.pilot, "T3", s.category), np.nan)
            if rd.kind == "change":
                value = v3 - v1
                found = f"T1 {v1:.1f}, T3 {v3:.1f}, change {value:+.1f}"
            else:
                value = v1 if s.time == "T1" else v3
                found = f"T {value:.1f}"
            ok = rd.contains(value)
            holds = (not ok) if s.negated else ok
            if not np.isfinite(value):
                holds, found = False, "missing"
        elif s.relation == "no_data":
            present = [k for k in T if k[0] == s.pilot and k[1] == s.time]
            holds = not present
            found = "no data" if holds else f"{len(present)} T-score(s) present"
        elif s.relation in ("highest_two", "lowest_two", "lowest"):
            vals = ov(s.time)
            ranked = sorted(vals, key=lambda p: vals[p], reverse=(s.relation == "highest_two"))
            want = set(s.pilot) if isinstance(s.pilot, tuple) else {s.pilot}
            got = ranked[: len(want)]
            holds = len(vals) >= len(want) and set(got) == want
            found = "pilots " + ", ".join(f"{p} ({vals[p]:.1f})" for p in got)
        elif s.relation in ("largest_decrease", "largest_increase"):
            ch = ov_change()
            if ch:
                best = (min if s.relation == "largest_decrease" else max)(ch, key=ch.get)
                value = ch.get(s.pilot, np.nan)
                sign_ok = value < 0 if s.relation == "largest_decrease" else value > 0
                holds = bool(best == s.pilot and sign_ok)
                found = f"pilot {best} ({ch[best]:+.1f})"
            else:
                holds, found = False, "no changes"
            v1 = T.get((s.pilot, "T1", "overall"), np.nan)
            v3 = T.get((s.pilot, "T3", "overall"), np.nan)
        else:
            raise ValueError(f"unknown relation {s.relation!r}")
        rows.append(dict(value_t1=v1, value_t3=v3, value=value, found=found, holds=bool(holds)))
    return pd.concat([st.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
