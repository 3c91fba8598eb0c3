"""What the chapter's means are over: how many LAs (or authorities) each averages, and which
LA-years lack a value, counted and named rather than silently averaged over fewer councils.

* :func:`missing_la_years`: every LA-year without a value, for the pilots and comparators (all
  their LAs, every year an indicator has in the panel) and for the England mean (every LA with a
  value on some line that year), with the reason where the data give one;
* :func:`coverage_sentence`, :func:`left_out_sentence`: the sentences the chapter prints;
* :func:`means_table`: the group means with the number of LAs beside each;
* :func:`survey_bases`, :func:`survey_sentence`: how many authorities (or posts) each statistic
  of the cost returns is over, as counts only (no authority is named: the returns are the pilots').

Chapter 04 does the same for its indicators (:mod:`sofs_lib.chapters.la_outcomes.sentences`).
"""

from __future__ import annotations

import pandas as pd

from sofs_lib.display.sentences import join_names, plural
from sofs_lib.methods import coverage
from sofs_lib.sources.dfe.names import LA_NAMES

COLUMNS = ["indicator_id", "la_code", "la_name", "group", "year", "why"]
#: what a LAIT/ONS suppression code means (sofs_lib.sources.dfe._io.SUPPRESSION_CODES)
CODE_WORDS = {"-": "not collected", "x": "suppressed", "c": "confidential", "z": "not applicable"}
NO_ROW = "no value in the data"
NO_LINE = "no value on any line that year"
OTHER = "Other LA"
GROUP_WORDS = {"Pilot": "pilots", "SNN": "comparators", OTHER: "other English LAs"}


def why_words(code) -> str:
    """'not collected ('-')' for a suppression code; :data:`NO_ROW` for none."""
    if code is None or pd.isna(code) or str(code) == "":
        return NO_ROW
    c = str(code)
    return f"{CODE_WORDS[c]} ('{c}')" if c in CODE_WORDS else f"code '{c}'"


def _name(code: str, names: dict) -> str:
    return str(names.get(code) or LA_NAMES.get(code) or code)


def _expected(panel: pd.DataFrame, groups: dict[str, list[str]], england: bool, names: dict) -> pd.DataFrame:
    """(la_code, la_name, group, year) every mean should cover: each group LA in every year with a
    value anywhere; each other LA in the years it has a value on some line."""
    have = panel.dropna(subset=["value"])
    in_group = {c: g for g, codes in groups.items() for c in codes}
    years = sorted(int(y) for y in have["year"].unique())
    rows = [(c, g, y) for y in years for c, g in in_group.items()]
    if england:
        present = have[["la_code", "year"]].drop_duplicates()
        present = present[~present["la_code"].isin(list(in_group))]
        rows += [(c, OTHER, int(y)) for c, y in present.itertuples(index=False)]
    exp = pd.DataFrame(rows, columns=["la_code", "group", "year"])
    exp.insert(1, "la_name", [_name(c, names) for c in exp["la_code"]])
    return exp


def missing_la_years(
    panel: pd.DataFrame,
    groups: dict[str, list[str]],
    why: pd.DataFrame | None = None,
    england: bool = True,
) -> pd.DataFrame:
    """Every expected LA-year (see :func:`_expected`) without a value in ``panel``, by the shared
    rule :func:`sofs_lib.methods.coverage.missing_la_years` within each indicator's span of years
    (first to last year with a value anywhere).

    ``panel``: long ``la_code, year, indicator_id, value`` (``la_name`` optional); ``groups``:
    group label -> LA codes (``"Pilot"``, ``"SNN"``); ``why``: optional ``indicator_id, la_code,
    year, why`` giving the reason a value is absent (e.g. its suppression code). An LA-year with
    no value on any line is marked :data:`NO_LINE` (the council did not exist or did not return).
    ``england=False``: the groups' LAs only (no England mean).
    """
    names = dict(zip(panel["la_code"], panel["la_name"])) if "la_name" in panel else {}
    have = panel.dropna(subset=["value"])
    g = have.groupby("indicator_id")["year"].agg(["min", "max"])
    spans = {i: (int(r["min"]), int(r["max"])) for i, r in g.iterrows()}
    ids = list(dict.fromkeys(have["indicator_id"]))
    m = coverage.missing_la_years(panel, _expected(panel, groups, england, names), indicators=ids, spans=spans)
    keys = ["indicator_id", "la_code", "year"]
    any_line = set(map(tuple, have[["la_code", "year"]].drop_duplicates().itertuples(index=False)))
    if why is not None and len(why):
        m = m.merge(why[[*keys, "why"]].drop_duplicates(keys), on=keys, how="left")
    else:
        m["why"] = None
    none = [(c, y) not in any_line for c, y in zip(m["la_code"], m["year"])]
    m.loc[none, "why"] = NO_LINE
    m["why"] = m["why"].fillna(NO_ROW)
    order = {g: k for k, g in enumerate([*groups, OTHER])}
    m = m.sort_values(
        ["group", "la_name", "la_code", "indicator_id", "year"], key=lambda c: c.map(order) if c.name == "group" else c
    )
    return m[COLUMNS].reset_index(drop=True)


