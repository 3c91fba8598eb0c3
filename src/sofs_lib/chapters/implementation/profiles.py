"""Appendix 7 self-profiling T-scores, rebuilt on synthetic item-level data.

What the report publishes
-------------------------
Strategic leads in the 9 pilots rated their authority's progress on the 50-item self-profiling
instrument of report Appendix 3 (each item 1-10, 1 = "Not at all", 10 = "Fully") for the
beginning (T1) and the end (T3) of Round 2. The scores were "converted to T-scores based on the
mean average response of all pilots" (50 = mean, 10 = one standard deviation) for five analysis
categories: organisational culture, practice issues, learning, processes and leadership. The
report's figures (A7.1-A7.9) are images that are not in the text, so only the *narrative* about
the T-scores survives: Appendix 7's paragraph per pilot and the report paragraph "Pilots'
assessment of their progress on implementation".

The pieces
----------
* the instrument and the T-scores (with the assumptions the report leaves open):
  :mod:`sofs_lib.chapters.implementation.profile_scores` (``instrument``, ``tscores``);
* every narrative statement as checkable data, and the reading of "T2" as T3:
  :mod:`sofs_lib.chapters.implementation.profile_statements` (``STATEMENTS``,
  ``check_statements``);
* **synthetic** item-level responses that satisfy every statement: this module
  (:func:`generate_responses`) -- these are *not* the pilots' data;
* the profiles drawn: :mod:`sofs_lib.chapters.implementation.profile_figures`
  (``plot_profile``, ``plot_all_profiles``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.chapters.implementation.profile_scores import (
    CATEGORIES,
    PILOTS,
    TIMES,
    check_structures,
    instrument,
    tscores,
)
from sofs_lib.chapters.implementation.profile_statements import check_statements
from sofs_lib.synthetic import appendix7_responses as A7

__all__ = ["SOURCE_NOTE", "TARGETS", "generate_responses", "targets_frame"]

SOURCE_NOTE = (
    "Source: synthetic item-level responses generated to satisfy the narrative of "
    "report Appendix 7; not the pilots' data."
)

TARGETS = A7.TARGETS


def targets_frame() -> pd.DataFrame:
    """The generator's target T-scores (pilot, time, category, target_t)."""
    return A7.targets_frame(CATEGORIES)


def generate_responses(seed: int = 20180401, structures_category: str = "leadership") -> pd.DataFrame:
    """Synthetic item-level responses that satisfy every statement of
    :data:`sofs_lib.chapters.implementation.profile_statements.STATEMENTS`.

    **Synthetic -- not the pilots' data.** 9 pilots x 50 items x T1/T3 (Pilot 7 has no T1:
    8 x 2 x 50 - 50 = 850 rows), integer scores 1-10, with a ``kind`` column equal to
    ``"synthetic"`` and ``attrs`` recording the seed and the attempt used.

    Method: each pilot x time x category has a hand-designed target T-score (:data:`sofs_lib.synthetic.appendix7_responses.TARGETS`),
    converted to a raw category mean ``m = 5.5 + 1.5 (T - 50) / 10``. Item scores are
    ``m + e`` with ``e`` normal noise (SD 0.9, centred within the category), clipped to 1-10 and
    rounded to integers by largest remainder so that the category's item total is
    ``round(m * k)`` (the category mean is within 1/(2k) of ``m``). T-scores are then recomputed
    with :func:`~sofs_lib.chapters.implementation.profile_scores.tscores` (``reference="pooled"``)
    and checked with :func:`~sofs_lib.chapters.implementation.profile_statements.check_statements`; if
    any statement fails the draw is repeated with the next derived seed
    (``SeedSequence([seed, attempt])``), up to 50 attempts, then ``RuntimeError``. Because the
    category totals are pinned, the seed changes which items score high or low but hardly the
    category T-scores, so in practice the first draw passes (smallest margin to a bound is about
    0.7 T points) and the loop is a guard against a design in :data:`sofs_lib.synthetic.appendix7_responses.TARGETS` that does not fit.
    The statements are guaranteed for ``reference="pooled"``; with ``"per_time"`` a few of the
    bounded statements may not hold.

    Same ``seed`` and ``structures_category`` -> identical DataFrame.
    """
    check_structures(structures_category)
    items = instrument(structures_category)
    for attempt in range(A7.MAX_ATTEMPTS):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), attempt]))
        df = A7.draw(rng, items, CATEGORIES, PILOTS, TIMES)
        checked = check_statements(tscores(df, "pooled", structures_category))
        if checked["holds"].all():
            df["kind"] = "synthetic"
            df.attrs.update(
                kind="synthetic",
                seed=int(seed),
                attempt=attempt,
                structures_category=structures_category,
                note=SOURCE_NOTE,
            )
            return df
    failed = checked.loc[~checked["holds"], "statement_id"].tolist()
    raise RuntimeError(f"no draw satisfied all statements in {A7.MAX_ATTEMPTS} attempts (last failures: {failed[:10]})")
