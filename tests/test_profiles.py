"""Tests for sofs_lib.chapters.implementation.profiles and its profile_* siblings (Appendix 7 self-profiling T-scores on synthetic data).

Expected numbers are worked out by hand in the comments, not taken from the code's output.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sofs_lib.chapters.implementation import profile_figures as PF  # noqa: E402
from sofs_lib.chapters.implementation import profile_scores as PS  # noqa: E402
from sofs_lib.chapters.implementation import profile_statements as PN  # noqa: E402
from sofs_lib.chapters.implementation import profiles as P  # noqa: E402

CATS = ["culture", "practice", "learning", "processes", "leadership"]


# ----------------------------------------------------------------------------- helpers
def _responses(cells: dict[tuple[int, str], dict[str, list[float] | float]]) -> pd.DataFrame:
    """Long responses: for each (pilot, time) a category -> score (all items) or item list."""
    inst = PS.instrument()
    rows = []
    for (pilot, time), by_cat in cells.items():
        for cat, val in by_cat.items():
            items = inst.loc[inst["category"] == cat, "item"].tolist()
            vals = val if isinstance(val, list) else [val] * len(items)
            assert len(vals) == len(items)
            rows += [dict(pilot=pilot, time=time, item=i, score=v) for i, v in zip(items, vals)]
    return pd.DataFrame(rows)


def _t(ts: pd.DataFrame, pilot: int, time: str, cat: str) -> float:
    sel = ts[(ts.pilot == pilot) & (ts.time == time) & (ts.category == cat)]["t_score"]
    assert len(sel) == 1
    return float(sel.iloc[0])


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return P.generate_responses()


@pytest.fixture(scope="module")
def ts(responses) -> pd.DataFrame:
    return PS.tscores(responses)


def _with_overall(ts: pd.DataFrame) -> pd.DataFrame:
    """Recompute the overall rows from (possibly edited) category rows."""
    cat = ts[ts.category != "overall"]
    wide = cat.pivot(index=["pilot", "time"], columns="category", values="t_score")[CATS]
    ov = wide.mean(axis=1).rename("t_score").reset_index().assign(category="overall")
    return pd.concat([cat, ov], ignore_index=True)


def _set(ts: pd.DataFrame, pilot: int, time: str, cat: str, value: float) -> pd.DataFrame:
    out = ts.copy()
    m = (out.pilot == pilot) & (out.time == time) & (out.category == cat)
    assert m.sum() == 1
    out.loc[m, "t_score"] = value
    return out


# ----------------------------------------------------------------------------- instrument
def test_instrument_has_50_items_and_stated_heading_counts():
    inst = PS.INSTRUMENT
    assert len(inst) == 50
    assert inst["item"].tolist() == list(range(1, 51))
    counts = inst.groupby("heading", sort=False).size().to_dict()
    assert counts == {
        "Organisational culture": 10,
        "Practice issues": 15,
        "Learning": 7,
        "Processes": 7,
        "Structures": 6,
        "Leadership and 'staying the journey'": 5,
    }
    assert inst["text"].iloc[0].startswith("Progress along the path towards building")
    assert inst["text"].iloc[-1] == "Embedding an organisational commitment to Signs of Safety"
    assert inst["text"].str.len().min() > 10


def test_structures_folding_default_and_alternative():
    assert PS.INSTRUMENT["category"].value_counts().to_dict() == {
        "practice": 15,
        "leadership": 11,
        "culture": 10,
        "learning": 7,
        "processes": 7,
    }
    alt = PS.instrument("processes")
    assert alt["category"].value_counts().to_dict() == {
        "practice": 15,
        "processes": 13,
        "culture": 10,
        "learning": 7,
        "leadership": 5,
    }
    assert set(alt.loc[alt.heading == "Structures", "category"]) == {"processes"}
    with pytest.raises(ValueError):
        PS.instrument("culture")


# ----------------------------------------------------------------------------- T-scores
def test_tscores_hand_worked_three_pilots():
    # Category means 4, 5, 6 for pilots 1, 2, 3 -> mean 5, sample SD 1 -> T = 40, 50, 60.
    # Pilot 1's culture items are five 3s and five 5s (mean 4); pilot 2 has one missing
    # practice item (ignored, mean still 5). Practice runs the other way (6, 5, 4).
    cells = {
        (1, "T1"): {"culture": [3, 5] * 5, "practice": 6, "learning": 4, "processes": 4, "leadership": 4},
        (2, "T1"): {
            "culture": 5,
            "practice": [np.nan] + [5] * 14,
            "learning": 5,
            "processes": 5,
            "leadership": 5,
        },
        (3, "T1"): {"culture": 6, "practice": 4, "learning": 6, "processes": 6, "leadership": 6},
    }
    ts = PS.tscores(_responses(cells))
    assert set(ts.columns) >= {"pilot", "time", "category", "t_score", "raw_mean", "n_items"}
    for pilot, expect in [(1, 40.0), (2, 50.0), (3, 60.0)]:
        for cat in ["culture", "learning", "processes", "leadership"]:
            assert _t(ts, pilot, "T1", cat) == pytest.approx(expect)
    for pilot, expect in [(1, 60.0), (2, 50.0), (3, 40.0)]:
        assert _t(ts, pilot, "T1", "practice") == pytest.approx(expect)
    # overall = mean of five category T-scores: (40*4 + 60)/5 = 44; 50; (60*4 + 40)/5 = 56
    for pilot, expect in [(1, 44.0), (2, 50.0), (3, 56.0)]:
        assert _t(ts, pilot, "T1", "overall") == pytest.approx(expect)
    n = ts[(ts.pilot == 2) & (ts.category == "practice")]["n_items"].iloc[0]
    assert n == 14
    raw = ts[(ts.pilot == 1) & (ts.category == "culture")]["raw_mean"].iloc[0]
    assert raw == pytest.approx(4.0)


def test_tscores_pooled_versus_per_time():
    # All categories equal within a pilot x time. T1: 4, 5, 6; T3: 6, 7, 8.
    cells = {}
    for p, (a, b) in enumerate([(4, 6), (5, 7), (6, 8)], start=1):
        cells[(p, "T1")] = {c: a for c in CATS}
        cells[(p, "T3")] = {c: b for c in CATS}
    resp = _responses(cells)
    per_time = PS.tscores(resp, reference="per_time")
    for p, expect in [(1, 40.0), (2, 50.0), (3, 60.0)]:
        assert _t(per_time, p, "T1", "culture") == pytest.approx(expect)
        assert _t(per_time, p, "T3", "culture") == pytest.approx(expect)
    pooled = PS.tscores(resp)  # default pooled
    # pooled over 4,5,6,6,7,8: mean 6, SS = 4+1+0+0+1+4 = 10, var = 10/5 = 2, SD = sqrt 2
    sd = math.sqrt(2.0)
    expected = {(1, "T1"): 4, (2, "T1"): 5, (3, "T1"): 6, (1, "T3"): 6, (2, "T3"): 7, (3, "T3"): 8}
    for (p, t), x in expected.items():
        assert _t(pooled, p, t, "leadership") == pytest.approx(50 + 10 * (x - 6) / sd)
        assert _t(pooled, p, t, "overall") == pytest.approx(50 + 10 * (x - 6) / sd)
    with pytest.raises(ValueError):
        PS.tscores(resp, reference="national")


def test_tscores_pooled_scale_on_generated_data(ts):
    cat = ts[ts.category != "overall"]
    assert len(cat) == 17 * 5  # 8 pilots at T1 + 9 at T3, five categories
    g = cat.groupby("category")["t_score"]
    assert np.allclose(g.mean(), 50.0)
    assert np.allclose(g.std(ddof=1), 10.0)


# ----------------------------------------------------------------------------- statements
def test_statements_table_shape():
    st = PN.STATEMENTS
    assert st["statement_id"].is_unique
    assert set(st["time"]) == {"T1", "T3", "T1->T3"}
    assert set(st["category"]) <= set(CATS) | {"overall"}
    assert set(st["relation"]) <= set(PN.READINGS) | set(PN.RANK_RELATIONS)
    # quotes keep the report's "T2" while the time column reads it as T3
    assert (st["quote"].str.contains("T2") & (st["time"] == "T1")).sum() == 0
    assert "T2" not in set(st["time"])
    # every pilot is covered; Pilot 7 only at T3 plus the no-data statement
    assert {p for p in st["pilot"] if isinstance(p, int)} == set(range(1, 10))
    p7 = st[st["pilot"].apply(lambda p: p == 7)]
    assert set(p7.loc[p7.relation != "no_data", "time"]) == {"T3"}
    # readings as specified
    r = PN.READINGS
    assert (r["average"].lower, r["average"].upper) == (47.5, 52.5)
    assert r["slightly_above"].contains(55) and not r["slightly_above"].contains(50)
    assert r["slightly_below"].contains(45) and not r["slightly_below"].contains(50)
    assert r["sd1_above"].contains(60) and r["sd1_below"].contains(40)
    assert r["sd2_above"].contains(70) and r["sd2_below"].contains(30)
    assert not r["above"].contains(50) and not r["below"].contains(50)


def test_generated_responses_satisfy_all_statements(ts):
    checked = PN.check_statements(ts)
    assert len(checked) == len(PN.STATEMENTS)
    assert checked["holds"].dtype == bool
    assert checked["holds"].all(), checked.loc[~checked.holds, ["statement_id", "found"]]


def test_generated_responses_satisfy_all_statements_structures_in_processes():
    resp = P.generate_responses(structures_category="processes")
    ts = PS.tscores(resp, structures_category="processes")
    assert PN.check_statements(ts)["holds"].all()


# Violating values per reading, from the bounds in the brief: a value just outside the interval
# (boundaries included where the reading is strict).
_VIOLATE = {
    "average": 53.0,
    "slightly_above": 50.0,
    "slightly_below": 50.0,
    "above": 50.0,
    "below": 50.0,
    "sd1_above": 59.9,
    "sd1_below": 40.1,
    "sd2_above": 69.9,
    "sd2_below": 30.1,
}
# ... and a value inside it, to break a negated ("other than", "only") statement.
_SATISFY = {"slightly_below": 47.0, "sd1_above": 61.0}


def test_each_interval_statement_fails_on_its_counter_example(ts):
    st = PN.STATEMENTS
    for s in st[st.relation.isin(PN.READINGS)].itertuples():
        bad = ts.copy()
        if s.time == "T1->T3":
            t1 = _t(ts, s.pilot, "T1", s.category)
            # improved needs T3 > T1, decreased T3 < T1: no change breaks both;
            # negated ("not improved"/"not fallen") is broken by moving the right way.
            if not s.negated:
                new = t1
            else:
                new = t1 + 1.0 if s.relation == "improved" else t1 - 1.0
            bad = _set(bad, s.pilot, "T3", s.category, new)
        else:
            new = _SATISFY[s.relation] if s.negated else _VIOLATE[s.relation]
            bad = _set(bad, s.pilot, s.time, s.category, new)
        res = PN.check_statements(bad).set_index("statement_id")
        assert not res.loc[s.statement_id, "holds"], (s.statement_id, s.quote)


def test_flipping_pilot_8_below_average_breaks_its_statements(ts):
    bad = ts.copy()
    for t in ["T1", "T3"]:
        for c in CATS:
            bad = _set(bad, 8, t, c, 45.0)
    res = PN.check_statements(_with_overall(bad))
    p8 = res[res["pilot"].apply(lambda p: p == 8)]
    level = p8[p8.time != "T1->T3"]
    assert len(level) == 12 and not level["holds"].any()
    # "scores had fallen in every category": 45 -> 45 is no fall
    assert not p8.loc[p8.relation == "decreased", "holds"].any()
    # the report's "highest were Pilots 5 and 8" (T1 and T3) no longer holds
    top = res[res.relation == "highest_two"]
    assert len(top) == 2 and not top["holds"].any()


def test_rank_and_no_data_statements_fail_on_counter_examples(ts):
    def holds(df, relation):
        r = PN.check_statements(df)
        return r.loc[r.relation == relation, "holds"].tolist()

    # Pilot 9 at T3 set far below Pilot 2 -> Pilot 2 is no longer the lowest at T3
    bad = _with_overall(ts)
    for c in CATS:
        bad = _set(bad, 9, "T3", c, 20.0)
    assert holds(_with_overall(bad), "lowest") == [False]
    # Pilot 3 at T1 lifted to 75 everywhere -> "lowest were Pilots 3 and 9" fails,
    # and Pilot 3's fall to ~43 becomes the largest negative change instead of Pilot 2's
    bad = ts.copy()
    for c in CATS:
        bad = _set(bad, 3, "T1", c, 75.0)
    assert holds(_with_overall(bad), "lowest_two") == [False]
    assert holds(_with_overall(bad), "largest_decrease") == [False]
    # Pilot 1 T3 lifted to 70 -> largest increase is Pilot 1 (+~19), not Pilot 6
    bad = ts.copy()
    for c in CATS:
        bad = _set(bad, 1, "T3", c, 70.0)
    assert holds(_with_overall(bad), "largest_increase") == [False]
    # a Pilot 7 T1 row appears -> "No data was available for Pilot 7 at T1" fails
    extra = pd.DataFrame([dict(pilot=7, time="T1", category="culture", t_score=50.0)])
    assert holds(pd.concat([ts, extra], ignore_index=True), "no_data") == [False]
    # a missing value never "holds"
    gone = ts[~((ts.pilot == 5) & (ts.time == "T1") & (ts.category == "learning"))]
    r = PN.check_statements(gone)
    sel = r[(r["pilot"].apply(lambda p: p == 5)) & (r.category == "learning") & (r.time == "T1")]
    assert len(sel) == 2 and not sel["holds"].any()


# ----------------------------------------------------------------------------- generator
def test_generated_responses_shape_values_and_marking(responses):
    df = responses
    assert len(df) == (9 * 2 - 1) * 50  # Pilot 7 has no T1
    assert df.groupby(["pilot", "time"]).size().eq(50).all()
    assert not ((df.pilot == 7) & (df.time == "T1")).any()
    assert set(df.time) == {"T1", "T3"} and set(df.pilot) == set(range(1, 10))
    assert pd.api.types.is_integer_dtype(df["score"])
    assert df["score"].between(1, 10).all()
    assert (df["kind"] == "synthetic").all()
    assert df.attrs["kind"] == "synthetic" and df.attrs["seed"] == 20180401
    assert not df.duplicated(["pilot", "time", "item"]).any()


def test_generated_responses_are_deterministic(responses):
    again = P.generate_responses(seed=20180401)
    pd.testing.assert_frame_equal(responses, again)
    other = P.generate_responses(seed=7)
    assert not np.array_equal(responses["score"].to_numpy(), other["score"].to_numpy())
    assert PN.check_statements(PS.tscores(other))["holds"].all()


def test_generator_raises_when_design_cannot_satisfy(monkeypatch):
    broken = {p: dict(v) for p, v in P.TARGETS.items()}
    broken[8] = {"T1": (40.0,) * 5, "T3": (40.0,) * 5}
    monkeypatch.setattr(P.A7, "TARGETS", broken)
    monkeypatch.setattr(P.A7, "MAX_ATTEMPTS", 2)
    with pytest.raises(RuntimeError):
        P.generate_responses()


# ----------------------------------------------------------------------------- figures
def test_plot_profile_conventions(ts):
    fig = PF.plot_profile(ts, 7)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "T-score (50 = mean of pilots, 10 = 1 SD)"
    assert "Pilot 7" in ax.get_title()
    hlines = sorted(
        round(line.get_ydata()[0], 6)
        for line in ax.get_lines()
        if len(set(line.get_ydata())) == 1 and len(line.get_ydata()) == 2
    )
    assert {30, 40, 50, 60, 70} <= set(hlines)
    labels = {t.get_text() for t in ax.texts}
    assert {"mean", "±1 SD", "±2 SD"} <= labels
    assert any("not the pilots' data" in t.get_text() for t in fig.texts)
    plt.close(fig)


def test_plot_all_profiles_grid(ts):
    fig = PF.plot_all_profiles(ts)
    panels = [a for a in fig.axes if a.axison]  # the tenth axes holds the legend only
    assert len(panels) == 9 and len(fig.axes) == 10
    assert [a.get_title().split()[1] for a in panels] == [str(p) for p in range(1, 10)]
    assert fig.axes[-1].get_legend() is not None
    assert fig._suptitle is not None and "synthetic" in fig._suptitle.get_text()
    assert any(t.get_text().startswith("Source: synthetic") for t in fig.texts)
    plt.close(fig)
