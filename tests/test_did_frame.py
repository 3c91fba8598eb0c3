"""The DiD analysis frame's fast paths against second implementations.

:func:`sofs_lib.chapters.did.frame.analysis_frame` works out the periods for the design's rows
only and takes every column once in the final order; it must give exactly the frame of the
general route (:meth:`StudyDesign.assign_periods` on every row, then the kept rows taken), on
small tables built to hit the edge cases: LAs outside the design or missing, undated rows, rows
without an age, repeated children, string unit ids, missing covariates. Its integer routines
must give what the numpy/pandas forms give.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sofs_lib.chapters.did import data as D
from sofs_lib.chapters.did import frame as F
from sofs_lib.chapters.did import la_match as LM
from sofs_lib.methods.did import matching as MA
from sofs_lib.sources import npd
from sofs_lib.sources.npd.calendar import financial_year
from sofs_lib.sources.npd.columns import STR, year_month
from sofs_lib.sources.npd.design import _financial_year, _first_rows


@pytest.fixture(scope="module")
def design():
    return npd.default_design()


def _population(design, n=3000, seed=5, str_units=False):
    """A derived population's columns, with LAs outside the design and missing values."""
    rng = np.random.default_rng(seed)
    las = list(design.la_table("eq3a")["la"]) + ["Elsewhere"]
    la = pd.Series(rng.choice(las, n), dtype="string")
    la[rng.random(n) < 0.02] = pd.NA
    date = pd.Timestamp("2008-04-01") + pd.to_timedelta(rng.integers(0, 4000, n), unit="D")
    date = pd.Series(date.astype("datetime64[s]"))
    date[rng.random(n) < 0.02] = pd.NaT
    age = rng.uniform(0, 18, n)
    age[rng.random(n) < 0.05] = np.nan

    def labels(values, p_na=0.03):
        s = pd.Series(rng.choice(values, n), dtype=STR)
        s[rng.random(n) < p_na] = np.nan
        return s

    unit = rng.permutation(n) * 3 + 7
    return pd.DataFrame(
        {
            "unit_id": pd.Series([f"u{u}" for u in unit], dtype=STR) if str_units else unit,
            "child_id": rng.integers(0, n // 3, n) * 11,
            "la": la,
            "group_id": pd.Series(["stale"] * n, dtype=STR),  # re-assigned by the frame
            "period": "pre",
            "event_date": date,
            "y": rng.normal(size=n),
            "age": age,
            "age_band": labels(["0-4", "5-10", "11-15", "16+"]),
            "gender": labels(["female", "male", "missing"]),
            "disabled": rng.integers(0, 2, n).astype("int8"),
            "ethnicity": labels(["White", "Mixed", "Asian"]),
            "academic_year": labels(["primary", "secondary"]),
            "fsm": labels(["yes", "no"]),
            "nfa_stage": labels(["referral", "assessment"], 0.1),
            "repeated": rng.random(n) < 0.5,
        }
    )


@pytest.fixture(scope="module")
def attrs(design):
    return D.la_attributes(design, [*design.all_las, "Elsewhere"], 3)


def _general(pop, design, eq, attrs, n_leads=5, keep_settling=False):
    return F._analysis_frame_by_merge(pop, design, eq, attrs, n_leads, keep_settling)


def _same(got, expected):
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got.columns) == list(expected.columns)
    assert (got.dtypes == expected.dtypes).all()
    assert got.attrs == expected.attrs


@pytest.mark.parametrize("str_units", [False, True])
@pytest.mark.parametrize("eq", ["eq3a", "eq3d"])
def test_frame_is_the_general_route(design, attrs, eq, str_units, monkeypatch):
    pop = _population(design, str_units=str_units)
    expected = _general(pop, design, eq, attrs)
    monkeypatch.setattr(F, "_analysis_frame_by_merge", None)  # the fast path only
    got = F.analysis_frame(pop, design, eq, attrs)
    _same(got, expected)
    assert got["year"].dtype == np.float64  # undated rows in the population
    assert got.attrs["dropped_no_age"] > 0
    assert set(got["la"]) <= set(design.la_table(eq)["la"])


def test_frame_without_attributes_and_with_other_leads(design):
    pop = _population(design, seed=8)
    _same(F.analysis_frame(pop, design, "eq3b", None, n_leads=2), _general(pop, design, "eq3b", None, 2))


def test_row_mask_is_the_filtered_population(design, attrs):
    pop = _population(design, seed=9)
    where = pop["y"].to_numpy() < 0.5
    got = F.analysis_frame(pop, design, "eq3a", attrs, where=where)
    _same(got, F.analysis_frame(pop[where], design, "eq3a", attrs))
    _same(got, _general(pop[where], design, "eq3a", attrs))


