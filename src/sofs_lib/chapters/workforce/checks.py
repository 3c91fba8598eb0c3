"""Consistency checks of the workforce section's numeric statements, in the audit's row format
(:class:`sofs_lib.chapters.consistency_audit.analysis.Check`); registered in
:func:`sofs_lib.chapters.consistency_audit.analysis.run_all`.

They add to the audit's own Table 4 checks: the multiplicity correction and exact tests behind
"not significant", Table 2's rankings of the pilots, appendix 9's "no significant differences"
for the six workforce rows, and footnote 34 (which cannot be checked, and must not be).
"""

from __future__ import annotations

from sofs_lib import published
from sofs_lib.chapters.consistency_audit.base import Check, Entry
from sofs_lib.chapters.workforce import claims, survey

TOPIC = "Workforce"
A9_ROWS = (
    "Number of children in need per children's social worker 2019",
    "Children's social workers – turnover rate (%) 2019",
    "Children's social workers – vacancy rate (%) 2019",
    "Children's social workers – agency worker rate (%) 2019",
    "Children's social workers – sickness absence rate 2019",
    "Caseloads: Number of cases per social worker 2019",
)


def _from_claim(check_id: str, c: dict, inputs: str, assumptions: str) -> Check:
    return Check(
        check_id,
        TOPIC,
        f"'{c['printed']}' ({c['where']})",
        inputs,
        assumptions,
        c["recomputed"],
        c["printed"],
        c["verdict"],
        c["reasoning"],
        [
            Entry(
                "text",
                c["printed"][:60],
                c["where"],
                float("nan"),
                float("nan"),
                c["verdict"],
                c["reasoning"][:200],
            )
        ],
    )


def check_multiplicity(alpha: float = 0.05) -> Check:
    t = survey.statement_tests(0, alpha)
    c = claims.not_significant(t, alpha)
    return _from_claim(
        "wf_table4_multiplicity",
        c,
        f"{published.cite('4')}; respondents from {published.cite('2')}",
        "Counts reconstructed with the least item non-response each cell needs; "
        "Pearson chi-square and exact Freeman-Halton tests over every admissible "
        f"reconstruction; Holm across the five statements; alpha {alpha}.",
    )


def check_table2_rankings() -> list[Check]:
    inputs = published.cite("2")
    return [
        _from_claim(
            "wf_table2_pilot8_highest",
            claims.table2_rank("highest"),
            inputs,
            "Highest printed share per element, ties counted for every tied pilot.",
        ),
        _from_claim(
            "wf_table2_lowest",
            claims.table2_rank("lowest"),
            inputs,
            "'Followed by' read as the next pilot by mean rank across the elements.",
        ),
    ]


def check_a9_no_difference(alpha: float = 0.05) -> Check:
    ps = {(t, r): published.cell(t, r, "P-value") for t in ("A9.3", "A9.4") for r in A9_ROWS}
    low = [(k, v) for k, v in ps.items() if v.number < alpha]
    v = "consistent" if not low else "inconsistent"
    smallest = min(ps.values(), key=lambda x: x.number)
    return Check(
        "wf_a9_no_difference",
        TOPIC,
        "'no significant differences between pilots and SNNs in any of the 3 measures in any "
        "individual year, nor across the years as a whole' (appendix 9, staff wellbeing and "
        "turnover)",
        "Tables A9.3 and A9.4 (appendices, appendix 9), the six workforce rows",
        f"alpha {alpha}; only 2018/19 (A9.3) and the pooled years (A9.4) are printed, not each year.",
        f"smallest printed p {smallest.text} ({smallest.table_id})",
        "no significant differences",
        v,
        f"{len(ps) - len(low)} of {len(ps)} printed p-values are at least {alpha}; the other "
        "individual years are not printed, so 'in any individual year' cannot be checked beyond "
        "2018/19.",
        [
            Entry(
                k[0],
                k[1],
                "P-value",
                x.number,
                x.number,
                "consistent" if x.number >= alpha else "inconsistent",
                f"printed p {x.text} against alpha {alpha}",
            )
            for k, x in ps.items()
        ],
    )


def check_footnote34() -> Check:
    fr, to = (
        published.quote("workforce_p2_vacancy_from"),
        published.quote("workforce_p2_vacancy_to"),
    )
    n = published.quote("workforce_p2_agency_sw")
    return Check(
        "wf_footnote34",
        TOPIC,
        f"'Pilot 2 reduced vacancies from {fr.text}% to {to.text}% by employing {n.text} agency "
        "social workers' (section 3, footnote 34)",
        "text workforce_p2_vacancy_from/to, workforce_p2_agency_sw",
        "None possible: the report publishes no per-pilot workforce data.",
        "not recomputed",
        f"{fr.text}% to {to.text}%, {n.text} agency workers",
        "cannot check",
        "Checking it would mean matching 'Pilot 2' to a named council's public vacancy figures, "
        "which this book does not do (the report anonymises its pilots).",
    )


def run(alpha: float = 0.05) -> list[Check]:
    """Every workforce check, in the order the audit shows them."""
    return [
        check_multiplicity(alpha),
        *check_table2_rankings(),
        check_a9_no_difference(alpha),
        check_footnote34(),
    ]
