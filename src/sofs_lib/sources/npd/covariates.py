"""Child covariates of the analysis populations, from the children table at a unit's date.

:func:`add_covariates` adds ``age``, ``age_band``, ``gender``, ``disabled``, ``ethnicity``,
``academic_year`` and ``fsm`` (labels as in Tables A10.3/A10.4), computed on the integer codes of
the coded columns (one look-up per distinct code, not per row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.npd import codes
from sofs_lib.sources.npd.columns import (
    STRING,
    as_strings,
    codes_of,
    gather,
    positions,
    recode,
    string_array,
    take,
    year_month,
)

GENDER_LABELS = {"1": "male", "2": "female", "0": "not recorded/unborn"}

ACADEMIC_LABELS = ["before school age", "primary", "secondary", "missing"]
AGE_BANDS = ["0-4", "5-10", "11-15", "16+"]
FSM_LABELS = ["missing", "below school age", "yes", "no"]


def _academic_codes(dob: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Codes into :data:`ACADEMIC_LABELS` (rule: :func:`academic_year_group`); a missing
    ``when`` with a birth date gives 'secondary' (as the rule's pandas form always did)."""
    wy, wm = year_month(when)
    by, bm = year_month(dob)
    nc = (wy - (wm < 9)) - by - (bm >= 9) - 4
    out = np.where(nc < 0, 0, np.where(nc <= 6, 1, 2))
    out = np.where(np.isnat(when), 2, out)
    return np.where(np.isnat(dob), 3, out)


def academic_year_group(dob, when) -> pd.Series:
    """'before school age' / 'primary' / 'secondary' / 'missing' on the date ``when``.

    England: the academic year runs 1 September - 31 August; a child's national curriculum
    year is (age in completed years on the 31 August before the academic year) - 4
    (Reception = 0). Before school age: NC year < 0; primary: 0-6 (Reception-Year 6);
    secondary: 7 and above. Missing when the birth date is missing.
    """
    dob = pd.to_datetime(pd.Series(dob)).to_numpy()
    when = pd.to_datetime(pd.Series(when)).to_numpy()
    return pd.Series(string_array(_academic_codes(dob, when), ACADEMIC_LABELS, STRING))


def _child_codes(children: pd.DataFrame, col: str, pos: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes of the children's ``col`` at rows ``pos`` (-1 = no child row) and their values."""
    c, values = codes_of(children[col])
    return take(c, pos), as_strings(values)


def _labelled(children: pd.DataFrame, col: str, pos: np.ndarray, mapping: dict, default: str):
    """``col`` mapped through ``mapping`` (``default`` otherwise) as a ``str`` array."""
    return string_array(*recode(*_child_codes(children, col, pos), mapping, default))


def add_covariates(df: pd.DataFrame, children: pd.DataFrame, date_col: str = "event_date") -> pd.DataFrame:
    """Add ``age``, ``age_band``, ``gender``, ``disabled``, ``ethnicity``, ``academic_year``,
    ``fsm`` from the ``children`` table (by ``child_id``) at ``df[date_col]``.

    ``fsm``: 'missing' if the birth date is missing; 'below school age' if before school age
    and no FSM record; 'missing' if of school age with no record; else 'yes'/'no'.
    ``age`` is in years of 365.25 days (whole days between birth and ``date_col``);
    ``age_band`` 0-4, 5-10, 11-15, 16+ (``pd.cut`` with left-closed bins).
    """
    pos = positions(children["child_id"].to_numpy(), df["child_id"].to_numpy())
    when = pd.to_datetime(df[date_col]).to_numpy()
    dob = gather(children["PersonBirthDate"].to_numpy(), pos, np.datetime64("NaT"))
    delta = (when - dob).astype("timedelta64[s]")
    age = np.floor_divide(delta.astype(np.int64), 86400).astype(float) / 365.25
    age[np.isnat(delta)] = np.nan
    out = df.reset_index(drop=True)
    out["age"] = age
    band = np.searchsorted(np.array([5.0, 11.0, 16.0]), age, side="right")
    out["age_band"] = string_array(np.where(np.isnan(age), -1, band), AGE_BANDS)
    out["gender"] = _labelled(children, "GenderCurrent", pos, GENDER_LABELS, "missing")
    dis, values = _child_codes(children, "Disability", pos)
    flag = np.array([v is not None and v != "NONE" for v in values] + [False])
    out["disabled"] = flag[np.where(dis < 0, len(values), dis)].astype("int8")
    out["ethnicity"] = _labelled(children, "Ethnicity", pos, codes.ETHNIC_GROUP, "Missing")
    acad = _academic_codes(dob, when)
    out["academic_year"] = string_array(acad, ACADEMIC_LABELS)
    f = children["FSMeligible"]
    f_na = gather(np.asarray(f.isna(), dtype=bool), pos, True)
    f_one = gather(np.asarray(f.fillna(0).to_numpy(), dtype=float) == 1, pos, False)
    out["fsm"] = string_array(np.select([acad == 3, (acad == 0) & f_na, f_na, f_one], [0, 1, 0, 2], 3), FSM_LABELS)
    return out