def _labels(d: pd.DataFrame) -> pd.Series:
    """LA names, with the code where two LAs in ``d`` share a name (Dorset 835 and 838)."""
    codes = d.groupby("la_name")["la_code"].nunique()
    return d.apply(lambda r: f"{r.la_name} ({r.la_code})" if codes[r.la_name] > 1 else r.la_name, axis=1)


def _by_la(d: pd.DataFrame) -> str:
    lab = _labels(d) if len(d) else pd.Series(dtype=str)
    n = lab.value_counts()
    n = n.sort_index().sort_values(ascending=False, kind="stable")
    return ", ".join(f"{k} ({v})" for k, v in n.items())


def coverage_sentence(
    missing: pd.DataFrame,
    what: str = "a finance line",
    every: str = "every finance line",
    who: str = "pilot, comparator and English LA with data",
) -> str:
    """'k LA-years lack a value for {what} …: Name (n), …' from :func:`missing_la_years`, by
    group; 'Every {who} has a value for {every} in every year shown.' when nothing is missing."""
    if missing.empty:
        return f"Every {who} has a value for {every} in every year shown."
    parts = [
        f"among the {GROUP_WORDS.get(g, g)}, {_by_la(missing[missing['group'] == g])}"
        for g in dict.fromkeys(missing["group"])
    ]
    why = missing["why"].value_counts()
    why = why.sort_index().sort_values(ascending=False, kind="stable")
    return (
        f"{plural(len(missing), 'LA-year')} lack a value for {what} (missing or suppressed) and are "
        "left out of the means, which are then over fewer councils: "
        + "; ".join(parts)
        + ". Why: "
        + "; ".join(f"{w} ({n})" for w, n in why.items())
        + "."
    )


def means_table(means: pd.DataFrame) -> pd.DataFrame:
    """:func:`sofs_lib.chapters.costs.spending.group_means` for display: each mean with the
    number of LAs it is over beside it."""
    cols = {
        "pilots": "pilots",
        "n_pilots": "n pilots",
        "comparators": "comparators",
        "n_comparators": "n comparators",
        "England": "England",
        "n_England": "n England",
    }
    out = means.set_index(["indicator_id", "year"])[list(cols)].rename(columns=cols)
    for c in ("n pilots", "n comparators", "n England"):
        out[c] = out[c].fillna(0).astype(int)
    return out


def left_out_sentence(meta: dict[str, dict], names: dict | None = None) -> str:
    """Who the balanced event study leaves out, from ``event_study_all(...).attrs['meta']``
    (``left_out``, ``n_pilots``, ``n_comparators`` per line)."""
    lines = list(meta)
    by: dict[str, list[str]] = {}
    for iid, m in meta.items():
        for c in m.get("left_out", ()):
            by.setdefault(c, []).append(iid)
    sizes = pd.Series([f"{m['n_pilots']} pilots and {m['n_comparators']} comparators" for m in meta.values()])
    over = "; ".join(f"{s} on {plural(int(n), 'line')}" for s, n in sizes.value_counts().sort_index().items())
    if not by:
        return f"Every pilot and comparator has every year on every line: the event study is over {over}."
    who = [
        f"{_name(c, names or {})} ({'all ' + str(len(lines)) + ' lines' if len(v) == len(lines) else join_names(v)})"
        for c, v in sorted(by.items(), key=lambda kv: _name(kv[0], names or {}))
    ]
    return (
        "The event study needs every year, so an LA lacking one is left out of that line: "
        f"{join_names(who)}. It is over {over}."
    )


