"""Strength of the evidence: the verdicts of Table 8, as a documented function.

The report's rating is "a qualitative assessment of whether the identifying assumption is met,
the quality of the data and the number of LAs involved", plus robustness: "Where the results
from the primary analysis were sensitive to the model specification and sensitivity checks
(e.g. where the sign of the coefficient changed or the results became insignificant), we
deemed this 'no clear evidence'" (section 3). :func:`rate` turns those words into rules, chosen
so that the report's own four findings give its four verdicts (see the tests):

1. **No effect.** The main DiD is not significant at 5 per cent (or not estimable):
   "No evidence of an impact of SofS on <outcome>" (strength ``none``).
2. **No clear evidence.** The parallel-trends test fails (most leads significant) *or* the sign
   of the DiD changes in a sensitivity check or an alternative specification:
   "No clear evidence on the impact of SofS on <outcome>" (``no clear evidence``; EQ3a).
3. Otherwise the effect has a direction, and concerns are counted:

   * *major*: a data-quality concern; fewer than ``min_pilots`` (3) pilot LAs; no sensitivity
     check could be run;
   * *minor*: serial correlation found (Breusch-Godfrey) but the chosen model does not account
     for it (not fixed effects); the DiD loses significance (keeping its sign) in a check (the
     report keeps "moderate" for EQ3d although excluding Pilot 2 made it insignificant).

   No concern: ``high``; minor concerns only: ``moderate``; any major concern: ``low``.
   High/moderate read "<High|Moderate> strength evidence of <increased|decreased> <outcome>";
   low reads "No moderate or high strength evidence of a <positive|negative> impact", where
   *positive* means the effect goes the way MTM's theory of change expects (for an outcome
   whose expected direction is unclear, "... evidence of an impact").

With the report's inputs: EQ3a (leads fail under fixed effects; sign flips excluding Pilot 4)
-> no clear evidence; EQ3b (data quality; serial correlation not accounted for) -> low, "No
moderate or high strength evidence of a positive impact"; EQ3c (data quality; 2 pilots; no
checks) -> the same; EQ3d (significant in the main model, insignificant excluding Pilot 2,
serial correlation not accounted for) -> moderate, "Moderate strength evidence of decreased
kinship care rates".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sofs_lib.methods import wild as W

ALPHA = 0.05


@dataclass
class Check:
    """One sensitivity check or alternative specification of the DiD."""

    label: str
    estimate: float
    p: float
    g: int = 0
    g_treated: int = 0


@dataclass
class EvidenceInput:
    """What the rating looks at, for one evaluation question."""

    outcome: str  # e.g. "kinship care rates" (for the sentence)
    expected: str  # "increase", "decrease" or "unclear"
    estimate: float
    p: float
    parallel_trends: bool
    checks: list[Check] = field(default_factory=list)
    data_quality_concerns: list[str] = field(default_factory=list)
    n_pilots: int = 0
    serial_correlation: bool = False
    model_accounts_for_serial_correlation: bool = False
    alpha: float = ALPHA
    min_pilots: int = 3
    g: int = 0  # clusters (LAs) of the main model
    g_treated: int = 0  # of which pilots
    wild_p: float = float("nan")  # wild cluster bootstrap p (shown when G < 10)
    wild_draws: int = 0  # its number of bootstrap draws


def p_text(p: float, g: int = 0, g_treated: int = 0, wild_p: float = float("nan"), wild_draws: int = 0) -> str:
    """``p=0.012, G=4 LAs (2 treated); wild bootstrap p=0.25``: a clustered p-value always with
    its number of clusters and treated clusters, and the wild cluster bootstrap p beside it
    when there is one (``wild_draws``: its draws; a p of 0 is shown as below one draw's share,
    :func:`sofs_lib.methods.wild.p_text`)."""
    out = f"p={p:.3g}"
    if g:
        out += f", G={g} LAs ({g_treated} treated)"
    if np.isfinite(wild_p):
        out += f"; wild cluster bootstrap p{_rel(W.p_text(wild_p, wild_draws))}"
    return out


def _rel(text: str) -> str:
    """``=0.25`` or ``<0.001``: a shown p-value after ``p``."""
    return text.replace("< ", "<") if text.startswith("<") else f"={text}"


@dataclass
class Verdict:
    strength: str  # none / no clear evidence / low / moderate / high
    direction: str  # increase / decrease / none
    text: str
    reasons: list[str]
    major: list[str]
    minor: list[str]


def rate(e: EvidenceInput) -> Verdict:
    """The verdict and its reasons (module doc)."""
    reasons: list[str] = []
    sig = np.isfinite(e.estimate) and np.isfinite(e.p) and e.p < e.alpha
    if not sig:
        why = (
            "the DiD is not estimable"
            if not np.isfinite(e.estimate)
            else f"the DiD is not significant ({p_text(e.p, e.g, e.g_treated, e.wild_p, e.wild_draws)})"
        )
        return Verdict("none", "none", f"No evidence of an impact of SofS on {e.outcome}", [why], [], [])
    direction = "increase" if e.estimate > 0 else "decrease"
    reasons.append(f"main DiD {e.estimate:+.3g} ({p_text(e.p, e.g, e.g_treated, e.wild_p, e.wild_draws)})")
    flips = [
        f"{c.label} ({c.estimate:+.3g}, {p_text(c.p, c.g, c.g_treated)})"
        for c in e.checks
        if np.isfinite(c.estimate) and np.sign(c.estimate) != np.sign(e.estimate)
    ]
    lost = [
        f"{c.label} ({p_text(c.p, c.g, c.g_treated)})" for c in e.checks if not (np.isfinite(c.p) and c.p < e.alpha)
    ]
    if not e.parallel_trends or flips:
        if not e.parallel_trends:
            reasons.append("parallel-trends test fails (most leads significant)")
        if flips:
            reasons.append("sign of the DiD changes: " + "; ".join(flips))
        return Verdict(
            "no clear evidence",
            "none",
            f"No clear evidence on the impact of SofS on {e.outcome}",
            reasons,
            [],
            [],
        )
    reasons.append("parallel-trends test holds")
    major, minor = [], []
    major += [f"data quality: {c}" for c in e.data_quality_concerns]
    if e.n_pilots < e.min_pilots:
        major.append(f"only {e.n_pilots} pilot LA(s) (< {e.min_pilots})")
    if not e.checks:
        major.append("no sensitivity check could be run")
    elif lost:
        minor.append("DiD insignificant in: " + "; ".join(lost))
    if e.serial_correlation and not e.model_accounts_for_serial_correlation:
        minor.append("serial correlation not accounted for by the chosen model")
    strength = "low" if major else ("moderate" if minor else "high")
    if strength == "low":
        if e.expected == "unclear":
            text = "No moderate or high strength evidence of an impact"
        else:
            positive = direction == e.expected
            text = f"No moderate or high strength evidence of a {'positive' if positive else 'negative'} impact"
    else:
        word = "increased" if direction == "increase" else "decreased"
        text = f"{strength.capitalize()} strength evidence of {word} {e.outcome}"
    return Verdict(strength, direction, text, reasons + major + minor, major, minor)
