"""Ledger records of chapter 03_contrast_study: every Table 5 and Table 6 cell and every quoted
contrast-study number, each with a status."""

from __future__ import annotations

import math

import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.consistency_audit import base as audit
from sofs_lib.chapters.contrast_study.recompute import FEEDBACK, SUBSCALES
from sofs_lib.published import recon
from sofs_lib.synthetic.contrast_families import REMOVED_YAT, REVERSED_WAI, REVERSED_YAT

ARM_COL = {"SofS": "Pilot", "Contrast": "Contrast"}


def _status(v: published.Value, central, lo=None, hi=None) -> str:
    if central is None or (isinstance(central, float) and math.isnan(central)):
        return "not reproducible"
    return audit.STATUS[audit.judge(v, central, lo, hi)]


def table5(led, t5: pd.DataFrame, means: pd.DataFrame, kind: str) -> None:
    """Each Table 5 cell against the extract's arm mean, and the overall score against the
    item-weighted subscale means (derived)."""
    for r in SUBSCALES + ["Overall score"]:
        for arm, col in ARM_COL.items():
            v = published.cell("5", r, col)
            m = means[(means["score"] == r) & (means["arm"] == arm)]
            x = float(m["mean"].iloc[0]) if len(m) and not m["suppressed"].iloc[0] else float("nan")
            led.record(
                "5",
                r,
                col,
                published=v.number,
                reproduced=x,
                kind=kind,
                status=_status(v, x),
                note=f"{kind} extract: mean of family scale scores",
            )
    for col in ("Pilot", "Contrast"):
        v = published.cell("5", "Overall score", col)
        x = float(t5.loc["Overall score", f"{col} (item-weighted)"])
        led.record(
            "5",
            "Overall score",
            f"{col} (from subscales)",
            published=v.number,
            reproduced=x,
            kind="derived",
            status=_status(v, x, x - 0.05, x + 0.05),
            note="item-weighted mean of the printed subscale means (7, 4, 4, 3 items); input rounding allows ±0.05",
        )


def table6(led, t6: pd.DataFrame, reg: pd.DataFrame, kind: str) -> None:
    """t and p of each row from the printed numbers (derived); coefficient and standard error
    against the extract's regression."""
    for r in t6.index:
        x = t6.loc[r]
        v = published.cell("6", r, "t")
        led.record(
            "6",
            r,
            "t",
            published=v.number,
            reproduced=x.t_recomputed,
            kind="derived",
            status=_status(v, x.t_recomputed, x.t_low, x.t_high),
            note=f"coefficient / standard error; rounding allows {x.t_low:.3f} to {x.t_high:.3f}",
        )
        v = published.cell("6", r, "P-value")
        led.record(
            "6",
            r,
            "P-value",
            published=v.number,
            reproduced=x.p_all_families,
            kind="derived",
            status=_status(v, x.p_all_families),
            note=f"two-sided p of the printed t with 58 df (all 60 families); the printed "
            f"(t, p) fit {x.n_min:.0f}-{x.n_max:.0f} families",
        )
        for col, key in (("Coefficient", "coef"), ("Std. error", "se")):
            v = published.cell("6", r, col)
            est = float(reg.loc[r, key]) if r in reg.index else float("nan")
            led.record(
                "6",
                r,
                col,
                published=v.number,
                reproduced=est,
                kind=kind,
                status=_status(v, est),
                note=f"{kind} extract: OLS on competence, n = {int(reg.loc[r, 'n'])}",
            )


def _feedback_table(
    item: str, named: str | None, reach: pd.DataFrame, enum: pd.DataFrame
) -> tuple[list[int], str, float]:
    """The 2x2 table shown for one printed comparison: the best reconstruction (or, when none
    gives the printed p, the first with the full groups), the test and its p-value."""
    best = reach.loc[item]["best"]
    if best is None:  # fall back to the full groups
        e = enum[(enum.item == item) & enum.full_groups & (enum.test == "Fisher two-sided")]
        best = e.iloc[0][["k1", "n1", "k2", "n2"]].astype(int).tolist()
    k1, n1, k2, n2 = best
    e = enum[(enum.item == item) & (enum.k1 == k1) & (enum.n1 == n1) & (enum.k2 == k2) & (enum.n2 == n2)]
    if named:
        test = named
    else:
        test = e.loc[e.hit, "test"].iloc[0] if e.hit.any() else "Fisher two-sided"
    return best, test, float(e.loc[e.test == test, "p"].iloc[0])


