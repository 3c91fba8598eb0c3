"""Appendix 7 self-profiling T-scores, rebuilt on synthetic item-level data.

What the report publishes
-------------------------
Strategic leads in the 9 pilots rated their authority's progress on the 50-item self-profiling
instrument of report Appendix 3 (each item 1-10, 1 = "Not at all", 10 = "Fully") for the
beginning (T1) and the end (T3) of Round 2. The scores were "converted to T-scores based on the
mean average response of all pilots" (50 = mean, 10 = one standard deviation) for five analysis
categories: organisational culture, practice issues, learning, processes and leadership. The
report's figures (A7.1-A7.9) are images that are not in the text, so only the *narrative* about
the T-scores survives: Appendix 7's paragraph per pilot and the report paragraph "Pilots'
assessment of their progress on implementation". This module

* encodes the instrument (:data:`INSTRUMENT`),
* computes category and overall T-scores from item-level responses (:func:`tscores`),
* encodes every narrative statement as checkable data (:data:`STATEMENTS`,
  :func:`check_statements`),
* generates **synthetic** item-level responses that satisfy every statement
  (:func:`generate_responses`) -- these are *not* the pilots' data, and
* draws the profiles (:func:`plot_profile`, :func:`plot_all_profiles`).

"T2" in Appendix 7 means T3
---------------------------
Appendix 7's narrative compares "T1" with "T2", but its own introduction, its figure titles
("... at T1 and T3") and the report paragraph all say the exercise was run at T1 and T3 (end of
Round 2). We read every "T2" of Appendix 7 as **T3**; quotes in :data:`STATEMENTS` keep the
report's wording ("T2") while the ``time`` column says ``"T3"``.

Assumptions (the report does not say)
-------------------------------------
* **Structures.** The instrument has six headings but the analysis has five categories. The six
  "Structures" items are folded into *leadership* by default (``structures_category=
  "leadership"``); ``structures_category="processes"`` folds them into processes instead.
* **Category score** = mean of the pilot's non-missing item scores in that category.
* **Standardisation.** ``reference="pooled"``: mean and sample SD (ddof=1) over all pilot x time
  category scores present (8 pilots at T1 + 9 at T3), so change over time is visible on one
  scale; ``reference="per_time"``: within each time point.
* **Overall** score of a pilot x time = mean of its five category T-scores (NaN if one is
  missing).
* Numeric readings of the narrative's words are in :data:`READINGS` (defined once here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sofs_lib.core import paths
from sofs_lib.synthetic import appendix7_responses as A7

__all__ = [
    "CATEGORIES",
    "HEADINGS",
    "INSTRUMENT",
    "READINGS",
    "RANK_RELATIONS",
    "STATEMENTS",
    "TARGETS",
    "SOURCE_NOTE",
    "instrument",
    "targets_frame",
    "tscores",
    "check_statements",
    "generate_responses",
    "plot_profile",
    "plot_all_profiles",
]

#: The five analysis categories of Appendix 7, in the report's order.
CATEGORIES: tuple[str, ...] = ("culture", "practice", "learning", "processes", "leadership")

#: Category labels for tables and figures.
CATEGORY_LABELS: dict[str, str] = {
    "culture": "Organisational culture",
    "practice": "Practice issues",
    "learning": "Learning",
    "processes": "Processes",
    "leadership": "Leadership",
}

PILOTS: tuple[int, ...] = tuple(range(1, 10))
TIMES: tuple[str, ...] = ("T1", "T3")

SOURCE_NOTE = (
    "Source: synthetic item-level responses generated to satisfy the narrative of "
    "report Appendix 7; not the pilots' data."
)
Y_LABEL = "T-score (50 = mean of pilots, 10 = 1 SD)"

# --------------------------------------------------------------------------------------------
# 1. The instrument (Appendix 3)
# --------------------------------------------------------------------------------------------


def _load_headings() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Instrument heading -> (default analysis category, item texts as printed in Appendix 3),
    read from ``data/published/appendix3_instrument.csv``. Item texts are verbatim, including the
    report's "vigilan" (sic) in item 2 and the item "Embedding an organisational commitment to
    Signs of Safety", which the instrument lists twice (items 9 and 50)."""
    t = pd.read_csv(paths.published_dir() / "appendix3_instrument.csv", dtype={"item": int})
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for heading, g in t.sort_values("item").groupby("heading", sort=False):
        out[heading] = (g["default_category"].iloc[0], tuple(g["text"]))
    return out


