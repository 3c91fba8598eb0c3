"""The staff survey of report section 3 (Table 4, respondents from Table 2), re-tested.

The report prints each pilot's share agreeing with five statements, rounded to whole percents,
and (in Table 2) each pilot's number of respondents. The counts behind the shares are
reconstructed with :mod:`sofs_lib.published.recon`: a count ``k`` out of a denominator ``m``
is admissible
when ``100 k / m`` rounds half-up to the printed percentage, where ``m`` may fall short of the
respondents ``n`` by the item non-response the cell needs. Every test is then computed over
every admissible combination of the four pilots' reconstructions, and reported as a range.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from sofs_lib import published
from sofs_lib.chapters.workforce.exact import freeman_halton_2xk
from sofs_lib.published import recon

TABLE = "4"
#: statements on which a LOWER share is the better outcome
LOWER_IS_BETTER = (
    "Expected to fulfil too many roles",
    "Planning to leave job within 2 years",
    "Turnover is a problem in the authority",
)
#: the report's five areas (section 3), in Table 4's order
AREAS = (
    "role clarity",
    "work and personal achievement",
    "job satisfaction",
    "intentions to stay in post",
    "views on turnover in the authority",
)


def table4() -> pd.DataFrame:
    """Table 4 as printed (statements x pilots, percent agreeing)."""
    return published.wide(TABLE)


def respondents() -> pd.Series:
    """Respondents per surveyed pilot (Table 2, row 'Number')."""
    return published.wide("2").loc["Number", table4().columns].astype(int)


def nonresponse_needed(pct: float, n: int, limit: int = 20) -> int:
    """Fewest respondents who must have skipped an item for ``pct``% of the rest to be a whole
    count (0 when ``pct``% of ``n`` itself can be). Raises when even ``limit`` do not suffice."""
    for j in range(limit + 1):
        try:
            recon.count_bounds(pct, n - j)
            return j
        except recon.ReconstructionError:
            continue
    raise recon.ReconstructionError(f"no count out of {n - limit}..{n} gives {pct}%")


def _allowance(pcts: pd.Series, ns: pd.Series, max_missing: int) -> int:
    """Item non-response allowed for one statement: ``max_missing``, raised to the largest
    non-response any of its cells needs."""
    need = max(nonresponse_needed(float(pcts[g]), int(ns[g])) for g in pcts.index)
    return max(max_missing, need)


def reconstruction(max_missing: int = 0) -> pd.DataFrame:
    """Every Table 4 cell as counts: printed percent, respondents, the non-response it needs,
    the central reconstruction (largest admissible denominator) and the admissible range."""
    t4, ns = table4(), respondents()
    rows = []
    for stmt in t4.index:
        m = _allowance(t4.loc[stmt], ns, max_missing)
        ct = recon.counts_table(t4.loc[stmt], ns, max_missing=m)
        for g, r in ct.iterrows():
            rows.append(
                dict(
                    statement=stmt,
                    pilot=g,
                    percent=float(r["percent"]),
                    n=int(r["n"]),
                    nonresponse_needed=nonresponse_needed(float(r["percent"]), int(r["n"])),
                    allowance=m,
                    denominator=int(r["denominator"]),
                    count=int(r["count"]),
                    count_low=int(r["count_low"]),
                    count_high=int(r["count_high"]),
                    options=int(r["options"]),
                )
            )
    return pd.DataFrame(rows)


def _statement_row(stmt: str, pcts: pd.Series, ns: pd.Series, m: int, max_combinations: int, exact: bool) -> dict:
    """One statement's tests over every admissible reconstruction with non-response allowance
    ``m``: the chi-square range from :func:`sofs_lib.published.recon.chi2_range` and, with
    ``exact``, the Freeman-Halton p over the same reconstructions."""
    options = [recon.count_options(float(pcts[g]), int(ns[g]), max_missing=m) for g in pcts.index]
    n_comb = math.prod(len(o) for o in options)
    if n_comb > max_combinations:
        raise recon.ReconstructionError(
            f"{stmt!r}: {n_comb} reconstructions exceed max_combinations={max_combinations}"
        )
    r = recon.chi2_range(pcts, ns, max_missing=m, max_combinations=max_combinations)
    row = dict(
        statement=stmt,
        allowance=m,
        reconstructions=r["n_reconstructions"],
        dof=r["dof"],
        chi2=r["statistic"],
        chi2_min=r["stat_min"],
        chi2_max=r["stat_max"],
        p=r["p"],
        p_min=r["p_min"],
        p_max=r["p_max"],
        nonresponse_assumed=r["nonresponse_assumed"],
    )
    if exact:
        ex = [
            freeman_halton_2xk(np.array([c for c, _ in k]), np.array([d for _, d in k]))
            for k in itertools.product(*options)
        ]
        ct = recon.counts_table(pcts, ns, max_missing=m)
        row.update(p_exact=freeman_halton_2xk(ct["count"], ct["denominator"]), p_exact_min=min(ex), p_exact_max=max(ex))
    return row


def statement_tests(
    max_missing: int = 0,
    alpha: float = 0.05,
    max_combinations: int = 5000,
    exact: bool = True,
    assumed: bool = False,
) -> pd.DataFrame:
    """Per statement, whether agreement differs between the four pilots: Pearson chi-square
    (3 df) and the exact Freeman-Halton p, each over every admissible reconstruction (central
    value and range), with Holm and Benjamini-Hochberg corrections across the five statements
    (applied to the central p and to the ends of the ranges: both corrections are monotone).

    ``exact=False`` leaves out the exact test (and its corrections); ``assumed=True`` adds
    ``nonresponse_assumed``, the pilots whose central reconstruction assumes item non-response.
    The consistency audit's Table 4 check calls this function too (one implementation)."""
    t4, ns = table4(), respondents()
    rows = [
        _statement_row(stmt, t4.loc[stmt], ns, _allowance(t4.loc[stmt], ns, max_missing), max_combinations, exact)
        for stmt in t4.index
    ]
    out = pd.DataFrame(rows).set_index("statement")
    assumed_by = out.pop("nonresponse_assumed")
    cols = ("p", "p_min", "p_max") + (("p_exact", "p_exact_min", "p_exact_max") if exact else ())
    for meth, tag in (("holm", "holm"), ("fdr_bh", "bh")):
        for col in cols:
            out[f"{col}_{tag}"] = multipletests(out[col], method=meth)[1]
    out["verdict"] = [verdict_range(a, b, alpha) for a, b in zip(out["p_min"], out["p_max"])]
    out["verdict_holm"] = [verdict_range(a, b, alpha) for a, b in zip(out["p_min_holm"], out["p_max_holm"])]
    if assumed:
        out["nonresponse_assumed"] = assumed_by
    return out


