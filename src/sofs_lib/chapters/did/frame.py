"""The analysis frame of one question (step 4 of :mod:`sofs_lib.chapters.did.data`): the rows of
a derived population under a matched design, pre-SofS and post settling-in periods only (the
settling-in period is left out, Appendix 10 "Defining pre- and post-treatment"), with the
regressors of equation [1] and of the event-study, secondary and Ofsted specifications.

The period columns are those :meth:`sofs_lib.sources.npd.design.StudyDesign.assign_periods`
gives, worked out on integer codes for the kept rows only, and each column is taken once, in
the frame's final row order.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sofs_lib.methods.did import matching as MA
from sofs_lib.sources.npd.calendar import financial_year
from sofs_lib.sources.npd.columns import STRING, as_strings, codes_of, sort_rank, string_array
from sofs_lib.sources.npd.design import PERIODS, StudyDesign, _financial_year, period_codes

#: Pilots' practice model label, and the comparator categories of the three-level analysis.
PM_SOFS, PM_ALT, PM_NEITHER = "SofS", "similar model", "neither"

#: Covariates turned into categoricals (missing = "missing") for the models.
CATEGORICAL_COVARIATES = ("gender", "ethnicity", "academic_year", "fsm", "age_band")

#: The columns of a derived population that the design assigns (re-assigned here).
PERIOD_COLUMNS = ("pilot", "group_id", "period", "did", "rel_year", "year")


def analysis_frame(
    pop_data: pd.DataFrame,
    design: StudyDesign,
    eq: str,
    attrs: dict | None = None,
    n_leads: int = 5,
    keep_settling: bool = False,
    where: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rows of question ``eq`` under ``design`` with every regressor the chapter uses.

    ``pop_data`` is a derived population (any design: its period columns are re-assigned);
    ``where``: a boolean mask of its rows to use (all if None), as ``pop_data[where]`` would.
    Added columns: ``pilot_i`` (SS_s), ``post`` (T_st: the group is past its settling-in),
    ``did`` (SS_s x T_st), ``lead_1..lead_K`` (pilot x the K-th financial year counting back
    from the SofS start year, ``lead_1`` = the start year's pre-SofS months; earlier pre years
    are the reference), ``lag_0..lag_M`` (pilot x post x ``rel_year`` = m: ``lag_0`` = "DiD in
    year t"), ``ofsted_high``, ``dose_quality``/``dose_embed`` (0 for comparators), ``pm_alt``
    / ``pm_neither`` (comparator practice model), ``child`` (integer child key), ``seq``
    (order of the child's rows by date).
    """
    if where is not None:
        where = np.asarray(where, dtype=bool)
    las = design.la_table(eq)
    base = [c for c in pop_data.columns if c not in PERIOD_COLUMNS]
    if not (where.any() if where is not None else len(pop_data)) or set(base) & set(las.columns[1:]):
        src = pop_data if where is None else pop_data[where]
        return _analysis_frame_by_merge(src, design, eq, attrs, n_leads, keep_settling)
    m, at = design.la_rows(pop_data, eq, las)
    kept = _kept_rows(pop_data, m, at, where, keep_settling)
    if kept is None:  # undated rows kept with the settling-in period: the general path's handling
        src = pop_data if where is None else pop_data[where]
        return _analysis_frame_by_merge(src, design, eq, attrs, n_leads, keep_settling)
    rows, per, n_no_age = kept
    order, child = _child_order(pop_data, rows)
    final, per = rows[order], per[order]
    m_row = at[final]  # each row's LA, as a code into the distinct LAs ``m``
    la_values = as_strings(pd.Index(m["la"]))
    cat = _categorical(pop_data)
    d = pd.DataFrame(
        {
            c: string_array(m_row, la_values, STRING) if c == "la" else _take(pop_data[c], rows, order, final, c in cat)
            for c in base
        },
        copy=False,
    )
    d.attrs = copy.deepcopy(pop_data.attrs)
    codes = _add_periods(d, m, m_row, per, pop_data["event_date"].to_numpy(), final)
    return _finish(d, design, attrs, n_leads, m_row, la_values, child, n_no_age, codes)


