"""The DiD chapter's answer box and its comparative sentences, generated from computed results.

Every sentence here is built from numbers the chapter computed (or from the report as data via
:mod:`sofs_lib.published`); none is typed as a claim. The functions take plain values so that
tests can feed them counter-examples.
"""

from __future__ import annotations

import numpy as np

from sofs_lib.chapters.did.analysis import EQ_INFO
from sofs_lib.methods import wild as W

#: Within this share of the published N the main model "has the published size".
N_TOLERANCE = 0.05


def size_sentence(short: str, n: int, published_n: float, tol: float = N_TOLERANCE) -> str:
    """``EQ3a: the main model has 252,785 rows, within 5% of the published 252,169 (+0.2%).``"""
    if not np.isfinite(published_n) or published_n <= 0:
        return f"{short}: the main model has {n:,} rows (no published N to compare)."
    diff = (n - published_n) / published_n
    where = "within" if abs(diff) <= tol else "outside"
    return (
        f"{short}: the main model has {n:,} rows, {where} {tol:.0%} of the published {published_n:,.0f} ({diff:+.1%})."
    )


def fe_sample_sentence(n_repeated: int, published_n: float, tol: float = N_TOLERANCE) -> str:
    """The rows of children seen more than once (what a child fixed-effects model uses)
    against the fixed-effects sample the report prints under Table A10.3."""
    diff = (n_repeated - published_n) / published_n
    where = "within" if abs(diff) <= tol else "outside"
    return (
        f"EQ3a: the children seen more than once hold {n_repeated:,} rows of the main model, {where} "
        f"{tol:.0%} of the fixed-effects sample of {published_n:,.0f} in Table A10.3 ({diff:+.1%})."
    )


def verdict_sentence(short: str, mine: str, published: str, kind: str) -> str:
    """Whether the rating rule's verdict on the chapter's data is the report's."""
    same = mine.strip().lower() == published.strip().lower()
    return f"{short} ({kind} data): the rating rule gives '{mine}', " + (
        "the report's verdict." if same else f"not the report's '{published}'."
    )


def null_sentence(short: str, null_verdict: str, default_verdict: str) -> str:
    """What the same rule gives when every built-in effect is zero."""
    same = null_verdict.strip().lower() == default_verdict.strip().lower()
    return f"{short}, null world (every true effect zero): the rule gives '{null_verdict}'" + (
        " – the same verdict as with the built-in effects, so this verdict does not depend on the effect."
        if same
        else "."
    )


def bias_sentence(
    short: str,
    estimate: float,
    lo: float,
    hi: float,
    true: float,
    unit: str,
    leads_significant: int,
    n_leads: int,
) -> str:
    """The bias of an estimate against its built-in effect, and what the leads test says."""
    bias = estimate - true
    covered = lo <= true <= hi
    s = (
        f"{short}: the main DiD is {estimate:+.2f} {unit} (95% CI {lo:+.2f} to {hi:+.2f}) for a built-in effect "
        f"of {true:+.2f}, a bias of {bias:+.2f} {unit}"
    )
    s += " (the interval covers the built-in effect)" if covered else " (the interval misses the built-in effect)"
    return s + f"; {leads_significant} of {n_leads} placebo leads are significant at 5%."


def _p_words(text: str) -> str:
    """A shown bootstrap p (:func:`sofs_lib.methods.wild.p_text`) in a sentence: ``0.178``, or
    ``below 0.001, no draw being as extreme``."""
    return f"below {text[2:]}, no draw being as extreme" if text.startswith("< ") else text


def wild_sentence(
    short: str, p_crv: float, p_wild: float, g: int, g_treated: int, draws: int, alpha: float = 0.05
) -> str:
    """CRV1 against the wild cluster bootstrap p (from ``draws`` draws) for a fit with few
    clusters."""
    a, b = p_crv < alpha, p_wild < alpha
    verdict = (
        "both significant at 5%"
        if a and b
        else "neither significant at 5%"
        if not (a or b)
        else "significant at 5% by CRV1 but not by the wild bootstrap"
        if a
        else "significant at 5% by the wild bootstrap but not by CRV1"
    )
    return (
        f"{short}: with G = {g} LAs ({g_treated} treated) the DiD's CRV1 p is {p_crv:.3g} and its wild "
        f"cluster bootstrap p (Webb weights, {draws:,} draws) {_p_words(W.p_text(p_wild, draws))}: {verdict}."
    )


