"""Recomputations from the report's printed numbers (kind "derived").

* Table 5: differences, and the overall score against the item-weighted subscales;
* Table 6: t from coefficient and standard error, p from t, and the number of families each
  printed (t, p) pair allows (the rule of
  :func:`sofs_lib.chapters.consistency_audit.regressions.implied_df`);
* the family-feedback percentages and p-values: every 2x2 table consistent with the printed
  percentages for group sizes up to a bound, with its p-values (Fisher's exact test summed from the
  hypergeometric pmf (scipy.special); verified in the tests against scipy's ``fisher_exact``
  and a brute-force sum), and which printed p-values are reachable by which tables;
* the case-record fractions of Pilot 9 (a contrast-study site): the counts behind them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import chdtrc, gammaln

from sofs_lib import published
from sofs_lib.chapters.consistency_audit import base as audit
from sofs_lib.published import recon
from sofs_lib.sources.contrast import YAT_SUBSCALES
from sofs_lib.synthetic.contrast_families import REMOVED_YAT

SUBSCALES = list(YAT_SUBSCALES)

#: The four family-feedback comparisons with printed p-values: quote stem, test as named by the
#: report (None = not named), and extra percentages of the contrast group that must be whole.
FEEDBACK = {
    "hcsff_aware_plan": (
        "HCSFF: aware of a plan",
        "contrast_hcsff_aware_plan",
        "Fisher two-sided",
        (),
    ),
    "hcsff_plan_views": (
        "HCSFF: plan represents the family's views",
        "contrast_hcsff_plan_views",
        "Fisher two-sided",
        (),
    ),
    "chart_changes": (
        "Family Chart: agree about changes needed",
        "contrast_chart_changes",
        None,
        ("contrast_chart_changes_contrast_strongly", "contrast_chart_changes_contrast_agree"),
    ),
    "chart_goals": ("Family Chart: worker understood goals", "contrast_chart_goals", None, ()),
}
TESTS = ("Fisher two-sided", "Fisher one-sided", "Pearson chi-square", "Yates chi-square")


def group_sizes() -> tuple[int, int]:
    """Families in the SofS sites (32, quoted) and in the contrast sites (60 - 32)."""
    n1 = int(published.quote("contrast_families_total").number)
    return n1, int(published.quote("contrast_families_n").number) - n1


def table5() -> pd.DataFrame:
    """Table 5 with the contrast-minus-pilot difference and the overall score recomputed as the
    item-weighted mean of the subscales (items per subscale after removing one buy-in item)."""
    w = published.wide("5")
    k = {s: len([c for c in cols if c != REMOVED_YAT]) for s, cols in YAT_SUBSCALES.items()}
    out = w.copy()
    out["Contrast - Pilot"] = w["Contrast"] - w["Pilot"]
    out["items"] = pd.Series(k)
    for g in ("Pilot", "Contrast"):
        m = sum(w.loc[s, g] * k[s] for s in SUBSCALES) / sum(k.values())
        out.loc["Overall score", f"{g} (item-weighted)"] = m
    return out


def implied_df(t: published.Value, p: published.Value, dfs=range(3, 200)) -> list[int]:
    """Residual degrees of freedom at which a printed t and its printed two-sided p agree: some
    t within the rounding of the printed t gives a p within the rounding of the printed p (the
    same rule as :func:`sofs_lib.chapters.consistency_audit.regressions.implied_df`, vectorised
    over df)."""
    d = np.asarray(list(dfs))
    a, b = sorted(abs(v) for v in audit.interval(t))
    pl, ph = audit.interval(p)
    ok = (2 * stats.t.sf(b, d) <= ph) & (2 * stats.t.sf(a, d) >= pl)
    return d[ok].tolist()


def table6() -> pd.DataFrame:
    """Table 6 recomputed row by row."""
    n_all = int(published.quote("contrast_families_n").number)
    rows, per_row = [], {}
    for r in SUBSCALES + ["Overall score"]:
        b, se, t, p = (
            published.cell("6", r, c) for c in ("Coefficient", "Std. error", "t", "P-value")
        )
        (bl, bh), (sl, sh) = audit.interval(b), audit.interval(se)
        cand = [x / y for x in (bl, bh) for y in (sl, sh)]
        dfs = implied_df(t, p)
        per_row[r] = set(dfs)
        rows.append(
            dict(
                subscale=r,
                coefficient=b.number,
                se=se.number,
                t_printed=t.number,
                t_recomputed=b.number / se.number,
                t_low=min(cand),
                t_high=max(cand),
                t_verdict=audit.judge(t, b.number / se.number, min(cand), max(cand)),
                p_printed=p.number,
                p_all_families=2 * stats.t.sf(abs(t.number), n_all - 2),
                p_verdict_all=audit.judge(p, 2 * stats.t.sf(abs(t.number), n_all - 2)),
                n_min=dfs[0] + 2 if dfs else np.nan,
                n_max=dfs[-1] + 2 if dfs else np.nan,
            )
        )
    out = pd.DataFrame(rows).set_index("subscale")
    common = sorted(set.intersection(*per_row.values()))
    out.attrs["n_common"] = (common[0] + 2, common[-1] + 2) if common else None
    return out


def _log_comb(a, b):
    return gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)


def _log_pmf(x, N, K, n):
    """log of the hypergeometric pmf (scipy.special.gammaln; vectorised over x)."""
    return _log_comb(K, x) + _log_comb(N - K, n - x) - _log_comb(N, n)


def _p_all(k1: int, n1: int, k2: int, n2: int) -> dict[str, float]:
    """The four tests' p-values for one 2x2 table. Fisher's: sums of the hypergeometric pmf
    (two-sided: every table no more probable than the observed, as scipy's fisher_exact)."""
    N, K = n1 + n2, k1 + k2
    x = np.arange(max(0, K - n2), min(K, n1) + 1)
    pmf = np.exp(_log_pmf(x, N, K, n1))
    p0 = np.exp(_log_pmf(k1, N, K, n1))
    out = {
        "Fisher two-sided": float(min(1.0, pmf[pmf <= p0 * (1 + 1e-7)].sum())),
        "Fisher one-sided": float(min(1.0, pmf[x >= k1].sum(), pmf[x <= k1].sum())),
    }
    if 0 < K < N:
        obs = np.array([[k1, n1 - k1], [k2, n2 - k2]], float)
        e = np.outer([n1, n2], [K, N - K]) / N
        out["Pearson chi-square"] = float(chdtrc(1, ((obs - e) ** 2 / e).sum()))
        d = np.maximum(np.abs(obs - e) - 0.5, 0)
        out["Yates chi-square"] = float(chdtrc(1, (d**2 / e).sum()))
    return out


def _counts(pct: float, n: int) -> list[int]:
    try:
        lo, hi = recon.count_bounds(pct, n)
    except recon.ReconstructionError:
        return []
    return list(range(lo, hi + 1))


def enumerate_tables(item: str, n1_max: int, n2_max: int) -> pd.DataFrame:
    """Every (k1/n1, k2/n2) with 2 <= n <= max whose percentages round to the printed ones,
    with each test's p and whether it rounds to the printed p."""
    _, stem, _, extra = FEEDBACK[item]
    q = published.quote
    a, b, p = q(f"{stem}_sofs"), q(f"{stem}_contrast"), q(f"{stem}_p")
    lo, hi = audit.interval(p)
    extra_pct = [q(e).number for e in extra]
    rows = []
    for n1 in range(2, n1_max + 1):
        o1 = _counts(a.number, n1)
        for n2 in range(2, n2_max + 1) if o1 else ():
            o2 = _counts(b.number, n2)
            if not o2 or any(not _counts(e, n2) for e in extra_pct):
                continue
            for k1 in o1:
                for k2 in o2:
                    for test, pv in _p_all(k1, n1, k2, n2).items():
                        rows.append((item, n1, n2, k1, k2, test, pv, lo <= pv < hi))
    return pd.DataFrame(rows, columns=["item", "n1", "n2", "k1", "k2", "test", "p", "hit"])


def enumeration(max_n: int) -> pd.DataFrame:
    """:func:`enumerate_tables` for the four items, group sizes up to ``max_n`` each, with a
    flag for the families' own bounds (SofS <= 32, contrast <= 28)."""
    n1, n2 = group_sizes()
    df = pd.concat([enumerate_tables(i, max_n, max_n) for i in FEEDBACK], ignore_index=True)
    df["within_families"] = (df.n1 <= n1) & (df.n2 <= n2)
    df["full_groups"] = (df.n1 == n1) & (df.n2 == n2)
    return df


def printed_p_intervals() -> dict[str, tuple[float, float]]:
    """The p-values each printed feedback p stands for (its rounding interval)."""
    return {
        i: tuple(float(x) for x in audit.interval(published.quote(f"{stem}_p")))
        for i, (_, stem, _, _) in FEEDBACK.items()
    }


def reachability(enum: pd.DataFrame) -> pd.DataFrame:
    """Per item: the p at full groups, and the tables (within the families) that give the
    printed p under the named test (or any test when none is named)."""
    rows = []
    n1, n2 = group_sizes()
    for item, (label, stem, named, _) in FEEDBACK.items():
        e = enum[enum.item == item]
        tests = [named] if named else list(TESTS)
        full = e[e.full_groups & e.test.isin(tests)]
        hits = e[e.hit & e.within_families & e.test.isin(tests)]
        beyond = e[e.hit & ~e.within_families & e.test.isin(tests)]
        hits = hits.assign(order=hits.test.map({t: i for i, t in enumerate(TESTS)}))
        fam = hits.sort_values(["order", "n1", "n2"], ascending=[True, False, False])
        rows.append(
            dict(
                item=item,
                label=label,
                printed_p=published.quote(f"{stem}_p").text,
                test=named or "not named (4 tried)",
                tables_within_families=int((e.within_families & (e.test == TESTS[0])).sum()),
                full_p_min=full.p.min() if len(full) else np.nan,
                full_p_max=full.p.max() if len(full) else np.nan,
                reachable=bool(len(hits)),
                tables=(
                    "; ".join(
                        f"{r.k1}/{r.n1} vs {r.k2}/{r.n2} ({r.test})" for r in fam.itertuples()
                    )
                    or "none"
                ),
                best=(
                    fam.iloc[0][["k1", "n1", "k2", "n2"]].astype(int).tolist() if len(fam) else None
                ),
                beyond_families=(
                    "; ".join(
                        f"{r.k1}/{r.n1} vs {r.k2}/{r.n2}"
                        for r in beyond[beyond.test == TESTS[0]].head(3).itertuples()
                    )
                    or "none"
                ),
                full_groups=f"{n1} and {n2}",
            )
        )
    return pd.DataFrame(rows).set_index("item")


#: Pilot 9's case-record fractions (section 3, "Meaningful measures"): phrase and fraction.
P9_FRACTIONS = [
    ("safety plans in place", "two-thirds", 2 / 3),
    ("existing strengths, existing safety and safety goals", "three-quarters", 3 / 4),
    ("safety plans reviewed, adapted and changed", "half", 1 / 2),
]


def case_record_counts() -> pd.DataFrame:
    """The whole counts out of Pilot 9's 10 case records nearest each fraction the report uses
    (the 10 is quoted: family involvement in mapping '1 of the 10')."""
    n = int(re_denominator(published.quote("case_p9_family_mapping").unit))
    rows = []
    for what, phrase, f in P9_FRACTIONS:
        exact = math.isclose(f * n, round(f * n))
        ks = [round(f * n)] if exact else [math.floor(f * n), math.ceil(f * n)]
        rows.append(
            dict(
                statement=what,
                phrase=phrase,
                records=n,
                fraction_times_n=f * n,
                counts=", ".join(f"{k}/{n} ({100 * k / n:.0f}%)" for k in ks),
                exact=exact,
            )
        )
    return pd.DataFrame(rows).set_index("statement")


def re_denominator(unit: str) -> int:
    """The denominator in a unit like 'case records of 10'."""
    tail = unit.rsplit(" of ", 1)
    if len(tail) != 2 or not tail[1].strip().isdigit():
        raise ValueError(f"unit {unit!r} names no denominator")
    return int(tail[1])


def safety_plans_vs_hcsff() -> dict:
    """28 of 32 SofS families had safety plans (quoted); HCSFF's 88% aware of a plan is 28/32."""
    k = published.quote("contrast_families_safety_plans").number
    n = published.quote("contrast_families_total").number
    return dict(
        k=int(k),
        n=int(n),
        pct=100 * k / n,
        rounds_to=audit.round_half_up(100 * k / n, 0),
        hcsff=published.quote("contrast_hcsff_aware_plan_sofs").number,
    )
