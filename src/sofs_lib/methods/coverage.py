"""How many LAs a group mean is over, and which LA-years it lacks.

A mean of LA values over a group of councils is over the LAs that have a value: an LA-year
missing or suppressed is left out, so that mean is over fewer councils. These functions make that
visible instead of silent: :func:`missing_la_years` lists every expected LA-year without a value
(per indicator), :func:`named_counts` counts them per council and :func:`coverage_sentence`
names them in one generated sentence.

The input is long: ``la_code, year, indicator_id, value`` (a missing value is NaN or absent);
``expected`` says which LA-years each mean should cover (``la_code, la_name, group, year``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

MISSING_COLUMNS = ["indicator_id", "la_code", "la_name", "group", "year"]


class CoverageError(ValueError):
    """The inputs of a coverage count lack a column."""


def _need(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    lack = [c for c in cols if c not in df.columns]
    if lack:
        raise CoverageError(f"{what} lacks column(s) {lack}")


def observed_spans(values: pd.DataFrame, expected: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Per indicator, the first and last year in which any expected LA has a value (an
    indicator first collected in 2017 is not 'missing' in 2015)."""
    keys = expected[["la_code", "year"]].drop_duplicates()
    have = values.dropna(subset=["value"]).merge(keys, on=["la_code", "year"])
    g = have.groupby("indicator_id")["year"].agg(["min", "max"])
    return {i: (int(r["min"]), int(r["max"])) for i, r in g.iterrows()}


def missing_la_years(
    values: pd.DataFrame,
    expected: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    spans: Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Every expected LA-year without a value, one row per indicator, LA and year
    (:data:`MISSING_COLUMNS`), within each indicator's span of years (``spans``: indicator ->
    (first, last); default :func:`observed_spans`). ``indicators`` default: those in ``values``,
    in order of appearance. An indicator no expected LA ever has is left out (it has no span)."""
    _need(values, ["la_code", "year", "indicator_id", "value"], "values")
    _need(expected, ["la_code", "la_name", "group", "year"], "expected")
    exp = expected[["la_code", "la_name", "group", "year"]].drop_duplicates(["la_code", "year"])
    spans = observed_spans(values, exp) if spans is None else spans
    ids = list(dict.fromkeys(values["indicator_id"])) if indicators is None else list(indicators)
    have = values.dropna(subset=["value"])[["indicator_id", "la_code", "year"]].drop_duplicates()
    parts = []
    for iid in ids:
        if iid not in spans:
            continue
        first, last = spans[iid]
        e = exp[(exp["year"] >= first) & (exp["year"] <= last)].assign(indicator_id=iid)
        m = e.merge(
            have[have["indicator_id"] == iid], on=["indicator_id", "la_code", "year"], how="left", indicator=True
        )
        parts.append(m[m["_merge"] == "left_only"][MISSING_COLUMNS])
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=MISSING_COLUMNS)
    order = {i: k for k, i in enumerate(ids)}
    out = out.sort_values(
        ["indicator_id", "group", "la_name", "year"], key=lambda c: c.map(order) if c.name == "indicator_id" else c
    )
    return out.reset_index(drop=True)


def _labels(missing: pd.DataFrame) -> pd.Series:
    """A council's name, with its code where two codes share a name (Dorset 835 and 838)."""
    names = missing.drop_duplicates("la_code").set_index("la_code")["la_name"].astype(str)
    dup = names.duplicated(keep=False)
    return names.where(~dup, names + " " + names.index.astype(str))


def named_counts(missing: pd.DataFrame) -> pd.Series:
    """Missing LA-years per council (label -> count), most first, ties by name."""
    if missing.empty:
        return pd.Series(dtype=int)
    lab = _labels(missing)
    c = missing["la_code"].map(lab).value_counts()
    return c.sort_index().sort_values(ascending=False, kind="stable").astype(int)


def _names(counts: pd.Series) -> str:
    """'Name (n); Name (n)' (semicolons: some names hold a comma, 'Bristol, City of')."""
    return "; ".join(f"{name} ({int(k)})" for name, k in counts.items())


def coverage_sentence(
    missing: pd.DataFrame,
    groups: Mapping[str, str] | None = None,
    nothing: str = "Every council has a value for every indicator and year averaged.",
) -> str:
    """'k LA-years lack a value ...: Name (n); ...' from :func:`missing_la_years`; with
    ``groups`` (group -> label, in the order to print), one sentence per group that has any,
    'Label, k: Name (n); ...'. ``nothing``: the sentence when nothing is missing."""
    if missing.empty:
        return nothing
    head = (
        f"{len(missing)} {'LA-year lacks' if len(missing) == 1 else 'LA-years lack'} a value (missing or suppressed; an LA-year counts once per "
        "indicator) and are left out of the means, which are then over fewer councils"
    )
    if not groups:
        return f"{head}: {_names(named_counts(missing))}."
    lab = _labels(missing)
    parts = [head + "."]
    known = [g for g in groups if g in set(missing["group"])]
    for g in known:
        d = missing[missing["group"] == g]
        counts = d["la_code"].map(lab).value_counts().sort_index().sort_values(ascending=False, kind="stable")
        label = groups[g]
        parts.append(f"{label[:1].upper() + label[1:]}, {len(d)}: {_names(counts)}.")
    other = missing[~missing["group"].isin(list(groups))]
    if len(other):
        parts.append(f"Other groups, {len(other)}: {_names(named_counts(other))}.")
    return " ".join(parts)


def n_beside(
    means: pd.DataFrame,
    index: Sequence[str],
    by: str,
    labels: Mapping[str, str] | None = None,
    mean: str = "mean",
    n: str = "n",
) -> pd.DataFrame:
    """A wide table of group means with the number of LAs each is over beside it: one row per
    ``index`` combination (in order of appearance); for each level of ``by`` (in order of
    appearance, named by ``labels``) the columns '<label>: mean' and '<label>: n LAs' (0 where the group has no value)."""
    _need(means, [*index, by, mean, n], "means")
    labels = labels or {}
    rows = means[list(index)].drop_duplicates()
    out = pd.DataFrame(index=pd.MultiIndex.from_frame(rows) if len(index) > 1 else pd.Index(rows[index[0]]))
    for lev in dict.fromkeys(means[by]):
        d = means[means[by] == lev].set_index(list(index) if len(index) > 1 else index[0])
        name = labels.get(lev, str(lev))
        out[f"{name}: mean"] = d[mean].reindex(out.index)
        out[f"{name}: n LAs"] = d[n].reindex(out.index).fillna(0).astype(int)
    return out
