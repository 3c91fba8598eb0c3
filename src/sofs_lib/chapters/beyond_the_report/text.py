"""Sentences of chapter 07_beyond_the_report, generated from its computed results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.chapters.beyond_the_report.compute import ALPHA
from sofs_lib.chapters.beyond_the_report.retest import p_text


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def size_sentence(size: pd.DataFrame, honest: str, G: int = 4, k: int = 2, z: float = 2.0) -> str:
    """CRV1's size with G LAs (k treated) and the honest method's size, compared with 5%."""
    s = size[(size["quantity"] == "size") & (size["clusters"] == G) & (size["treated_clusters"] == k)]
    s = s.set_index("method")
    out = []
    for m in ("CRV1, N-k df", "CRV1, G-1 df"):
        r, se = s.loc[m, "rejection_rate"], s.loc[m, "mc_se"]
        verdict = (
            "over-rejects"
            if r > ALPHA + z * se
            else "under-rejects"
            if r < ALPHA - z * se
            else "is within Monte Carlo error of 5%"
        )
        out.append(f"{m} rejects a true null {_pct(r)} of the time (MC SE {_pct(se)}), so it {verdict}")
    big = size[
        (size["quantity"] == "size")
        & (size["method"] == honest)
        & (size["treated_clusters"] >= 2)
        & (size["clusters"] - size["treated_clusters"] >= 2)
    ]
    big = big[~((big["method"] == "RI") & (big["ri_floor"] > ALPHA))]
    within = int((abs(big["rejection_rate"] - ALPHA) <= z * np.maximum(big["mc_se"], 1e-9)).sum())
    tail = (
        f"the honest method, {honest}, is within {z:g} Monte Carlo SEs of 5% in {within} of the "
        f"{len(big)} designs with at least 2 treated and 2 untreated LAs where it can reject at all"
    )
    return f"With {G} LAs ({k} treated), " + "; ".join(out) + "; " + tail + "."


def _p_is(text: str) -> str:
    """``p = 0.02``, or ``p < 0.001`` for a p shown as a bound."""
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def retest_sentences(rt: pd.DataFrame, honest: str, kind: str = "real") -> list[str]:
    """One sentence per question: G, p under CRV1 and under the honest method, verdict (on
    synthetic data each sentence says so)."""
    pre = "On the synthetic DiD extract (illustration, not evidence), " if kind == "synthetic" else ""
    out = []
    for d in rt.to_dict("records"):
        stands = "stands" if d["verdict_stands"] else "does not stand"
        out.append(
            f"{pre}{d['question']} ({d['clusters']} LAs, {d['treated_clusters']} pilots): CRV1 p = "
            f"{d['CRV1, G-1 df']:.2g} with G-1 df, {honest} {_p_is(p_text(d, honest, '.2g'))}; the rating "
            f"'{d['verdict_crv1']}' {stands} under {honest}"
            + ("" if d["verdict_stands"] else f" (it becomes '{d['verdict_honest']}')")
            + "."
        )
    return out


def mde_sentence(mde: pd.DataFrame) -> str:
    """The DiD designs' MDEs in shock-SD units."""
    parts = []
    for r in mde.itertuples(index=False):
        v = "none (the test cannot reach 80% power)" if not np.isfinite(r.mde_sd) else f"{r.mde_sd:.2f} SD"
        parts.append(f"{r.question} {v}")
    return (
        "Minimum detectable effects at 80% power under " + str(mde["method"].iloc[0]) + ", in SDs of "
        "the LA-by-year shock: " + "; ".join(parts) + "."
    )


def la_sentence(res: pd.DataFrame, bound: dict, kind: str = "real") -> str:
    """How many LA outcomes the staggered DiD finds significant under RI, and the bound."""
    n = len(res)
    sig = int((res["ri_p"] <= ALPHA).sum())
    where = "the public LA panel (real data)" if kind == "real" else "the synthetic LA panel (not evidence)"
    return (
        f"On {where} the staggered DiD's randomisation p is at most 5% for {sig} of {n} "
        f"outcomes; with {_pct(bound['contaminated_share'])} of the comparison councils likely to use "
        f"SofS, a true effect could be up to {bound['scale']:.1f} times the estimate."
    )


def mde_vs_target(res: pd.DataFrame) -> str:
    """How many LA outcomes have an MDE below MTM's 20 per cent shift."""
    ok = res[np.isfinite(res["mde_honest"])]
    below = int((ok["mde_honest"].abs() <= ok["mtm_20pc"].abs()).sum())
    return f"For {below} of {len(res)} LA outcomes the design could detect MTM's 20 per cent shift at 80% power."


def not_reproduced_sentence(rt: pd.DataFrame, kind: str) -> str:
    """Why the published p-values are not recomputed here."""
    pubs = "; ".join(f"{q} {v}" for q, v in zip(rt["question"], rt["published_p"]))
    if kind == "synthetic":
        return (
            f"The published p-values ({pubs}) come from NPD records that are not public; the re-test "
            f"here runs the same specification on the DiD chapter's synthetic extract."
        )
    return f"The published p-values ({pubs}) are shown beside the re-test on the extract in data_dir."
