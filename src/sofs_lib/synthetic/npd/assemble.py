"""The generated rows as the seven tables of an NPD extract.

Each table is built from the generator's concatenated column arrays (``_Tables.columns``):
ids as int64, LA codes and the code lists of :mod:`sofs_lib.sources.npd.codes` as categoricals
(the generator makes coded columns as integer positions in those lists, -1 = not recorded,
so they are used as the categoricals' codes; string values would be looked up once per distinct
value), dates as ``datetime64[s]``; rows are put in key order before the frame is made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.npd import codes
from sofs_lib.sources.npd.columns import gather, positions
from sofs_lib.sources.npd.extract import NPDExtract
from sofs_lib.synthetic.npd.base import _categorical, _fsm, _LAInfo, _lut
from sofs_lib.synthetic.npd.records import _Tables

#: Column kinds of each generated table: "id" (int64), "la" (LA code), "date", "int8",
#: "fsm" (nullable Int8, -1 = not recorded) or a code list (categorical of those codes).
SPECS: dict[str, dict] = {
    "children": {
        "child_id": "id",
        "la": "la",
        "PersonBirthDate": "date",
        "GenderCurrent": codes.GENDER,
        "Ethnicity": codes.ETHNICITY,
        "Disability": codes.DISABILITY,
        "FSMeligible": "fsm",
    },
    "cin_referrals": {
        "CINdetailsID": "id",
        "LAchildID": "id",
        "la": "la",
        "CINreferralDate": "date",
        "ReferralSource": codes.REFERRAL_SOURCE,
        "PrimaryNeedCode": codes.PRIMARY_NEED,
        "ReferralNFA": "int8",
        "CINclosureDate": "date",
        "ReasonForClosure": codes.REASON_FOR_CLOSURE,
    },
    "assessments": {
        "AssessmentID": "id",
        "CINdetailsID": "id",
        "LAchildID": "id",
        "la": "la",
        "AssessmentActualStartDate": "date",
        "AssessmentAuthorisationDate": "date",
    },
    "section47": {
        "S47ID": "id",
        "CINdetailsID": "id",
        "LAchildID": "id",
        "la": "la",
        "S47ActualStartDate": "date",
        "DateOfInitialCPC": "date",
    },
    "cp_plans": {
        "CPPID": "id",
        "CINdetailsID": "id",
        "LAchildID": "id",
        "la": "la",
        "CPPstartDate": "date",
        "CPPendDate": "date",
        "InitialCategoryOfAbuse": codes.CATEGORY_OF_ABUSE,
        "NumberOfPreviousCPP": "id",
    },
    "la_episodes": {
        "CHILD": "id",
        "la": "la",
        "DECOM": "date",
        "RNE": codes.RNE,
        "LS": codes.LEGAL_STATUS,
        "CIN": codes.PRIMARY_NEED,
        "PL": codes.PLACEMENT,
        "DEC": "date",
        "REC": codes.REASON_EPISODE_CEASED,
    },
}

#: Sort keys of each table (the first column is unique where it is the only key).
SORT_KEYS = {
    "children": ["child_id"],
    "cin_referrals": ["CINdetailsID"],
    "assessments": ["AssessmentID"],
    "section47": ["S47ID"],
    "cp_plans": ["CPPID"],
    "la_episodes": ["CHILD", "DECOM"],
}


def _code_of(values: np.ndarray, cats) -> np.ndarray:
    """Position of each value in ``cats`` (-1 if missing or not a code), as
    ``pd.Categorical(values, categories=cats).codes``; hashed once per distinct value."""
    found, uniques = pd.factorize(np.asarray(values, dtype=object))
    at = pd.Index(list(cats), dtype=object).get_indexer(np.asarray(uniques, dtype=object))
    return np.append(at, -1)[np.where(found < 0, len(at), found)]


def _dates(a) -> np.ndarray:
    return np.asarray(a, dtype="datetime64[D]").astype("datetime64[s]")


def _column(kind, values, las: pd.CategoricalDtype):
    if kind == "id":
        return np.asarray(values).astype(np.int64)
    if kind == "la":
        return pd.Categorical.from_codes(np.asarray(values, dtype=np.int64), dtype=las)
    if kind == "date":
        return _dates(values)
    if kind == "int8":
        return np.asarray(values).astype(np.int8)
    if kind == "fsm":
        return _fsm(values)
    values = np.asarray(values)
    if values.dtype.kind == "i":  # generated as positions in the code list
        return _categorical(values, kind)
    return _categorical(_code_of(values, kind), kind)


def _order(cols: dict[str, np.ndarray], keys: list[str]) -> np.ndarray:
    """Row order by ``keys`` (stable, as ``DataFrame.sort_values`` on these columns)."""
    if len(keys) == 1:
        return np.argsort(cols[keys[0]], kind="stable")
    return np.lexsort([np.asarray(cols[k]) for k in reversed(keys)])


def _table(T: _Tables, name: str, las: pd.CategoricalDtype) -> pd.DataFrame:
    """One table from the generated columns, its rows in :data:`SORT_KEYS` order."""
    spec = SPECS[name]
    cols = T.columns(name)
    if not cols:
        return pd.DataFrame({c: pd.Series(_column(k, [], las)) for c, k in spec.items()})
    order = _order(cols, SORT_KEYS[name])
    return pd.DataFrame({c: _column(k, np.asarray(cols[c])[order], las) for c, k in spec.items()})


def _close_before_next(ref: pd.DataFrame) -> pd.DataFrame:
    """Keep each child's CIN episodes in an LA apart (no episode referred while an earlier one
    is open, as real extracts must be): an episode still open, or closed after the child's next
    referral, is closed on the day of that referral (reason RC7, services ceased, if it had
    none). Which streams' records collide this way is a by-product of linking repeated
    children; only closures of episodes that are no analysis unit's date move (NFA units close
    on their referral or assessment day, before the links' next referral)."""
    child = ref["LAchildID"].to_numpy()
    la = ref["la"].cat.codes.to_numpy()
    refd = ref["CINreferralDate"].to_numpy()
    order = np.lexsort((ref["CINdetailsID"].to_numpy(), refd, la, child))
    c, lc, rd = child[order], la[order], refd[order]
    closure = ref["CINclosureDate"].to_numpy()
    cl = closure[order]
    nxt_same = np.r_[(c[1:] == c[:-1]) & (lc[1:] == lc[:-1]), False]
    nxt_ref = np.r_[rd[1:], np.datetime64("NaT")]
    bad = nxt_same & (np.isnat(cl) | (cl > nxt_ref))
    if not bad.any():
        return ref
    rows = order[bad]
    new_closure = closure.copy()
    new_closure[rows] = nxt_ref[bad]
    rc = ref["ReasonForClosure"]
    rc_code = rc.cat.codes.to_numpy().copy()
    fill = rows[rc_code[rows] < 0]
    rc_code[fill] = list(rc.cat.categories).index("RC7")
    return ref.assign(
        CINclosureDate=new_closure,
        ReasonForClosure=pd.Categorical.from_codes(rc_code, dtype=rc.dtype),
    )


