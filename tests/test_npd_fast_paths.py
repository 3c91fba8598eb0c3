"""The vectorised NPD paths against second implementations (the plain numpy/pandas forms).

Each fast path (sampling without replacement, sorted searches, period assignment, covariates,
periods of care, the child-date window search, sort ranks) must give exactly what the direct
form gives, on small tables built to hit the edge cases: missing values, LAs outside the
design, children without a record, codes outside the code lists, episodes before a child's
first period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sofs_lib.sources import npd
from sofs_lib.sources.npd import codes
from sofs_lib.sources.npd.columns import sort_rank
from sofs_lib.sources.npd.covariates import GENDER_LABELS, add_covariates
from sofs_lib.sources.npd.derive import periods_of_care
from sofs_lib.sources.npd.design import _assign_periods_merge
from sofs_lib.sources.npd.windows import ChildEvents, expand
from sofs_lib.synthetic.npd.pairing import _choice_without_replacement, _searchsorted


@pytest.mark.parametrize("n, size, zeros", [(10, 5, 0), (1000, 400, 0), (5000, 2400, 1000), (30000, 15000, 0)])
def test_choice_without_replacement_is_numpys_draw(n, size, zeros):
    rng = np.random.default_rng(n)
    w = rng.random(n) + 0.1
    w[:zeros] = 0.0
    p = w / w.sum()
    a = np.arange(n) * 7
    r1, r2 = np.random.default_rng(11), np.random.default_rng(11)
    expected = r1.choice(a, size, replace=False, p=p)
    got = _choice_without_replacement(r2, a, size, p)
    assert np.array_equal(got, expected)
    assert r1.random() == r2.random()  # the same number of draws was used


def test_choice_without_replacement_refuses_too_few_nonzero():
    with pytest.raises(ValueError, match="Fewer non-zero"):
        _choice_without_replacement(np.random.default_rng(0), np.arange(3), 3, np.array([0.5, 0.5, 0.0]))


def test_searchsorted_in_sorted_order_is_searchsorted():
    rng = np.random.default_rng(3)
    keys = np.sort(rng.integers(0, 100, 500))
    values = rng.integers(-5, 105, 2000)
    assert np.array_equal(_searchsorted(keys, values), np.searchsorted(keys, values, side="right"))


@pytest.fixture(scope="module")
def design():
    return npd.default_design()


@pytest.mark.parametrize("dtype", ["str", "string", "category", object])
def test_assign_periods_is_the_merge(design, dtype):
    las = list(design.la_table("eq3a")["la"])
    la = [las[0], las[-1], "Nowhere", None, las[0], las[1]]
    d = pd.to_datetime(["2009-05-01", "2016-06-30", "2015-01-01", "2012-01-01", None, "2019-03-31"])
    df = pd.DataFrame({"la": pd.Series(la, dtype=dtype), "event_date": d.astype("datetime64[s]"), "x": range(6)})
    df.index = [5, 3, 9, 1, 0, 7]
    got = design.assign_periods(df, "event_date", "eq3a")
    expected = _assign_periods_merge(df, design.la_table("eq3a"), "event_date")
    pd.testing.assert_frame_equal(got, expected)


def test_assign_periods_every_la_known_keeps_int_years(design):
    las = list(design.la_table("eq3d")["la"])
    df = pd.DataFrame(
        {"la": pd.Categorical(las * 2), "event_date": pd.date_range("2008-04-01", periods=2 * len(las), freq="90D")}
    )
    got = design.assign_periods(df, "event_date", "eq3d")
    pd.testing.assert_frame_equal(got, _assign_periods_merge(df, design.la_table("eq3d"), "event_date"))
    assert got["year"].dtype == np.int64


def _reference_covariates(df, children, date_col="event_date"):
    """The covariates by pandas look-ups (reindex, map, cut, select)."""
    ch = children.set_index("child_id")
    cid = df["child_id"].to_numpy()
    dob = pd.Series(ch["PersonBirthDate"].reindex(cid).to_numpy())
    when = pd.to_datetime(df[date_col]).reset_index(drop=True)
    age = (when - dob).dt.days / 365.25
    out = df.reset_index(drop=True).copy()
    out["age"] = age.to_numpy()
    out["age_band"] = (
        pd.cut(age, [-np.inf, 5, 11, 16, np.inf], right=False, labels=["0-4", "5-10", "11-15", "16+"])
        .astype("string")
        .to_numpy()
    )
    g = pd.Series(ch["GenderCurrent"].astype("string").reindex(cid).to_numpy())
    out["gender"] = g.map(GENDER_LABELS).fillna("missing").astype("string").to_numpy()
    dis = pd.Series(ch["Disability"].astype("string").reindex(cid).to_numpy())
    out["disabled"] = (dis.notna() & (dis != "NONE")).astype("int8").to_numpy()
    eth = pd.Series(ch["Ethnicity"].astype("string").reindex(cid).to_numpy())
    out["ethnicity"] = eth.map(codes.ETHNIC_GROUP).fillna("Missing").astype("string").to_numpy()
    ay = when.dt.year - (when.dt.month < 9).astype(int)
    nc = ay - dob.dt.year - (dob.dt.month >= 9).astype(int) - 4
    acad = np.select([dob.isna(), nc < 0, nc <= 6], ["missing", "before school age", "primary"], "secondary")
    out["academic_year"] = pd.Series(acad, dtype="string").to_numpy()
    fsm = pd.Series(ch["FSMeligible"].reindex(cid).to_numpy(), dtype="Int8")
    fna = fsm.isna().to_numpy()
    lab = np.select(
        [acad == "missing", (acad == "before school age") & fna, fna, fsm.fillna(0).to_numpy() == 1],
        ["missing", "below school age", "missing", "yes"],
        "no",
    )
    out["fsm"] = pd.Series(lab, dtype="string").to_numpy()
    return out


@pytest.mark.parametrize("coded", [True, False])
def test_add_covariates_is_the_pandas_lookup(coded):
    children = pd.DataFrame(
        {
            "child_id": np.array([4, 1, 7, 3, 9], dtype=np.int64),
            "PersonBirthDate": pd.to_datetime(["2010-05-01", "2002-09-01", None, "2014-08-31", "1999-01-15"]).astype(
                "datetime64[s]"
            ),
            "GenderCurrent": ["1", "2", "0", None, "9"],
            "Ethnicity": ["WBRI", None, "APKN", "XXXX", "BAFR"],
            "Disability": ["NONE", "AUT", None, "LD", "NONE"],
            "FSMeligible": pd.array([1, 0, None, None, 1], dtype="Int8"),
        }
    )
    if coded:
        for c in ("GenderCurrent", "Ethnicity", "Disability"):
            children[c] = children[c].astype("category")
    df = pd.DataFrame(
        {
            "child_id": np.array([1, 4, 7, 3, 9, 5, 4], dtype=np.int64),
            "event_date": pd.to_datetime(
                ["2018-09-03", "2017-12-22", "2012-01-01", "2018-09-03", "2016-02-29", "2015-01-01", None]
            ).astype("datetime64[s]"),
        },
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    pd.testing.assert_frame_equal(add_covariates(df, children), _reference_covariates(df, children))


def _reference_periods(episodes):
    """Periods of care by string keys and a group-by (the direct form)."""
    e = episodes.assign(la=episodes["la"].astype("string")).sort_values(["CHILD", "la", "DECOM"], kind="stable")
    is_s = (e["RNE"].astype("string") == codes.RNE_STARTED).to_numpy()
    grp = (e["CHILD"].astype("string") + "|" + e["la"]).to_numpy()
    new_grp = np.r_[True, grp[1:] != grp[:-1]]
    s_cum = np.cumsum(is_s)
    base = np.maximum.accumulate(np.where(new_grp, np.arange(len(e)), 0))
    s_before = np.where(base > 0, s_cum[np.maximum(base - 1, 0)], 0)
    seq = s_cum - s_before
    e = e.assign(period_seq=seq)
    n_before = int((seq == 0).sum())
    e = e[seq > 0]
    start = e.groupby(["CHILD", "la", "period_seq"], sort=False)["DECOM"].transform("min")
    return e.assign(period_start=start), n_before


def test_periods_of_care_is_the_group_by():
    # child 2 in LA "B" has an episode before its first S; child 2 in "A" follows child 1 in
    # "A" whose last period is 1, as child 2's first kept period is
    rows = [
        (1, "A", "2010-01-01", "S"),
        (1, "A", "2010-06-01", "P"),
        (2, "A", "2009-01-01", "L"),
        (2, "A", "2011-01-01", "S"),
        (2, "B", "2012-03-01", "S"),
        (2, "B", "2011-03-01", "P"),
        (2, "B", "2013-01-01", "S"),
        (3, "A", "2014-01-01", "S"),
        (3, "A", "2014-01-01", "L"),
    ]
    ep = pd.DataFrame(rows, columns=["CHILD", "la", "DECOM", "RNE"])
    ep["CHILD"] = ep["CHILD"].astype(np.int64)
    ep["la"] = pd.Categorical(ep["la"], categories=["B", "A"])
    ep["DECOM"] = pd.to_datetime(ep["DECOM"]).astype("datetime64[s]")
    ep["RNE"] = ep["RNE"].astype("category")
    got, n_got = periods_of_care(ep)
    expected, n_expected = _reference_periods(ep)
    assert n_got == n_expected == 2
    pd.testing.assert_frame_equal(got, expected)


def test_child_events_between_is_the_merge():
    rng = np.random.default_rng(5)
    ev = pd.DataFrame(
        {
            "child": rng.integers(0, 40, 300),
            "when": pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 900, 300), "D"),
        }
    )
    ev.loc[::17, "when"] = pd.NaT
    q = pd.DataFrame(
        {
            "child": rng.integers(0, 45, 200),
            "lo": pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(-30, 900, 200), "D"),
        }
    )
    q["hi"] = q["lo"] + pd.DateOffset(months=6)
    q.loc[::23, "hi"] = pd.NaT
    index = ChildEvents(ev["child"].to_numpy(), ev["when"].to_numpy())
    for inclusive in (False, True):
        first, stop = index.between(q["child"], q["lo"].to_numpy(), q["hi"].to_numpy(), start_inclusive=inclusive)
        qi, at = expand(first, stop)
        got = sorted(zip(qi.tolist(), index.when[at].astype("datetime64[s]").tolist()))
        m = q.reset_index(names="qi").merge(ev, on="child")
        low = m["when"] >= m["lo"] if inclusive else m["when"] > m["lo"]
        m = m[low & (m["when"] <= m["hi"])]
        expected = sorted(zip(m["qi"].tolist(), m["when"].to_numpy().astype("datetime64[s]").tolist()))
        assert got == expected


@pytest.mark.parametrize(
    "col",
    [
        pd.Series([3, 1, 2, 1], dtype=np.int64),
        pd.Series(pd.to_datetime(["2012-01-01", None, "2010-01-01", "2012-01-01"])),
        pd.Series(["b", None, "a", "b"], dtype="string"),
        pd.Series(pd.Categorical(["b", "a", None, "c"], categories=["c", "b", "a"])),
    ],
)
def test_sort_rank_orders_as_sort_values(col):
    other = pd.Series([4, 3, 2, 1])
    # a categorical is ranked by its values as strings (it becomes a string column), not by
    # its category order
    key = col.astype("string") if isinstance(col.dtype, pd.CategoricalDtype) else col
    df = pd.DataFrame({"k": key, "o": other})
    expected = df.sort_values(["k", "o"]).index.to_numpy()
    got = np.lexsort((other.to_numpy(), sort_rank(col)))
    assert np.array_equal(got, expected)
