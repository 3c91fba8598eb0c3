"""Checks of Table 4 (the staff survey) and the workforce section's statements."""

from __future__ import annotations

import pandas as pd
from scipy import stats

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit.base import (
    ALPHA,
    MAX_ITEM_NONRESPONSE,
    Check,
    Entry,
    _q,
    _slug,
    fmt_p,
)
from sofs_lib.chapters.workforce import survey


# ---------------------------------------------------------------------------- Table 4 (workforce)
def _table4_ns() -> pd.Series:
    return pub.wide("2").loc["Number"]


def table4_tests(alpha: float = ALPHA, max_missing: int = MAX_ITEM_NONRESPONSE) -> pd.DataFrame:
    """Chi-square test (4 pilots x agree/not) of each Table 4 statement on counts reconstructed
    from the percentages, with Table 2's respondents as group sizes. Where no count fits for
    ``max_missing`` non-responses, the allowance is raised until one does (reported).

    The tests are the workforce chapter's (:func:`sofs_lib.chapters.workforce.survey.statement_tests`,
    chi-square only), in the audit's columns, with the share of respondents below which the
    central chi-square would no longer be significant (``n_share_for_ns``)."""
    t = survey.statement_tests(max_missing, alpha, max_combinations=200_000, exact=False, assumed=True)
    crit = stats.chi2.ppf(1 - alpha, t["dof"].astype(float))
    out = pd.DataFrame(
        {
            "chi2": t["chi2"],
            "p": t["p"],
            "chi2_min": t["chi2_min"],
            "chi2_max": t["chi2_max"],
            "p_min": t["p_min"],
            "p_max": t["p_max"],
            "reconstructions": t["reconstructions"],
            "max_missing": t["allowance"],
            "nonresponse_assumed": [", ".join(g) for g in t["nonresponse_assumed"]],
            "n_share_for_ns": [min(1.0, c / x) if x > 0 else 1.0 for c, x in zip(crit, t["chi2"])],
        },
        index=t.index,
    )
    return out


def _table4_verdict(r, alpha: float, max_missing: int) -> tuple[str, str]:
    """The verdict on one statement's 'not significant' and the reason, from its p range."""
    if r.p_min > alpha:
        v = "consistent"
        why = f"every reconstruction gives p > {alpha} (p {r.p_min:.3f}–{r.p_max:.3f})"
    elif r.p_max <= alpha:
        v = "inconsistent"
        why = (
            f"no reconstruction gives a non-significant result: p {fmt_p(r.p_min)}–{fmt_p(r.p_max)}. "
            f"The difference would be non-significant only if fewer than "
            f"{100 * r.n_share_for_ns:.0f}% of Table 2's respondents answered the item"
        )
    else:
        v = "consistent within rounding"
        why = f"some reconstructions are significant, some not (p {r.p_min:.3f}–{r.p_max:.3f}; central {r.p:.3f})"
    extra = (
        f"; no count fits Pilot percentages with up to {max_missing} non-responses, so up to "
        f"{int(r.max_missing)} were allowed"
        if r.max_missing > max_missing
        else ""
    )
    return v, why[0].upper() + why[1:] + extra + "."


def _table4_statement_check(stmt: str, r, ns: pd.Series, alpha: float, max_missing: int) -> Check:
    v, why = _table4_verdict(r, alpha, max_missing)
    return Check(
        f"table4_{_slug(stmt)}",
        "Workforce",
        f"Table 4 'not significant': {stmt}",
        f"{pub.cite('4')}; respondents from {pub.cite('2')} (row 'Number')",
        f"Respondents per pilot = Table 2's 'Number' ({', '.join(f'{int(v)}' for v in ns)}), "
        f"up to {int(r.max_missing)} skipping the item; Pearson chi-square, 3 df; alpha {alpha}.",
        f"chi2 {r.chi2_min:.2f}–{r.chi2_max:.2f}, p {fmt_p(r.p_min)}–{fmt_p(r.p_max)} "
        f"({int(r.reconstructions)} reconstructions)",
        "differences not significant (section 3)",
        v,
        why,
        [
            Entry(
                "4",
                stmt,
                "chi-square p (all pilots)",
                alpha,
                r.p,
                v,
                f"published: 'not significant' (p > {alpha}); recomputed p range {r.p_min:.4f}–{r.p_max:.4f}",
            )
        ],
    )


def _pilot8_best_check() -> Check:
    """Pilot 8 'best on most measures' (section 3) and on all five areas (section 5)."""
    t4 = pub.wide("4")
    better_low = {
        "Expected to fulfil too many roles",
        "Planning to leave job within 2 years",
        "Turnover is a problem in the authority",
    }
    best = {}
    for s in t4.index:
        row = t4.loc[s]
        target = row.min() if s in better_low else row.max()
        best[s] = [c for c in row.index if row[c] == target]
    p8 = [s for s, b in best.items() if "Pilot 8" in b]
    not8 = {s: b for s, b in best.items() if "Pilot 8" not in b}
    return Check(
        "table4_pilot8_best",
        "Workforce",
        "'On most of these measures Pilot 8 emerged with the best "
        "outcomes' (section 3) / best on all five areas (section 5)",
        pub.cite("4"),
        "Lower is better for too many roles, planning to leave and turnover; higher for the others.",
        f"Pilot 8 best (or tied) on {len(p8)} of {len(best)}",
        "section 3: most measures; section 5 lists all five areas",
        "consistent within rounding" if not not8 else "inconsistent",
        f"Pilot 8 is best or tied best on {len(p8)} of {len(best)} measures, which supports section 3's "
        f"'most'. It is not best on "
        + "; ".join(
            f"'{s}' (best: {', '.join(b)}, {t4.loc[s, b[0]]:.0f}% vs Pilot 8 {t4.loc[s, 'Pilot 8']:.0f}%)"
            for s, b in not8.items()
        )
        + ", so section 5's list, which names job satisfaction, overstates it.",
        [
            Entry(
                "4",
                s,
                "best pilot",
                float("nan"),
                float("nan"),
                "inconsistent",
                f"section 5 names Pilot 8 best; best is {', '.join(b)}",
            )
            for s, b in not8.items()
        ],
    )


