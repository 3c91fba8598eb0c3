"""The chapter's answer box: every sentence generated from computed results."""

from __future__ import annotations

import pandas as pd


def _p(x: float) -> str:
    return f"{x:.3f}".lstrip("0") if x >= 0.001 else "<.001"


def report_sentence(t6: pd.DataFrame, reach: pd.DataFrame, alpha: float) -> str:
    sig = [r for r in t6.index if t6.loc[r, "p_printed"] < alpha]
    ns = [r for r in t6.index if r not in sig]
    return (f"The report found differences between SofS and contrast sites only on "
            f"{len(reach)} family-feedback items (printed p = "
            f"{', '.join(reach['printed_p'])}), and that higher social-worker competence went "
            f"with better engagement on {len(sig)} of {len(t6)} Table 6 scales"
            + (f" (not {', '.join(ns)})" if ns else "") + ".")


def reproduced_sentences(t6: pd.DataFrame, reach: pd.DataFrame) -> list[str]:
    ok_t = int((t6["t_verdict"] != "inconsistent").sum())
    n = t6.attrs.get("n_common")
    out = [f"Table 6: {ok_t} of {len(t6)} t-values follow from coefficient and standard error "
           "within rounding; " + (f"the printed p-values fit {n[0]}-{n[1]} families answering."
                                  if n else "no single number of families fits every p-value.")]
    hits = reach[reach["reachable"]]
    if len(hits):
        out.append("Printed p-values reachable from the printed percentages within the families: "
                   + "; ".join(f"{r.label} (p = {r.printed_p}) by {r.tables.split('; ')[0]}"
                               for r in hits.itertuples()) + ".")
    return out


def not_reproduced_sentences(t6: pd.DataFrame, reach: pd.DataFrame) -> list[str]:
    out = []
    miss = reach[~reach["reachable"]]
    if len(miss):
        out.append("No 2x2 table consistent with the printed percentages and at most "
                   f"{miss['full_groups'].iloc[0]} families gives the printed p for "
                   + "; ".join(f"{r.label} (p = {r.printed_p}; with every family answering "
                               f"p = {r.full_p_min:.3f})" for r in miss.itertuples()) + ".")
    bad = t6[t6["p_verdict_all"] == "inconsistent"]
    if len(bad):
        out.append(f"With all families ({len(t6)} regressions on 58 df) the printed p of "
                   + ", ".join(bad.index) + " is not reproduced ("
                   + ", ".join(f"{_p(r.p_all_families)} vs {_p(r.p_printed)}"
                               for r in bad.itertuples()) + ").")
    if not out:
        out.append("Every printed number that the printed inputs determine was reproduced.")
    return out


def new_sentences(corr: pd.DataFrame, floor: float, alpha: float) -> list[str]:
    r = corr.loc["reported and implied"]
    survive = int(r.holm_significant) + int(r.bh_significant)
    out = [f"Of {int(r.tests)} SofS-vs-contrast tests the section reports or implies, "
           f"{int(r.significant)} were significant where {r.expected_by_chance:.1f} are expected "
           "by chance; " + ("none survives Holm or Benjamini-Hochberg correction."
                            if survive == 0 else
                            f"{int(r.holm_significant)} survive Holm and {int(r.bh_significant)} "
                            "Benjamini-Hochberg correction.")]
    out.append(f"With 2 SofS sites of 4, a site-level randomisation test cannot give p below "
               f"{floor:.2f}" + (f", so the design cannot show a SofS effect at the {alpha:g} "
                                 "level." if floor > alpha else "."))
    return out


def answer_parts(t6, reach, corr, floor, alpha) -> dict:
    return dict(report=report_sentence(t6, reach, alpha),
                reproduced=reproduced_sentences(t6, reach),
                not_reproduced=not_reproduced_sentences(t6, reach),
                new=new_sentences(corr, floor, alpha))
