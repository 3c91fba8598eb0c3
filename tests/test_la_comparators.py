"""Recovering a comparator group from its published means (sofs_lib.chapters.la_outcomes.
comparators): small constructed panels whose answer is known, checked against brute force."""

from __future__ import annotations

import itertools
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from sofs_lib.chapters.la_outcomes import comparators as C
from sofs_lib.core.rounding import round_half_up

CODES = [f"{i:03d}" for i in range(101, 115)]  # 14 candidate councils
TRUE = ["102", "105", "109", "113"]  # the group to be recovered (k = 4)
YEARS = [2017, 2018, 2019]
INDS = ["a", "b", "c", "d", "e", "f"]


def dec1(x: float) -> float:
    return float(Decimal(repr(round(float(x), 9))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(11)
    rows = [
        {"indicator_id": i, "la_code": c, "year": y, "value": round(float(rng.normal(50, 12)), 1)}
        for i in INDS
        for c in CODES
        for y in YEARS
    ]
    p = pd.DataFrame(rows)
    # council 109 (a member) has no value for indicator "b" in 2018: means are over counts
    p.loc[(p.la_code == "109") & (p.indicator_id == "b") & (p.year == 2018), "value"] = np.nan
    return p


def published_from(panel, members):
    """Means of ``members`` printed to one decimal, worked with pandas and Decimal."""
    d = panel[panel.la_code.isin(members)].dropna(subset=["value"])
    last = d[d.year == 2019].groupby("indicator_id")["value"].mean()
    ally = d.groupby("indicator_id")["value"].mean()
    return pd.DataFrame(
        {
            "indicator_id": INDS,
            "a93_snn": [dec1(last[i]) for i in INDS],
            "a94_snn": [dec1(ally[i]) for i in INDS],
        }
    )


def brute(rows, k=4):
    scores = {}
    for combo in itertools.combinations(range(len(rows.candidates)), k):
        if C._fits_profile(rows, combo):
            scores[tuple(rows.candidates[i] for i in combo)] = C.reproduced(rows, combo)
    return scores


def test_round1_agrees_with_round_half_up():
    vals = [16.45, 2.725, 18.625, 0.05, 0.15, 12.349999, 99.95, 1e-9, 523.65] + list(
        np.random.default_rng(1).uniform(0, 700, 2000)
    )
    assert list(C.round1(vals)) == [round_half_up(v, 1) for v in vals]
    assert C.round1([2.25, 2.35])[1] == 2.4 and C.round1([0.149999])[0] == 0.1


def test_counts_not_zeros(panel):
    pub = published_from(panel, TRUE)
    rows = C.constraint_rows(panel, CODES, 2019, YEARS, pub)
    j = rows.labels.index[(rows.labels.table == "A9.4") & (rows.labels.indicator_id == "b")][0]
    idx = rows.index(TRUE)
    assert rows.counts[j, idx].sum() == 11  # 4 councils x 3 years - 1
    vals = panel[panel.la_code.isin(TRUE) & (panel.indicator_id == "b")]["value"]
    assert rows.sums[j, idx].sum() / rows.counts[j, idx].sum() == pytest.approx(vals.mean())
    assert C.reproduced(rows, idx).all()


def test_recovers_known_group(panel):
    rows = C.constraint_rows(panel, CODES, 2019, YEARS, published_from(panel, TRUE))
    res = C.identify_comparators(rows, k=4, time_limit=20)
    assert res["members"] == TRUE and res["score"] == 12 and res["search"]["optimal"]
    scores = {g: int(r.sum()) for g, r in brute(rows).items()}
    ranked = sorted(scores.values(), reverse=True)
    assert ranked[0] == 12 and ranked[1] < 12  # unique by brute force
    assert res["runner_up"]["score"] == ranked[1] and res["runner_up"]["members"] != TRUE
    # best one-swap neighbour equals the brute-force best among groups sharing 3 members
    near = max(s for g, s in scores.items() if len(set(g) & set(TRUE)) == 3)
    assert res["swap1"]["score"].iloc[0] == near


def test_soft_rows_survive_a_revised_value(panel):
    pub = published_from(panel, TRUE)
    pub.loc[pub.indicator_id == "c", "a93_snn"] += 7.3  # a row no group can reproduce
    rows = C.constraint_rows(panel, CODES, 2019, YEARS, pub)
    res = C.identify_comparators(rows, k=4, time_limit=20)
    assert res["members"] == TRUE and res["score"] == 11
    miss = res["reproduced"][~res["reproduced"]["reproduced"]]
    assert list(zip(miss.table, miss.indicator_id)) == [("A9.3", "c")]


def test_profile_equalities(panel):
    rows = C.constraint_rows(panel, CODES, 2019, YEARS, published_from(panel, TRUE))
    chars = pd.DataFrame({"la_code": CODES, "type": ["U" if int(c) % 2 else "C" for c in CODES]})
    # TRUE has 3 odd-numbered ("U") councils; ask for 2 U and 2 C: TRUE is ruled out
    prof = C.with_profile(
        rows, chars, pd.DataFrame({"characteristic": ["type"] * 2, "level": ["U", "C"], "count": [2, 2]})
    )
    res = C.identify_comparators(prof, k=4, time_limit=20)
    got = res["members"]
    assert got != TRUE and sum(int(c) % 2 for c in got) == 2
    best = max(int(r.sum()) for r in brute(prof).values())
    assert res["score"] == best
    # a profile TRUE fits gives TRUE back
    ok = C.with_profile(
        rows, chars, pd.DataFrame({"characteristic": ["type"] * 2, "level": ["U", "C"], "count": [3, 1]})
    )
    assert C.identify_comparators(ok, k=4, time_limit=20)["members"] == TRUE


def test_stability_against_brute_force(panel):
    rows = C.constraint_rows(panel, CODES, 2019, YEARS, published_from(panel, TRUE))
    everyone = brute(rows)
    rivals = [list(g) for g in everyone if list(g) != TRUE]
    st = C.stability(rows, TRUE, rivals, max_drop=2).set_index("rows_dropped")
    K = len(rows.labels)
    for d in (1, 2):
        still_best = True
        for drop in itertools.combinations(range(K), d):
            keep = np.ones(K, bool)
            keep[list(drop)] = False
            sc = {g: int(r[keep].sum()) for g, r in everyone.items()}
            top = max(sc.values())
            still_best &= sc[tuple(TRUE)] == top and list(sc.values()).count(top) == 1
        assert bool(st.at[d, "stays_best"]) == still_best


def test_stability_detects_a_close_rival():
    # two councils with identical values: swapping one for the other reproduces every row
    p = pd.DataFrame(
        [
            {"indicator_id": "a", "la_code": c, "year": 2019, "value": v}
            for c, v in (("001", 10.0), ("002", 20.0), ("003", 20.0), ("004", 35.0))
        ]
    )
    pub = pd.DataFrame({"indicator_id": ["a"], "a93_snn": [15.0], "a94_snn": [15.0]})
    rows = C.constraint_rows(p, ["001", "002", "003", "004"], 2019, [2019], pub)
    st = C.stability(rows, ["001", "002"], [["001", "003"], ["002", "004"]], max_drop=1)
    assert not st["stays_best"].iloc[0] and st["closest_rival"].iloc[0] == ["001", "003"]