HEADINGS: dict[str, tuple[str, tuple[str, ...]]] = _load_headings()

_STRUCTURES_CHOICES = ("leadership", "processes")


def _check_structures(structures_category: str) -> None:
    if structures_category not in _STRUCTURES_CHOICES:
        raise ValueError(f"structures_category must be one of {_STRUCTURES_CHOICES}, not {structures_category!r}")


def instrument(structures_category: str = "leadership") -> pd.DataFrame:
    """The 50 items of the Appendix 3 instrument with their analysis category.

    Columns: ``item`` (1-50, in the instrument's order), ``text`` (as printed in Appendix 3),
    ``heading`` (one of the six instrument headings) and ``category`` (one of
    :data:`CATEGORIES`).

    ``structures_category`` says where the six "Structures" items go: ``"leadership"``
    (default) or ``"processes"``. This is an **assumption**: the report analyses five categories
    but does not say where the sixth heading went.
    """
    _check_structures(structures_category)
    rows = []
    for heading, (category, texts) in HEADINGS.items():
        if heading == "Structures":
            category = structures_category
        for text in texts:
            rows.append({"item": len(rows) + 1, "text": text, "heading": heading, "category": category})
    return pd.DataFrame(rows)


#: The instrument with the default category mapping (Structures -> leadership).
INSTRUMENT: pd.DataFrame = instrument()

# --------------------------------------------------------------------------------------------
# 2. T-scores
# --------------------------------------------------------------------------------------------


