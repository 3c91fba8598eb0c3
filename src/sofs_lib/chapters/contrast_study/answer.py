"""The chapter's answer box: every sentence generated from computed results."""

from __future__ import annotations

import math

import pandas as pd

from sofs_lib.chapters.contrast_study.multiplicity import randomisation_floor
from sofs_lib.chapters.contrast_study.recompute import FEEDBACK


def _p(x: float) -> str:
    return f"{x:.3f}".lstrip("0") if x >= 0.001 else "<.001"


def report_sentence(t6: pd.DataFrame, reach: pd.DataFrame, alpha: float) -> str:
    sig = [r for r in t6.index if t6.loc[r, "p_printed"] < alpha]
    ns = [r for r in t6.index if r not in sig]
    return (
        f"The report found differences between SofS and contrast sites only on "
        f"{len(reach)} family-feedback items (printed p = "
        f"{', '.join(reach['printed_p'])}), and that higher social-worker competence went "
        f"with better engagement on {len(sig)} of {len(t6)} Table 6 scales"
        + (f" (not {', '.join(ns)})" if ns else "")
        + "."
    )


def reproduced_sentences(t6: pd.DataFrame, reach: pd.DataFrame) -> list[str]:
    ok_t = int((t6["t_verdict"] != "inconsistent").sum())
    n = t6.attrs.get("n_common")
    out = [
        f"Table 6: {ok_t} of {len(t6)} t-values follow from coefficient and standard error "
        "within rounding; "
        + (
            f"the printed p-values fit {n[0]}-{n[1]} families answering."
            if n
            else "no single number of families fits every p-value."
        )
    ]
    hits = reach[reach["reachable"]]
    if len(hits):
        out.append(
            "Printed p-values reachable from the printed percentages within the families: "
            + "; ".join(
                f"{r.label} (p = {r.printed_p}) by {r.tables.split('; ')[0]}"
                for r in hits.itertuples()
            )
            + "."
        )
    return out


def not_reproduced_sentences(t6: pd.DataFrame, reach: pd.DataFrame) -> list[str]:
    out = []
    miss = reach[~reach["reachable"]]
    if len(miss):
        out.append(
            "No 2x2 table consistent with the printed percentages and at most "
            f"{miss['full_groups'].iloc[0]} families gives the printed p for "
            + "; ".join(
                f"{r.label} (p = {r.printed_p}; with every family answering p = {r.full_p_min:.3f})"
                for r in miss.itertuples()
            )
            + "."
        )
    bad = t6[t6["p_verdict_all"] == "inconsistent"]
    if len(bad):
        out.append(
            f"With all families ({len(t6)} regressions on 58 df) the printed p of "
            + ", ".join(bad.index)
            + " is not reproduced ("
            + ", ".join(f"{_p(r.p_all_families)} vs {_p(r.p_printed)}" for r in bad.itertuples())
            + ")."
        )
    if not out:
        out.append("Every printed number that the printed inputs determine was reproduced.")
    return out


def new_sentences(corr: pd.DataFrame, floor: float, alpha: float) -> list[str]:
    r = corr.loc["reported and implied"]
    survive = int(r.holm_significant) + int(r.bh_significant)
    out = [
        f"Of {int(r.tests)} SofS-vs-contrast tests the section reports or implies, "
        f"{int(r.significant)} were significant where {r.expected_by_chance:.1f} are expected "
        "by chance; "
        + (
            "none survives Holm or Benjamini-Hochberg correction."
            if survive == 0
            else f"{int(r.holm_significant)} survive Holm and {int(r.bh_significant)} "
            "Benjamini-Hochberg correction."
        )
    ]
    out.append(
        f"With 2 SofS sites of 4, a site-level randomisation test cannot give p below "
        f"{floor:.2f}"
        + (
            f", so the design cannot show a SofS effect at the {alpha:g} level."
            if floor > alpha
            else "."
        )
    )
    return out


def answer_parts(t6, reach, corr, floor, alpha) -> dict:
    return dict(
        report=report_sentence(t6, reach, alpha),
        reproduced=reproduced_sentences(t6, reach),
        not_reproduced=not_reproduced_sentences(t6, reach),
        new=new_sentences(corr, floor, alpha),
    )


