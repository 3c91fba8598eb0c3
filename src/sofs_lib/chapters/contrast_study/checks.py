"""Consistency checks of the contrast study for the audit appendix (rows in the format of
:class:`sofs_lib.chapters.consistency_audit.base.Check`), registered in
:func:`sofs_lib.chapters.consistency_audit.analysis.run_all`.

The audit's own contrast checks (``table6_t_p``, ``table6_claim``, ``table5_*``,
``contrast_aware_plan`` ... ``contrast_chart_goals``) stay where they are; these add what the
chapter establishes beyond them.
"""

from __future__ import annotations

from sofs_lib import published
from sofs_lib.chapters.consistency_audit import base as a
from sofs_lib.chapters.contrast_study import design, recompute

MAX_N = 60


def check_table6_n_per_model() -> list:
    t6 = recompute.table6()
    n_all = int(published.quote("contrast_families_n").number)
    common = t6.attrs["n_common"]
    rng = "; ".join(f"{r} {x.n_min:.0f}-{x.n_max:.0f}" for r, x in t6.iterrows())
    v = (
        "consistent within rounding"
        if common and not (common[0] <= n_all <= common[1])
        else ("consistent" if common else "inconsistent")
    )
    entries = [
        a.Entry(
            "6",
            r,
            "P-value",
            x.p_printed,
            x.p_all_families,
            a.judge(published.cell("6", r, "P-value"), x.p_all_families),
            f"p of the printed t with {n_all - 2} df; fits {x.n_min:.0f}-{x.n_max:.0f} families",
        )
        for r, x in t6.iterrows()
    ]
    return [
        a.Check(
            "contrast_table6_n_per_model",
            "Contrast study",
            "Table 6: families in each regression implied by its printed t and p",
            f"{published.cite('6')}; text contrast_families_n",
            "Simple regression: residual df = families - 2; printed t and p stand for their "
            "rounding "
            "intervals; two-sided p.",
            f"families per model: {rng}; common to all: "
            + (f"{common[0]}-{common[1]}" if common else "none"),
            f"{n_all} families in the study",
            v,
            (
                f"Each model's (t, p) pair allows a range of sample sizes; all five agree only for "
                f"{common[0]}-{common[1]} families, so the regressions used fewer than the {n_all} "
                "families (item non-response is not reported)."
                if common
                else "No single number of families fits all five models."
            ),
            entries,
        )
    ]


def check_feedback_beyond_families() -> list:
    enum = recompute.enumeration(MAX_N)
    reach = recompute.reachability(enum)
    out = []
    for item, r in reach.iterrows():
        v = "consistent" if r.reachable else "inconsistent"
        out.append(
            a.Check(
                f"contrast_{item}_tables",
                "Contrast study",
                f"{r.label}: which 2x2 tables give p = {r.printed_p}",
                f"text contrast_* percentages and p-values ({item}); contrast_families_total, "
                "contrast_families_n",
                f"Every count pair whose percentages round to the printed ones, each group from 2 "
                f"to "
                f"{MAX_N}; test: {r.test}. Within the families: at most {r.full_groups}.",
                f"{r.tables_within_families} tables within the families; reachable by: {r.tables}",
                f"p = {r.printed_p}",
                v,
                (
                    f"Reachable within the families by {r.tables.split('; ')[0]}, i.e. with item "
                    "non-response."
                    if r.reachable
                    else "No table within the families gives it; only tables with more answers "
                    "than "
                    f"there are families do ({r.beyond_families}), which one answer per family "
                    "rules "
                    "out."
                    if r.beyond_families != "none"
                    else f"No table up to {MAX_N} per group gives it."
                ),
            )
        )
    return out


def check_design() -> list:
    d = design.disagreements((0, 0))
    w, late = design.WAVES, design.LATE_SITE_FIELDWORK
    in_t2 = w["T2"][0] <= late[0] <= w["T2"][1]
    gaps = [design._months(w["T1"][0], w["T2"][0]), design._months(w["T2"][0], w["T3"][0])]
    return [
        a.Check(
            "contrast_late_site_timing",
            "Contrast study",
            "The late SofS site 'concentrated into T2 and T3' vs its fieldwork dates",
            "section 2 (Evaluation methods; Methods), appendix 5",
            "T2 is the window section 2 dates (March-May 2019).",
            f"fieldwork starts {late[0]}; T2 window {w['T2'][0]} to {w['T2'][1]}",
            "visits in T2 and T3",
            "consistent" if in_t2 else "inconsistent",
            d.loc["When the late SofS site was seen", "reading used"],
        ),
        a.Check(
            "contrast_wave_spacing",
            "Contrast study",
            "'approximately 6-month intervals' between waves",
            "appendix 5; section 2 (Evaluation methods)",
            "Interval = months between the first months of successive windows; 'about 6' "
            "allows 5 to 7.",
            f"{gaps[0]} and {gaps[1]} months",
            "about 6 months",
            "consistent" if all(5 <= g <= 7 for g in gaps) else "inconsistent",
            f"Section 2's dates put T1 and T2 {gaps[0]} months apart and T2 and T3 {gaps[1]}.",
        ),
    ]


def check_records() -> list:
    sp = recompute.safety_plans_vs_hcsff()
    cr = recompute.case_record_counts()
    bad = cr[~cr["exact"]]
    v1 = "consistent" if sp["rounds_to"] == sp["hcsff"] else "inconsistent"
    return [
        a.Check(
            "contrast_plans_vs_hcsff",
            "Contrast study",
            "SofS families with safety plans (28 of 32) vs HCSFF 'aware of a plan' (88%)",
            "text contrast_families_safety_plans, contrast_families_total, "
            "contrast_hcsff_aware_plan_sofs",
            "Both are shares of the 32 SofS families.",
            f"{sp['k']}/{sp['n']} = {sp['pct']:.1f}%",
            f"{sp['hcsff']:.0f}%",
            v1,
            "The HCSFF percentage is exactly the share of SofS families with a safety plan, "
            "which fits every SofS family answering that item.",
        ),
        a.Check(
            "contrast_p9_case_fractions",
            "Contrast study",
            "Pilot 9 case-record fractions (two-thirds, three-quarters, half) of 10 records",
            "text case_p9_family_mapping (1 of the 10)",
            "Each fraction is of all 10 Pilot 9 records.",
            "; ".join(
                f"{i}: {r.fraction_times_n:.2f} records -> {r.counts}" for i, r in cr.iterrows()
            ),
            ", ".join(cr["phrase"]),
            "inconsistent" if len(bad) else "consistent",
            (
                "No whole number of the 10 records is "
                + " or ".join(bad["phrase"])
                + ": the words are approximate (nearest counts shown) or use another "
                "denominator."
                if len(bad)
                else "Every fraction is a whole count."
            ),
        ),
    ]


def run_checks() -> list:
    """All the chapter's audit checks."""
    return (
        check_table6_n_per_model()
        + check_feedback_beyond_families()
        + check_design()
        + check_records()
    )