def tscores(
    responses: pd.DataFrame, reference: str = "pooled", structures_category: str = "leadership"
) -> pd.DataFrame:
    """Category and overall T-scores per pilot x time.

    ``responses`` is long: columns ``pilot``, ``time`` (``"T1"``/``"T3"``), ``item`` (1-50, see
    :data:`INSTRUMENT`) and ``score`` (1-10; NaN allowed and ignored). Items are mapped to
    categories with :func:`instrument` (``structures_category``).

    * category score ``x`` = mean of the pilot's non-missing item scores in the category;
    * ``T = 50 + 10 (x - mean) / SD`` per category, where mean and SD (sample SD, ddof=1) are
      taken over all pilot x time category scores present (``reference="pooled"``) or within
      each time (``reference="per_time"``);
    * ``overall`` = mean of the pilot x time's five category T-scores (NaN if any is missing).

    Returns a tidy DataFrame with columns ``pilot``, ``time``, ``category`` (the five categories
    then ``"overall"``), ``n_items`` (non-missing items), ``raw_mean`` (NaN for overall) and
    ``t_score``, sorted by pilot, time and category.
    """
    if reference not in ("pooled", "per_time"):
        raise ValueError(f"reference must be 'pooled' or 'per_time', not {reference!r}")
    missing = {"pilot", "time", "item", "score"} - set(responses.columns)
    if missing:
        raise ValueError(f"responses lacks column(s): {sorted(missing)}")
    cat_of = instrument(structures_category).set_index("item")["category"]
    df = responses[["pilot", "time", "item", "score"]].copy()
    df["category"] = df["item"].map(cat_of)
    if df["category"].isna().any():
        bad = sorted(df.loc[df["category"].isna(), "item"].unique().tolist())
        raise ValueError(f"unknown item id(s): {bad[:10]}")
    df["score"] = pd.to_numeric(df["score"], errors="coerce").astype(float)
    cat = (
        df.groupby(["pilot", "time", "category"], sort=True)["score"]
        .agg(raw_mean="mean", n_items="count")
        .reset_index()
    )
    cat = cat[cat["n_items"] > 0].copy()
    keys = ["category"] if reference == "pooled" else ["category", "time"]
    grp = cat.groupby(keys)["raw_mean"]
    mu, sd = grp.transform("mean"), grp.transform(lambda s: s.std(ddof=1))
    cat["t_score"] = 50.0 + 10.0 * (cat["raw_mean"] - mu) / sd

    wide = cat.pivot(index=["pilot", "time"], columns="category", values="t_score")
    wide = wide.reindex(columns=list(CATEGORIES))
    overall = wide.mean(axis=1, skipna=False).rename("t_score").reset_index()
    overall["category"] = "overall"
    overall["n_items"] = (
        cat.groupby(["pilot", "time"])["n_items"]
        .sum()
        .reindex(pd.MultiIndex.from_frame(overall[["pilot", "time"]]))
        .to_numpy()
    )
    overall["raw_mean"] = np.nan
    out = pd.concat([cat, overall], ignore_index=True)
    order = {c: i for i, c in enumerate(CATEGORIES + ("overall",))}
    out = (
        out.assign(_o=out["category"].map(order))
        .sort_values(["pilot", "time", "_o"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    out["n_items"] = out["n_items"].astype(int)
    out.attrs["reference"] = reference
    out.attrs["structures_category"] = structures_category
    return out[["pilot", "time", "category", "n_items", "raw_mean", "t_score"]]


# --------------------------------------------------------------------------------------------
# 3. The narrative as data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """Numeric reading of a narrative phrase: an interval for a T-score (``kind="level"``) or
    for a change T3 - T1 (``kind="change"``)."""

    phrase: str
    kind: str
    lower: float
    upper: float
    lower_inclusive: bool
    upper_inclusive: bool

    def contains(self, x: float) -> bool:
        if x is None or not np.isfinite(x):
            return False
        lo = x >= self.lower if self.lower_inclusive else x > self.lower
        hi = x <= self.upper if self.upper_inclusive else x < self.upper
        return bool(lo and hi)

    def describe(self, var: str = "T") -> str:
        parts = []
        if np.isfinite(self.lower):
            parts.append(f"{self.lower:g} {'<=' if self.lower_inclusive else '<'} ")
        parts.append(var)
        if np.isfinite(self.upper):
            parts.append(f" {'<=' if self.upper_inclusive else '<'} {self.upper:g}")
        return "".join(parts)


_INF = math.inf

#: The numeric readings of the narrative's words, defined once. "Remained below average" is the
#: ``below`` reading applied at T3; "just above/below" are ``slightly_above/below``; "decreased",
#: "fallen" and "lowered" are all ``decreased`` (the size of a "slight" decrease is not read).
READINGS: dict[str, Reading] = {
    "average": Reading("average", "level", 47.5, 52.5, True, True),
    "slightly_above": Reading("slightly/just above average", "level", 50, 55, False, True),
    "slightly_below": Reading("slightly/just below average", "level", 45, 50, True, False),
    "above": Reading("above average", "level", 50, _INF, False, False),
    "below": Reading("below average / remained below average", "level", -_INF, 50, False, False),
    "sd1_above": Reading("one standard deviation above", "level", 60, _INF, True, False),
    "sd1_below": Reading("one standard deviation below", "level", -_INF, 40, False, True),
    "sd2_above": Reading("2 standard deviations above", "level", 70, _INF, True, False),
    "sd2_below": Reading("2 standard deviations below", "level", -_INF, 30, False, True),
    "improved": Reading("improved", "change", 0, _INF, False, False),
    "decreased": Reading("decreased / fallen / lowered", "change", -_INF, 0, False, False),
}

#: Relations about the set of pilots (overall scores), not read through an interval.
RANK_RELATIONS: dict[str, str] = {
    "highest_two": "the two pilots with the highest overall T-score at `time` are `pilot`",
    "lowest_two": "the two pilots with the lowest overall T-score at `time` are `pilot`",
    "lowest": "`pilot` has the lowest overall T-score at `time`",
    "largest_decrease": "`pilot` has the most negative overall change T3 - T1 (and it is < 0)",
    "largest_increase": "`pilot` has the largest overall change T3 - T1 (and it is > 0)",
    "no_data": "`pilot` has no T-scores at `time`",
}

_CHANGE = "T1->T3"


_ALL = CATEGORIES


def _statement_rows() -> list[dict]:
    """The narrative statements as transcribed in ``data/published/appendix7_statements.csv``
    (one row per sentence; ``categories`` ``;``-separated or ``all``; ``pilot`` ``;``-separated
    for statements about two pilots), one output row per pilot x time x category claim."""
    t = pd.read_csv(paths.published_dir() / "appendix7_statements.csv", dtype=str, keep_default_na=False)
    unknown = sorted(set(t["relation"]) - set(READINGS) - set(RANK_RELATIONS))
    if unknown:
        raise ValueError(f"appendix7_statements.csv: unknown relation(s) {unknown}")
    rows = []
    for rec in t.itertuples(index=False):
        pilots = tuple(int(x) for x in rec.pilot.split(";"))
        cats = _ALL if rec.categories == "all" else rec.categories.split(";")
        for c in cats:
            rows.append(
                dict(
                    source=rec.source,
                    pilot=pilots[0] if len(pilots) == 1 else pilots,
                    time=rec.time,
                    category=c,
                    relation=rec.relation,
                    negated=rec.negated == "true",
                    quote=rec.quote,
                )
            )
    return rows


def _build_statements() -> pd.DataFrame:
    r = _statement_rows()
    df = pd.DataFrame(r)
    df.insert(0, "statement_id", [f"S{i:03d}" for i in range(1, len(df) + 1)])

    def bound(rel, attr):
        return getattr(READINGS[rel], attr) if rel in READINGS else np.nan

    df["lower"] = [bound(x, "lower") for x in df["relation"]]
    df["upper"] = [bound(x, "upper") for x in df["relation"]]
    df["reading"] = [
        ("not " if neg else "")
        + (READINGS[rel].describe("T3 - T1" if t == _CHANGE else "T") if rel in READINGS else RANK_RELATIONS[rel])
        for rel, neg, t in zip(df["relation"], df["negated"], df["time"])
    ]
    return df[
        [
            "statement_id",
            "source",
            "pilot",
            "time",
            "category",
            "relation",
            "negated",
            "lower",
            "upper",
            "reading",
            "quote",
        ]
    ]


#: Every narrative statement of Appendix 7 and of the report paragraph, one row per pilot x
#: time x category claim. Columns: ``statement_id``; ``source``; ``pilot`` (an int, or a tuple
#: of ints for the "highest/lowest two" statements); ``time`` (``"T1"``, ``"T3"`` -- the
#: narrative's "T2" -- or ``"T1->T3"`` for a change); ``category`` (one of :data:`CATEGORIES`
#: or ``"overall"``); ``relation`` (a key of :data:`READINGS` or :data:`RANK_RELATIONS`);
#: ``negated`` (True for claims implied by "other than ..." / "only ...", e.g. Pilot 4 did *not*
#: improve in processes); ``lower``/``upper`` (the reading's bounds; inclusivity in
#: ``reading``); ``reading`` (the bound in words); ``quote`` (the report's words, verbatim,
#: still saying "T2"). Comparisons the narrative does not make (e.g. "2 SD above *only* in
#: processes and leadership" for Pilot 8) are not added.
STATEMENTS: pd.DataFrame = _build_statements()


def _lookup(tscores_df: pd.DataFrame) -> dict[tuple, float]:
    d = tscores_df.dropna(subset=["t_score"])
    return {(int(p), t, c): float(v) for p, t, c, v in zip(d["pilot"], d["time"], d["category"], d["t_score"])}


def check_statements(tscores_df: pd.DataFrame, statements: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check each statement of :data:`STATEMENTS` against ``tscores_df`` (from :func:`tscores`).

    Returns the statements with ``value_t1``, ``value_t3`` (the T-scores involved, where one
    pilot and category is concerned), ``value`` (the T-score for a level statement, T3 - T1 for
    a change), ``found`` (what was found, in words) and ``holds`` (bool). A statement about a
    missing value does not hold.
    """
    st = STATEMENTS if statements is None else statements
    T = _lookup(tscores_df)
    overall = {k: v for k, v in T.items() if k[2] == "overall"}

    def ov(time):  # pilot -> overall T at time
        return {p: v for (p, t, _), v in overall.items() if t == time}

    def ov_change():
        a, b = ov("T1"), ov("T3")
        return {p: b[p] - a[p] for p in a if p in b}

    rows = []
    for s in st.itertuples(index=False):
        v1 = v3 = value = np.nan
        found = ""
        if s.relation in READINGS:
            rd = READINGS[s.relation]
            v1 = T.get((s.pilot, "T1", s.category), np.nan)
            v3 = T.get((s.pilot, "T3", s.category), np.nan)
            if rd.kind == "change":
                value = v3 - v1
                found = f"T1 {v1:.1f}, T3 {v3:.1f}, change {value:+.1f}"
            else:
                value = v1 if s.time == "T1" else v3
                found = f"T {value:.1f}"
            ok = rd.contains(value)
            holds = (not ok) if s.negated else ok
            if not np.isfinite(value):
                holds, found = False, "missing"
        elif s.relation == "no_data":
            present = [k for k in T if k[0] == s.pilot and k[1] == s.time]
            holds = not present
            found = "no data" if holds else f"{len(present)} T-score(s) present"
        elif s.relation in ("highest_two", "lowest_two", "lowest"):
            vals = ov(s.time)
            ranked = sorted(vals, key=lambda p: vals[p], reverse=(s.relation == "highest_two"))
            want = set(s.pilot) if isinstance(s.pilot, tuple) else {s.pilot}
            got = ranked[: len(want)]
            holds = len(vals) >= len(want) and set(got) == want
            found = "pilots " + ", ".join(f"{p} ({vals[p]:.1f})" for p in got)
        elif s.relation in ("largest_decrease", "largest_increase"):
            ch = ov_change()
            if ch:
                best = (min if s.relation == "largest_decrease" else max)(ch, key=ch.get)
                value = ch.get(s.pilot, np.nan)
                sign_ok = value < 0 if s.relation == "largest_decrease" else value > 0
                holds = bool(best == s.pilot and sign_ok)
                found = f"pilot {best} ({ch[best]:+.1f})"
            else:
                holds, found = False, "no changes"
            v1 = T.get((s.pilot, "T1", "overall"), np.nan)
            v3 = T.get((s.pilot, "T3", "overall"), np.nan)
        else:
            raise ValueError(f"unknown relation {s.relation!r}")
        rows.append(dict(value_t1=v1, value_t3=v3, value=value, found=found, holds=bool(holds)))
    return pd.concat([st.reset_index(drop=True), pd.DataFrame(rows)], axis=1)


# --------------------------------------------------------------------------------------------
# 4. Synthetic responses (generated in sofs_lib.synthetic.appendix7_responses)
# --------------------------------------------------------------------------------------------

TARGETS = A7.TARGETS


def targets_frame() -> pd.DataFrame:
    """The generator's target T-scores (pilot, time, category, target_t)."""
    return A7.targets_frame(CATEGORIES)


def generate_responses(seed: int = 20180401, structures_category: str = "leadership") -> pd.DataFrame:
    """Synthetic item-level responses that satisfy every statement of :data:`STATEMENTS`.

    **Synthetic -- not the pilots' data.** 9 pilots x 50 items x T1/T3 (Pilot 7 has no T1:
    8 x 2 x 50 - 50 = 850 rows), integer scores 1-10, with a ``kind`` column equal to
    ``"synthetic"`` and ``attrs`` recording the seed and the attempt used.

    Method: each pilot x time x category has a hand-designed target T-score (:data:`sofs_lib.synthetic.appendix7_responses.TARGETS`),
    converted to a raw category mean ``m = 5.5 + 1.5 (T - 50) / 10``. Item scores are
    ``m + e`` with ``e`` normal noise (SD 0.9, centred within the category), clipped to 1-10 and
    rounded to integers by largest remainder so that the category's item total is
    ``round(m * k)`` (the category mean is within 1/(2k) of ``m``). T-scores are then recomputed
    with :func:`tscores` (``reference="pooled"``) and checked with :func:`check_statements`; if
    any statement fails the draw is repeated with the next derived seed
    (``SeedSequence([seed, attempt])``), up to 50 attempts, then ``RuntimeError``. Because the
    category totals are pinned, the seed changes which items score high or low but hardly the
    category T-scores, so in practice the first draw passes (smallest margin to a bound is about
    0.7 T points) and the loop is a guard against a design in :data:`sofs_lib.synthetic.appendix7_responses.TARGETS` that does not fit.
    The statements are guaranteed for ``reference="pooled"``; with ``"per_time"`` a few of the
    bounded statements may not hold.

    Same ``seed`` and ``structures_category`` -> identical DataFrame.
    """
    _check_structures(structures_category)
    items = instrument(structures_category)
    for attempt in range(A7.MAX_ATTEMPTS):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), attempt]))
        df = A7.draw(rng, items, CATEGORIES, PILOTS, TIMES)
        checked = check_statements(tscores(df, "pooled", structures_category))
        if checked["holds"].all():
            df["kind"] = "synthetic"
            df.attrs.update(
                kind="synthetic",
                seed=int(seed),
                attempt=attempt,
                structures_category=structures_category,
                note=SOURCE_NOTE,
            )
            return df
    failed = checked.loc[~checked["holds"], "statement_id"].tolist()
    raise RuntimeError(f"no draw satisfied all statements in {A7.MAX_ATTEMPTS} attempts (last failures: {failed[:10]})")


