"""Every statement the report makes about the staff survey, recomputed beside its words.

Each function returns one row: ``claim_id, where, printed, recomputed, verdict, reasoning``.
Verdicts are the audit's (:data:`sofs_lib.chapters.consistency_audit.analysis.VERDICTS`).
Every sentence is generated from the
computed values; nothing here is typed as a finding.

Ethics: Table 2's last row gives respondents as a percentage of each pilot's social workers.
Dividing the respondents by it would give each "Pilot n"'s headcount, which could be matched to
a named council's public workforce figures; no such headcount is computed here.
"""

from __future__ import annotations

import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.workforce import survey

COLUMNS = ["claim_id", "where", "printed", "recomputed", "verdict", "reasoning"]
WORD_SHARES = {"half": 50.0, "1 in 5": 20.0}


def _row(claim_id, where, printed, recomputed, verdict, reasoning) -> dict:
    return dict(
        claim_id=claim_id,
        where=where,
        printed=printed,
        recomputed=recomputed,
        verdict=verdict,
        reasoning=reasoning,
    )


def response_rate() -> dict:
    lo, hi = published.quote("survey_response_low"), published.quote("survey_response_high")
    share = published.wide("2").loc["% of social workers in the pilot"]
    inside = [c for c in share.index if lo.number <= share[c] <= hi.number]
    v = "consistent" if len(inside) == len(share) else "inconsistent"
    return _row(
        "response_rate",
        "section 3",
        f"responses from between {lo.text} and {hi.text} per cent of social workers",
        f"Table 2: {share.min():.0f}% to {share.max():.0f}%",
        v,
        f"{len(inside)} of {len(share)} pilots' shares in Table 2 lie in {lo.text}–{hi.text}%"
        + (
            "."
            if v == "consistent"
            else "; the text and Table 2 must use different denominators, and neither says which."
        ),
    )


def pilot8_most(t4: pd.DataFrame | None = None) -> dict:
    b = survey.best_pilot(t4)
    k, n = int(b["pilot8_best"].sum()), len(b)
    v = "consistent" if k > n / 2 else "inconsistent"
    return _row(
        "pilot8_most",
        "section 3",
        "On most of these measures Pilot 8 emerged with the best outcomes overall",
        f"Pilot 8 best or tied best on {k} of {n}",
        v,
        f"Pilot 8 has the best printed share (or ties for it) on {k} of the {n} statements"
        + (", which is most." if v == "consistent" else ", which is not most."),
    )


def pilot8_all_five(t4: pd.DataFrame | None = None) -> dict:
    b = survey.best_pilot(t4)
    miss = b[~b["pilot8_best"]]
    v = "consistent" if miss.empty else "inconsistent"
    why = "; ".join(
        f"on {r.area} the best is {r.best} ({r.best_value:.0f}%, Pilot 8 {r.pilot8:.0f}%)" for r in miss.itertuples()
    )
    return _row(
        "pilot8_all_five",
        "section 5",
        "Pilot 8 emerged as having the best outcomes overall in relation to " + ", ".join(survey.AREAS),
        f"Pilot 8 best or tied on {int(b['pilot8_best'].sum())} of {len(b)}",
        v,
        "Pilot 8 is best on every area listed." if v == "consistent" else f"Not on every area listed: {why}.",
    )


def not_significant(tests: pd.DataFrame, alpha: float) -> dict:
    raw = tests[tests["p_max"] < alpha]
    held = tests[tests["p_max_holm"] < alpha]
    mixed = tests[tests["verdict"] == "depends on the reconstruction"]
    if raw.empty and mixed.empty:
        v = "consistent"
    elif raw.empty:
        v = "consistent within rounding"
    else:
        v = "inconsistent"
    parts = [
        f"{len(tests) - len(raw) - len(mixed)} of {len(tests)} statements are not "
        f"significant at {alpha:g} on every admissible reconstruction"
    ]
    for s, r in raw.iterrows():
        parts.append(
            f"'{s}' is significant on every one (chi-square p {r.p_min:.4f}–"
            f"{r.p_max:.4f}, exact p {r.p_exact_min:.4f}–{r.p_exact_max:.4f})"
        )
    if not raw.empty:
        parts.append(
            "after a Holm correction across the five statements "
            + ("none is significant" if held.empty else f"{len(held)} still are")
            + f" (smallest Holm p {tests['p_min_holm'].min():.3f}); the report does not "
            "say it corrected for multiplicity"
        )
    return _row(
        "not_significant",
        "section 3 and section 5",
        "the differences were not significant",
        f"{len(raw)} of {len(tests)} significant before correction, {len(held)} after Holm",
        v,
        "; ".join(parts) + ".",
    )