def check_table4(alpha: float = ALPHA, max_missing: int = MAX_ITEM_NONRESPONSE) -> list[Check]:
    """One check per Table 4 statement ('not significant') and one of Pilot 8 being best."""
    tests = table4_tests(alpha, max_missing)
    ns = _table4_ns()
    out = [_table4_statement_check(stmt, r, ns, alpha, max_missing) for stmt, r in tests.iterrows()]
    return out + [_pilot8_best_check()]


def _pooled(stmt: str) -> tuple[float, float, float]:
    t4 = pub.wide("4")
    ns = _table4_ns()[t4.columns]
    pct = t4.loc[stmt]
    pooled = float((pct * ns).sum() / ns.sum())
    return pooled, float(pct.min()), float(pct.max())


WORD_SHARES = {"half": 50.0, "1 in 5": 20.0}


def _response_rate_check() -> Check:
    """'responses were received from between 44 and 52 per cent of social workers' against
    Table 2's last row."""
    lo, hi = _q("survey_response_low"), _q("survey_response_high")
    t2 = pub.wide("2")
    share = t2.loc["% of social workers in the pilot"]
    v = "consistent" if share.min() >= lo.number and share.max() <= hi.number else "inconsistent"
    return Check(
        "workforce_response_rate",
        "Workforce",
        f"'responses were received from between {lo.text} and {hi.text} per cent of social workers' (section 3)",
        f"text survey_response_low/high; {pub.cite('2')} (last row)",
        "Both describe the same survey's respondents as a share of the pilot's social workers.",
        f"Table 2: {share.min():.0f}%–{share.max():.0f}% ({', '.join(f'{c} {share[c]:.0f}%' for c in share.index)})",
        f"{lo.text}%–{hi.text}%",
        v,
        "Table 2's last row puts respondents at 21% to 82% of each pilot's social workers, not "
        "44% to 52%. The two must use "
        "different denominators (Table 2 uses the DfE workforce headcount, footnote 21); the text "
        "does not say which it uses."
        if v == "inconsistent"
        else "Within the stated range.",
        [
            Entry(
                "2",
                "% of social workers in the pilot",
                c,
                hi.number if share[c] > hi.number else lo.number,
                share[c],
                "inconsistent" if not (lo.number <= share[c] <= hi.number) else "consistent",
                "text range 44–52% vs Table 2",
            )
            for c in share.index
        ],
    )


def _pooled_share_check(qid: str, stmt: str) -> Check:
    """'Around half' / 'around 1 in 5' against a Table 4 statement pooled over the pilots."""
    q = _q(qid)
    target = WORD_SHARES[q.text]
    pooled, mn, mx = _pooled(stmt)
    v = (
        "consistent"
        if abs(pooled - target) <= 2.5
        else ("consistent within rounding" if mn <= target <= mx else "inconsistent")
    )
    return Check(
        qid,
        "Workforce",
        f"'Around {q.text}' ({q.row}) against Table 4: {stmt}",
        f"text {qid}; {pub.cite('4')}; respondents from {pub.cite('2')}",
        f"'{q.text}' read as {target:.0f}%; pooled over pilots weighting by respondents.",
        f"pooled {pooled:.1f}% (pilots {mn:.0f}%–{mx:.0f}%)",
        f"around {q.text} ({target:.0f}%)",
        v,
        f"The pooled share is {pooled:.1f}%"
        + (
            ", which is 'around " + q.text + "'."
            if v == "consistent"
            else f": closer to 1 in {round(100 / pooled)} than to '{q.text}', though the pilots range "
            f"{mn:.0f}%–{mx:.0f}% and the phrase is loose."
        ),
        [Entry("4", stmt, "pooled (text)", target, pooled, v, f"'{q.text}'")],
    )


def _leaving_range_check() -> Check:
    """'between 14 per cent and 23 per cent were personally planning on leaving' (section 4)."""
    mn_q, mx_q = _q("workforce_leaving_min"), _q("workforce_leaving_max")
    _, mn, mx = _pooled("Planning to leave job within 2 years")
    v = "consistent" if (mn, mx) == (mn_q.number, mx_q.number) else "inconsistent"
    return Check(
        "workforce_leaving_range",
        "Workforce",
        f"'between {mn_q.text} per cent and {mx_q.text} per cent were personally planning on leaving' (section 4)",
        f"text workforce_leaving_min/max; {pub.cite('4')}",
        "",
        f"{mn:.0f}%–{mx:.0f}%",
        f"{mn_q.text}%–{mx_q.text}%",
        v,
        "The range is Table 4's lowest and highest pilot.",
        [
            Entry("4", "Planning to leave job within 2 years", "min", mn_q.number, mn, v),
            Entry("4", "Planning to leave job within 2 years", "max", mx_q.number, mx, v),
        ],
    )


def check_workforce_text() -> list[Check]:
    """The workforce section's numeric statements about the survey: response rate, 'around
    half' and 'around 1 in 5', and the 14-23 per cent range."""
    return [
        _response_rate_check(),
        _pooled_share_check("workforce_turnover_problem_share", "Turnover is a problem in the authority"),
        _pooled_share_check("workforce_leaving_share", "Planning to leave job within 2 years"),
        _leaving_range_check(),
    ]
