"""Derivation rules on a small hand-made extract (expected values worked by hand)."""

import pandas as pd
import pytest
from test_npd_fixtures import extract

from sofs_lib.sources import npd
from sofs_lib.sources.npd.derive import academic_year_group


@pytest.fixture(scope="module")
def ex():
    return npd.validate_extract(extract())


def _by_unit(pop, col):
    return dict(zip(pop.data["unit_id"], pop.data[col]))


def test_eq3a_durations_and_cutoff(ex):
    pop = npd.derive_eq3a(ex)
    # assessments 1 (5 days), 2 (same day), 3 (1 day), 4 (76 days), 8 (Mon 3 Apr -> Wed 10 May
    # 2017: 5 weeks to Mon 8 May = 25 weekdays, less Good Friday 14 Apr, Easter Monday 17 Apr
    # and May Day 1 May = 22; Tue 9 May 23, Wed 10 May 24)
    assert _by_unit(pop, "duration_wd") == {1: 5, 2: 0, 3: 1, 4: 76, 8: 24}
    assert _by_unit(pop, "same_day") == {1: 0, 2: 1, 3: 0, 4: 0, 8: 0}
    flow = pop.flow.set_index("step")
    assert list(flow["rows_excluded"]) == [0, 1, 0, 1, 0, 1]  # Other LA; not authorised; 77 days
    assert flow["rows_out"].iloc[-1] == 5
    assert (flow["rows_in"] - flow["rows_excluded"] == flow["rows_out"]).all()


def test_eq3a_alternative_cutoff_keeps_77(ex):
    pop = npd.derive_eq3a(ex, cutoff=310)
    assert set(pop.data["unit_id"]) == {1, 2, 3, 4, 5, 8}


def test_eq3a_periods(ex):
    d = npd.derive_eq3a(ex).data.set_index("unit_id")
    # SofS 1 Oct 2014, post from 1 Oct 2016: Dec 2017 post; Jan 2016 settling
    assert d.loc[1, "period"] == "post" and d.loc[1, "did"] == 1 and bool(d.loc[1, "pilot"])
    assert d.loc[2, "period"] == "post" and d.loc[2, "did"] == 0 and not bool(d.loc[2, "pilot"])
    assert d.loc[2, "group_id"] == "Pilot 1"
    assert d.loc[4, "period"] == "settling" and d.loc[4, "did"] == 0
    assert d.loc[1, "year"] == 2018 and d.loc[4, "year"] == 2016
    assert d.loc[1, "rel_year"] == 1  # post starts in 2016-17 (year 2017); Dec 2017 is year 2018


def test_eq3b_six_month_window(ex):
    pop = npd.derive_eq3b(ex)
    # 101: re-referred 28 Feb 2019 = closure 31 Aug 2018 + 6 months -> 1
    # 103: re-referred 1 Mar 2019 -> 0; 105: re-referral on the closure day -> 0
    # 109, 111: re-referred 1 Mar 2017 after closure 10 Jan 2017 -> 1
    assert _by_unit(pop, "rereferral_6m") == {101: 1, 103: 0, 105: 0, 109: 1, 111: 1}
    flow = pop.flow
    assert flow.loc[flow["rule"].str.startswith("not closed"), "rows_excluded"].item() == 7 + 7 - 1
    assert flow.loc[flow["rule"].str.startswith("follow-up"), "rows_excluded"].item() == 1  # 107
    assert _by_unit(pop, "nfa_stage")[105] == "assessment"


def test_eq3c_escalation_window(ex):
    pop = npd.derive_eq3c(ex)
    # 12 months of follow-up drops closures of 31 Aug 2018 (101, 103) and 15 Oct 2018 (107)
    # 109: plan starts 31 Aug 2017 <= 1 Mar 2017 + 6 months (1 Sep 2017) -> 1
    # 111: period of care from 2 Sep 2017 -> 0 (re-referred, not escalated within 6 months)
    assert _by_unit(pop, "rereferral_escalation_6m") == {105: 0, 109: 1, 111: 0}
    assert _by_unit(pop, "rereferral_6m") == {105: 0, 109: 1, 111: 1}
    assert pop.flow.loc[pop.flow["rule"].str.startswith("follow-up"), "rows_excluded"].item() == 3


def test_eq3d_kinship_day_365_vs_366(ex):
    pop = npd.derive_eq3d(ex)
    got = dict(
        zip(
            pop.data["child_id"].astype(str) + "@" + pop.data["event_date"].dt.strftime("%Y-%m-%d"),
            pop.data["kinship_12m"],
        )
    )
    assert got == {
        "16@2017-09-02": 0,  # V2, foster care, open
        "20@2016-01-01": 1,  # kin placement starts on day 365
        "21@2016-01-01": 0,  # SGO on day 366
        "22@2016-01-01": 1,  # SGO on day 365
        "26@2015-03-01": 1,  # U1 from day 0
        "26@2016-03-01": 0,
    }
    flow = pop.flow.set_index("rule")["rows_excluded"]
    assert flow.filter(like="before the child's first").item() == 1  # child 24
    assert flow.filter(like="short breaks").item() == 1  # child 23
    assert flow.filter(like="follow-up").item() == 1  # child 25
    assert flow.filter(like="one row per period").item() == 1  # child 20's second episode
    d = pop.data.set_index("child_id")
    assert d.loc[22, "main_need"] == "family dysfunction"
    assert set(d.loc[26, "repeated"]) == {True} and not d.loc[20, "repeated"]


def test_eq3d_without_followup_rule_keeps_late_period(ex):
    pop = npd.derive_eq3d(ex, require_complete_followup=False)
    assert 25 in set(pop.data["child_id"])


def test_covariates(ex):
    d = npd.derive_eq3a(ex).data.set_index("unit_id")
    # born 1 May 2010; on 22 Dec 2017 aged 7.64 years; academic year 2017-18: aged 7 on
    # 31 Aug 2017 -> NC year 3 -> primary
    assert d.loc[1, "age"] == pytest.approx((pd.Timestamp("2017-12-22") - pd.Timestamp("2010-05-01")).days / 365.25)
    assert d.loc[1, "academic_year"] == "primary" and d.loc[1, "fsm"] == "yes"
    assert d.loc[1, "gender"] == "male" and d.loc[2, "gender"] == "female"
    assert d.loc[1, "ethnicity"] == "White" and d.loc[1, "disabled"] == 0


@pytest.mark.parametrize(
    "dob, when, expected",
    [
        ("2014-08-31", "2018-09-03", "primary"),  # aged 4 on 31 Aug 2018 -> Reception
        ("2014-09-01", "2018-09-03", "before school age"),  # aged 3 on 31 Aug 2018 (4 the next day)
        ("2007-08-31", "2018-09-03", "secondary"),  # aged 11 -> Year 7
        ("2007-09-01", "2018-09-03", "primary"),  # aged 10 -> Year 6
        (None, "2018-09-03", "missing"),
    ],
)
def test_academic_year_group(dob, when, expected):
    assert academic_year_group([dob], [when])[0] == expected
