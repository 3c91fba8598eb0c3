"""How many SofS-vs-contrast tests section 3 reports or implies, what chance alone would give,
Holm and Benjamini-Hochberg corrections, and the floor of a site-level randomisation test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from sofs_lib import published
from sofs_lib.chapters.contrast_study.recompute import FEEDBACK
from sofs_lib.sources import contrast as cs


def inventory() -> pd.DataFrame:
    """Every SofS-vs-contrast comparison of section 3: how many tests, the printed p where
    there is one, and whether the text says the tests were run ('reported') or only that no
    difference was seen ('implied')."""
    n_ccbc = int(published.quote("contrast_ccbc_areas_s3").number)
    sig = [published.quote(f"{stem}_p") for _, stem, _, _ in FEEDBACK.values()]
    rows = [
        (
            "Competence checklist (CCBC)",
            "areas compared by arm ('no differences were noted')",
            n_ccbc,
            "implied",
        ),
        (
            "Yatchmenoff",
            "subscales and overall score by arm (Table 5; 'no significant differences')",
            len(cs.YAT_SUBSCALES) + 1,
            "reported",
        ),
        (
            "WAI",
            "chi-square by arm, each question, worker and family versions",
            2 * len(cs.WAI_ITEMS),
            "reported",
        ),
        ("WAI", "t-tests by arm: worker mean, family mean, their difference", 3, "reported"),
        (
            "HCSFF",
            "items described as not significantly different",
            len(cs.HCSFF_ITEMS) - 2,
            "reported",
        ),
        (
            "OSC",
            "six dimensions by arm at T1 and T2 ('no consistent differences')",
            2 * len(cs.OSC_DIMENSIONS),
            "implied",
        ),
    ]
    df = pd.DataFrame(rows, columns=["instrument", "comparison", "tests", "basis"])
    df["printed_p"] = [()] * len(df)
    for (label, _, _, _), p in zip(FEEDBACK.values(), sig):
        df.loc[len(df)] = [label.split(":")[0], label.split(": ")[1], 1, "reported", (p.number,)]
    return df


def p_vector(inv: pd.DataFrame, basis=("reported", "implied"), unknown: float = 1.0) -> np.ndarray:
    """All p-values of the selected rows; tests without a printed p (all reported as not
    significant) get ``unknown``."""
    ps = []
    for r in inv[inv.basis.isin(basis)].itertuples():
        known = list(r.printed_p)
        ps += known + [unknown] * (r.tests - len(known))
    return np.array(ps, float)


def corrections(inv: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per family of tests (reported only; reported and implied): tests, expected false
    positives, chance of at least the observed number significant under the global null
    (independent tests), and what survives Holm and BH (statsmodels ``multipletests``; unknown
    p-values at 1 -- any value above alpha gives the same, see the tests)."""
    rows = []
    for name, basis in (
        ("reported", ("reported",)),
        ("reported and implied", ("reported", "implied")),
    ):
        p = p_vector(inv, basis, 1.0)
        holm = int(multipletests(p, alpha, "holm")[0].sum())
        bh = int(multipletests(p, alpha, "fdr_bh")[0].sum())
        m, k = len(p), int((p < alpha).sum())
        sig = np.sort(p[p < alpha])
        rows.append(
            dict(
                family=name,
                tests=m,
                significant=k,
                expected_by_chance=m * alpha,
                p_at_least_observed=float(stats.binom.sf(k - 1, m, alpha)),
                holm_significant=holm,
                bh_significant=bh,
                holm_max_tests=max_tests(sig, alpha, "holm"),
                bh_max_tests=max_tests(sig, alpha, "fdr_bh"),
            )
        )
    return pd.DataFrame(rows).set_index("family")


def max_tests(sig: np.ndarray, alpha: float, method: str) -> int:
    """The largest family size m (all other p-values above alpha) at which at least one of the
    significant p-values ``sig`` survives: Holm needs p(1) <= alpha / m; Benjamini-Hochberg
    some p(k) <= k alpha / m. 0 when none survives even at m = len(sig)."""
    s = np.sort(np.asarray(sig, float))
    if not len(s):
        return 0
    if method == "holm":
        m = int(np.floor(alpha / s[0] + 1e-12))
    elif method == "fdr_bh":
        m = int(np.floor(max((k + 1) * alpha / v for k, v in enumerate(s)) + 1e-12))
    else:
        raise ValueError(f"method must be 'holm' or 'fdr_bh', not {method!r}")
    return m if m >= len(s) else 0


def randomisation_floor(n_sites: int, n_treated: int, two_sided: bool = True) -> float:
    """Smallest p a site-level randomisation test can give: 1 over the number of assignments
    (one-sided); two-sided, the observed assignment and its mirror image tie when the groups
    are the same size, so 2 over it."""
    n = math.comb(n_sites, n_treated)
    return (2 if two_sided and 2 * n_treated == n_sites else 1) / n
