"""Working days, month windows and the interquartile cut-off (hand-worked expectations)."""

import numpy as np
import pandas as pd
import pytest

from sofs_lib.sources.npd import iqr_cutoff, within_months, working_days_between
from sofs_lib.sources.npd.calendar import add_working_days, financial_year


@pytest.mark.parametrize(
    "start, end, expected",
    [
        # Christmas 2017: Mon 25 and Tue 26 December, Mon 1 January are bank holidays.
        # Working days after Fri 22 Dec up to Wed 3 Jan: 27, 28, 29 Dec, 2, 3 Jan = 5.
        ("2017-12-22", "2018-01-03", 5),
        # Easter 2018: Good Friday 30 March, Easter Monday 2 April. After Thu 29 March up to
        # Tue 3 April only Tue 3 April is a working day.
        ("2018-03-29", "2018-04-03", 1),
        ("2018-03-29", "2018-04-02", 0),  # authorised on Easter Monday: no working day passed
        ("2018-06-13", "2018-06-13", 0),  # same day
        ("2018-06-15", "2018-06-18", 1),  # Friday to Monday
        # 4 Jan 2016 + 15 weeks = 75 weekdays, less Good Friday (25 Mar) and Easter Monday
        # (28 Mar 2016) = 73 on Mon 18 April; Tue 19 = 74, Wed 20 = 75, Thu 21 = 76.
        ("2016-01-04", "2016-04-21", 76),
        ("2016-01-04", "2016-04-22", 77),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between([start], [end])[0] == expected


def test_working_days_missing_end_is_nan():
    out = working_days_between(["2018-01-02", "2018-01-02"], ["2018-01-05", None])
    assert out[0] == 3 and np.isnan(out[1])


def test_add_working_days_inverts_count():
    start = np.array(["2017-12-22", "2018-03-29"], dtype="datetime64[D]")
    end = add_working_days(start, [5, 1])
    assert list(end.astype(str)) == ["2018-01-03", "2018-04-03"]


def test_within_six_months_edges():
    anchor = ["2018-08-31"] * 5
    event = ["2018-08-31", "2018-09-01", "2019-02-28", "2019-03-01", None]
    # 31 Aug 2018 + 6 calendar months = 28 Feb 2019 (clipped to month end); the anchor day
    # itself is not "within".
    assert list(within_months(anchor, event, 6)) == [False, True, True, False, False]


def test_financial_year():
    assert list(financial_year(["2015-03-31", "2015-04-01"])) == [2015, 2016]


def test_iqr_cutoff_by_hand():
    # 1..8: Q1 = 2.75, Q3 = 6.25 (linear interpolation), IQR 3.5 -> 6.25 + 5.25 = 11.5
    assert iqr_cutoff(pd.Series(range(1, 9))) == pytest.approx(11.5)
