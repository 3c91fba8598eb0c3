"""Coverage of the workforce chapter's group means: how many LAs each is over, and which
LA-years it lacks, named (built on :mod:`sofs_lib.methods.coverage`).

Which LA-years a mean should cover:

* pilots and comparators are fixed lists of councils (as in the report), so each is expected in
  every September of an indicator's span; a council abolished in a reorganisation (Dorset, 835,
  on 1 April 2019) is then missing from its last September on, and named with the reason;
* the other English LAs are every other council on the panel in the Septembers it existed
  (``data/la_reorganisations.csv``: a council abolished on 1 April 2019 last counted in
  September 2018; its successor first in September 2019, or earlier where the DfE files give
  it a back series).

An indicator's span is the first to the last September in which any expected council has a
value (headcount rates start in 2017, population-based rates end with the population file).
"""

from __future__ import annotations

import pandas as pd

from sofs_lib.chapters.workforce.panel import ANALYSED, INDICATORS
from sofs_lib.methods import coverage as cov
from sofs_lib.sources.dfe.names import REORGANISATIONS

#: the groups the chapter averages over, with their labels in sentences (in print order)
GROUPS = {"Pilot": "pilots", "Comparator": "comparators", "Other English LA": "other English LAs"}
FIXED = ("Pilot", "Comparator")
NO_VALUE = "no value in any release (missing or suppressed)"


def _september(date: str) -> int:
    """The first 30 September on or after ``date`` (YYYY-MM-DD)."""
    y, m, d = (int(x) for x in date.split("-"))
    return y if (m, d) <= (9, 30) else y + 1


def lifetimes(reorganisations: pd.DataFrame | None = None) -> dict[str, tuple[int | None, int | None, str]]:
    """LA code -> (first September, last September, note) for councils created or abolished in
    a reorganisation (None: no bound)."""
    r = REORGANISATIONS if reorganisations is None else reorganisations
    out: dict[str, tuple[int | None, int | None, str]] = {}
    for date, g in r.groupby("date", sort=True):
        ts = pd.Timestamp(date)
        day = f"{ts.day} {ts.strftime('%B %Y')}"
        first = _september(date)
        for old, og in g.groupby("old_la_code", sort=True):
            new = ", ".join(f"{n} ({c})" for c, n in zip(og["new_la_code"], og["new_name"]))
            out[old] = (None, first - 1, f"council abolished {day} (succeeded by {new})")
        for new in sorted(set(g["new_la_code"])):
            out[new] = (first, None, f"council created {day}")
    return out


def _alive(code: str, year: int, life: dict) -> bool:
    first, last, _ = life.get(code, (None, None, ""))
    return (first is None or year >= first) and (last is None or year <= last)


def expected_la_years(frame: pd.DataFrame, reorganisations: pd.DataFrame | None = None) -> pd.DataFrame:
    """The LA-years the group means should cover (see the module): ``la_code, la_name, group,
    year``; every pilot and comparator in every year of ``frame``, the other English LAs in the
    years they are on the panel and existed (or have a workforce value)."""
    life = lifetimes(reorganisations)
    years = sorted(frame["year"].unique())
    las = frame[["la_code", "la_name", "group"]].drop_duplicates("la_code")
    fixed = las[las["group"].isin(FIXED)].merge(pd.DataFrame({"year": years}), how="cross")
    other = frame[frame["group"] == "Other English LA"]
    has_value = other[[i for i in ANALYSED if i in other.columns]].notna().any(axis=1)
    alive = [_alive(c, int(y), life) for c, y in zip(other["la_code"], other["year"])]
    other = other[has_value | pd.Series(alive, index=other.index)][["la_code", "la_name", "group", "year"]]
    out = pd.concat([fixed[["la_code", "la_name", "group", "year"]], other], ignore_index=True)
    order = {g: k for k, g in enumerate(GROUPS)}
    return out.sort_values(["group", "la_name", "year"], key=lambda c: c.map(order) if c.name == "group" else c)


def _reason(code: str, year: int, life: dict) -> str:
    first, last, note = life.get(code, (None, None, ""))
    if (first is not None and year < first) or (last is not None and year > last):
        return note
    return NO_VALUE