# --------------------------------------------------------------------------------------------
# 5. Figures
# --------------------------------------------------------------------------------------------

_REF_LINES = {30: "±2 SD", 40: "±1 SD", 50: "mean", 60: "±1 SD", 70: "±2 SD"}


def _draw_profile(ax, tscores_df: pd.DataFrame, pilot: int, legend: bool = True) -> None:
    import seaborn as sns

    d = tscores_df[(tscores_df["pilot"] == pilot) & tscores_df["category"].isin(CATEGORIES)]
    d = d.dropna(subset=["t_score"]).copy()
    d["x"] = d["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    for y, label in _REF_LINES.items():
        ax.axhline(
            y,
            color="0.5" if y == 50 else "0.8",
            lw=1.0 if y == 50 else 0.8,
            ls="-" if y == 50 else "--",
            zorder=0,
        )
        ax.text(
            1.01,
            y,
            label,
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=7,
            color="0.4",
        )
    if not d.empty:
        sns.lineplot(
            data=d.sort_values("x"),
            x="x",
            y="t_score",
            hue="time",
            hue_order=[t for t in TIMES if t in set(d["time"])],
            palette={"T1": "#9e9e9e", "T3": "#1f5fa8"},
            marker="o",
            ax=ax,
            legend=legend,
        )
    lo = min(20.0, float(d["t_score"].min()) - 3 if not d.empty else 20.0)
    hi = max(80.0, float(d["t_score"].max()) + 3 if not d.empty else 80.0)
    ax.set_ylim(lo, hi)
    ax.set_xlim(-0.4, len(CATEGORIES) - 0.6)
    ax.set_xticks(range(len(CATEGORIES)))
    ax.set_xticklabels([CATEGORY_LABELS[c].replace(" ", "\n", 1) for c in CATEGORIES], fontsize=8)
    missing = [t for t in TIMES if t not in set(d["time"])]
    title = f"Pilot {pilot}" + (f" (no {', '.join(missing)} data)" if missing else "")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("Category")
    ax.set_ylabel(Y_LABEL)
    if legend and ax.get_legend() is not None:
        ax.legend(title="Time", fontsize=8, title_fontsize=8, loc="upper right")


def plot_profile(tscores_df: pd.DataFrame, pilot: int, ax=None, source: bool | None = None):
    """One pilot's category T-scores at T1 and T3 (a profile line per time point).

    Horizontal reference lines at 30/40/50/60/70 are labelled "mean", "±1 SD", "±2 SD". When
    ``ax`` is None a new figure is made, titled, and given the source line (synthetic data);
    with an ``ax`` supplied the source line is added only if ``source=True``. Returns the figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        source = True if source is None else source
    else:
        fig = ax.figure
    _draw_profile(ax, tscores_df, pilot)
    ax.set_title(f"Pilot {pilot}: T-scores for profile of SofS progress at T1 and T3 (synthetic)", fontsize=10)
    if source:
        fig.subplots_adjust(bottom=0.2, right=0.88)
        fig.text(0.01, 0.01, SOURCE_NOTE, fontsize=7, color="0.35", ha="left", va="bottom")
    return fig


def plot_all_profiles(tscores_df: pd.DataFrame):
    """All nine pilots' profiles as a 3 x 3 grid of small multiples in one figure.

    Same conventions as :func:`plot_profile`: reference lines at 30-70, shared y axis labelled
    with :data:`Y_LABEL`, an overall title and the synthetic-data source line. Returns the
    figure.
    """
    import matplotlib.pyplot as plt

    from sofs_lib.display import plotting

    fig, axes = plt.subplots(5, 2, figsize=(9, 17), sharey=True)
    for i, (ax, pilot) in enumerate(zip(axes.flat, PILOTS)):
        _draw_profile(ax, tscores_df, pilot, legend=(i == 0))
        ax.tick_params(axis="x", labelrotation=30)
        for t in ax.get_xticklabels():
            t.set_ha("right")
            t.set_rotation_mode("anchor")
        if i % 2:
            ax.set_ylabel("")
        else:
            ax.set_ylabel("T-score")
        ax.set_xlabel("")
    key = axes.flat[-1]  # the tenth panel holds the legend and the scale's reading
    key.set_axis_off()
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if axes.flat[0].get_legend() is not None:
        axes.flat[0].get_legend().remove()
    key.legend(handles, labels, title="Time", loc="upper left", frameon=False)
    key.text(0.0, 0.35, Y_LABEL.replace(" (", "\n("), transform=key.transAxes, va="top")
    return plotting.finish(
        fig,
        "Self-profiling T-scores by category at T1 and T3, Pilots 1-9 (synthetic data)",
        SOURCE_NOTE.removeprefix("Source: "),
        synthetic=True,
    )
