"""The comparator search on the real panel, its cached result and the pilot pairing.

Candidates are every English council with a value in the window except the named Round 2 SofS
pilots; the rows are the comparator means of Tables A9.3 (2018/19) and A9.4 (2014/15-2018/19);
Table A9.1's SNN column (authority type, region group, Ofsted grade at January 2020) is an
option. The search takes tens of seconds, so its result is committed in ``data/la_groups.yml``
(``comparators`` and ``comparator_search``); :func:`run_search` re-runs it and a test requires
the same set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from sofs_lib.chapters.la_outcomes import comparators as C
from sofs_lib.published.a9 import table_a9_1
from sofs_lib.sources.dfe.groups import (
    ROUND2_PILOTS,
    _codes,
    la_characteristics,
    load_groups,
)
from sofs_lib.sources.dfe.loaders import load_statistical_neighbours, resolve_dfe_data_dir
from sofs_lib.sources.dfe.names import LA_NAMES

WINDOW = (2015, 2019)
SN_FILE = "population-and-neighbours/New_Statistical_Neighbour_Groupings_April_2021.csv"


def candidates(panel: pd.DataFrame, exclude=ROUND2_PILOTS) -> list[str]:
    """Councils with at least one value in ``panel``, less ``exclude`` (names or codes)."""
    have = set(panel.dropna(subset=["value"])["la_code"].astype(str))
    return sorted(have - set(_codes(exclude)))


def profile_inputs(chars: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``la_characteristics`` output and Table A9.1's SNN column in the form
    :func:`comparators.with_profile` takes."""
    ch = chars.rename(columns={"authority_type": "type", "region_group": "region"})
    tgt = table_a9_1().rename(columns={"snns": "count"})[["characteristic", "level", "count"]]
    return ch[["la_code", "type", "region", "ofsted"]], tgt


def build_rows(
    panel: pd.DataFrame,
    chars: pd.DataFrame | None = None,
    window=WINDOW,
    published=None,
    exclude=ROUND2_PILOTS,
) -> C.Rows:
    """Constraint rows over the real panel; with ``chars`` Table A9.1's counts are attached."""
    years = range(window[0], window[1] + 1)
    rows = C.constraint_rows(panel, candidates(panel, exclude), window[1], years, published)
    if chars is not None:
        rows = C.with_profile(rows, *profile_inputs(chars))
    return rows


def run_search(panel: pd.DataFrame, chars: pd.DataFrame | None = None, time_limit: float = 20.0, start=None) -> dict:
    """:func:`comparators.identify_comparators` on the real panel (``chars``: with profile)."""
    return C.identify_comparators(build_rows(panel, chars), k=8, time_limit=time_limit, start=start)


def cached_search() -> dict:
    """The committed result (``data/la_groups.yml``: ``comparator_search``)."""
    g = load_groups()
    s = dict(g.get("comparator_search") or {})
    s["members"] = sorted(c["la_code"] for c in g["comparators"])
    return s


def evidence(panel: pd.DataFrame, members, chars: pd.DataFrame | None = None, rivals=()) -> dict:
    """The cheap part of the evidence, recomputed from the data for a known group: rows
    reproduced, best groups one and two swaps away, and stability against those and ``rivals``."""
    rows = build_rows(panel, chars)
    idx = rows.index(members)
    lab = rows.labels.assign(reproduced=C.reproduced(rows, idx))
    n1, n2 = C.neighbourhood(rows, members, 1), C.neighbourhood(rows, members, 2)
    riv = [sorted(r) for r in rivals if r]
    riv += [C._swap(members, o, i) for o, i in zip(n1["out"][:20], n1["in"][:20])]
    riv += [C._swap(members, o, i) for o, i in zip(n2["out"][:50], n2["in"][:50])]
    rival_scores = [int(C.reproduced(rows, rows.index(r)).sum()) for r in rivals if r]
    return {
        "members": sorted(members),
        "score": int(lab["reproduced"].sum()),
        "reproduced": lab,
        "swap1": n1.head(10),
        "swap2": n2.head(10),
        "rival_scores": rival_scores,
        "stability": C.stability(rows, members, riv),
        "n_candidates": len(rows.candidates),
        "n_rows": len(rows.labels),
    }


def neighbour_ranks(sn: pd.DataFrame, pilots, comparators) -> pd.DataFrame:
    """pilot x comparator: the closer of the two statistical-neighbour ranks (comparator in the
    pilot's list or pilot in the comparator's), NaN when neither lists the other. Uses both the
    'current' and 'pre-reorganisation' sections of the April 2021 groupings."""
    out = pd.DataFrame(np.nan, index=list(pilots), columns=list(comparators))
    for r in sn.itertuples():
        for a, b in ((r.la_code, r.neighbour_code), (r.neighbour_code, r.la_code)):
            if a in out.index and b in out.columns:
                cur = out.at[a, b]
                out.at[a, b] = r.rank if np.isnan(cur) else min(cur, r.rank)
    return out


def pair_with_pilots(ranks: pd.DataFrame, unlisted: float = 11.0) -> pd.DataFrame:
    """One comparator per pilot minimising the total neighbour rank (Hungarian algorithm;
    a pair neither lists counts ``unlisted``). Returns pilot, comparator and rank (NaN =
    not neighbours in the 2021 model)."""
    cost = ranks.fillna(unlisted).to_numpy(float)
    r, c = linear_sum_assignment(cost)
    rows = []
    for i, j in zip(r, c):
        p, q = ranks.index[i], ranks.columns[j]
        rows.append(
            {
                "pilot": LA_NAMES.get(p, p),
                "comparator": LA_NAMES.get(q, q),
                "pilot_code": p,
                "comparator_code": q,
                "sn_rank_2021": ranks.iat[i, j],
            }
        )
    return pd.DataFrame(rows)


def pairing(dfe_data_dir, pilots, comparators) -> pd.DataFrame:
    """:func:`pair_with_pilots` from the April 2021 statistical neighbours in the data folder."""
    sn = load_statistical_neighbours(resolve_dfe_data_dir(dfe_data_dir) / SN_FILE)
    return pair_with_pilots(neighbour_ranks(sn, _codes(pilots), _codes(comparators)))


def real_inputs(dfe_data_dir):
    """The full candidate panel over the window and the LA characteristics (the slow reads)."""
    from sofs_lib.sources.dfe.indicators import build_indicator_panel

    root = resolve_dfe_data_dir(dfe_data_dir)
    return build_indicator_panel(root, years=WINDOW), la_characteristics(root)
