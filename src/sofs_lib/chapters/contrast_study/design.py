"""The contrast study's design as the report describes it, and where its descriptions disagree.

Dates and descriptions are the report's words (section 2 "Evaluation methods" and appendix 5);
family and worker numbers are read through :mod:`sofs_lib.published`.
"""

from __future__ import annotations

import pandas as pd

from sofs_lib import published

#: Wave windows as section 2 dates them (first and last month).
WAVES = {"T1": ("2018-06", "2018-07"), "T2": ("2019-03", "2019-05"), "T3": ("2019-10", "2020-02")}
#: The late SofS site's fieldwork (appendix 5): "between August 2019 and February 2020".
LATE_SITE_FIELDWORK = ("2019-08", "2020-02")


def sites() -> pd.DataFrame:
    """One row per site: arm, practice model, waves, families and social workers."""
    q = published.quote
    n_all = int(q("contrast_families_n").number)
    n_sofs = int(q("contrast_families_total").number)
    rows = [
        (
            "Pilot 9",
            "SofS",
            "Signs of Safety (deep-dive pilot)",
            "T1, T2, T3",
            int(q("contrast_p9_families").number),
            int(q("contrast_p9_social_workers").number),
        ),
        (
            "Pilot 4",
            "SofS",
            "Signs of Safety (not a deep-dive pilot; joined summer 2019 in place of Pilot 7)",
            "T2, T3 (fieldwork Aug 2019-Feb 2020)",
            int(q("contrast_p4_families").number),
            int(q("contrast_p4_social_workers").number),
        ),
        (
            "Contrast site 1 (Site 2)",
            "Contrast",
            "motivational interviewing and multi-disciplinary "
            "teams (domestic abuse, mental health, substance misuse specialists)",
            "T1, T2, T3",
            None,
            None,
        ),
        ("Contrast site 2 (Site 3)", "Contrast", "restorative practice", "T1, T2, T3", None, None),
    ]
    df = pd.DataFrame(
        rows, columns=["site", "arm", "practice model", "waves", "families", "social workers"]
    ).set_index("site")
    df.attrs["contrast_families"] = n_all - n_sofs
    return df


INSTRUMENTS = pd.DataFrame(
    [
        (
            "Organisational Social Context (OSC)",
            "front-line staff (team)",
            "all 4 sites",
            "T1, T2 reported",
        ),
        (
            "Competence checklist (CCBC)",
            "the evaluator, observing a visit",
            "all 4 sites",
            "each visit",
        ),
        ("Yatchmenoff client engagement", "families", "all 4 sites", "after the visit"),
        (
            "Working Alliance Inventory, short form",
            "social workers and families",
            "all 4 sites",
            "after the visit",
        ),
        ("HCSFF family feedback", "families", "all 4 sites", "after the visit"),
        ("Family Chart (Round 1)", "families", "all 4 sites", "after the visit"),
        (
            "Family Feedback Scaling Chart; Practice Elements of SofS Chart",
            "families",
            "listed in appendix 5",
            "no results reported",
        ),
        ("Survey of attached social workers (SofS use)", "social workers", "2 SofS sites", "once"),
    ],
    columns=["instrument", "completed by", "where", "when"],
).set_index("instrument")


def _months(a: str, b: str) -> int:
    ya, ma = map(int, a.split("-"))
    yb, mb = map(int, b.split("-"))
    return 12 * (yb - ya) + mb - ma


def disagreements(n_fit: tuple[int, int]) -> pd.DataFrame:
    """Where the report's own descriptions disagree, both readings and the one used here.
    ``n_fit``: the family numbers Table 6's printed p-values allow (:func:`recompute.table6`)."""
    q = published.quote
    gap12 = _months(WAVES["T1"][0], WAVES["T2"][0])
    gap23 = _months(WAVES["T2"][0], WAVES["T3"][0])
    late_in_t2 = LATE_SITE_FIELDWORK[0] <= WAVES["T2"][1]
    rows = [
        (
            "Competence checklist categories",
            f"section 3: {int(q('contrast_ccbc_areas_s3').number)} areas (interviewing skills; "
            "cultural "
            "competence; knowledge and intervention strategies; evaluation; meta competence)",
            f"appendix 5: {int(q('contrast_ccbc_categories_a5').number)} categories (interviewing "
            "skills; cultural empathy; assessment and intervention strategies; comprehensive "
            "evaluation) plus an added 'overall score'",
            "five items: the four categories and the overall score; 'overall clinical and "
            "professional competence' (Tables 6, WAI regressions) is the overall score",
        ),
        (
            "When the late SofS site was seen",
            "section 2: its visits 'were concentrated into T2 and T3'",
            f"appendix 5: fieldwork August 2019 to February 2020, i.e. after the T2 window "
            f"({WAVES['T2'][0]} to {WAVES['T2'][1]})"
            if not late_in_t2
            else "appendix 5: dates inside T2",
            "the appendix's dates; its first visits are labelled T2 though they fall between the "
            "other sites' T2 and T3",
        ),
        (
            "Spacing of the waves",
            "appendix 5: 'approximately 6-month intervals'",
            f"section 2's dates: T1 to T2 starts {gap12} months apart, T2 to T3 {gap23} months",
            "section 2's dates",
        ),
        (
            "OSC at T1 for both SofS sites",
            "section 3: 'Sites 1, 2 and 4 had very similar culture profiles at T1' and SofS "
            "engagement was lower 'at Time 1'",
            "appendix 5: one SofS pilot entered only in summer 2019, so it had no T1",
            "the OSC narrative as printed (it is the only OSC evidence); the T1 scores of one SofS "
            "site cannot be from the team later observed",
        ),
        (
            "Numbering of the sites",
            "Sites 1-4 (SofS: Sites 1 and 4; Site 3 'the restorative practice site')",
            "'Contrast site 1' and 'Contrast site 2 where restorative practice was used'",
            "Contrast site 2 = Site 3, so Contrast site 1 = Site 2; which of Sites 1 and 4 is "
            "Pilot 4 is not stated",
        ),
        (
            "Families in the study",
            f"{int(q('contrast_families_n').number)} families across the four sites (increased "
            f"from {int(q('contrast_families_planned').number)})",
            f"Table 6's printed p-values fit {n_fit[0]} to {n_fit[1]} families, not "
            f"{int(q('contrast_families_n').number)} (see below)",
            "60 families observed; fewer answered the Yatchmenoff scale",
        ),
    ]
    return pd.DataFrame(
        rows, columns=["topic", "one description", "another", "reading used"]
    ).set_index("topic")
