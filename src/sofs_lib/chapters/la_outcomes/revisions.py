"""Revisions between releases: how far each pilot mean of Tables A9.3/A9.4 moves when a later
DfE release replaces the files the report's numbers came from, and whether a verdict changes.

A later release revises the figures of earlier years (the 2024 CIN release re-based every rate
on new population estimates). :func:`revisions` compares, indicator by indicator, the pilot and
comparator means and the one-way test of two panels (an earlier and a later release) for the
report's years; :func:`revision_summary` turns the table into sentences. The committed table
``data/dfe_extract/revisions_2022_2024.csv`` is built by :func:`build_revisions_table` from the
2022 release and a folder where the 2024 files replace their 2022 versions (command line:
``python -m sofs_lib.chapters.la_outcomes.revisions BASE NEWER [--out PATH]``).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.chapters.la_outcomes import analysis as lo
from sofs_lib.core import paths
from sofs_lib.sources.dfe.indicators import load_indicator_catalogue

#: a pilot mean "moved" when it changes by more than this (well below the report's 1 decimal)
TOLERANCE = 1e-9
COLUMNS = [
    "table",
    "indicator_id",
    "report_name",
    "release_old",
    "release_new",
    "pilot_old",
    "pilot_new",
    "pilot_change",
    "snn_old",
    "snn_new",
    "p_old",
    "p_new",
    "significant_old",
    "significant_new",
    "verdict_changed",
]


def committed_path() -> Path:
    return paths.data_dir() / "dfe_extract" / "revisions_2022_2024.csv"


def _releases(panel: pd.DataFrame, years) -> pd.Series:
    ys = lo._year_list(years)
    d = panel[panel["year"].isin(ys)] if "release" in panel.columns else panel.iloc[0:0]
    if d.empty:
        return pd.Series(dtype=str)
    return d.groupby("indicator_id")["release"].agg(lambda s: " / ".join(sorted(set(s.astype(str)))))


def revisions(
    old: pd.DataFrame,
    new: pd.DataFrame,
    years=lo.DEFAULT_YEARS,
    pilots=None,
    comparators=None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per indicator and table (A9.3 = last year of ``years``, A9.4 = all of them):
    pilot and comparator means and p-values from the ``old`` and ``new`` panels, the change of
    the pilot mean, and whether the verdict (one-way test significant at ``alpha``) changes."""
    r_old = lo.analyse(None, pilots, comparators, years, panel=old)
    r_new = lo.analyse(None, pilots, comparators, years, panel=new)
    rel_old, rel_new = _releases(old, years), _releases(new, years)
    names = load_indicator_catalogue().set_index("indicator_id")["report_name"]
    parts = []
    for table, key in (("A9.3", "a93"), ("A9.4", "a94")):
        a = r_old[key].set_index("indicator_id")
        b = r_new[key].set_index("indicator_id")
        ids = [i for i in names.index if i in a.index or i in b.index]
        t = pd.DataFrame({"table": table, "indicator_id": ids})
        t["report_name"] = t["indicator_id"].map(names)
        t["release_old"] = t["indicator_id"].map(rel_old)
        t["release_new"] = t["indicator_id"].map(rel_new)
        for side, r in (("old", a), ("new", b)):
            r = r.reindex(ids)
            t[f"pilot_{side}"] = r["pilot_mean"].to_numpy(float)
            t[f"snn_{side}"] = r["snn_mean"].to_numpy(float)
            t[f"p_{side}"] = r["p"].to_numpy(float)
            t[f"significant_{side}"] = r["p"].to_numpy(float) < alpha
        t["pilot_change"] = t["pilot_new"] - t["pilot_old"]
        t["verdict_changed"] = t["significant_old"] != t["significant_new"]
        parts.append(t)
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def revision_summary(table: pd.DataFrame, alpha: float = 0.05) -> str:
    """Sentences generated from a :func:`revisions` table: how many pilot means moved, the
    largest move, and whether any verdict changes."""
    if table.empty:
        return "No indicator could be compared between the two releases."
    moved = table[table["pilot_change"].abs() > TOLERANCE]
    n_ind = table["indicator_id"].nunique()
    out = []
    if moved.empty:
        out.append(f"None of the {n_ind} pilot means of Tables A9.3 and A9.4 moves between the releases.")
    else:
        top = moved.loc[moved["pilot_change"].abs().idxmax()]
        per = moved.groupby("table")["indicator_id"].nunique()
        counts = " and ".join(f"{int(per.get(t, 0))} of {n_ind} in Table {t}" for t in ("A9.3", "A9.4"))
        out.append(
            f"Pilot means move for {counts}. The largest move is *{top.report_name}* "
            f"(Table {top.table}): {top.pilot_old:.2f} in release {top.release_old}, "
            f"{top.pilot_new:.2f} in release {top.release_new} ({top.pilot_change:+.2f})."
        )
    changed = table[table["verdict_changed"]]
    if changed.empty:
        out.append(f"No verdict changes: every one-way test is on the same side of {alpha} in both releases.")
    else:
        items = [f"*{r.report_name}* (Table {r.table}: p {r.p_old:.3f} → {r.p_new:.3f})" for r in changed.itertuples()]
        out.append(f"The verdict changes for {len(changed)}: " + "; ".join(items) + ".")
    return " ".join(out)