def feedback(led, reach: pd.DataFrame, enum: pd.DataFrame, yn: pd.DataFrame, kind: str) -> None:
    """Percentages and p-values of the four printed comparisons: the reconstruction from the
    printed numbers (derived) and the extract (synthetic or real)."""
    for item, (label, stem, named, extra) in FEEDBACK.items():
        r = reach.loc[item]
        (k1, n1, k2, n2), test, pv = _feedback_table(item, named, reach, enum)
        how = f"{k1}/{n1} vs {k2}/{n2}"
        for suffix, k, n in (("sofs", k1, n1), ("contrast", k2, n2)):
            v = published.quote(f"{stem}_{suffix}")
            led.record(
                "text",
                v.column,
                "2x2 reconstruction",
                published=v.number,
                reproduced=100 * k / n,
                kind="derived",
                status=_status(v, 100 * k / n),
                note=f"{label}: {how}",
            )
            x = float(yn.loc[item, f"{suffix}_pct"])
            led.record(
                "text",
                v.column,
                f"{kind} extract",
                published=v.number,
                reproduced=x,
                kind=kind,
                status=_status(v, x),
                note=label,
            )
        v = published.quote(f"{stem}_p")
        led.record(
            "text",
            v.column,
            "2x2 reconstruction",
            published=v.number,
            reproduced=pv,
            kind="derived",
            status=_status(v, pv),
            note=f"{label}: {test} on {how} "
            + (
                "(a table within the families that gives the printed p)"
                if r.reachable
                else f"(all {r.full_groups} families; no table within the families gives the printed p)"
            ),
        )
        x = float(yn.loc[item, "p_fisher"])
        led.record(
            "text",
            v.column,
            f"{kind} extract",
            published=v.number,
            reproduced=x,
            kind=kind,
            status=_status(v, x),
            note=f"{label}: Fisher two-sided",
        )
        for eid in extra:
            v = published.quote(eid)
            x = 50.0 if k2 % 2 == 0 else float("nan")
            led.record(
                "text",
                eid,
                "2x2 reconstruction",
                published=v.number,
                reproduced=x,
                kind="derived",
                status=_status(v, x),
                note=f"half of {k2} contrast families",
            )


def other_quotes(led, rel: pd.DataFrame, wai_reg: pd.DataFrame, agree: pd.DataFrame, kind: str, alpha: float) -> None:
    """Reliabilities, WAI p-values and question numbers against the extract; the remaining
    quoted numbers of the contrast study as inputs (nothing to recompute)."""
    # Long by design: one ledger record per quoted contrast-study number not in Tables 5-6.
    pairs = {
        "contrast_yatchmenoff_alpha": rel.loc["Yatchmenoff", "alpha"],
        "contrast_wai_alpha_social_worker": rel.loc["WAI worker", "alpha"],
        "contrast_wai_alpha_family": rel.loc["WAI family", "alpha"],
        "contrast_wai_competence_sw_p": wai_reg.loc["WAI worker", "p"],
        "contrast_wai_competence_family_p": wai_reg.loc["WAI family", "p"],
    }
    q5 = agree.index[agree["p_linear"] >= alpha].tolist()
    q10 = agree.index[agree["p_kappa"] >= alpha].tolist()
    pairs["contrast_wai_q_not_linear"] = float(q5[0]) if len(q5) == 1 else float("nan")
    pairs["contrast_wai_q_not_kappa"] = float(q10[0]) if len(q10) == 1 else float("nan")
    for qid, x in pairs.items():
        v = published.quote(qid)
        led.record(
            "text",
            qid,
            f"{kind} extract",
            published=v.number,
            reproduced=float(x),
            kind=kind,
            status=_status(v, float(x)),
            note=v.note,
        )
    n1 = int(published.quote("contrast_families_total").number)
    derived = {
        "contrast_families_total": (
            published.quote("contrast_p4_families").number + published.quote("contrast_p9_families").number,
            "14 families in Pilot 4 + 18 in Pilot 9",
        ),
        "contrast_families_safety_plans": (
            float(recon.count_bounds(published.quote("contrast_hcsff_aware_plan_sofs").number, n1)[0]),
            f"the only count out of {n1} that is 88% (HCSFF aware of a plan)",
        ),
        "contrast_ccbc_areas_s3": (
            published.quote("contrast_ccbc_categories_a5").number + 1,
            "appendix 5's 4 categories + the added overall score",
        ),
        "contrast_yatchmenoff_reversed": (float(len(REVERSED_YAT)), "applied in scoring"),
        "contrast_yatchmenoff_removed": (1.0, f"applied in scoring ({REMOVED_YAT})"),
        "contrast_wai_reversed": (float(len(REVERSED_WAI)), "applied in scoring"),
    }
    for qid, (x, note) in derived.items():
        v = published.quote(qid)
        led.record(
            "text",
            qid,
            "derived",
            published=v.number,
            reproduced=float(x),
            kind="derived",
            status=_status(v, float(x)),
            note=note,
        )
    done = (
        set(pairs)
        | set(derived)
        | {f"{stem}_{s}" for _, stem, _, _ in FEEDBACK.values() for s in ("sofs", "contrast", "p")}
    )
    done |= {e for *_, extra in FEEDBACK.values() for e in extra}
    tn = published.text_numbers()
    for qid in tn.loc[tn["id"].str.startswith("contrast_"), "id"]:
        if qid in done:
            continue
        v = published.quote(qid)
        led.record(
            "text",
            qid,
            "input",
            published=v.number,
            reproduced=float("nan"),
            kind="derived",
            status="not reproducible",
            note=f"{v.note}: a design or instrument fact used as given",
        )
