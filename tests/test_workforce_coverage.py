"""Coverage of group means (sofs_lib.methods.coverage and the workforce chapter's use of it),
and the consistency audit's Table 4 tests as the workforce chapter's one implementation.

Expected values are worked by hand from the small frames written out in each test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sofs_lib.chapters.workforce import coverage as wc
from sofs_lib.methods import coverage as cov

NAN = np.nan


def _toy():
    """Three councils, 2018-2020. x: A every year, B missing 2019, C has no 2020 row;
    y: collected from 2019 only; A has it both years, B only in 2019, C never."""
    values = pd.DataFrame(
        [
            ("A", 2018, "x", 1.0),
            ("A", 2019, "x", 2.0),
            ("A", 2020, "x", 3.0),
            ("B", 2018, "x", 4.0),
            ("B", 2019, "x", NAN),
            ("B", 2020, "x", 6.0),
            ("C", 2018, "x", 7.0),
            ("C", 2019, "x", 8.0),
            ("A", 2019, "y", 1.0),
            ("A", 2020, "y", 1.0),
            ("B", 2019, "y", 1.0),
            ("B", 2020, "y", NAN),
        ],
        columns=["la_code", "year", "indicator_id", "value"],
    )
    las = pd.DataFrame({"la_code": ["A", "B", "C"], "la_name": ["Avon", "Bury", "Crewe"], "group": ["P", "P", "Q"]})
    expected = las.merge(pd.DataFrame({"year": [2018, 2019, 2020]}), how="cross")
    return values, expected


def test_missing_la_years_by_hand():
    values, expected = _toy()
    m = cov.missing_la_years(values, expected)
    got = list(m[["indicator_id", "la_code", "year"]].itertuples(index=False, name=None))
    # x (span 2018-2020): B 2019 (NaN), C 2020 (no row); y (span 2019-2020, not 2018):
    # B 2020, C 2019, C 2020 -- sorted by indicator, group, name, year
    assert got == [("x", "B", 2019), ("x", "C", 2020), ("y", "B", 2020), ("y", "C", 2019), ("y", "C", 2020)]
    assert list(m.columns) == cov.MISSING_COLUMNS


def test_span_and_expected_limit_what_is_missing():
    values, expected = _toy()
    # counter-example: an explicit span of 2020 only for y, and Crewe not expected at all
    m = cov.missing_la_years(values, expected[expected["la_code"] != "C"], spans={"x": (2018, 2020), "y": (2020, 2020)})
    got = list(m[["indicator_id", "la_code", "year"]].itertuples(index=False, name=None))
    assert got == [("x", "B", 2019), ("y", "B", 2020)]


def test_coverage_sentence_by_hand_and_nothing_missing():
    values, expected = _toy()
    m = cov.missing_la_years(values, expected)
    # Crewe 3 (x 2020, y 2019, y 2020), Bury 2 (x 2019, y 2020)
    s = cov.coverage_sentence(m)
    assert s == (
        "5 LA-years lack a value (missing or suppressed; an LA-year counts once per indicator) and "
        "are left out of the means, which are then over fewer councils: Crewe (3); Bury (2)."
    )
    s = cov.coverage_sentence(m, {"P": "pilots", "Q": "comparators"})
    assert s.endswith("fewer councils. Pilots, 2: Bury (2). Comparators, 3: Crewe (3).")
    full = values.dropna().copy()
    assert cov.missing_la_years(full, expected[expected["la_code"] == "A"]).empty
    assert (
        cov.coverage_sentence(cov.missing_la_years(full, expected[expected["la_code"] == "A"]), nothing="All there.")
        == "All there."
    )


def test_names_shared_by_two_codes_get_their_code():
    m = pd.DataFrame(
        {
            "indicator_id": ["x", "x", "x"],
            "la_code": ["835", "835", "838"],
            "la_name": ["Dorset", "Dorset", "Dorset"],
            "group": ["C", "C", "O"],
            "year": [2019, 2020, 2015],
        }
    )
    assert dict(cov.named_counts(m)) == {"Dorset 835": 2, "Dorset 838": 1}
    assert cov.named_counts(m.iloc[:0]).empty


def test_bad_input_names_the_column():
    values, expected = _toy()
    with pytest.raises(cov.CoverageError, match="value"):
        cov.missing_la_years(values.drop(columns="value"), expected)
    with pytest.raises(cov.CoverageError, match="group"):
        cov.missing_la_years(values, expected.drop(columns="group"))


def test_n_beside_by_hand():
    means = pd.DataFrame(
        {
            "ind": ["x", "x", "x"],
            "year": [2018, 2018, 2019],
            "group": ["P", "Q", "P"],
            "mean": [2.5, 7.0, 2.0],
            "n": [2, 1, 1],
        }
    )
    w = cov.n_beside(means, ["ind", "year"], "group", {"P": "Pilots"})
    assert list(w.columns) == ["Pilots: mean", "Pilots: n LAs", "Q: mean", "Q: n LAs"]
    assert w.loc[("x", 2018)].tolist() == [2.5, 2, 7.0, 1]
    # Q has no value in 2019: its n is 0, its mean missing
    assert w.loc[("x", 2019), "Q: n LAs"] == 0 and np.isnan(w.loc[("x", 2019), "Q: mean"])


# ------------------------------------------------------------------ the workforce chapter
def test_lifetimes_from_the_reorganisations():
    # abolished 1 April 2019: last counted 30 September 2018; successor first counted 2019
    life = wc.lifetimes()
    assert life["835"][:2] == (None, 2018) and "1 April 2019" in life["835"][2] and "838" in life["835"][2]
    assert life["838"][:2] == (2019, None)
    assert life["928"][:2] == (None, 2020) and life["943"][:2] == (2023, None)
    assert wc._september("2019-04-01") == 2019 and wc._september("2019-10-01") == 2020


def _frame():
    """Dorset (835) is a comparator abolished in 2019; Bournemouth (837) another council,
    abolished too but on the panel to 2020; Brent (304) a pilot missing 2018."""
    rows = []
    for y in (2017, 2018, 2019, 2020):
        rows.append(("835", "Dorset", "Comparator", y, 1.0 if y <= 2018 else NAN))
        rows.append(("837", "Bournemouth", "Other English LA", y, 2.0 if y <= 2018 else NAN))
        rows.append(("304", "Brent", "Pilot", y, NAN if y == 2018 else 3.0))
    return pd.DataFrame(rows, columns=["la_code", "la_name", "group", "year", "sw_turnover_fte"])


def test_expected_and_missing_with_reasons_by_hand():
    f = _frame()
    e = wc.expected_la_years(f)
    # fixed groups every year (4 + 4); Bournemouth only to September 2018 (2)
    assert e.groupby("la_code").size().to_dict() == {"304": 4, "835": 4, "837": 2}
    m = wc.panel_missing(f, ["sw_turnover_fte"])
    got = list(m[["la_code", "year"]].itertuples(index=False, name=None))
    assert got == [("304", 2018), ("835", 2019), ("835", 2020)]
    assert m["reason"].tolist()[0] == wc.NO_VALUE
    assert m["reason"].tolist()[1].startswith("council abolished 1 April 2019")
    s = cov.coverage_sentence(m, wc.GROUPS)
    assert s.endswith("Pilots, 1: Brent (1). Comparators, 2: Dorset (2).")


def test_means_with_n_follow_the_groups():
    from sofs_lib.chapters.workforce.panel import group_means

    w = wc.means_with_n(group_means(_frame()))
    # 2019: Brent 3.0 (1 LA), Dorset none (0), Bournemouth none (0)
    r = w.loc[("Turnover rate (FTE)", 2019)]
    assert r["Pilots: mean"] == 3.0 and r["Pilots: n LAs"] == 1 and r["Comparators: n LAs"] == 0
    assert w.loc[("Turnover rate (FTE)", 2018), "Other English LAs: n LAs"] == 1


@pytest.fixture(scope="module")
def extract():
    from sofs_lib.chapters.workforce import compute
    from sofs_lib.chapters.workforce.params import SPEC

    L = compute.load(SPEC.defaults(), None)
    if L["kind"] != "real":
        pytest.skip("no committed extract")
    return L


def test_extract_n_plus_missing_is_expected(extract):
    """Every mean's n LAs plus its named missing LA-years equals the councils it should cover."""
    from sofs_lib.chapters.workforce.panel import group_means

    f = extract["frame"]
    means = group_means(f)
    means = means[means["group"] != "Excluded"]
    exp = wc.expected_la_years(f).groupby(["group", "year"]).size()
    miss = wc.panel_missing(f).groupby(["indicator_id", "group", "year"]).size()
    k = means.apply(lambda r: miss.get((r.indicator_id, r.group, r.year), 0), axis=1)
    e = means.apply(lambda r: exp[(r.group, r.year)], axis=1)
    assert (means["n"] + k == e).all()
    # Dorset (835), a comparator, has no workforce value from September 2019 (abolished 1 April 2019)
    assert (means[(means["group"] == "Comparator") & (means["year"] >= 2020)]["n"] <= 7).all()


