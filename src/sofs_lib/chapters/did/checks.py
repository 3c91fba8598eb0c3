"""Audit checks of the DiD appendix added by the DiD chapter (registered in sofs_lib.chapters.consistency_audit.analysis)."""

from __future__ import annotations

import numpy as np

from sofs_lib import published
from sofs_lib.methods.did.models import COEF_MAX


def eq3c_logit_numbers() -> dict:
    """What Table A10.10's logit implies, from the report's own numbers: the reference child's
    probability from the intercept, the log-odds of the published 1% outcome, and the events
    expected among the post-period rows if the DiD's odds ratio applied to a 1% outcome."""
    icpt = published.cell("A10.10", "(Intercept)", "Logit model").number
    did = published.cell("A10.10", "DiD", "Logit model").number
    n = published.quote("did_a10_10_n").number
    pre = [
        published.cell("A10.4", "Number of observations in this pre-treatment group", c).number
        for c in ("EQ3c Pilot sites", "EQ3c Comparator LAs")
    ]
    prev = published.cell("A10.4", "Outcome", "EQ3c Pilot sites").number / 100
    post = n - sum(pre)
    return {
        "intercept": icpt,
        "did": did,
        "p_reference": float(1 / (1 + np.exp(-icpt))),
        "logodds_outcome": float(np.log(prev / (1 - prev))),
        "odds_ratio": float(np.exp(did)),
        "post_rows": post,
        "expected_events_post": float(post * prev * np.exp(did)),
        "prevalence": prev,
    }


def check_eq3c_logit() -> list:
    """Signs of (quasi-)separation in the report's EQ3c logit (Table A10.10)."""
    from sofs_lib.chapters.consistency_audit.analysis import Check, Entry

    x = eq3c_logit_numbers()
    diverging = abs(x["intercept"]) > COEF_MAX or x["expected_events_post"] < 1
    verdict = "inconsistent" if diverging else "consistent"
    return [
        Check(
            "did_eq3c_logit_separation",
            "DiD (A10)",
            "EQ3c logit (Table A10.10): is the published fit estimable?",
            "Table A10.10 logit intercept and DiD; Table A10.4 outcome and pre-treatment Ns; N under Table A10.10",
            "A logit coefficient beyond 15 log-odds, or a treatment cell expected to hold less than one event, "
            "marks a fit whose maximum likelihood estimate does not exist (separation).",
            f"intercept {x['intercept']:.2f} (reference probability {x['p_reference']:.1e}); a 1% outcome is "
            f"{x['logodds_outcome']:.2f} log-odds; DiD odds ratio {x['odds_ratio']:.4f}: "
            f"{x['expected_events_post']:.2f} events expected among all {x['post_rows']:,.0f} post-period rows",
            f"intercept {x['intercept']:.2f}, DiD {x['did']:.2f} (p<0.05)",
            verdict,
            (
                f"The intercept puts the reference child's probability at {x['p_reference']:.1e}, "
                f"{abs(x['intercept'] - x['logodds_outcome']):.1f} log-odds below the published outcome rate of "
                f"{100 * x['prevalence']:.0f}%; and a DiD of {x['did']:.2f} leaves "
                f"{x['expected_events_post']:.2f} expected events even if every post-period row were a pilot's. "
                "Both are the marks of quasi-complete separation: the printed coefficients are where a diverging "
                "maximum likelihood search stopped, not estimates."
            )
            if diverging
            else "The published logit's coefficients are within the bounds of an estimable fit.",
            [
                Entry(
                    "A10.10",
                    "(Intercept)",
                    "Logit model",
                    x["intercept"],
                    x["logodds_outcome"],
                    verdict,
                    "reproduced column: log-odds of the published outcome rate",
                )
            ],
        )
    ]
