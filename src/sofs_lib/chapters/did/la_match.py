"""The LA-level matching of every question (Appendix 10, "Methods"): the closeness of each
pilot's pre-SofS trend to every candidate comparator's, the matching rule or the study design's
groups, and the pilots left out by the parameter ``exclude_pilots``
(:meth:`sofs_lib.chapters.did.analysis.Analysis.matching`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.chapters.did import data as D
from sofs_lib.chapters.did.questions import EQ_INFO
from sofs_lib.methods.did import matching as MA
from sofs_lib.sources.npd.calendar import financial_year

CLOSENESS_COLUMNS = ["pilot", "candidate", "rmse", "rmse_sd", "slope_diff", "years"]


def match_questions(wide: dict, design0, p: dict) -> dict:
    """``{"closeness", "decisions", "groups"}``, each ``{eq: ...}``, for the derived populations
    ``wide`` of the design ``design0`` under the chapter's parameters ``p``. Questions are
    matched in order; under the trends rule a comparator keeps the pilot it was first given."""
    excl = set(p["exclude_pilots"] or [])
    pilots = list(design0.sofs_start)
    out = {"closeness": {}, "decisions": {}, "groups": {}}
    owner: dict[str, str] = {}
    for eq in EQ_INFO:
        y = D.OUTCOMES[eq][0]
        pop, where = wide[eq].data, None
        if eq == "eq3a":
            where = pop["duration_wd"].to_numpy() <= float(p["duration_cutoff"])
        close, post_counts = _closeness(pop, y, design0, pilots, where)
        designed = design0.groups.get(eq, {})
        close["designed"] = [c in designed.get(pl, []) for pl, c in zip(close["pilot"], close["candidate"])]
        close["rank"] = close.groupby("pilot")["rmse_sd"].rank(method="first")
        rule_groups, dec = MA.match_las(
            close,
            max_matches=2,
            max_rmse_sd=float(p["match_max_rmse_sd"]),
            post_counts=post_counts,
            min_post=int(p["match_min_post"]),
            owner=owner if p["la_matching"] == "trends" else None,
        )
        if p["la_matching"] == "design":
            groups = {pl: list(c) for pl, c in designed.items()}
            dec = _design_decisions(groups, rule_groups, pilots)
        else:
            groups = rule_groups
            dec["rule_would_pick"] = dec["comparators"]
        for pl in list(groups):
            if pl in excl:
                groups.pop(pl)
                dec.loc[dec["pilot"] == pl, ["included", "reason"]] = [
                    False,
                    "excluded by the parameter exclude_pilots",
                ]
        for pl, cs in groups.items():
            for c in cs:
                owner.setdefault(c, pl)
        out["closeness"][eq] = close
        out["decisions"][eq] = dec
        out["groups"][eq] = groups
    return out


def _closeness(pop: pd.DataFrame, y: str, design0, pilots: list[str], where=None) -> tuple[pd.DataFrame, dict]:
    """Closeness of every pilot's pre-SofS trend in ``y`` to each non-pilot LA's, and each
    pilot's number of units after its settling-in period (on the rows ``where``: all if None)."""
    rows = slice(None) if where is None else np.asarray(where, dtype=bool)
    code, labels = pd.factorize(pop["la"], sort=True)
    la = _SortedCodes(code[rows], list(labels))
    year, values = pop["year"].to_numpy()[rows], pop[y].array[rows]
    means = _la_year_means(la, year, values)
    pool = [x for x in means.index if x not in pilots]
    dates = pop["event_date"].to_numpy()[rows]
    closes, post_counts = [], {}
    for pl in pilots:
        if pl not in means.index:
            continue
        start_fy = int(financial_year([design0.sofs_start[pl]]).iloc[0])
        yrs = [yy for yy in means.columns if yy < start_fy]
        rows = la.rows(pl)
        pre = rows[year[rows] < start_fy]
        sd = float(pd.Series(values[pre]).std()) if len(pre) > 1 else np.nan
        closes.append(MA.closeness(means, pl, pool, yrs, sd))
        post_counts[pl] = int((dates[rows] >= np.datetime64(design0.post_start(pl))).sum())
    close = pd.concat(closes, ignore_index=True) if closes else pd.DataFrame(columns=CLOSENESS_COLUMNS)
    return close, post_counts


class _SortedCodes:
    """The LA column as integer codes in the order of its sorted labels (missing: -1, from
    ``pd.factorize(col, sort=True)``), with the positions of each LA's rows."""

    def __init__(self, code: np.ndarray, labels: list):
        self.code, self.labels = code, labels
        small = code.astype(np.int16) if len(labels) < 2**15 - 1 else code  # a radix sort
        self.order = np.argsort(small, kind="stable")
        bounds = np.searchsorted(self.code[self.order], np.arange(len(self.labels) + 1))
        self.at = {lab: (bounds[i], bounds[i + 1]) for i, lab in enumerate(self.labels)}

    def rows(self, label) -> np.ndarray:
        """Positions of the rows of ``label``, in row order."""
        lo, hi = self.at.get(label, (0, 0))
        return self.order[lo:hi]


def _la_year_means(la: _SortedCodes, year: np.ndarray, values) -> pd.DataFrame:
    """:func:`MA.la_year_means` without the counts, grouping on integer codes: LA (sorted
    labels) x year means of ``values``."""
    ok = la.code >= 0
    key = pd.DataFrame({"la": la.code[ok], "year": year[ok], "y": values[ok]})
    m = key.groupby(["la", "year"])["y"].mean().unstack("year")
    m.index = pd.Index([la.labels[i] for i in m.index], dtype=object)
    m.columns.name = "year"
    return m


def _design_decisions(groups: dict, rule_groups: dict, pilots: list[str]) -> pd.DataFrame:
    """The decisions table when the study design's groups are used, with what the rule would
    have picked beside them."""
    return pd.DataFrame(
        [
            (
                pl,
                pl in groups,
                ", ".join(groups.get(pl, [])),
                "matched in the study design" if pl in groups else "not used in the study design",
                ", ".join(rule_groups.get(pl, [])) or "none",
            )
            for pl in pilots
        ],
        columns=["pilot", "included", "comparators", "reason", "rule_would_pick"],
    )
