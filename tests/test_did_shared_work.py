"""The DiD fits' shortcuts change nothing: integer cluster codes give the clustered fit of the
LA labels, and CEM strata are the cells of the matching variables (missing a level)."""

import numpy as np
import pandas as pd

from sofs_lib.methods.did import matching as MA
from sofs_lib.methods.did import models as M


def _panel(n=600, seed=3):
    rng = np.random.default_rng(seed)
    la = rng.integers(0, 8, n)
    pilot = (la < 4).astype(int)
    post = rng.integers(0, 2, n)
    age = rng.uniform(0, 17, n)
    y = 5 + 2.0 * pilot * post + 0.3 * age + rng.normal(0, 1 + la / 4, n)
    return pd.DataFrame(
        dict(
            la=[f"LA {i}" for i in la],
            pilot_i=pilot,
            post=post,
            did=pilot * post,
            year=rng.choice([2013, 2015, 2017], n),
            age=age,
            disabled=rng.integers(0, 2, n),
            gender=rng.choice(["f", "m"], n),
            ethnicity=rng.choice(["a", "b", "c"], n),
            academic_year=rng.choice(["p", "s"], n),
            fsm=rng.choice(["no", "yes"], n),
            ofsted_high=rng.integers(0, 2, n),
            y=y,
            cem_w=rng.uniform(0.5, 2, n),
        )
    )


def test_cluster_codes_give_the_fit_on_la_labels():
    d = _panel()
    by_label = M.fit_ols(d, "eq3b", "linear", ["y"], {"m": ["pilot_i", "did"]})[("m", "y")]
    # the second route: the clusters given as numbers by the caller (nothing to recode)
    numeric = d.assign(la=d["la"].str.slice(3).astype(int) * 7 + 1)
    by_number = M.fit_ols(numeric, "eq3b", "linear", ["y"], {"m": ["pilot_i", "did"]})[("m", "y")]
    assert by_label.n_clusters == by_number.n_clusters == 8
    assert by_label.n_treated_clusters == 4
    pd.testing.assert_frame_equal(by_label.table, by_number.table)


def test_strata_are_the_cells_with_missing_as_a_level():
    df = pd.DataFrame(
        {
            "a": pd.Categorical(["x", "y", None, "x", None, "y"]),
            "b": [1.0, np.nan, 2.0, 1.0, 2.0, np.nan],
            "c": ["u", "u", "v", "u", "v", "w"],
        }
    )
    s = MA.strata(df, ["a", "b", "c"])
    # rows 0 and 3 share every value; 2 and 4 share (missing, 2, v); the rest are alone
    assert s[0] == s[3] and s[2] == s[4]
    assert len(set(s)) == 4
    assert list(s) == [0, 1, 2, 0, 2, 3]  # numbered in order of first appearance