def test_keep_settling(design, attrs):
    pop = _population(design, seed=10)
    pop = pop[pop["event_date"].notna()]
    got = F.analysis_frame(pop, design, "eq3a", attrs, keep_settling=True)
    _same(got, _general(pop, design, "eq3a", attrs, keep_settling=True))
    assert "settling" in set(got["period"])


def test_empty_population_takes_the_general_route(design, attrs):
    pop = _population(design).iloc[:0]
    _same(F.analysis_frame(pop, design, "eq3a", attrs), _general(pop, design, "eq3a", attrs))


def test_first_appearance_codes_are_factorize():
    rng = np.random.default_rng(1)
    for x in (
        rng.integers(0, 50, 1000),
        rng.integers(-(10**6), 10**6, 500),  # sparse: hashing
        rng.integers(5, 9, 3000).astype(np.int8),
        np.array([], dtype=np.int64),
        np.array(["b", "a", "b"], dtype=object),
    ):
        assert np.array_equal(MA.first_appearance_codes(x), pd.factorize(x)[0])


def test_strata_are_the_factorized_cells():
    rng = np.random.default_rng(4)
    n = 2000
    df = pd.DataFrame(
        {
            "g": pd.Series(rng.choice(["P1", "P2", None], n), dtype="string"),
            "p": pd.Series(rng.choice(["pre", "post"], n), dtype=object),
            "c": pd.Categorical(rng.choice(["x", "y", None], n), categories=["z", "y", "x"]),
            "b": rng.integers(0, 2, n),
        }
    )
    keys = [pd.factorize(df[v], use_na_sentinel=False)[0] for v in df.columns]
    k = np.zeros(n, dtype=np.int64)
    for arr in keys:
        k = k * (int(arr.max()) + 1) + arr
    assert np.array_equal(MA.strata(df, list(df.columns)), pd.factorize(k)[0])


def test_financial_year_by_day_is_by_month():
    rng = np.random.default_rng(6)
    for unit in ("s", "ms", "ns", "D"):
        d = (np.datetime64("2008-01-01") + rng.integers(0, 4000 * 86_400, 5000).astype("timedelta64[s]")).astype(
            f"datetime64[{unit}]"
        )
        d[::9] = np.datetime64("NaT")
        y, m = year_month(d)
        got, na = _financial_year(d)
        assert np.array_equal(na, np.isnat(d))
        assert np.array_equal(got, np.where(na, 0, y + (m >= 4)))


@pytest.mark.parametrize("categorical", [False, True])
def test_first_rows_are_numpys_unique(categorical):
    rng = np.random.default_rng(7)
    for _ in range(50):
        vals = pd.Series(rng.choice(["a", "b", "c", None], rng.integers(1, 40)), dtype="string")
        if categorical:
            code = pd.Categorical(vals, categories=["c", "b", "a", "d"]).codes.astype(np.int64)
        else:
            code = pd.factorize(vals)[0]
        expected = np.unique(np.where(code < 0, code.max(initial=-1) + 1, code), return_index=True)[1]
        assert np.array_equal(_first_rows(code), expected)


def _closeness_by_loc(pop, y, design0, pilots):
    """The closeness table by pandas look-ups (boolean masks and ``.loc`` per pilot)."""
    means = MA.la_year_means(pop, y)
    pool = [la for la in means.index if la not in pilots]
    closes, post = [], {}
    for pl in pilots:
        if pl not in means.index:
            continue
        start_fy = int(financial_year([design0.sofs_start[pl]]).iloc[0])
        yrs = [yy for yy in means.columns if yy < start_fy]
        sub = pop[(pop["la"] == pl) & (pop["year"] < start_fy)]
        sd = float(sub[y].std()) if len(sub) > 1 else np.nan
        closes.append(MA.closeness(means, pl, pool, yrs, sd))
        post[pl] = int((pop.loc[pop["la"] == pl, "event_date"] >= design0.post_start(pl)).sum())
    return pd.concat(closes, ignore_index=True), post


def test_closeness_on_codes_is_the_look_up(design):
    pop = _population(design, n=6000, seed=12)
    pop = pop[pop["event_date"].notna()].assign(year=lambda d: financial_year(d["event_date"]).to_numpy(dtype=np.int64))
    pop.loc[pop.index[:40], "y"] = np.nan
    pilots = list(design.sofs_start)
    got, got_post = LM._closeness(pop, "y", design, pilots)
    expected, post = _closeness_by_loc(pop, "y", design, pilots)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got_post == post
    assert got["rmse"].notna().sum() > 0
    where = pop["age"].to_numpy() < 12  # a row mask is the filtered population
    got, got_post = LM._closeness(pop, "y", design, pilots, where)
    expected, post = _closeness_by_loc(pop[where], "y", design, pilots)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got_post == post
