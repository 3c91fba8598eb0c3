"""The audit's vocabulary: a check, its verdicts, and the rules for reading printed numbers.

How the checks are run, tabled and written to the ledger is described in
:mod:`sofs_lib.chapters.consistency_audit.analysis`.

Verdicts (:data:`VERDICTS`):

* ``consistent`` -- the recomputed value, rounded as printed, equals the published one;
* ``consistent within rounding`` -- not equal after rounding, but some values of the inputs
  allowed by their printed rounding reproduce it;
* ``inconsistent`` -- no reconstruction within the stated assumptions gives the published value;
* ``cannot check`` -- the published numbers do not determine the answer (the reasoning says
  what is missing).

Printed values are treated as intervals: a value printed with *d* decimals stands for anything
within half a unit of its last digit. Counts behind rounded percentages are reconstructed with
:mod:`sofs_lib.published.recon`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sofs_lib import published as pub
from sofs_lib.core.rounding import round_half_up

CHAPTER = "A2_consistency_audit"

#: Significance level used to read the report's 'significant' / 'not significant'.
ALPHA = 0.05
#: Respondents per pilot who may have skipped a survey item (Table 4 reconstructions; raised
#: item by item when no count fits, and reported).
MAX_ITEM_NONRESPONSE = 3

VERDICTS = ("consistent", "consistent within rounding", "inconsistent", "cannot check")
STATUS = {
    "consistent": "exact",
    "consistent within rounding": "within rounding",
    "inconsistent": "differs",
    "cannot check": "not reproducible",
}
COLUMNS = [
    "check_id",
    "topic",
    "title",
    "inputs",
    "assumptions",
    "recomputed",
    "published",
    "verdict",
    "reasoning",
]


@dataclass
class Entry:
    """One ledger row of a check."""

    table_id: str
    row: str
    column: str
    published: float
    reproduced: float
    verdict: str
    note: str = ""


@dataclass
class Check:
    """The result of one check."""

    check_id: str
    topic: str
    title: str
    inputs: str
    assumptions: str
    recomputed: str
    published: str
    verdict: str
    reasoning: str
    entries: list[Entry] = field(default_factory=list)
    #: the function that made the check (set by ``run_all``), shown in the table's source line
    computed_by: str = ""

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"{self.check_id}: verdict {self.verdict!r} not in {VERDICTS}")


# ---------------------------------------------------------------------------- helpers
def half_unit(v: pub.Value) -> float:
    """Half a unit of the last printed digit (0 for exact counts printed without decimals
    when ``exact`` is wanted, see callers)."""
    return 0.5 * 10 ** -(v.decimals or 0)


def interval(v: pub.Value) -> tuple[float, float]:
    h = half_unit(v)
    return v.number - h, v.number + h


def judge(published: pub.Value, central: float, lo: float | None = None, hi: float | None = None) -> str:
    """Compare a recomputed value (central, and its range lo..hi from input rounding) with a
    printed value. ``<`` markers (e.g. ``<.001``) mean an upper bound."""
    d = published.decimals or 0
    if "<" in published.marker:
        if central < published.number:
            return "consistent"
        return "consistent within rounding" if lo is not None and lo < published.number else "inconsistent"
    if math.isclose(round_half_up(central, d), published.number, abs_tol=1e-12):
        return "consistent"
    plo, phi = interval(published)
    lo = central if lo is None else lo
    hi = central if hi is None else hi
    if lo <= phi + 1e-12 and hi >= plo - 1e-12:
        return "consistent within rounding"
    return "inconsistent"


def worst(verdicts) -> str:
    order = {"inconsistent": 3, "cannot check": 2, "consistent within rounding": 1, "consistent": 0}
    vs = list(verdicts)
    return max(vs, key=order.get) if vs else "cannot check"


def fmt(x: float, d: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{d}f}"


def fmt_p(p: float) -> str:
    return "<.0001" if p < 0.0001 else f"{p:.4f}"


def _q(i: str) -> pub.Value:
    return pub.quote(i)


def _c(t: str, r: str, c: str) -> pub.Value:
    return pub.cell(t, r, c)


def p_interval(v: pub.Value) -> tuple[float, float]:
    """The p-values a printed p can stand for (``0`` or ``.000`` = below half a unit)."""
    if "<" in v.marker:
        return 0.0, v.number
    return max(0.0, v.number - half_unit(v)), v.number + half_unit(v)


def _slug(s: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "_" for ch in s)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")[:48]