def _kept_rows(pop_data: pd.DataFrame, m: pd.DataFrame, at: np.ndarray, where, keep_settling: bool):
    """``(rows, period codes, number of rows left out for a missing age)``: the rows of LAs in
    the design (of ``where``), of the pre-SofS and post settling-in periods (all periods if
    ``keep_settling``), with an age, in row order; None if ``keep_settling`` keeps undated rows."""
    cand = m["group_id"].notna().to_numpy()[at]
    cand = np.flatnonzero(cand if where is None else cand & where)
    m_at = at[cand]
    start, post = m["sofs_start"].to_numpy()[m_at], m["post_start"].to_numpy()[m_at]
    per = period_codes(pop_data["event_date"].to_numpy()[cand], start, post, np.True_)
    keep = np.ones(len(cand), dtype=bool) if keep_settling else (per == 0) | (per == 2)
    if keep_settling and (per == 3).any():
        return None
    # rows without an age (no birth date) cannot enter equation [1]; they are dropped here so
    # that every specification uses the same rows (counted in ``attrs['dropped_no_age']``)
    no_age = pop_data["age"].isna().to_numpy()[cand]
    sel = keep & ~no_age
    return cand[sel], per[sel], int((keep & no_age).sum())


def _add_periods(d, m, m_row, per, dates, final) -> tuple:
    """The columns :meth:`StudyDesign.assign_periods` adds, for the rows ``final`` (each of LA
    ``m_row`` of the design's ``m`` and period code ``per``); returns the codes
    :func:`_add_regressors` uses."""
    pilot = np.asarray(m["pilot"].fillna(False), dtype=bool)[m_row]
    g_code, g_values = codes_of(m["group_id"])
    g_code, g_values = g_code[m_row], as_strings(g_values)
    d["pilot"] = pd.arrays.BooleanArray(pilot, np.zeros(len(final), dtype=bool))
    d["group_id"] = string_array(g_code, g_values, STRING)
    d["period"] = pd.Series(PERIODS[per], dtype=object)
    year, year_na = _financial_year(dates[final])
    d["year"] = np.where(year_na, np.nan, year) if np.isnat(dates).any() else year
    d["did"] = (pilot & (per == 2)).astype("int8")
    post_fy, post_na = (a[m_row] for a in _financial_year(m["post_start"].to_numpy()))
    na = year_na | post_na
    d["rel_year"] = pd.arrays.IntegerArray(np.where(na, 0, year - post_fy), na)
    return per, g_code, g_values


def _categorical(pop_data: pd.DataFrame) -> tuple:
    """The columns :func:`_add_regressors` turns into categoricals."""
    return CATEGORICAL_COVARIATES + (("main_need",) if "main_need" in pop_data else ())


def _take(col: pd.Series, rows: np.ndarray, order: np.ndarray, final: np.ndarray, categorical: bool):
    """``col.take(final)``, ``final = rows[order]`` (sorted ``rows``); a string column by its
    codes at the sorted rows (as a categorical of the same values if ``categorical``: it is
    recoded later)."""
    if isinstance(col.dtype, np.dtype):
        values = col.to_numpy()[final]
        return pd.array(values, dtype=object) if col.dtype == object else values
    if not (isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow"):
        return col.array.take(final)
    arr = col.array.__arrow_array__().take(pa.array(rows))
    enc = pc.dictionary_encode(arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0))
    code = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)[order]
    values = enc.dictionary.to_pylist()
    if categorical:
        dtype = pd.CategoricalDtype(pd.Index(values, dtype=col.dtype))
        return pd.Categorical.from_codes(code, dtype=dtype, validate=False)
    return string_array(code, values, col.dtype)