def answer_parts(
    an,
    null=None,
    published_verdicts: dict | None = None,
    published_n: dict | None = None,
    fe_n: float | None = None,
) -> dict:
    """The four parts of the answer box for an :class:`~sofs_lib.chapters.did.analysis.Analysis`
    (``null``: the verdicts of the same analysis with every true effect zero,
    :func:`~sofs_lib.chapters.did.null_world.null_world`, or None)."""
    kind = "synthetic" if an.synthetic else "real"
    pv = published_verdicts or {}
    pn = published_n or {}
    report = [f"{EQ_INFO[eq]['row8']}: the report found '{pv[eq]}'." for eq in EQ_INFO if eq in pv]
    reproduced, not_reproduced, new = [], [], []
    for eq, info in EQ_INFO.items():
        r = an.result(eq)
        m = r.fits["main"]
        (reproduced if abs(m.n - pn.get(eq, np.nan)) <= N_TOLERANCE * pn.get(eq, np.inf) else not_reproduced).append(
            size_sentence(info["short"], m.n, pn.get(eq, np.nan))
        )
        if eq in pv:
            s = verdict_sentence(info["short"], r.verdict.text, pv[eq], kind)
            (reproduced if s.endswith("the report's verdict.") else not_reproduced).append(s)
        if m.extra.get("separated"):
            not_reproduced.append(
                f"{info['short']}: the logit is not estimable on these data (separation); "
                "the linear probability model is reported instead."
            )
        wp = m.extra.get("wild_p", np.nan)
        if np.isfinite(wp):
            new.append(
                wild_sentence(
                    info["short"], m.get("did", "p"), wp, m.n_clusters, m.n_treated_clusters, m.extra["wild_draws"]
                )
            )
    if fe_n:
        s = fe_sample_sentence(an.result("eq3a").diagnostics["n_repeated_rows"], fe_n)
        (reproduced if " within " in s else not_reproduced).append(s)
    if an.synthetic:
        reproduced.append(
            "Where a synthetic verdict agrees with the report it does so by construction: the "
            "extract's true effects are the published estimates and the rating rule was written "
            "to return the report's verdicts from the report's results."
        )
        if null is not None:
            for eq, info in EQ_INFO.items():
                new.append(null_sentence(info["short"], null[eq].text, an.result(eq).verdict.text))
    return {
        "report": report,
        "reproduced": reproduced,
        "not_reproduced": not_reproduced
        or ["Every main model has the published size and every verdict is the report's."],
        "new": new or ["No few-cluster bootstrap was needed."],
    }


def published_inputs() -> tuple[dict, dict]:
    """The report's Table 8 verdicts and the N under each question's primary table, from
    :mod:`sofs_lib.published`."""
    from sofs_lib import published
    from sofs_lib.chapters.did import common as CM
    from sofs_lib.published import PublishedDataError

    p8 = CM.pub_wide("8")
    verdicts = {
        eq: str(p8.loc[info["row8"]].iloc[1])
        for eq, info in EQ_INFO.items()
        if p8 is not None and info["row8"] in p8.index
    }
    ns = {}
    for eq, info in EQ_INFO.items():
        nid = "did_a" + info["primary"].replace("A", "").replace(".", "_").lower() + "_n"
        try:
            ns[eq] = float(published.quote(nid).number)
        except PublishedDataError:
            pass
    return verdicts, ns


def published_fe_sample() -> float:
    """Table A10.3: EQ3a's 'Number of observations of treatment and comparator LAs over all
    periods' under its fixed-effects specification (135,323)."""
    from sofs_lib import published

    return float(
        published.cell(
            "A10.3",
            "Number of observations of treatment and comparator LAs over all periods",
            "EQ3a Pilot sites",
        ).number
    )


def null_column(t8, null) -> None:
    """Add the null world's verdicts (every true effect zero; ``{question: Verdict}``) to a
    Table 8 frame, in place."""
    if null is None:
        return
    t8["Analysis results (synthetic, null world)"] = [
        null[eq].text for eq, info in EQ_INFO.items() if info["row8"] in t8.index
    ]
