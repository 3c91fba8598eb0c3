"""The answer box of the implementation chapter, generated from the chapter's results.

:func:`answer_parts` takes the frames the chapter computes (Table 2's tests, the checks of the
text against Tables 3 and A8.1, the synthetic profiles' statement checks)
and returns the four parts of :func:`sofs_lib.display.provenance.answer`. Each sentence is built from
those numbers by one small function, tested with counter-examples.
"""

from __future__ import annotations

import pandas as pd

from sofs_lib.display.sentences import join_names, plural, share

#: Table 2's rows that are elements (the others are respondent counts).
NOT_ELEMENTS = ("Number", "% of social workers in the pilot")


def survey_extremes(t2: pd.DataFrame) -> str:
    """Which pilot's staff report the highest and lowest mean use of the elements in Table 2
    (rows = elements and respondent rows, columns = pilots)."""
    el = t2.drop(index=[r for r in NOT_ELEMENTS if r in t2.index])
    means = el.mean()
    hi, lo = means.idxmax(), means.idxmin()
    return (
        f"In the staff survey (Table 2), social workers in {hi} report the highest average "
        f"use of the {len(el)} Signs of Safety elements ({means[hi]:.0f}%) and those in {lo} "
        f"the lowest ({means[lo]:.0f}%); the report tests no difference between pilots."
    )


def ofsted_report(oc: pd.DataFrame) -> str:
    """The report's reading of Table 3, from the published values of its statements."""
    good = oc.set_index("id")["published"]
    return (
        f"From Ofsted judgements (Table 3) the report finds {good['ofsted_help_good_or_outstanding']:.0f} "
        f"pilots good or outstanding for children who need help and protection at "
        f"the end of Round 2, and writes that {good['ofsted_improved']:.0f} pilots improved."
    )


def element_differences(tests: pd.DataFrame) -> str:
    """What the tests of Table 2 find (``verdict``, ``verdict_holm`` columns, index = elements)."""
    sig = tests.index[tests["verdict"] == "differs between pilots"].tolist()
    holm = tests.index[tests["verdict_holm"] == "differs"].tolist()
    if not sig:
        return (
            f"Tested on counts reconstructed from Table 2, use of none of the {len(tests)} "
            "elements differs significantly between pilots under every reconstruction."
        )
    return (
        f"Tested on counts reconstructed from Table 2, use of {share(len(sig), len(tests))} "
        f"elements differs significantly between pilots under every reconstruction "
        f"({join_names(sig)}); {len(holm)} remain{'s' if len(holm) == 1 else ''} after "
        "Holm's correction for testing eight elements."
    )


def agreement(frame: pd.DataFrame, ok: pd.Series, what: str) -> str:
    """``"k of n <what> agree ..."`` for a boolean series ``ok`` over ``frame``'s rows."""
    k, n = int(ok.sum()), len(frame)
    verb = "agrees" if k == 1 else "agree"
    return f"{share(k, n)} {what} {verb} with the published table (exactly or within rounding)."


def disagreements(claims: pd.DataFrame, oc: pd.DataFrame) -> list[str]:
    """One sentence per statement of the text the tables do not support."""
    out = [
        f"'{r.claim}': the report says {r.published}; Table A8.1 gives {r.reproduced}."
        for r in claims[claims["status"] == "differs"].itertuples()
    ]
    out += [
        f"{r.statement}: the report gives {r.published:.0f}; the table supports {r.reproduced:.0f} ({r.basis})."
        for r in oc[~oc["agrees"].astype(bool)].itertuples()
    ]
    return out


def profiles_sentence(checks: pd.DataFrame) -> str:
    """The Appendix 7 profiles cannot be reproduced: their scores are not published."""
    k = int(checks["holds"].astype(bool).sum())
    return (
        f"Appendix 7's self-profiling T-scores are not published, only their narrative: the "
        f"chapter re-creates them from synthetic responses, on which {share(k, len(checks))} "
        "narrative statements hold by construction (a demonstration of the method, not "
        "evidence about any pilot)."
    )


def answer_parts(
    t2: pd.DataFrame, tests: pd.DataFrame, oc: pd.DataFrame, claims: pd.DataFrame, checks: pd.DataFrame
) -> dict:
    """The four parts of the chapter's answer box (kind: derived)."""
    not_rep = disagreements(claims, oc) + [profiles_sentence(checks)]
    return dict(
        report=[
            survey_extremes(t2),
            ofsted_report(oc),
            f"From the focus groups (Table A8.1) it draws {plural(len(claims), 'statement')} "
            "about which aspects of implementation were strongest, weakest and most improved.",
        ],
        reproduced=[
            agreement(claims, claims["status"] != "differs", "statements section 3 draws from Table A8.1"),
            agreement(oc, oc["agrees"].astype(bool), "statements about Table 3"),
        ],
        not_reproduced=not_rep,
        new=[element_differences(tests)],
        kind="derived",
    )