def _child_order(d: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(order, child)``: ``rows[order]`` are the kept rows in child, date and unit order;
    ``child`` (in that order) numbers the children by their first row."""
    child = MA.first_appearance_codes(d["child_id"].to_numpy()[rows]).astype(np.int64)
    sub = d[["event_date", "unit_id"]].iloc[rows]
    order = np.lexsort([sort_rank(sub["unit_id"]), sort_rank(sub["event_date"]), child])
    return order, child[order]


def _finish(d, design, attrs, n_leads, la_code, la_values, child, n_no_age, codes=None) -> pd.DataFrame:
    """The regressors, the LA attributes, the child keys and the count of rows without age."""
    _add_regressors(d, design, n_leads, codes)
    if attrs is not None:
        d = _add_attributes(d, attrs, la_code, la_values)
    d["child"] = child
    new = np.r_[True, child[1:] != child[:-1]]
    run = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    d["seq"] = (np.arange(len(d)) - first[run]).astype(np.int32)
    d["repeated"] = (np.diff(np.r_[first, len(d)])[run] > 1).astype("int8")
    d.attrs["dropped_no_age"] = n_no_age
    return d


def _analysis_frame_by_merge(pop_data, design, eq, attrs, n_leads, keep_settling) -> pd.DataFrame:
    """:func:`analysis_frame` through :meth:`StudyDesign.assign_periods` on every row (empty
    frames, column names clashing with the design's)."""
    drop = [c for c in PERIOD_COLUMNS if c in pop_data.columns]
    d = design.assign_periods(pop_data.drop(columns=drop), "event_date", eq)
    keep = d["group_id"].notna().to_numpy().copy()
    if not keep_settling:
        keep &= d["period"].isin(["pre", "post"]).to_numpy()
    no_age = d["age"].isna().to_numpy()
    n_no_age = int((keep & no_age).sum())
    rows = np.flatnonzero(keep & ~no_age)
    order, child = _child_order(d, rows)
    rows = rows[order]
    la_code, la_values = codes_of(d["la"])
    la_code = la_code[rows]
    d = d.take(rows).reset_index(drop=True)
    d["la"] = string_array(la_code, as_strings(la_values), STRING)
    d["group_id"] = d["group_id"].astype("string")
    return _finish(d, design, attrs, n_leads, la_code, as_strings(la_values), child, n_no_age)


def _missing_categorical(col: pd.Series) -> pd.Categorical:
    """``col.astype("string").fillna("missing").astype("category")``, on the column's codes."""
    code, values = codes_of(col)
    code = np.where(code < 0, len(values), code)
    labels = [("missing" if v is None else v) for v in as_strings(values)] + ["missing"]
    used = np.flatnonzero(np.bincount(code, minlength=len(labels)))
    cats = sorted({labels[i] for i in used})  # the categories astype("category") infers
    at = np.array([cats.index(v) if v in cats else -1 for v in labels])
    dtype = pd.CategoricalDtype(pd.Index(cats, dtype="string"))
    return pd.Categorical.from_codes(at[code], dtype=dtype, validate=False)


def _add_regressors(d: pd.DataFrame, design: StudyDesign, n_leads: int, codes: tuple | None = None) -> None:
    """Treatment, post, DiD, lead and lag indicators and the model covariates (in place).
    ``codes``: ``(period codes, group codes, group labels)`` of the rows if known (else from
    ``period`` and ``group_id``)."""
    pilot_i = d["pilot"].to_numpy(dtype=bool).astype("int8")
    d["pilot_i"] = pilot_i
    if codes is None:
        period = d["period"].to_numpy()
        post, pre = period == "post", period == "pre"
        g_code, g_values = codes_of(d["group_id"])
        g_values = as_strings(g_values)
    else:
        per, g_code, g_values = codes
        post, pre = per == 2, per == 0
    d["post"] = post.astype("int8")
    did = (pilot_i * d["post"].to_numpy()).astype("int8")
    d["did"] = did
    fy = dict(zip(design.sofs_start, financial_year(list(design.sofs_start.values())).astype(int)))
    g_fy = np.array([fy[v] for v in g_values], dtype=np.int64)
    back = g_fy[g_code] - d["year"].to_numpy()  # 0 = SofS start year
    for k in range(1, n_leads + 1):
        d[f"lead_{k}"] = (pre & (back == k - 1) & (pilot_i == 1)).astype("int8")
    rel = d["rel_year"].fillna(-99).astype(int).to_numpy()
    post_rel = rel[did == 1]
    m_max = int(post_rel.max()) if len(post_rel) else -1
    for m in range(0, m_max + 1):
        d[f"lag_{m}"] = ((did == 1) & (rel == m)).astype("int8")
    for c in _categorical(d):
        d[c] = _missing_categorical(d[c])
    d["disabled"] = d["disabled"].astype("int8")


def _add_attributes(d: pd.DataFrame, attrs: dict, la_code: np.ndarray, la_values: list) -> pd.DataFrame:
    """Ofsted rating (LA x year), doses and comparator practice model, looked up per LA (and
    year) as a left merge on ``la``/``year`` would give them."""
    pair = d[["la", "year"]]
    at, first = _pairs(la_code, la_values, d["year"].to_numpy())
    if at is None:
        keys = pair.drop_duplicates(ignore_index=True)
        at = pair.groupby(["la", "year"], sort=False, dropna=False).ngroup().to_numpy()
    else:
        keys = pair.iloc[first].reset_index(drop=True)
    m = keys.merge(attrs["ofsted"], on=["la", "year"], how="left", validate="many_to_one")
    d = d.assign(la=m["la"].take(at).reset_index(drop=True))
    d["ofsted_high"] = m["ofsted_high"].take(at).fillna(0).astype("int8").to_numpy()
    pilot_i = d["pilot_i"].to_numpy()
    sc = attrs["scores"].set_index("la")
    for c in ("dose_quality", "dose_embed"):
        per_la = pd.Series(la_values).map(sc[c]).fillna(0.0).astype(float).to_numpy()
        d[c] = per_la[la_code] * pilot_i
    pm = attrs["practice"].set_index("la")["practice_model"]
    per_la = pd.Series(la_values, dtype=object).map(pm).astype(object)
    per_la = np.where(pd.isna(per_la), PM_NEITHER, per_la)
    labels = [PM_SOFS, PM_ALT, PM_NEITHER]
    lab = np.where(pilot_i == 1, 0, np.array([labels.index(v) for v in per_la], dtype=np.int64)[la_code])
    d["practice_model"] = string_array(lab, labels)
    d["pm_alt"] = (lab == 1).astype("int8")
    d["pm_neither"] = (lab == 2).astype("int8")
    return d


def _pairs(la_code: np.ndarray, la_values: list, year: np.ndarray):
    """``(at, first)``: each row's (LA, year) pair numbered by first appearance, as
    ``groupby([la, year], sort=False).ngroup()`` numbers them, and the first row of each pair;
    ``(None, None)`` when a code or year is missing (the caller groups the labels)."""
    if year.dtype.kind not in "iu" or (la_code < 0).any() or not len(year):
        return None, None
    label = pd.factorize(np.array(la_values, dtype=object))[0][la_code]  # one code per label
    lo = int(year.min())
    at = MA.first_appearance_codes(label * (int(year.max()) - lo + 1) + (year - lo))
    first = np.flatnonzero(at > np.r_[-1, np.maximum.accumulate(at)[:-1]])
    return at, first


def lead_cols(d: pd.DataFrame) -> list[str]:
    return sorted([c for c in d.columns if c.startswith("lead_")], key=lambda s: int(s.split("_")[1]))


def lag_cols(d: pd.DataFrame) -> list[str]:
    return sorted([c for c in d.columns if c.startswith("lag_")], key=lambda s: int(s.split("_")[1]))