def _header(children: pd.DataFrame, la_episodes: pd.DataFrame) -> pd.DataFrame:
    """SSDA903 header: one row per child and LA with episodes, from the child record (a sex
    other than 1/2 is recorded as 1)."""
    n_la = max(len(la_episodes["la"].cat.categories), 1)
    pair = np.unique(la_episodes["CHILD"].to_numpy() * n_la + la_episodes["la"].cat.codes.to_numpy())
    child, la = pair // n_la, pair % n_la  # distinct (child, LA), in child then LA order
    pos = positions(children["child_id"].to_numpy(), child)
    g = children["GenderCurrent"]
    to_sex = [v if v in ("1", "2") else "1" for v in g.cat.categories]
    sex = _recoded(gather(g.cat.codes.to_numpy(), pos, -1), [*to_sex, "1"], codes.SEX)
    e = children["Ethnicity"]
    ethnic = _recoded(gather(e.cat.codes.to_numpy(), pos, -1), [*e.cat.categories, None], codes.ETHNICITY)
    return pd.DataFrame(
        {
            "CHILD": child,
            "la": pd.Categorical.from_codes(la, dtype=la_episodes["la"].dtype),
            "SEX": _categorical(sex, codes.SEX),
            "DOB": gather(children["PersonBirthDate"].to_numpy(), pos, np.datetime64("NaT")),
            "ETHNIC": _categorical(ethnic, codes.ETHNICITY),
        }
    )


def _recoded(code: np.ndarray, values: list, cats) -> np.ndarray:
    """Positions in ``cats`` of ``values[code]`` (code -1 = the last value), one look-up per value."""
    return _lut(values, cats)[np.where(code < 0, len(values) - 1, code)]


def _assemble(T: _Tables, info: _LAInfo) -> NPDExtract:
    las = pd.CategoricalDtype(info.las)
    t = {name: _table(T, name, las) for name in SPECS}
    t["cin_referrals"] = _close_before_next(t["cin_referrals"])
    return NPDExtract(
        children=t["children"],
        cin_referrals=t["cin_referrals"],
        assessments=t["assessments"],
        section47=t["section47"],
        cp_plans=t["cp_plans"],
        la_header=_header(t["children"], t["la_episodes"]),
        la_episodes=t["la_episodes"],
    )
