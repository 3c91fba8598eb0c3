"""Checks of the contrast study's 2x2 family-feedback tests."""

from __future__ import annotations

import itertools
import math
from functools import cache

import pandas as pd
from scipy import stats

from sofs_lib.chapters.consistency_audit.base import Check, Entry, _q, interval
from sofs_lib.published import recon


# ---------------------------------------------------------------------------- contrast study 2x2 tests
def _options(p: float, n: int) -> list[int]:
    try:
        lo, hi = recon.count_bounds(p, n)
    except recon.ReconstructionError:
        return []
    return list(range(lo, hi + 1))


def two_by_two_p(k1: int, n1: int, k2: int, n2: int) -> dict[str, float]:
    """p-values of a 2x2 comparison by the usual tests."""
    t = [[k1, n1 - k1], [k2, n2 - k2]]
    out = {
        "Fisher two-sided": float(stats.fisher_exact(t).pvalue),
        "Fisher one-sided": float(
            min(
                stats.fisher_exact(t, alternative="greater").pvalue,
                stats.fisher_exact(t, alternative="less").pvalue,
            )
        ),
    }
    if min(k1 + k2, n1 + n2 - k1 - k2) > 0:
        out["Pearson chi-square"] = float(stats.chi2_contingency(t, correction=False).pvalue)
        out["Yates chi-square"] = float(stats.chi2_contingency(t, correction=True).pvalue)
    return out


@cache
def search_group_sizes(
    p1: float, p2: float, n1_max: int, n2_max: int, extra: tuple[tuple[float, int], ...] = ()
) -> pd.DataFrame:
    """Every (n1, n2, k1, k2) with n1 <= n1_max, n2 <= n2_max whose counts are consistent with
    the printed percentages, and the p-value of each test. ``extra``: further percentages of
    group 2 that must also be whole counts (e.g. 50% 'strongly agree')."""
    rows = []
    for n1 in range(2, n1_max + 1):
        o1 = _options(p1, n1)
        if not o1:
            continue
        for n2 in range(2, n2_max + 1):
            o2 = _options(p2, n2)
            if not o2 or any(not _options(pe, n2) for pe, _ in extra):
                continue
            for k1, k2 in itertools.product(o1, o2):
                for test, p in two_by_two_p(k1, n1, k2, n2).items():
                    rows.append((n1, n2, k1, k2, test, p))
    return pd.DataFrame(rows, columns=["n1", "n2", "k1", "k2", "test", "p"])


CONTRAST_TESTS = [
    (
        "contrast_aware_plan",
        "HCSFF: aware of a plan",
        "contrast_hcsff_aware_plan_sofs",
        "contrast_hcsff_aware_plan_contrast",
        "contrast_hcsff_aware_plan_p",
        "Fisher two-sided",
        (),
    ),
    (
        "contrast_plan_views",
        "HCSFF: plan represents my family's views",
        "contrast_hcsff_plan_views_sofs",
        "contrast_hcsff_plan_views_contrast",
        "contrast_hcsff_plan_views_p",
        "Fisher two-sided",
        (),
    ),
    (
        "contrast_chart_changes",
        "Family Chart: agree with social worker about changes needed",
        "contrast_chart_changes_sofs",
        "contrast_chart_changes_contrast",
        "contrast_chart_changes_p",
        None,
        ("contrast_chart_changes_contrast_strongly",),
    ),
    (
        "contrast_chart_goals",
        "Family Chart: social worker understood goals",
        "contrast_chart_goals_sofs",
        "contrast_chart_goals_contrast",
        "contrast_chart_goals_p",
        None,
        (),
    ),
]


def check_contrast_tests() -> list[Check]:
    """Contrast study family feedback: 2x2 tests on counts reconstructed from percentages.

    Assumed group sizes: the 32 families seen in the two SofS sites and the remaining 28 of the
    60 families; the search also tries every smaller pair of group sizes (item non-response)."""
    n_all = int(_q("contrast_families_n").number)
    n1 = int(_q("contrast_families_total").number)
    return [_contrast_check(spec, n1, n_all - n1, n_all) for spec in CONTRAST_TESTS]


