"""From raw CIN census / SSDA903 records to the four DiD analysis populations.

Each ``derive_eq3*`` function returns a :class:`Population`: ``data`` (one row per unit of
analysis) and ``flow`` (a DataFrame ``step, rule, rows_in, rows_excluded, rows_out``) that
counts every record removed by every rule. The same code runs on a generated extract and on a
real one read by :func:`~sofs_lib.sources.npd.extract.read_extract` (pass the real ``design``).

Columns of ``data`` (all populations)
    ``unit_id`` (assessment, CIN episode or period-of-care key), ``child_id``, ``la``,
    ``group_id`` (the pilot with its comparators), ``pilot`` (treated group), ``year``
    (financial year ending of ``event_date``), ``period`` (pre / settling / post),
    ``did`` (pilot x post), ``rel_year`` (``year`` minus the financial year of the post
    start), ``event_date``, the outcome column(s), the covariates ``age`` (years at
    ``event_date``), ``age_band`` (0-4, 5-10, 11-15, 16+; coarsened, e.g. for CEM),
    ``gender``, ``disabled``, ``ethnicity``, ``academic_year``, ``fsm`` (labels as in
    Tables A10.3/A10.4), and ``repeated`` (the child has more than one row in the population,
    i.e. enters a fixed-effects estimator).

Rules
-----
EQ3a, duration of assessments (:func:`derive_eq3a`). Unit: an assessment of a child in an
    EQ3a LA that started in the data window and was authorised. ``duration_wd`` = working
    days in ``(AssessmentActualStartDate, AssessmentAuthorisationDate]`` (England and Wales
    bank holidays; :func:`~sofs_lib.sources.npd.calendar.working_days_between`); ``same_day`` =
    duration 0. Assessments longer than ``cutoff`` working days (76, the interquartile rule;
    310 the alternative) are excluded; exactly ``cutoff`` days is kept.
    ``event_date`` = start date.
EQ3b, re-referral within 6 months (:func:`derive_eq3b`). Unit: a CIN episode closed with no
    further action at referral (``ReferralNFA`` = 1) or after assessment
    (``ReasonForClosure`` = RC8), with a closure date. ``event_date`` = ``CINclosureDate``.
    ``rereferral_6m`` = the child has another referral (any CIN episode, any LA) with
    ``closure < CINreferralDate <= closure + DateOffset(months=6)`` -- a referral on the
    closure day itself does not count; the window end is inclusive and clipped to month end
    (31 August -> 28/29 February). Units whose window is not complete by the end of the data
    (``closure + 6 months > data_end``) are excluded.
EQ3c, re-referral leading to a plan or care (:func:`derive_eq3c`). Same units as EQ3b in the
    EQ3c LAs. ``rereferral_escalation_6m`` = there is a re-referral as in EQ3b (date ``r``)
    and the child has a ``CPPstartDate`` or starts a period of care (SSDA903 episode with
    ``RNE`` = S) with ``r <= date <= r + DateOffset(months=6)`` (the re-referral day itself
    counts: a child can be accommodated on the day of referral). Units need 12 months of
    follow-up (``closure + 12 months <= data_end``).
EQ3d, kinship care in the first 12 months (:func:`derive_eq3d`). SSDA903 episodes of a child
    in an LA are sorted by ``DECOM``; a period of care starts at each episode with
    ``RNE`` = S and runs until the next one. Episodes before the child's first ``S`` episode
    in the LA (periods that began before the extract) are excluded. Unit: a period of care
    (its first episode) starting in the data window, excluding short breaks (first episode
    ``LS`` V3/V4). ``event_date`` = start of the period (day 0). ``kinship_12m`` = an episode
    of the period starts on day 0-365 with a placement with relative(s) or friend(s) (``PL``
    U1, U2, U3; legacy Q1), or an episode ceases on day 0-365 with a special guardianship
    order (``REC`` E43, E44, E45-E48). Day 365 is included and day 366 excluded (day =
    calendar days after the start, whatever the leap years). Periods starting less than
    365 days before the end of the data are excluded (incomplete follow-up) unless
    ``require_complete_followup=False``. ``main_need`` = ``CIN`` of the first episode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.core.arrays.string_arrow import ArrowStringArray

from sofs_lib.sources.npd import codes
from sofs_lib.sources.npd.calendar import add_months, working_days_between
from sofs_lib.sources.npd.columns import (
    STRING,
    as_strings,
    codes_of,
    recode,
    sort_rank,
    string_array,
)
from sofs_lib.sources.npd.covariates import GENDER_LABELS as GENDER_LABELS
from sofs_lib.sources.npd.covariates import academic_year_group as academic_year_group
from sofs_lib.sources.npd.covariates import add_covariates as add_covariates
from sofs_lib.sources.npd.design import StudyDesign, default_design
from sofs_lib.sources.npd.extract import NPDExtract
from sofs_lib.sources.npd.windows import ChildEvents, expand

FLOW_COLUMNS = ["step", "rule", "rows_in", "rows_excluded", "rows_out"]


@dataclass
class Population:
    """An analysis population: ``data`` (one row per unit) and its exclusion ``flow``."""

    name: str
    outcome: str
    data: pd.DataFrame
    flow: pd.DataFrame

    def __repr__(self) -> str:  # pragma: no cover - convenience
        return f"Population({self.name!r}, outcome={self.outcome!r}, rows={len(self.data)})"


class _Flow:
    def __init__(self, what: str, n: int):
        self.rows = [(0, f"start: {what}", n, 0, n)]

    def keep(self, df: pd.DataFrame, mask, rule: str) -> pd.DataFrame:
        mask = np.asarray(pd.Series(mask).fillna(False), dtype=bool)
        out = df.loc[mask]
        self.rows.append((len(self.rows), rule, len(df), int((~mask).sum()), len(out)))
        return out

    def reshape(self, n_in: int, n_out: int, rule: str) -> None:
        self.rows.append((len(self.rows), rule, n_in, n_in - n_out, n_out))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=FLOW_COLUMNS)


def _design(extract: NPDExtract, design: StudyDesign | None) -> StudyDesign:
    return design or getattr(extract, "design", None) or default_design()


def _in_design(df: pd.DataFrame, design: StudyDesign, eq: str) -> np.ndarray:
    las = set(design.la_table(eq)["la"])
    c, values = codes_of(df["la"])
    inside = np.array([v in las for v in as_strings(values)] + [False])
    return inside[np.where(c < 0, len(values), c)]


def _finish(
    df: pd.DataFrame, extract: NPDExtract, design: StudyDesign, eq: str, outcome_cols: list[str]
) -> pd.DataFrame:
    # rows in their final order first (LA label, date, unit), then row-wise columns added
    df = df.take(np.lexsort([sort_rank(df[c]) for c in ("unit_id", "event_date", "la")]))
    df = design.assign_periods(df, "event_date", eq)
    df = add_covariates(df, extract.children)
    df["repeated"] = df["child_id"].duplicated(keep=False).to_numpy()
    df["la"] = df["la"].astype("string")
    first = [
        "unit_id",
        "child_id",
        "la",
        "group_id",
        "pilot",
        "year",
        "period",
        "did",
        "rel_year",
        "event_date",
    ]
    cov = ["age", "age_band", "gender", "disabled", "ethnicity", "academic_year", "fsm"]
    extra = [c for c in df.columns if c not in first + outcome_cols + cov + ["repeated"]]
    return df[first + outcome_cols + cov + extra + ["repeated"]]


# --------------------------------------------------------------------------------------------
# EQ3a
# --------------------------------------------------------------------------------------------


def derive_eq3a(extract: NPDExtract, design: StudyDesign | None = None, *, cutoff: float = 76) -> Population:
    """Assessments with their duration in working days (see module docstring)."""
    design = _design(extract, design)
    a = extract.assessments
    fl = _Flow("assessments", len(a))
    a = fl.keep(a, _in_design(a, design, "eq3a"), "LA not in the EQ3a design (pilot or its comparators)")
    s = a["AssessmentActualStartDate"]
    a = fl.keep(a, (s >= design.data_start) & (s <= design.data_end), "assessment started outside the data window")
    a = fl.keep(
        a,
        a["AssessmentAuthorisationDate"].notna(),
        "assessment not authorised (no AssessmentAuthorisationDate)",
    )
    a = fl.keep(a, a["LAchildID"].isin(extract.children["child_id"]), "child not in the children table")
    dur = working_days_between(a["AssessmentActualStartDate"], a["AssessmentAuthorisationDate"])
    a = a.assign(duration_wd=dur)
    a = fl.keep(a, a["duration_wd"] <= cutoff, f"duration above the cut-off of {cutoff:g} working days")
    df = pd.DataFrame(
        {
            "unit_id": a["AssessmentID"].to_numpy(),
            "child_id": a["LAchildID"].to_numpy(),
            "la": a["la"].array,
            "event_date": a["AssessmentActualStartDate"].to_numpy(),
            "duration_wd": a["duration_wd"].to_numpy(),
            "same_day": (a["duration_wd"].to_numpy() == 0).astype("int8"),
            "cin_id": a["CINdetailsID"].to_numpy(),
        }
    )
    return Population(
        "eq3a", "duration_wd", _finish(df, extract, design, "eq3a", ["duration_wd", "same_day"]), fl.frame()
    )


# --------------------------------------------------------------------------------------------
# EQ3b / EQ3c
# --------------------------------------------------------------------------------------------


def _is_code(col: pd.Series, value: str) -> np.ndarray:
    """``col.astype("string") == value`` with missing values False, on the column's codes."""
    c, values = codes_of(col)
    hit = np.array([v == value for v in as_strings(values)] + [False])
    return hit[np.where(c < 0, len(values), c)]


