"""Coverage of the costs chapter's means: who is missing, named and counted (hand-worked cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sofs_lib.chapters.costs import coverage, spending

GROUPS = {"Pilot": ["P1", "P2", "P3"], "SNN": ["C1"]}
NAMES = {"P1": "Pilotford", "P2": "Pilbury", "C1": "Compton", "E1": "Eastwick", "E2": "Elmley", "E3": "Newtown"}


def _panel(rows) -> pd.DataFrame:
    d = pd.DataFrame(rows, columns=["la_code", "year", "indicator_id", "value"])
    d["la_name"] = d["la_code"].map(NAMES)
    return d


def _toy() -> pd.DataFrame:
    """Lines a and b, 2016-17. P3 has no value at all; C1 no b; E2 only a in 2016 and b in
    2017; E3 (a new council) only a in 2017."""
    rows = [
        ("P1", 2016, "a", 1.0),
        ("P1", 2017, "a", 1.0),
        ("P2", 2016, "a", 2.0),
        ("C1", 2016, "a", 3.0),
        ("C1", 2017, "a", 3.0),
        ("E1", 2016, "a", 4.0),
        ("E1", 2017, "a", 4.0),
        ("E2", 2016, "a", 5.0),
        ("E3", 2017, "a", 6.0),
        ("P1", 2016, "b", 1.0),
        ("P1", 2017, "b", 1.0),
        ("P2", 2016, "b", 2.0),
        ("P2", 2017, "b", 2.0),
        ("E1", 2016, "b", 4.0),
        ("E2", 2017, "b", 5.0),
        ("E3", 2017, "b", 6.0),
    ]
    return _panel(rows)


def test_missing_la_years_by_hand():
    why = pd.DataFrame([("b", "C1", 2016, "not collected ('-')")], columns=["indicator_id", "la_code", "year", "why"])
    m = coverage.missing_la_years(_toy(), GROUPS, why)
    got = {(r.indicator_id, r.la_code, r.year, r.group, r.why) for r in m.itertuples()}
    nr, nl = coverage.NO_ROW, coverage.NO_LINE
    assert got == {
        ("a", "P2", 2017, "Pilot", nr),
        ("a", "P3", 2016, "Pilot", nl),
        ("a", "P3", 2017, "Pilot", nl),
        ("b", "P3", 2016, "Pilot", nl),
        ("b", "P3", 2017, "Pilot", nl),
        ("b", "C1", 2016, "SNN", "not collected ('-')"),
        ("b", "C1", 2017, "SNN", nr),
        ("a", "E2", 2017, coverage.OTHER, nr),
        ("b", "E1", 2017, coverage.OTHER, nr),
        ("b", "E2", 2016, coverage.OTHER, nr),
    }
    # a council without any value in a year (E3 in 2016: not yet created) is not missing there
    assert not (m["la_code"] == "E3").any()
    # named from the panel; a group LA with no row at all keeps its code
    assert set(m.loc[m["la_code"] == "P2", "la_name"]) == {"Pilbury"}
    assert set(m.loc[m["la_code"] == "P3", "la_name"]) == {"P3"}
    assert list(m["group"].drop_duplicates()) == ["Pilot", "SNN", coverage.OTHER]


def test_coverage_sentence_by_hand():
    why = pd.DataFrame([("b", "C1", 2016, "not collected ('-')")], columns=["indicator_id", "la_code", "year", "why"])
    s = coverage.coverage_sentence(coverage.missing_la_years(_toy(), GROUPS, why))
    assert s == (
        "10 LA-years lack a value for a finance line (missing or suppressed) and are left out of the "
        "means, which are then over fewer councils: among the pilots, P3 (4), Pilbury (1); among the "
        "comparators, Compton (2); among the other English LAs, Elmley (2), Eastwick (1). Why: no value "
        "in the data (5); no value on any line that year (4); not collected ('-') (1)."
    )


def test_nothing_missing():
    rows = [(c, y, i, 1.0) for c in ["P1", "P2", "P3", "C1", "E1"] for y in (2016, 2017) for i in "ab"]
    m = coverage.missing_la_years(_panel(rows), GROUPS)
    assert m.empty and list(m.columns) == coverage.COLUMNS
    assert coverage.coverage_sentence(m) == (
        "Every pilot, comparator and English LA with data has a value for every finance line in every year shown."
    )
    assert coverage.coverage_sentence(m, "new starters", "new starters (FTE)", "Round 2 pilot") == (
        "Every Round 2 pilot has a value for new starters (FTE) in every year shown."
    )


def test_groups_only_and_shared_names():
    rows = [("835", 2018, "a", 1.0), ("838", 2020, "a", 2.0), ("E1", 2019, "a", 3.0)]
    d = pd.DataFrame(rows, columns=["la_code", "year", "indicator_id", "value"]).assign(
        la_name=["Dorset", "Dorset", "Eastwick"]
    )
    m = coverage.missing_la_years(d, {"SNN": ["835", "838"]}, england=False)
    # 835 lacks 2019 and 2020, 838 lacks 2018 and 2019; E1 is not looked at
    assert sorted(zip(m["la_code"], m["year"])) == [("835", 2019), ("835", 2020), ("838", 2018), ("838", 2019)]
    s = coverage.coverage_sentence(m)
    assert "Dorset (835) (2), Dorset (838) (2)" in s and "Eastwick" not in s


def test_group_means_show_their_n():
    m = spending.group_means(_toy(), pilots=["P1", "P2", "P3"], comparators=["C1"])
    t = coverage.means_table(m)
    # line a 2017: pilots P1 only (1.0), comparator C1 (3.0); England = every LA with a value:
    # P1 1, C1 3, E1 4, E3 6 -> mean 14 / 4 = 3.5 over 4 LAs
    row = t.loc[("a", 2017)]
    assert row["pilots"] == 1.0 and row["n pilots"] == 1
    assert row["comparators"] == 3.0 and row["n comparators"] == 1
    assert row["England"] == pytest.approx(3.5) and row["n England"] == 4
    # line b 2017: no comparator has a value -> n 0, mean missing
    assert t.loc[("b", 2017), "n comparators"] == 0 and np.isnan(t.loc[("b", 2017), "comparators"])
    assert list(t.columns) == ["pilots", "n pilots", "comparators", "n comparators", "England", "n England"]


def test_left_out_sentence_cases():
    meta = {
        "x": {"left_out": ("835",), "n_pilots": 8, "n_comparators": 7},
        "y": {"left_out": ("835", "926"), "n_pilots": 7, "n_comparators": 7},
    }
    s = coverage.left_out_sentence(meta, {"835": "Dorset", "926": "Norfolk"})
    assert s == (
        "The event study needs every year, so an LA lacking one is left out of that line: Dorset "
        "(all 2 lines) and Norfolk (y). It is over 7 pilots and 7 comparators on 1 line; 8 pilots and "
        "7 comparators on 1 line."
    )
    full = {"x": {"left_out": (), "n_pilots": 8, "n_comparators": 8}}
    assert coverage.left_out_sentence(full) == (
        "Every pilot and comparator has every year on every line: the event study is over 8 pilots "
        "and 8 comparators on 1 line."
    )


def test_event_study_names_every_group_la_left_out():
    rows = [(c, y, "x", float(1 + k + (y - 2016) * 0.1)) for k, c in enumerate("ABCD") for y in (2016, 2017, 2018)]
    rows = [r for r in rows if not (r[0] == "C" and r[1] == 2018)]  # C lacks a year
    d = pd.DataFrame(rows, columns=["la_code", "year", "indicator_id", "value"])
    es = spending.event_study(d, "x", [2016, 2017, 2018], pilots=["A", "B"], comparators=["C", "D", "E"])
    # C lacks 2018; E has no row at all: both are left out, though only C was 'dropped' from the pivot
    assert es.attrs["left_out"] == ("C", "E") and es.attrs["dropped"] == 1
    assert es.attrs["n_comparators"] == 1


def test_population_drop_counted_before_division():
    """Counter-example to dividing first: a gross value without a population used to count 0."""
    rows = [
        ("1", "One", 2018, "fin_safeguarding_gross", 1000.0, None),
        ("2", "Two", 2018, "fin_safeguarding_gross", 2000.0, None),
        ("2", "Two", 2018, "fin_social_work_unit_cost", np.nan, "-"),
        ("1", "One", 2017, "pop_0_17", 100.0, None),
        ("2", "Two", 2017, "pop_0_17", np.nan, "x"),
    ]
    raw = pd.DataFrame(rows, columns=["la_code", "la_name", "year", "indicator_id", "value", "suppression"])
    fin = spending.finance_panel_from_extract(lambda ids: raw[raw["indicator_id"].isin(ids)])
    assert fin.attrs["dropped_no_population"] == 1
    assert list(zip(fin["la_code"], fin["value"])) == [("1", 10.0)]
    full = spending.finance_panel_from_extract(lambda ids: raw[raw["indicator_id"].isin(ids)], keep_missing=True)
    lack = full[full["value"].isna()].set_index(["la_code", "indicator_id"])["why"]
    assert lack[("2", "fin_safeguarding_gross")] == spending.NO_POPULATION
    assert lack[("2", "fin_social_work_unit_cost")] == "not collected ('-')"


def _returns(staffing=(70.0, 80.0, np.nan), venue=(100.0, 0.0, 300.0)) -> dict:
    s18 = pd.DataFrame(
        {
            "authority": ["A", "B", "C", "D"],
            "replied": [1, 1, 1, 0],
            "internal_funding_pct": [10.0, 0.0, 20.0, np.nan],
            "venue_hire_2018_19": [*venue, np.nan],
            "it_development": [5.0, 6.0, 7.0, np.nan],
            "training_share_pct": [5.0, 6.0, 7.0, np.nan],
            "staffing_share_pct": [*staffing, np.nan],
            "mgmt_days": [1.0, 2.0, 3.0, np.nan],
            "mgmt_sl_psw_pct": [1.0, 2.0, 3.0, np.nan],
            "mgmt_ad_pct": [1.0, 2.0, 3.0, np.nan],
        }
    )
    staff = pd.DataFrame({"authority": ["A", "A", "B"], "salary": [30000.0, 40000.0, 50000.0]})
    items = pd.DataFrame({"authority": ["A", "B", "A"], "item": ["Training", "Training", "IT development"]})
    return {"survey_2018.csv": s18, "staff_2019.csv": staff, "survey_2019.csv": items}


def test_survey_bases_by_hand():
    b = coverage.survey_bases(_returns())
    # 3 replies (D did not reply): staffing share over 2 (C blank), venue hire over 2 (B none),
    # internal funding over 2 (B none), IT over 3; salaries over all 3 posts
    assert (b.at["cost_staffing_share", "over"], b.at["cost_staffing_share", "of"]) == (2, 3)
    assert (b.at["cost_venue_hire_mean", "over"], b.at["cost_venue_hire_mean", "left out"]) == (
        2,
        "with none or no value",
    )
    assert b.at["cost_it_mean", "over"] == 3 and b.at["cost_it_mean", "left out"] == ""
    assert (b.at["cost_salary_median", "over"], b.at["cost_salary_median", "unit"]) == (3, "posts")
    # Table A11.1: 2 authorities answered; IT development only by one
    assert b.at["A11.1 Training / Used during Round 2", "over"] == 2
    assert (
        b.at["A11.1 IT development / Ongoing in future", "over"],
        b.at["A11.1 IT development / Ongoing in future", "of"],
    ) == (1, 2)
    col = coverage.over_column(b, pd.Index(["cost_it_mean", "cost_survey_2018_replies"]))
    assert list(col) == ["3 of 3 replies", ""]


def test_survey_sentence_cases():
    b = coverage.survey_bases(_returns())
    s = coverage.survey_sentence(b)
    assert s.startswith(
        f"{len(b) - 6} of the {len(b)} means, medians, ranges and percentages of the returns are over every record; 6 are over fewer, "
    )
    assert (
        "over 2 of 3 replies (1 with none or no value): internal funding (least), internal funding (most) and venue hire (mean)"
        in s
    )
    assert "over 2 of 3 replies (1 without a value): staffing share (mean)" in s
    assert "over 1 of 2 authorities (1 without an answer): Table A11.1 (IT development)" in s
    full = coverage.survey_bases(_returns(staffing=(70.0, 80.0, 90.0), venue=(1.0, 2.0, 3.0)))
    full = full[~full.index.str.startswith("A11.1 IT")]
    full = full[~full.index.str.contains("internal_funding")]
    assert coverage.survey_sentence(full) == (
        f"{len(full)} of the {len(full)} means, medians, ranges and percentages of the returns are over every record."
    )