def verdict_range(p_lo: float, p_hi: float, alpha: float) -> str:
    """'significant' / 'not significant' when every reconstruction agrees, else 'depends on
    the reconstruction'."""
    if p_hi < alpha:
        return "significant"
    if p_lo >= alpha:
        return "not significant"
    return "depends on the reconstruction"


def wilson_intervals(max_missing: int = 0, level: float = 0.95) -> pd.DataFrame:
    """Wilson score interval of each cell's share (statsmodels), on the central reconstruction,
    widened to the union over the admissible reconstructions' extreme counts."""
    rec = reconstruction(max_missing)
    lo, hi = proportion_confint(rec["count"], rec["denominator"], alpha=1 - level, method="wilson")
    rec["share"] = 100 * rec["count"] / rec["denominator"]
    rec["ci_low"], rec["ci_high"] = 100 * np.asarray(lo), 100 * np.asarray(hi)
    return rec


def best_pilot(t4: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per statement, the pilot(s) with the best printed share (lowest where lower is better)."""
    t4 = table4() if t4 is None else t4
    rows = []
    for stmt, area in zip(t4.index, AREAS):
        row = t4.loc[stmt]
        lower = stmt in LOWER_IS_BETTER
        target = row.min() if lower else row.max()
        best = [c for c in row.index if row[c] == target]
        rows.append(
            dict(
                statement=stmt,
                area=area,
                better="lower" if lower else "higher",
                best=", ".join(best),
                best_value=float(target),
                pilot8=float(row.get("Pilot 8", np.nan)),
                pilot8_best="Pilot 8" in best,
            )
        )
    return pd.DataFrame(rows).set_index("statement")


def pooled_share(stmt: str, max_missing: int = 0) -> dict:
    """A statement's share over the four pilots, respondents pooled (central reconstruction),
    with the lowest and highest pilot's printed share."""
    rec = reconstruction(max_missing)
    r = rec[rec["statement"] == stmt]
    central = 100 * r["count"].sum() / r["denominator"].sum()
    return dict(central=float(central), pilot_min=float(r["percent"].min()), pilot_max=float(r["percent"].max()))
