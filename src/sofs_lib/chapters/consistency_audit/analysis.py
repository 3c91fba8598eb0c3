"""Consistency audit: the report's numbers checked against each other.

Every check recomputes a published number from other published numbers (all read through
:mod:`sofs_lib.published`, never typed in here) and compares. Each check function returns a list
of :class:`~sofs_lib.chapters.consistency_audit.base.Check` results; :func:`run_all` gathers them
and :func:`frame` makes one tidy table of them with the columns

``check_id, topic, title, inputs, assumptions, recomputed, published, verdict, reasoning``

and :func:`record` writes each comparison to a :class:`sofs_lib.core.ledger.Ledger` (``kind="derived"``).

The four verdicts and the rules for reading printed numbers are described once, in
:mod:`sofs_lib.chapters.consistency_audit.base`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.chapters.consistency_audit.anova import (
    check_a93_a94_p_from_f,
    check_anova_additivity,
    check_anova_f_p,
    check_oneway_from_anova,
    check_text_p_values,
)
from sofs_lib.chapters.consistency_audit.base import (
    ALPHA,
    COLUMNS,
    MAX_ITEM_NONRESPONSE,
    STATUS,
    VERDICTS,
    Check,
    Entry,
)
from sofs_lib.chapters.consistency_audit.contrast import check_contrast_tests
from sofs_lib.chapters.consistency_audit.did import (
    check_did_counterfactuals,
    check_did_samples,
    check_did_text_vs_tables,
)
from sofs_lib.chapters.consistency_audit.implementation import (
    check_focus_groups,
    check_other_counts,
)
from sofs_lib.chapters.consistency_audit.regressions import check_regression_t, check_table5
from sofs_lib.chapters.consistency_audit.workforce import check_table4, check_workforce_text
from sofs_lib.chapters.contrast_study.checks import run_checks as contrast_study_checks
from sofs_lib.chapters.costs.checks import cost_checks
from sofs_lib.chapters.did.checks import check_eq3c_logit as did_eq3c_logit
from sofs_lib.chapters.la_outcomes.checks import check_recovered_comparators
from sofs_lib.chapters.workforce.checks import run as workforce_checks


# ---------------------------------------------------------------------------- run and record
def run_all(alpha: float = ALPHA, max_item_nonresponse: int = MAX_ITEM_NONRESPONSE) -> list[Check]:
    """Every check, in the order the appendix shows them."""
    checks: list[Check] = []
    for fn, args in (
        (check_anova_additivity, ()),
        (check_anova_f_p, ()),
        (check_oneway_from_anova, ()),
        (check_a93_a94_p_from_f, ()),
        (check_text_p_values, ()),
        (check_other_counts, ()),
        (check_regression_t, ()),
        (check_table5, ()),
        (check_contrast_tests, ()),
        (check_table4, (alpha, max_item_nonresponse)),
        (check_workforce_text, ()),
        (check_focus_groups, ()),
        (cost_checks, ()),
        (check_did_text_vs_tables, ()),
        (check_did_counterfactuals, ()),
        (check_did_samples, ()),
        (contrast_study_checks, ()),
        (check_recovered_comparators, ()),
        (workforce_checks, (alpha,)),
        (did_eq3c_logit, ()),
    ):
        for c in fn(*args):
            c.computed_by = f"{fn.__module__}.{fn.__name__}"
            checks.append(c)
    ids = [c.check_id for c in checks]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate check ids: {sorted(dup)}")
    return checks


def computed_by(checks: list[Check], topic: str) -> str:
    """The functions behind one topic's checks, for the table's source line."""
    fns = sorted({c.computed_by for c in checks if c.topic == topic})
    return ", ".join(fns) or "sofs_lib.chapters.consistency_audit"


def frame(checks: list[Check]) -> pd.DataFrame:
    """The tidy table of checks (one row each)."""
    return pd.DataFrame([{k: getattr(c, k) for k in COLUMNS} for c in checks], columns=COLUMNS)


def record(led, checks: list[Check]) -> None:
    """Write every check's comparisons to a ledger (kind ``derived``)."""
    for c in checks:
        rows = c.entries or [Entry("audit", c.check_id, "check", float("nan"), float("nan"), c.verdict)]
        for e in rows:
            note = f"[{c.check_id}] " + (e.note or c.title)
            led.record(
                e.table_id,
                e.row,
                e.column,
                published=e.published,
                reproduced=e.reproduced,
                kind="derived",
                status=STATUS[e.verdict],
                note=note,
            )


def summary(checks: list[Check]) -> pd.DataFrame:
    """Counts of checks by topic and verdict."""
    f = frame(checks)
    return f.groupby(["topic", "verdict"]).size().unstack(fill_value=0).reindex(columns=list(VERDICTS), fill_value=0)


VERDICT_COLOURS = {
    "consistent": "#2e7d32",
    "consistent within rounding": "#9ccc65",
    "inconsistent": "#c62828",
    "cannot check": "#9e9e9e",
}


def plot_verdicts(summary_df: pd.DataFrame):
    """Stacked bars: the audit's checks by topic and verdict (the table of :func:`summary`)."""
    import matplotlib.pyplot as plt

    from sofs_lib.display.plotting import finish

    s = summary_df.drop(index=[i for i in summary_df.index if str(i).lower().startswith("all")], errors="ignore")
    cols = [c for c in VERDICT_COLOURS if c in s.columns]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(s) + 1.6))
    left = np.zeros(len(s))
    for c in cols:
        ax.barh(s.index.astype(str), s[c].to_numpy(), left=left, color=VERDICT_COLOURS[c], label=c)
        left += s[c].to_numpy()
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    return finish(
        fig,
        "Consistency audit: checks by topic and verdict",
        "checks recomputed from the report's own published numbers (sofs_lib.chapters.consistency_audit.analysis).",
        xlabel="Checks (number)",
        ylabel="",
    )
