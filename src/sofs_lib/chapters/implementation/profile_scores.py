"""Appendix 7 self-profiling: the instrument (report Appendix 3) and its T-scores.

The instrument's 50 items, each rated 1-10 (1 = "Not at all", 10 = "Fully"), fall under six
headings; the report analyses five categories (:data:`CATEGORIES`). :func:`instrument` maps the
items to categories and :func:`tscores` turns item-level responses into category and overall
T-scores. The chapter's use of them is described in :mod:`sofs_lib.chapters.implementation.profiles`.

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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.core import paths

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "HEADINGS",
    "INSTRUMENT",
    "PILOTS",
    "TIMES",
    "check_structures",
    "instrument",
    "tscores",
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

# --------------------------------------------------------------------------------------------
# The instrument (Appendix 3)
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


def check_structures(structures_category: str) -> None:
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
    check_structures(structures_category)
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
# T-scores
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