def feedback_paragraph(reach: pd.DataFrame, plans: dict) -> str:
    """What the enumeration shows about the four printed family-feedback p-values."""
    miss, hit = reach[~reach["reachable"]], reach[reach["reachable"]]
    parts = []
    if len(miss):
        parts.append(
            "With every family answering, the printed percentages give p = "
            + " and ".join(
                f"{r.full_p_min:.3f} ({r.label}, printed {r.printed_p})" for r in miss.itertuples()
            )
            + "; no smaller number of answers gives the printed p"
            + (
                "; only tables with more answers than families do"
                if (miss["beyond_families"] != "none").any()
                else ""
            )
            + "."
        )
    same = plans["rounds_to"] == plans["hcsff"]
    parts.append(
        f"The {plans['hcsff']:.0f}% of SofS families aware of a plan "
        + ("is exactly" if same else "differs from")
        + f" {plans['k']}/{plans['n']} ({plans['pct']:.1f}%), the share of SofS "
        "families the report says had a safety plan."
    )
    if len(hit):
        parts.append(
            "Reachable only with item non-response: "
            if all(
                r.best[1] + r.best[3]
                < int(r.full_groups.split(" and ")[0]) + int(r.full_groups.split(" and ")[1])
                for r in hit.itertuples()
            )
            else "Reachable: "
        )
        parts[-1] += (
            "; ".join(
                f"{r.label} (p = {r.printed_p}) by {r.tables.split('; ')[0]}"
                for r in hit.itertuples()
            )
            + "."
        )
    return " ".join(parts)


def multiplicity_paragraph(corr: pd.DataFrame, alpha: float) -> str:
    r = corr.loc["reported and implied"]
    holm = f"Holm's correction keeps {int(r.holm_significant)}" + (
        f" (it would keep one with at most {int(r.holm_max_tests)} tests)"
        if r.holm_max_tests
        else " (it would keep none even if these were the only "
        "significant tests and there were no others)"
    )
    bh = f"Benjamini-Hochberg keeps {int(r.bh_significant)}" + (
        f" (one would survive with at most {int(r.bh_max_tests)} tests)" if r.bh_max_tests else ""
    )
    return (
        f"Of {int(r.tests)} comparisons, {int(r.significant)} were significant at {alpha:g}, "
        f"where {r.expected_by_chance:.1f} would be expected by chance alone (chance of "
        f"{int(r.significant)} or more if every null holds: {r.p_at_least_observed:.2f}). "
        f"{holm}; {bh}."
    )


def floor_paragraph(n_sites: int, n_sofs: int, alpha: float) -> str:
    """What a site-level randomisation test can and cannot show with this many sites."""
    n = math.comb(n_sites, n_sofs)
    one, two = randomisation_floor(n_sites, n_sofs, False), randomisation_floor(n_sites, n_sofs)
    verdict = (
        f"Whatever the data, this design cannot show a SofS effect (or rule one out) at "
        f"the {alpha:g} level"
        if one > alpha
        else f"A site-level test could reach the {alpha:g} level only in the most extreme labelling"
    )
    return (
        f"**The design's floor.** Families are nested in {n_sites} teams, and the model was "
        f"chosen by each authority, not assigned. A test that respects this compares sites: "
        f"of the C({n_sites}, {n_sofs}) = {n} ways to label {n_sofs} sites SofS the observed "
        f"is one, so no site-level randomisation test can give p below {one:.3f} one-sided "
        f"or {two:.3f} two-sided. {verdict}; the family-level p-values treat families as "
        "independent, which they are not (the same workers were visited repeatedly in three "
        "of the sites, appendix 5)."
    )


def calibration_sentence(cal: pd.DataFrame, kind: str, reach: pd.DataFrame) -> str:
    """How many printed numbers the extract reproduces, and which it does not (and, for the
    synthetic extract, why)."""
    ok = cal["status"].isin(["exact", "within rounding"])
    miss = cal[~ok]
    head = (
        f"The {kind} extract reproduces {int(ok.sum())} of {len(cal)} printed numbers it "
        "was compared with (exactly or within rounding)."
    )
    if not len(miss):
        return head
    out = (
        head
        + " Not reproduced: "
        + "; ".join(
            f"{r.row} {r.column} ({r.published:g} printed, {r.reproduced:.3g} here)"
            for r in miss.itertuples()
        )
        + "."
    )
    if kind != "synthetic":
        return out
    gone = reach[~reach["reachable"]]
    if len(gone):
        out += (
            " No dataset can give the printed p of "
            + " or ".join(gone["label"])
            + ": no 2x2 table with the printed percentages within the families does."
        )
    other = miss[~miss["row"].isin([f"{FEEDBACK[i][1]}_p" for i in gone.index])]
    regression = (other["table_id"] == "6") | other["row"].str.contains("competence")
    if len(other) and regression.all():
        out += (
            " The others are regression results matched only approximately: a sample of "
            "about 50 families scatters around the slopes it was generated with."
        )
    return out