def _pooled_claim(claim_id, qid, stmt, max_missing) -> dict:
    q = published.quote(qid)
    target = WORD_SHARES[q.text]
    s = survey.pooled_share(stmt, max_missing)
    if abs(s["central"] - target) <= 2.5:
        v = "consistent"
    elif s["pilot_min"] <= target <= s["pilot_max"]:
        v = "consistent within rounding"
    else:
        v = "inconsistent"
    return _row(
        claim_id,
        q.row,
        f"around {q.text} ({stmt.lower()})",
        f"pooled {s['central']:.1f}% (pilots {s['pilot_min']:.0f}–{s['pilot_max']:.0f}%)",
        v,
        f"Pooling the four pilots' respondents gives {s['central']:.1f}% against "
        f"{target:.0f}% for 'around {q.text}'"
        + ("." if v == "consistent" else f"; the pilots range {s['pilot_min']:.0f}–{s['pilot_max']:.0f}%."),
    )


def leaving_range() -> dict:
    lo, hi = published.quote("workforce_leaving_min"), published.quote("workforce_leaving_max")
    row = survey.table4().loc["Planning to leave job within 2 years"]
    v = "consistent" if (row.min(), row.max()) == (lo.number, hi.number) else "inconsistent"
    return _row(
        "leaving_range",
        lo.row,
        f"between {lo.text} and {hi.text} per cent planning to leave",
        f"Table 4: {row.min():.0f}% to {row.max():.0f}%",
        v,
        f"Table 4's lowest and highest pilot are {row.min():.0f}% and {row.max():.0f}%.",
    )


def table2_rank(which: str) -> dict:
    """Table 2: 'Pilot 8 having the highest level of application' / 'The lowest level of usage of
    most items was recorded in Pilot 9, followed by Pilot 1'."""
    t2 = published.wide("2").drop(index=["Number", "% of social workers in the pilot"])
    if which == "highest":
        top = t2.eq(t2.max(axis=1), axis=0)
        k = int(top["Pilot 8"].sum())
        v = "consistent" if k > len(t2) / 2 else "inconsistent"
        return _row(
            "table2_pilot8_highest",
            "section 3 (meaningful measures)",
            "Pilot 8 having the highest level of application of SofS across the 4 pilots",
            f"Pilot 8 highest or tied on {k} of {len(t2)} elements",
            v,
            f"Pilot 8 has the highest (or tied highest) share on {k} of {len(t2)} elements.",
        )
    low = t2.eq(t2.min(axis=1), axis=0).sum()
    ranks = t2.rank(axis=1, method="min").mean().sort_values()
    order = list(ranks.index)
    k9 = int(low["Pilot 9"])
    v = "consistent" if k9 > len(t2) / 2 and order[:2] == ["Pilot 9", "Pilot 1"] else "inconsistent"
    return _row(
        "table2_lowest",
        "section 3 (meaningful measures)",
        "The lowest level of usage of most items was recorded in Pilot 9, followed by Pilot 1",
        f"Pilot 9 lowest on {k9} of {len(t2)}; mean rank (1 = lowest): "
        + ", ".join(f"{c} {ranks[c]:.2f}" for c in order),
        v,
        f"Pilot 9 is lowest (or tied) on {k9} of {len(t2)} elements; ordering the pilots "
        f"by their mean rank across the elements puts {order[0]} lowest, then {order[1]}.",
    )


def all_claims(tests: pd.DataFrame, alpha: float = 0.05, max_missing: int = 0) -> pd.DataFrame:
    """The survey's printed statements, each recomputed, with verdicts."""
    rows = [
        response_rate(),
        pilot8_most(),
        pilot8_all_five(),
        not_significant(tests, alpha),
        _pooled_claim(
            "turnover_half",
            "workforce_turnover_problem_share",
            "Turnover is a problem in the authority",
            max_missing,
        ),
        _pooled_claim(
            "leaving_one_in_five",
            "workforce_leaving_share",
            "Planning to leave job within 2 years",
            max_missing,
        ),
        leaving_range(),
        table2_rank("highest"),
        table2_rank("lowest"),
    ]
    return pd.DataFrame(rows, columns=COLUMNS).set_index("claim_id")


def design_statement(tests: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """What a one-time survey of four SofS pilots with no comparison group can and cannot show,
    in sentences built from the survey's own numbers."""
    ns = survey.respondents()
    sig = int((tests["p_max"] < alpha).sum())
    sig_holm = int((tests["p_max_holm"] < alpha).sum())
    return [
        f"The survey asked {int(ns.sum())} social workers in {len(ns)} pilots, once, while SofS "
        "was in use. It can show how staff in those pilots felt at that time, and whether the "
        f"pilots differed from each other: on {sig} of {len(tests)} statements they did at "
        f"{alpha:g} ({sig_holm} after correcting for testing five statements).",
        "It cannot show an effect of SofS. With no measurement before SofS and no comparison "
        "group of councils without it, any level of satisfaction or intention to leave could be "
        "the same without SofS; differences between pilots are differences between councils "
        "(size, leadership, labour market, Ofsted history), not doses of SofS.",
        "Respondents chose to answer, so the shares describe respondents, not all social "
        "workers; and 'no significant difference between pilots' is not evidence of no effect, "
        "since every pilot used SofS.",
    ]