#: statistic id (sofs_lib.synthetic.cost_surveys.aggregates) -> (file, column, which records
#: count: "present" = with a value, "positive" = above zero, label)
SURVEY_STATS = {
    "cost_internal_funding_min_pct": (
        "survey_2018.csv",
        "internal_funding_pct",
        "positive",
        "internal funding (least)",
    ),
    "cost_internal_funding_max_pct": ("survey_2018.csv", "internal_funding_pct", "positive", "internal funding (most)"),
    "cost_venue_hire_mean": ("survey_2018.csv", "venue_hire_2018_19", "positive", "venue hire (mean)"),
    "cost_it_mean": ("survey_2018.csv", "it_development", "present", "IT development (mean)"),
    "cost_training_share_min": ("survey_2018.csv", "training_share_pct", "present", "training share (least)"),
    "cost_training_share_max": ("survey_2018.csv", "training_share_pct", "present", "training share (most)"),
    "cost_staffing_share": ("survey_2018.csv", "staffing_share_pct", "present", "staffing share (mean)"),
    "cost_mgmt_days_mean": ("survey_2018.csv", "mgmt_days", "present", "management days (mean)"),
    "cost_mgmt_days_min": ("survey_2018.csv", "mgmt_days", "present", "management days (least)"),
    "cost_mgmt_days_max": ("survey_2018.csv", "mgmt_days", "present", "management days (most)"),
    "cost_mgmt_share_min": ("survey_2018.csv", "mgmt_sl_psw_pct", "present", "Service Lead/PSW time (least)"),
    "cost_mgmt_share_max": ("survey_2018.csv", "mgmt_sl_psw_pct", "present", "Service Lead/PSW time (most)"),
    "cost_ad_share_min": ("survey_2018.csv", "mgmt_ad_pct", "positive", "Assistant Director time (least)"),
    "cost_salary_min": ("staff_2019.csv", "salary", "present", "salary (least)"),
    "cost_salary_median": ("staff_2019.csv", "salary", "present", "salary (median)"),
    "cost_salary_max": ("staff_2019.csv", "salary", "present", "salary (most)"),
}


def _base(df: pd.DataFrame, column: str, which: str) -> tuple[int, int, str]:
    v = pd.to_numeric(df[column], errors="coerce")
    if which == "positive":
        return int((v > 0).sum()), len(v), "with none or no value"
    return int(v.notna().sum()), len(v), "without a value"


def survey_bases(returns: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """For every mean, median or range of the cost returns and every Table A11.1 percentage:
    ``over`` records, ``of`` records that could be (replies, posts, authorities answering),
    ``unit``, ``left out`` (why the others are not in it) and ``label``. Counts only, never which
    authority."""
    rows = []
    s18 = returns["survey_2018.csv"]
    rep = s18[s18["replied"].astype(bool)]
    for sid, (f, col, which, label) in SURVEY_STATS.items():
        df = rep if f == "survey_2018.csv" else returns[f]
        over, of, gone = _base(df, col, which)
        unit = "posts" if f == "staff_2019.csv" else "replies"
        rows.append((sid, over, of, unit, gone if over < of else "", label))
    items = returns["survey_2019.csv"]
    n19 = int(items["authority"].nunique())
    for item, d in items.groupby("item", sort=False):
        k = int(d["authority"].nunique())
        for col in ("Used during Round 2", "Ongoing in future"):
            gone = "without an answer" if k < n19 else ""
            rows.append((f"A11.1 {item} / {col}", k, n19, "authorities", gone, f"Table A11.1 ({item})"))
    cols = ["id", "over", "of", "unit", "left out", "label"]
    return pd.DataFrame(rows, columns=cols).set_index("id")


def over_column(bases: pd.DataFrame, index) -> pd.Series:
    """'4 of 8 replies' for each id of ``index`` with a base, '' otherwise."""
    txt = {i: f"{r.over} of {r.of} {r.unit}" for i, r in bases.iterrows()}
    return pd.Series([txt.get(i, "") for i in index], index=index, name="over")


def survey_sentence(bases: pd.DataFrame) -> str:
    """How many of the returns' statistics are over every record, and which are over fewer
    (grouped by what they are over)."""
    fewer = bases[bases["over"] < bases["of"]]
    s = (
        f"{len(bases) - len(fewer)} of the {len(bases)} means, medians, ranges and percentages of "
        "the returns are over every record"
    )
    if fewer.empty:
        return s + "."
    parts = [
        f"over {over} of {of} {unit} ({of - over} {gone}): {join_names(dict.fromkeys(g['label']))}"
        for (over, of, unit, gone), g in fewer.groupby(["over", "of", "unit", "left out"], sort=False)
    ]
    return s + f"; {len(fewer)} {'is' if len(fewer) == 1 else 'are'} over fewer, " + "; ".join(parts) + "."