def test_extract_a9_coverage(extract):
    """Dorset's September 2019 figures exist only under its successor (838): every A9.3
    comparator mean is over 7 of the 8 comparators, and Dorset 2019 is named on every row."""
    from sofs_lib.chapters.workforce import records, reproduce

    ch = reproduce.chosen(reproduce.candidates(extract["long"]))
    assert (ch["a93_n_snn"] == 7).all() and (ch["a93_n_pilot"] == 8).all()
    m = wc.a9_missing(extract["long"], ch)
    d19 = m[(m["la_code"] == "835") & (m["year"] == 2019)]
    assert sorted(d19["indicator_id"]) == sorted(reproduce.CANDIDATES)
    # A9.4 pilot n = 8 pilots x years of the series - the pilots' missing LA-years
    for iid, c in ch.iterrows():
        first, last = (int(x) for x in c["years_a94"].split("-"))
        k = int(((m["indicator_id"] == iid) & (m["group"] == "Pilot")).sum())
        assert c["a94_n_pilot"] == 8 * (last - first + 1) - k
    v = records.a9_view(ch)
    assert v.shape == (12, 9) and v.loc[(v.index[0][0], "A9.3"), "SNN n"] == 7


# ------------------------------------------------------------------ Table 4: one implementation
def test_audit_table4_is_the_chapter_test():
    from sofs_lib.chapters.consistency_audit import workforce as audit_wf
    from sofs_lib.chapters.workforce import survey

    a = audit_wf.table4_tests(0.05, 3)
    t = survey.statement_tests(3, 0.05, max_combinations=200_000)
    for col in ("chi2", "p", "p_min", "p_max", "reconstructions"):
        assert a[col].tolist() == t[col].tolist()
    # the allowance the audit reports is the least non-response every cell of a statement needs
    rec = survey.reconstruction(3)
    need = rec.groupby("statement", sort=False)["nonresponse_needed"].max().clip(lower=3)
    assert a["max_missing"].tolist() == need.reindex(a.index).tolist()
    # chi-square only: no exact columns
    assert "p_exact" not in survey.statement_tests(0, exact=False).columns


def test_nonresponse_assumed_by_hand():
    from sofs_lib.chapters.workforce import survey

    # 91% of Pilot 1's 51 respondents is no whole count (46/51 = 90.2%, 47/51 = 92.2%), so the
    # central reconstruction assumes Pilot 1 skipped that item
    t = survey.statement_tests(0, assumed=True)
    assert "Pilot 1" in t.loc["Find the job is satisfying overall", "nonresponse_assumed"]
    rec = survey.reconstruction(0)
    for stmt, g in rec.groupby("statement"):
        assert sorted(t.loc[stmt, "nonresponse_assumed"]) == sorted(g.loc[g["denominator"] < g["n"], "pilot"])