def _nfa_units(extract: NPDExtract, design: StudyDesign, eq: str, followup_months: int):
    r = extract.cin_referrals
    fl = _Flow("CIN episodes (referrals)", len(r))
    nfa = (r["ReferralNFA"] == 1) | _is_code(r["ReasonForClosure"], codes.NFA_AFTER_ASSESSMENT)
    r = fl.keep(r, nfa, "not closed with no further action at referral (ReferralNFA) or after assessment (RC8)")
    r = fl.keep(r, r["CINclosureDate"].notna(), "no CINclosureDate")
    r = fl.keep(r, _in_design(r, design, eq), f"LA not in the {eq.upper()} design (pilot or its comparators)")
    c = r["CINclosureDate"]
    r = fl.keep(r, c >= design.data_start, "closed before the data window")
    r = fl.keep(
        r,
        (add_months(c, followup_months) <= design.data_end).to_numpy(),
        f"follow-up incomplete: closure + {followup_months} months after the end of the data",
    )
    return r, fl


def _rereferrals(units: pd.DataFrame, referrals: pd.DataFrame, months: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Re-referrals of each unit's child with closure < date <= closure + ``months``:
    ``(unit row, re-referral date)`` pairs (a sorted search of the child's referrals)."""
    ev = ChildEvents(referrals["LAchildID"].to_numpy(), referrals["CINreferralDate"].to_numpy())
    closure = units["CINclosureDate"]
    first, stop = ev.between(
        units["LAchildID"].to_numpy(),
        closure.to_numpy(),
        add_months(closure, months).to_numpy(),
        start_inclusive=False,
    )
    unit, at = expand(first, stop)
    return unit, ev.when[at].astype("datetime64[s]")


def _flag_units(unit_id: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """1 for every unit whose id is among the ids of ``rows`` (int8)."""
    hit = np.zeros(len(unit_id), dtype=bool)
    hit[rows] = True
    return np.isin(unit_id, unit_id[hit]).astype("int8")


def _nfa_frame(r: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": r["CINdetailsID"].to_numpy(),
            "child_id": r["LAchildID"].to_numpy(),
            "la": r["la"].array,
            "event_date": r["CINclosureDate"].to_numpy(),
            "CINreferralDate": r["CINreferralDate"].to_numpy(),
            "nfa_stage": np.where(r["ReferralNFA"].to_numpy() == 1, "referral", "assessment"),
        }
    )


def derive_eq3b(extract: NPDExtract, design: StudyDesign | None = None, *, months: int = 6) -> Population:
    """NFA'd referrals and whether the child was re-referred within ``months`` (6)."""
    design = _design(extract, design)
    r, fl = _nfa_units(extract, design, "eq3b", months)
    unit, _ = _rereferrals(r, extract.cin_referrals, months)
    df = _nfa_frame(r)
    df["rereferral_6m"] = _flag_units(df["unit_id"].to_numpy(), unit)
    return Population("eq3b", "rereferral_6m", _finish(df, extract, design, "eq3b", ["rereferral_6m"]), fl.frame())


def derive_eq3c(extract: NPDExtract, design: StudyDesign | None = None, *, months: int = 6) -> Population:
    """NFA'd referrals and whether a re-referral within 6 months led to a child protection
    plan or a period of care within 6 months of the re-referral."""
    design = _design(extract, design)
    r, fl = _nfa_units(extract, design, "eq3c", 2 * months)
    unit, rr_date = _rereferrals(r, extract.cin_referrals, months)
    cpp, eps = extract.cp_plans, extract.la_episodes
    lac = _is_code(eps["RNE"], codes.RNE_STARTED)
    esc = ChildEvents(
        np.r_[cpp["LAchildID"].to_numpy(), eps["CHILD"].to_numpy()[lac]],
        np.r_[cpp["CPPstartDate"].to_numpy(), eps["DECOM"].to_numpy()[lac]],
    )
    first, stop = esc.between(
        r["LAchildID"].to_numpy()[unit],
        rr_date,
        add_months(pd.Series(rr_date), months).to_numpy(),
        start_inclusive=True,
    )
    df = _nfa_frame(r)
    uid = df["unit_id"].to_numpy()
    df["rereferral_6m"] = _flag_units(uid, unit)
    df["rereferral_escalation_6m"] = _flag_units(uid, unit[stop > first])
    data = _finish(df, extract, design, "eq3c", ["rereferral_escalation_6m", "rereferral_6m"])
    return Population("eq3c", "rereferral_escalation_6m", data, fl.frame())


# --------------------------------------------------------------------------------------------
# EQ3d
# --------------------------------------------------------------------------------------------


def _in_codes(col: pd.Series, wanted) -> np.ndarray:
    """``col.astype("string").isin(wanted)`` with missing values False, on the column's codes."""
    c, values = codes_of(col)
    wanted = set(wanted)
    hit = np.array([v in wanted for v in as_strings(values)] + [False])
    return hit[np.where(c < 0, len(values), c)]


def _as_string(col: pd.Series) -> ArrowStringArray:
    """``col.astype("string")`` (built from the codes of a categorical column)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        c, values = codes_of(col)
        return string_array(c, as_strings(values), STRING)
    return col.astype("string").array


def periods_of_care(episodes: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Episodes with ``period_seq`` (1, 2, ... per child and LA; 0 = before the first S
    episode) and ``period_start``; returns (episodes in periods, episodes before any S)."""
    order = np.lexsort([sort_rank(episodes[c]) for c in ("DECOM", "la", "CHILD")])
    e = episodes.take(order)
    e["la"] = _as_string(episodes["la"])[order]
    is_s = _is_code(episodes["RNE"], codes.RNE_STARTED)[order]
    la_rank = sort_rank(episodes["la"])[order]
    ch = episodes["CHILD"].to_numpy()[order]
    new_grp = np.r_[True, (ch[1:] != ch[:-1]) | (la_rank[1:] != la_rank[:-1])]
    s_cum = np.cumsum(is_s)
    base = np.maximum.accumulate(np.where(new_grp, np.arange(len(e)), 0))
    s_before = np.where(base > 0, s_cum[np.maximum(base - 1, 0)], 0)
    seq = s_cum - s_before
    e["period_seq"] = seq
    n_before = int((seq == 0).sum())
    kept = seq > 0
    e = e[kept]
    # a period's rows are consecutive and in date order: its start is its first row's date
    starts, period = _periods(ch[kept], la_rank[kept], seq[kept])
    e["period_start"] = e["DECOM"].to_numpy()[starts][period]
    return e, n_before


def _periods(child: np.ndarray, la: np.ndarray, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Episodes sorted by child, LA and date: the position of each period's first episode,
    and each episode's period number (0, 1, ...)."""
    new = np.r_[True, (child[1:] != child[:-1]) | (la[1:] != la[:-1]) | (seq[1:] != seq[:-1])]
    return np.flatnonzero(new), np.cumsum(new) - 1


def derive_eq3d(
    extract: NPDExtract,
    design: StudyDesign | None = None,
    *,
    days: int = 365,
    require_complete_followup: bool = True,
    sgo_codes=codes.SGO_CODES,
    kinship_placements=codes.KINSHIP_PLACEMENTS,
) -> Population:
    """Periods of care and whether the child was placed with relatives/friends or made
    subject to a special guardianship order on day 0-``days`` (365) of the period."""
    design = _design(extract, design)
    eps = extract.la_episodes
    fl = _Flow("SSDA903 episodes", len(eps))
    e, n_before = periods_of_care(eps)
    fl.rows.append(
        (
            1,
            "episode before the child's first episode with RNE = S in the LA (period began before the extract)",
            len(eps),
            n_before,
            len(e),
        )
    )
    starts, period = _periods(e["CHILD"].to_numpy(), codes_of(e["la"])[0], e["period_seq"].to_numpy())
    first = e.iloc[starts].assign(_period=np.arange(len(starts)))
    fl.reshape(
        len(e),
        len(first),
        "one row per period of care (its first episode); later episodes used for the outcome",
    )
    p = fl.keep(first, ~_in_codes(first["LS"], codes.SHORT_BREAK_LS), "short breaks (first episode LS V3/V4)")
    p = fl.keep(p, _in_design(p, design, "eq3d"), "LA not in the EQ3d design (pilot or its comparators)")
    p = fl.keep(p, (p["DECOM"] >= design.data_start).to_numpy(), "period started before the data window")
    if require_complete_followup:
        p = fl.keep(
            p,
            (p["DECOM"] + pd.Timedelta(days=days) <= design.data_end).to_numpy(),
            f"follow-up incomplete: period starts less than {days} days before the end of the data",
        )
    limit = e["period_start"].to_numpy() + np.timedelta64(days, "D")
    kin_place = _in_codes(e["PL"], kinship_placements) & (e["DECOM"].to_numpy() <= limit)
    sgo = _in_codes(e["REC"], sgo_codes) & (e["DEC"].to_numpy() <= limit)
    kin = np.bincount(period[kin_place | sgo], minlength=len(starts)) > 0
    pkey = p["CHILD"].astype("string") + "|" + p["la"] + "|" + p["period_seq"].astype("string")
    need, need_values = codes_of(p["CIN"])
    df = pd.DataFrame(
        {
            "unit_id": pkey.to_numpy(),
            "child_id": p["CHILD"].to_numpy(),
            "la": p["la"].array,
            "event_date": p["DECOM"].to_numpy(),
            "kinship_12m": kin[p["_period"].to_numpy()].astype("int8"),
            "main_need": string_array(*recode(need, as_strings(need_values), codes.PRIMARY_NEED_LABELS, None)),
            "legal_status": string_array(*codes_of(p["LS"])),
        }
    )
    return Population("eq3d", "kinship_12m", _finish(df, extract, design, "eq3d", ["kinship_12m"]), fl.frame())


def derive_all(extract: NPDExtract, design: StudyDesign | None = None) -> dict[str, Population]:
    """The four populations with default rules: ``{"eq3a": ..., "eq3b": ..., ...}``."""
    return {
        "eq3a": derive_eq3a(extract, design),
        "eq3b": derive_eq3b(extract, design),
        "eq3c": derive_eq3c(extract, design),
        "eq3d": derive_eq3d(extract, design),
    }


def pre_treatment_summary(pop: Population) -> pd.DataFrame:
    """Unweighted pre-treatment means by group (pilot / comparator), in the layout of Tables
    A10.3/A10.4: outcome, shares of each covariate category, age, N (for calibration checks)."""
    d = pop.data[pop.data["period"] == "pre"]
    rows = {}
    for name, g in d.groupby(d["pilot"].map({True: "pilot", False: "comparator"})):
        r = {
            "outcome": g[pop.outcome].mean(),
            "age": g["age"].mean(),
            "disabled": g["disabled"].mean(),
            "n": len(g),
            "n_repeated": int(g["repeated"].sum()),
        }
        for col in ("gender", "academic_year", "fsm", "ethnicity") + (("main_need",) if "main_need" in g else ()):
            for k, v in g[col].value_counts(normalize=True).items():
                r[f"{col}: {k}"] = v
        rows[name] = r
    return pd.DataFrame(rows)