def with_reasons(missing: pd.DataFrame, reorganisations: pd.DataFrame | None = None) -> pd.DataFrame:
    """``missing`` with a ``reason`` column: a reorganisation, or no value in any release."""
    life = lifetimes(reorganisations)
    return missing.assign(reason=[_reason(c, int(y), life) for c, y in zip(missing["la_code"], missing["year"])])


def panel_missing(frame: pd.DataFrame, indicators=None, reorganisations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every expected LA-year without a value, per analysed indicator, with its reason (in the
    order of the indicators, then of :data:`GROUPS`)."""
    ids = [i for i in (indicators or ANALYSED) if i in frame.columns]
    values = frame[frame["group"] != "Excluded"].melt(["la_code", "year"], ids, var_name="indicator_id")
    miss = cov.missing_la_years(values, expected_la_years(frame, reorganisations), ids)
    rank = {g: k for k, g in enumerate(GROUPS)} | {i: k for k, i in enumerate(ids)}
    miss = miss.sort_values(
        ["indicator_id", "group", "la_name", "year"],
        key=lambda c: c.map(rank) if c.name in ("indicator_id", "group") else c,
    )
    return with_reasons(miss.reset_index(drop=True), reorganisations)


#: column labels of the means table
TABLE_LABELS = {"Pilot": "Pilots", "Comparator": "Comparators", "Other English LA": "Other English LAs"}


def means_with_n(means: pd.DataFrame) -> pd.DataFrame:
    """The group means of :func:`sofs_lib.chapters.workforce.panel.group_means` as one row per
    indicator and September, each group's mean with the number of LAs it is over beside it
    (groups in the order of :data:`GROUPS`, indicators in that of ``INDICATORS``)."""
    ids = [i for i in INDICATORS if i in set(means["indicator_id"])]
    rank = {g: k for k, g in enumerate(GROUPS)} | {i: k for k, i in enumerate(ids)}
    m = means[means["indicator_id"].isin(ids) & means["group"].isin(list(GROUPS))]
    m = m.sort_values(["group", "indicator_id", "year"], key=lambda c: c.map(rank) if c.name != "year" else c)
    m = m.sort_values(["indicator_id", "year"], key=lambda c: c.map(rank) if c.name != "year" else c, kind="stable")
    w = cov.n_beside(m, ["indicator_id", "year"], "group", TABLE_LABELS)
    w.index = pd.MultiIndex.from_arrays(
        [w.index.get_level_values(0).map(lambda i: INDICATORS[i][0]), w.index.get_level_values(1)],
        names=["indicator", "year"],
    )
    return w


def a9_missing(
    long: pd.DataFrame, choice: pd.DataFrame, pilots=None, comparators=None, years=range(2015, 2020)
) -> pd.DataFrame:
    """Every pilot and comparator LA-year of ``years`` (Table A9.4's; A9.3's 2019 among them)
    without a value on the series and release chosen for each workforce row of Tables A9.3/A9.4
    (``choice``: :func:`sofs_lib.chapters.workforce.reproduce.chosen`), with ``series``,
    ``release`` and ``reason``."""
    from sofs_lib.chapters.workforce import reproduce
    from sofs_lib.chapters.workforce.panel import groups
    from sofs_lib.sources.dfe.names import LA_NAMES

    las = long[["la_code", "la_name"]].drop_duplicates("la_code").reset_index(drop=True)
    las["la_name"] = las["la_name"].fillna(las["la_code"].map(LA_NAMES)).fillna(las["la_code"])
    las["group"] = groups(las["la_code"], pilots, comparators).to_numpy()
    expected = las[las["group"].isin(FIXED)].merge(pd.DataFrame({"year": list(years)}), how="cross")
    parts = []
    for iid, c in choice.dropna(subset=["series"]).iterrows():
        num, _, den = str(c["series"]).partition(" / ")
        s = dict(reproduce._by_release(reproduce.candidate_series(long, num, den or None)))[c["release"]]
        m = cov.missing_la_years(s.assign(indicator_id=iid), expected, [iid])
        parts.append(m.assign(series=c["series"], release=c["release"]))
    cols = cov.MISSING_COLUMNS + ["series", "release"]
    miss = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return with_reasons(miss[cols])
