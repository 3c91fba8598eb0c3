"""Working days, financial years and date windows.

Rules (each used by :mod:`sofs_lib.sources.npd.derive`):

* **Working days** are Monday to Friday excluding the bank holidays of England and Wales as
  given by the ``holidays`` package (``holidays.country_holidays("GB", subdiv="ENG")``; England
  and Wales share their bank holidays). Weekend-dated holidays and their substitute days are
  both in that list; weekends are excluded anyway.
* **Duration of an assessment in working days** counts the working days *after* the start date
  up to and including the authorisation date: ``#{working days d : start < d <= end}``. An
  assessment authorised on its start date has duration 0 (a "same-day" assessment). Example:
  start Friday 22 December 2017, authorised Wednesday 3 January 2018 -> 27, 28, 29 December and
  2, 3 January = 5 working days (25/26 December and 1 January are bank holidays).
* **"Within n months"** of a date ``t`` means ``t < x <= t + DateOffset(months=n)`` where the
  pandas calendar-month offset clips to the month end (31 August 2018 + 6 months =
  28 February 2019). Events on day ``t`` itself are *not* "within" the window.
* **Financial year** ``year`` is the year in which the April-March year ends (2014-15 -> 2015).
"""

from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

#: Years for which bank holidays are pre-computed (covers the data window with margin).
HOLIDAY_YEARS = range(2000, 2031)


@lru_cache(maxsize=1)
def bank_holidays() -> np.ndarray:
    """England and Wales bank holidays 2000-2030 as a sorted ``datetime64[D]`` array."""
    hol = holidays.country_holidays("GB", subdiv="ENG", years=HOLIDAY_YEARS)
    return np.array(sorted(hol.keys()), dtype="datetime64[D]")


def _as_days(values) -> np.ndarray:
    arr = pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]")
    return arr


def working_days_between(start, end) -> np.ndarray:
    """Working days in ``(start, end]`` for each pair (see module docstring).

    ``start`` and ``end`` are array-likes of dates; missing values give ``NaN``. If ``end`` is
    before ``start`` the result is negative (the count of working days in ``(end, start]``
    negated); validation rejects such records before this is used.
    """
    s = _as_days(start)
    e = _as_days(end)
    out = np.full(len(s), np.nan)
    ok = ~(np.isnat(s) | np.isnat(e))
    one = np.timedelta64(1, "D")
    out[ok] = np.busday_count(s[ok] + one, e[ok] + one, holidays=bank_holidays())
    return out


def add_working_days(start, n) -> np.ndarray:
    """The date ``n`` working days after ``start`` (``n`` >= 0; ``n`` = 0 returns ``start``).

    Inverse of :func:`working_days_between` for working-day starts: if ``start`` is a working
    day, ``working_days_between(start, add_working_days(start, n)) == n``.
    """
    s = np.asarray(start, dtype="datetime64[D]")
    n = np.asarray(n, dtype=np.int64)
    rolled = np.busday_offset(s, 0, roll="forward", holidays=bank_holidays())
    res = np.busday_offset(rolled, n, roll="forward", holidays=bank_holidays())
    return np.where(n == 0, s, res)


def next_working_day(dates) -> np.ndarray:
    """Roll each date forward to a working day (unchanged if it is one)."""
    d = np.asarray(dates, dtype="datetime64[D]")
    return np.busday_offset(d, 0, roll="forward", holidays=bank_holidays())


def financial_year(dates) -> pd.Series:
    """Financial year ending (April 2014 - March 2015 -> 2015) as an integer Series."""
    d = pd.to_datetime(pd.Series(dates))
    return (d.dt.year + (d.dt.month >= 4).astype(int)).astype("Int64")


def add_months(dates, months: int) -> pd.Series:
    """``dates + pandas.DateOffset(months=months)`` (calendar months, clipped to month end)."""
    d = pd.to_datetime(pd.Series(dates))
    return d + pd.DateOffset(months=months)


def within_months(anchor, event, months: int) -> pd.Series:
    """True where ``anchor < event <= anchor + DateOffset(months=months)`` (False if missing)."""
    a = pd.to_datetime(pd.Series(anchor)).reset_index(drop=True)
    e = pd.to_datetime(pd.Series(event)).reset_index(drop=True)
    res = (e > a) & (e <= add_months(a, months))
    return res.fillna(False).astype(bool)


def iqr_cutoff(values) -> float:
    """Upper outlier threshold by the interquartile rule: Q3 + 1.5 x (Q3 - Q1).

    The report chose 76 working days for the duration of assessments this way (Appendix 10);
    quartiles use numpy's default linear interpolation.
    """
    v = np.asarray(pd.Series(values).dropna(), dtype=float)
    q1, q3 = np.percentile(v, [25, 75])
    return float(q3 + 1.5 * (q3 - q1))