def _p_range(at: pd.DataFrame, n1: int, n2: int) -> tuple[str, str]:
    """The p-values of the reconstructions at the assumed group sizes, in words (long, short)."""
    if not len(at):
        return (f"no counts out of {n1} and {n2} match the percentages",) * 2
    rng = f"p {at.p.min():.4f}–{at.p.max():.4f} at {n1} vs {n2} families"
    if math.isclose(at.p.min(), at.p.max()):
        return rng, f"p = {at.p.min():.4f}"
    return rng, f"p from {at.p.min():.4f} to {at.p.max():.4f}"


def _contrast_verdict(res, at, tests, a, b, p, named, n1: int, n2: int, rng_short: str) -> tuple[str, str]:
    """Verdict and reasoning: the published p is reproduced at the assumed group sizes, only
    with fewer respondents (cannot check), or by no reconstruction at all."""
    pl, ph = interval(p)
    hit_assumed = at[(at.p >= pl) & (at.p < ph)]
    hits = res[(res.p >= pl) & (res.p < ph) & res.test.isin(tests)]
    hits_any = res[(res.p >= pl) & (res.p < ph)]
    if len(hit_assumed):
        v = "consistent within rounding" if len(hit_assumed) < len(at) else "consistent"
        return v, f"At {n1} SofS and {n2} contrast families the reconstruction gives the published p."
    if len(hits):
        ex = hits.drop_duplicates(["n1", "n2", "test"]).head(4)
        return "cannot check", (
            f"With all {n1} SofS and {n2} contrast families no reconstruction gives {p.text} "
            f"({rng_short}). It is reproduced only with fewer respondents, e.g. "
            + "; ".join(f"{r.k1}/{r.n1} vs {r.k2}/{r.n2} ({r.test})" for r in ex.itertuples())
            + ". The report does not give the number of families answering, so this cannot "
            "be settled."
        )
    return "inconsistent", (
        f"No reconstruction gives the published p = {p.text}. With {n1} and {n2} families "
        f"the counts behind {a.text}% and {b.text}% give {rng_short} ({named}); no smaller "
        f"pair of group sizes (any item non-response) gives {p.text} either"
        + (
            ", and neither does a one-sided Fisher test or a chi-square test with or without continuity correction"
            if hits_any.empty
            else f"; other tests can ({', '.join(sorted(hits_any.test.unique()))})"
        )
        + ". If the reported test compared more answer categories than the two "
        "percentages printed, the printed figures do not show it."
    )


def _contrast_check(spec: tuple, n1: int, n2: int, n_all: int) -> Check:
    """One printed 2x2 comparison (a row of :data:`CONTRAST_TESTS`) checked."""
    cid, title, q1, q2, qp, named, extra_ids = spec
    a, b, p = _q(q1), _q(q2), _q(qp)
    extra = tuple((_q(e).number, 0) for e in extra_ids)
    res = search_group_sizes(a.number, b.number, n1, n2, extra)
    tests = [named] if named else sorted(res["test"].unique())
    at = res[(res.n1 == n1) & (res.n2 == n2) & res.test.isin(tests)]
    test_txt = named or "test not named: Fisher (one- and two-sided), Pearson and Yates chi-square tried"
    rng, rng_short = _p_range(at, n1, n2)
    v, why = _contrast_verdict(res, at, tests, a, b, p, named, n1, n2, rng_short)
    entry = Entry(
        "text",
        qp,
        "p (2x2 test)",
        p.number,
        float(at.p.median()) if len(at) else float("nan"),
        v,
        f"{title}; {rng}; test: {test_txt}",
    )
    return Check(
        cid,
        "Contrast study",
        f"{title}: {a.text}% vs {b.text}% (p = {p.text})",
        f"text {q1}, {q2}, {qp}; contrast_families_total, contrast_families_n",
        f"Groups: {n1} SofS families and {n_all} - {n1} = {n2} contrast families; counts "
        f"reconstructed from whole percentages; {test_txt}.",
        rng,
        f"p = {p.text}",
        v,
        why,
        [entry],
    )