def build_revisions_table(base, newer, years=lo.DEFAULT_YEARS, alpha: float = 0.05) -> pd.DataFrame:
    """:func:`revisions` between the raw folder ``base`` and a mixed folder where the files of
    ``newer`` replace their versions in ``base`` (built in a temporary folder)."""
    from sofs_lib.sources.dfe.extract import load_panel
    from sofs_lib.sources.dfe.tables import mixed_folder

    old = load_panel(Path(base), scope="A9")
    with tempfile.TemporaryDirectory() as tmp:
        mixed_folder(base, newer, tmp)
        new = load_panel(Path(tmp), scope="A9")
    return revisions(old, new, years, alpha=alpha)


def read_committed() -> pd.DataFrame:
    """The committed revisions table (2022 release against the 2024 files in their place)."""
    t = pd.read_csv(committed_path(), dtype={"release_old": str, "release_new": str})
    for c in ("significant_old", "significant_new", "verdict_changed"):
        t[c] = t[c].astype(bool)
    return t[COLUMNS]


def write_table(table: pd.DataFrame, out: str | os.PathLike) -> Path:
    """Write atomically with fixed float formatting (byte-identical for identical inputs)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    table.round(10).to_csv(tmp, index=False, lineterminator="\n", float_format="%.10g")
    os.replace(tmp, out)
    return out


def later_means(panel: pd.DataFrame, indicator_ids, first_year: int, pilots=None, comparators=None) -> pd.DataFrame:
    """Pilot and comparator means by year from ``first_year`` to the panel's last year, for the
    indicators given (wide: one row per indicator and group)."""
    last = int(panel.loc[panel["indicator_id"].isin(indicator_ids), "year"].max())
    p = lo.analysis_panel(None, pilots, comparators, (first_year, last), panel=panel, indicators=list(indicator_ids))
    m = p.dropna(subset=["value"]).groupby(["indicator_id", "group", "year"])["value"].mean().unstack("year")
    names = load_indicator_catalogue().set_index("indicator_id")["report_name"]
    m.index = pd.MultiIndex.from_tuples([(names.get(i, i), g) for i, g in m.index], names=["indicator", "group"])
    return m.replace({np.nan: None}).astype(float)


def sources_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Which publication, release and file(s) each indicator came from, in catalogue order."""
    from sofs_lib.sources.dfe.extract import indicator_sources

    s = indicator_sources(panel)
    s["years"] = s["first_year"].astype(str) + "-" + s["last_year"].astype(str)
    cat = load_indicator_catalogue(scope=None)[["indicator_id", "order", "report_name"]]
    s = s.merge(cat, on="indicator_id").sort_values(["order", "first_year"])
    return s[["report_name", "publication", "release", "file", "years"]].reset_index(drop=True)


def chapter_revisions(source, panel: pd.DataFrame, years, pilots=None, comparators=None, alpha: float = 0.05) -> dict:
    """What the LA chapter shows under "Revisions between releases".

    ``source``: the chapter's data source (None = committed extract, a raw folder). With a raw
    folder whose releases differ from those of the committed extract (the 2022 release), the
    revisions are computed live against the extract (``mode='live'``), with each group's means
    to the last year of the newer files; otherwise the committed table is shown
    (``mode='committed'``). Returns mode, table, summary, later (or None) and superseded (files
    of a table left out because a newer release of it was in the folder)."""
    from sofs_lib.sources.dfe import tables
    from sofs_lib.sources.dfe.extract import load_panel

    superseded = pd.DataFrame(columns=["path", "table_id", "release", "reason"])
    if source is not None:
        inv = tables.used_files(Path(source))
        superseded = inv.loc[~inv["used"], ["path", "table_id", "release", "reason"]].reset_index(drop=True)
    base = load_panel(None, scope="A9")
    ys = lo._year_list(years)
    cmp_cols = ["indicator_id", "la_code", "year", "value"]
    same = source is None or (
        panel[panel["year"].isin(ys)][cmp_cols]
        .sort_values(cmp_cols[:3])
        .reset_index(drop=True)
        .equals(
            base[
                base["year"].isin(ys)
                & base["indicator_id"].isin(set(panel["indicator_id"]))
                & base["la_code"].isin(set(panel["la_code"]))
            ][cmp_cols]
            .sort_values(cmp_cols[:3])
            .reset_index(drop=True)
        )
    )
    if same:
        table = read_committed()
        return {
            "mode": "committed",
            "table": table,
            "summary": revision_summary(table, alpha),
            "later": None,
            "superseded": superseded,
        }
    table = revisions(base, panel, years, pilots, comparators, alpha)
    moved = table.loc[table["pilot_change"].abs() > TOLERANCE, "indicator_id"].unique().tolist()
    later = None
    if moved:
        full = load_panel(Path(source), indicators=moved, scope="A9")
        later = later_means(full, moved, ys[-1], pilots, comparators)
    return {
        "mode": "live",
        "table": table,
        "summary": revision_summary(table, alpha),
        "later": later,
        "superseded": superseded,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sofs_lib.chapters.la_outcomes.revisions",
        description="Revisions of the A9.3/A9.4 pilot means between two releases.",
    )
    ap.add_argument("base", help="folder of the earlier release (e.g. the 2022 one)")
    ap.add_argument("newer", help="folder of later-release files that replace their base versions")
    ap.add_argument("--out", default=None, help="output CSV (default data/dfe_extract/revisions_2022_2024.csv)")
    a = ap.parse_args(argv)
    out = write_table(build_revisions_table(a.base, a.newer), a.out or committed_path())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
