"""Small-cell suppression of the DiD chapter's tables built from records."""

import numpy as np
import pandas as pd

from sofs_lib.chapters.did import samples as S
from sofs_lib.methods import disclosure


def tiny_frame():
    """30 pilot and 40 comparator children before SofS; 3 pilot and 12 comparator girls."""
    rows = []
    for pilot, n, n_f in ((1, 30, 3), (0, 40, 12)):
        for i in range(n):
            rows.append(
                dict(
                    pilot_i=pilot,
                    post=0,
                    cem_w=1.0,
                    repeated=0,
                    kinship_12m=i % 2,
                    age=5.0,
                    gender="female" if i < n_f else "male",
                    academic_year="primary",
                    fsm="no",
                    ethnicity="White",
                    main_need="abuse or neglect",
                    disabled=0,
                )
            )
    return pd.DataFrame(rows)


def test_small_cells_and_complements_suppressed():
    t = S.weighted_summary(tiny_frame(), "eq3d", "linear", 70)
    # 3 pilot girls < 10: suppressed, and so is its complement in the same row and column
    assert t.loc["Gender – female", "Pilot sites"] == disclosure.MARK
    assert t.loc["Gender – female", "Comparator LAs"] == disclosure.MARK  # complement in the row
    assert t.loc["Gender – male", "Pilot sites"] == disclosure.MARK  # complement in the column
    # categories where every count is >= 10 are shown
    assert t.loc["Academic year – primary school", "Pilot sites"] == 100
    assert np.isclose(t.loc["Outcome", "Pilot sites"], 50.0)
    # disabled: 0 disabled children -> the zero cell is suppressed with its complement
    assert t.loc["Disabled", "Pilot sites"] == disclosure.MARK


def test_group_under_threshold_hides_everything():
    f = tiny_frame()
    f = f[(f["pilot_i"] == 0) | (f.index < 5)]  # 5 pilot children
    t = S.weighted_summary(f, "eq3d", "linear", 45)
    assert (t.loc[["Outcome", "Age", "Gender – male"], "Pilot sites"] == disclosure.MARK).all()
    assert t.loc["Number of observations in this pre-treatment group", "Pilot sites"] == disclosure.MARK
