"""Chapter 06_costs: recomputed totals and bounds, the unit-cost file, the cost model, spending
tests, break-even, synthetic returns and the answer sentences. Expected values are worked by hand
from the report's printed numbers (or by a second implementation), never copied from the code."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sofs_lib import published as pub
from sofs_lib.chapters.costs import (
    answer,
    breakeven,
    model,
    recompute,
    spending,
    training,
)
from sofs_lib.chapters.costs import unit_costs as uc
from sofs_lib.chapters.costs.checks import cost_checks
from sofs_lib.methods import mde
from sofs_lib.synthetic import cost_surveys as cs


# ------------------------------------------------------------------ recomputed from the report
def test_salary_bounds_by_hand():
    b = recompute.salary_bounds()
    # least: 10 x 29,000 + 10 x 41,000 + 67,000; most: 29,000 + 10 x 41,000 + 10 x 67,000
    assert b["total_min"] == 767_000 and b["total_max"] == 1_109_000
    # 17 continuing: the 17 lowest of the least case, the 17 highest of the most case
    assert b["continuing_min"] == 10 * 29_000 + 7 * 41_000
    assert b["continuing_max"] == 10 * 67_000 + 7 * 41_000


def test_management_bounds_by_hand():
    m = recompute.management_bounds()
    assert m["min_mean"] == pytest.approx((1118 + 5 * 52) / 6)
    # mean at most 230.5: six sites sum to at most 1383; the other four at most 1383 - 1170 = 213
    assert m["others_max"] == pytest.approx(213)
    assert m["median_max"] == pytest.approx((213 - 52) / 3)


def test_training_days_and_pilot5_splits():
    t = recompute.training_totals()
    assert t["staff"] == 866 and t["staff_days"] == 5 * 176 + 5 * 245 + 445 == 2550
    splits = recompute.pilot_day_splits(405)
    assert len(splits) == 82 and splits[0] == (0, 405) and splits[-1] == (81, 0)


def test_a11_counts_and_table1():
    a = recompute.a11_counts().set_index(["row", "column"])["count"]
    assert a[("Training", "Used during Round 2")] == 5  # 83% of 6
    assert a[("Travel and accommodation expenses", "Ongoing in future")] == 3  # 50% of 6
    t1 = recompute.table1_cost_column()
    assert (t1["t1"], t1["t2"], t1["none"], t1["withdrawn"]) == (6, 6, 2, 1)


def test_cost_checks_verdicts():
    c = {x.check_id: x for x in cost_checks()}
    assert c["cost_staff_days"].verdict == "consistent"
    assert c["cost_table1_responses"].verdict == "inconsistent"  # 6 + 1 < 8 replies
    assert c["cost_safety_days"].entries[0].reproduced == 3 * 5 + 3 * 1
    ratio = c["cost_posts_vs_funding"].entries[0].reproduced
    assert ratio == pytest.approx(767_000 / (6 * 78_750 * 2.08 / 2))


def test_family_finding_note_fixed():
    q = pub.quote("cost_trained_family_finding")
    assert "not stated" not in q.note and "5-day" in q.note
    assert pub.quote("cost_ff_course_days").number == 5


# ------------------------------------------------------------------ the unit-cost file
def _write(tmp_path: Path, mutate) -> Path:
    doc = yaml.safe_load(uc.default_path().read_text())
    mutate(doc)
    p = tmp_path / "unit_costs.yml"
    p.write_text(yaml.safe_dump(doc))
    return p


def test_unit_cost_file_loads_with_sources_and_years():
    py, costs = uc.load_unit_costs()
    assert py == "2018/19"
    for c in costs.values():
        assert c.document and c.table and c.price_year
    assert costs["venue_hire_year"].value == pub.quote("cost_venue_hire_mean").number
    assert not costs["sw_hour"].assumption and costs["on_cost_rate"].assumption


@pytest.mark.parametrize("field, message", [("source", "missing source"), ("price_year", "missing price_year")])
def test_missing_source_or_price_year_rejected_naming_entry(tmp_path, field, message):
    p = _write(tmp_path, lambda d: d["entries"]["foster_week"].pop(field))
    with pytest.raises(uc.UnitCostError, match=f"entry 'foster_week': {message}"):
        uc.load_unit_costs(p)


def test_bad_entries_rejected(tmp_path):
    p = _write(tmp_path, lambda d: d["entries"]["sw_hour"].update(price_year="n/a"))
    with pytest.raises(uc.UnitCostError, match="'sw_hour'.*needs a price_year"):
        uc.load_unit_costs(p)
    p = _write(tmp_path, lambda d: d["entries"]["sw_hour"]["source"].pop("table"))
    with pytest.raises(uc.UnitCostError, match="'sw_hour': source needs a document and a table"):
        uc.load_unit_costs(p)
    p = _write(tmp_path, lambda d: d["entries"]["sw_hour"].update(value=99))
    with pytest.raises(uc.UnitCostError, match="outside its distribution"):
        uc.load_unit_costs(p)


def test_uprating_and_overrides():
    py, costs = uc.load_unit_costs()
    assert uc.uprate_factor(costs["sw_hour"], py, 0.02) == pytest.approx(1.02**5)  # 2013/14 -> 2018/19
    assert uc.uprate_factor(costs["on_cost_rate"], py, 0.02) == 1.0
    c2 = uc.with_overrides(costs, {"on_cost_rate": 0.3, "sofs_time_share": None})
    assert c2["on_cost_rate"].value == 0.3 and c2["on_cost_rate"].dist_args == pytest.approx((0.24, 0.36))
    with pytest.raises(uc.UnitCostError, match="unknown unit-cost entry 'nope'"):
        uc.with_overrides(costs, {"nope": 1.0})


# ------------------------------------------------------------------ the cost model
def test_annuity_by_hand():
    assert model.annuity(0.035, 5) == pytest.approx(sum(1 / 1.035**t for t in range(1, 6)))


def test_central_components_by_hand():
    py, costs = uc.load_unit_costs()
    r = model.summarise(costs, py, 5)
    day = 40 * 1.02**5 * 7.4  # PSSRU hour uprated five years, 7.4-hour day
    assert r["impl"]["Training time"] == pytest.approx(2550 / 9 * day)
    assert r["impl"]["Management time"] == pytest.approx(230 * day * 1.5)
    mean_salary = (767_000 + 1_109_000) / 2 / 21  # halfway between the bounds
    assert r["impl"]["SofS posts"] == pytest.approx(21 / 6 * mean_salary * 1.28 * 0.75 * 2)
    assert r["ongoing"]["Venue and room hire"] == pytest.approx(15_000 * 4 / 6)


def test_monte_carlo_seeded_and_interval():
    py, costs = uc.load_unit_costs()
    a = model.monte_carlo(costs, py, 5, 2000, 7)
    b = model.monte_carlo(costs, py, 5, 2000, 7)
    pd.testing.assert_frame_equal(a, b)
    iv = model.interval(a, 0.9)
    assert iv.loc["total", "5%"] < iv.loc["total", "mean"] < iv.loc["total", "95%"]
    t = model.tornado(costs, py, 5)
    assert t["swing"].is_monotonic_decreasing and "discount_rate" not in set(t["entry"])


# ------------------------------------------------------------------ spending tests
def _toy_panel():
    rows = []
    for la, pilot in (("A", 1), ("B", 1), ("C", 0), ("D", 0)):
        for y in (2016, 2017, 2018):
            v = 100.0 * (2 if (pilot and y == 2018) else 1) * (1.1 if la in "BD" else 1.0)
            rows.append((la, y, "fin_SWFinance", v))
    return pd.DataFrame(rows, columns=["la_code", "year", "indicator_id", "value"])


def test_event_study_by_hand():
    es = spending.event_study(
        _toy_panel(), "fin_SWFinance", [2016, 2017, 2018], pilots=["A", "B"], comparators=["C", "D"]
    ).set_index("year")
    assert es.loc[2018, "coef_log"] == pytest.approx(math.log(2))
    assert es.loc[2018, "pct"] == pytest.approx(100.0)
    # 6 ways to pick 2 of 4; the observed split and its mirror reach |log 2|
    assert es.loc[2018, "p_randomisation"] == pytest.approx(2 / 6)
    assert es.attrs["assignments"] == 6 and es.attrs["exact"]


def test_event_study_matches_ols():
    rng = np.random.default_rng(3)
    rows = [
        (f"L{i}", y, "fin_SWFinance", float(np.exp(rng.normal(5, 0.2)))) for i in range(8) for y in range(2016, 2021)
    ]
    panel = pd.DataFrame(rows, columns=["la_code", "year", "indicator_id", "value"])
    pil, com = [f"L{i}" for i in range(4)], [f"L{i}" for i in range(4, 8)]
    es = spending.event_study(panel, "fin_SWFinance", range(2016, 2021), pil, com).set_index("year")
    ols = spending.clustered_check(panel, "fin_SWFinance", range(2016, 2021), pil, com)
    for y in ols.index:
        assert es.loc[y, "coef_log"] == pytest.approx(ols.loc[y, "coef_log"], abs=1e-9)


# ------------------------------------------------------------------ break-even and MDE
def test_mde_helpers():
    d = mde.mde_two_group(8, 8, 1.0)
    # second implementation: power of the two-sided t test at that effect is 80%
    df, nc = 14, d / math.sqrt(2 / 8)
    crit = stats.t.ppf(0.975, df)
    power = 1 - stats.nct.cdf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)
    assert power == pytest.approx(0.8, abs=1e-4)
    assert mde.se_from_p(0.1263, 0.03) == pytest.approx(0.1263 / 2.170090, rel=1e-5)
    assert mde.mde_from_se(1.0) == pytest.approx(1.959964 + 0.841621, rel=1e-5)
    assert mde.sd_from_oneway_f(21.5, 22.8, 1.2, 40, 40) == pytest.approx(1.3 / math.sqrt(1.2 * 0.05))
    with pytest.raises(ValueError):
        mde.se_from_p(0.1, 0.0)


def test_breakeven_against_detectable():
    py, costs = uc.load_unit_costs()
    sim = breakeven.simulate(costs, py, 5, 2000, 11)
    be = breakeven.break_even(sim)
    det = breakeven.detectable()
    w = breakeven.need_to_believe(be, det)
    assert w.loc["Kinship share of care entrants (DiD scale)", "published estimate"] == pytest.approx(-12.63)
    assert det.loc["DiD: kinship care", "smallest detectable effect"] == pytest.approx(
        100 * 0.1263 / 2.170090 * (1.959964 + 0.841621), rel=1e-4
    )
    cq = breakeven.consequences(sim)
    assert cq.loc["Kinship care (EQ3d)", "mean"] > 0 > cq.loc["Re-referral within 6 months (EQ3b)", "mean"]


def test_believe_sentence_cases():
    s = breakeven.believe_sentence("r", "fewer re-referrals", 17.7, 9.8, 8.5, "points")
    assert "1.8 times too small" in s and "could have shown it" in s
    s = breakeven.believe_sentence("r", "more kinship", 11.0, -12.6, 16.3, "points")
    assert "points the other way" in s and "could not have shown it" in s
    s = breakeven.believe_sentence("r", "x", 5.0, 6.0, 8.0, "points")
    assert "is that large" in s and "could not have shown it" in s


# ------------------------------------------------------------------ staff flows
def test_starters_summary_is_anonymous_aggregate():
    st = pd.DataFrame(
        {
            "la_code": ["1", "2", "3", "1", "2"],
            "year": [2018, 2018, 2018, 2019, 2019],
            "starters_fte": [10.0, 20.0, 99.0, 30.0, np.nan],
            "inpost_fte": [100.0] * 5,
        }
    )
    s = training.starters_summary(st, pilots=["1", "2"])
    assert s.loc[2018, "mean starters per pilot (FTE)"] == 15 and s.loc[2018, "most"] == 20
    assert s.loc[2019, "pilots reporting"] == 1 and "la_code" not in s.columns
    rc = training.recurrent_cost(s, 300.0, 2.0, 50.0)
    assert rc.loc[2018, "cost per pilot (average)"] == pytest.approx(15 * 2 * 350)


# ------------------------------------------------------------------ synthetic returns
def test_synthetic_returns_reproduce_every_aggregate(tmp_path):
    cs.write_cost_returns(tmp_path, seed=5)
    from sofs_lib.chapters.costs.compute import compare_returns

    cmp = compare_returns(cs.aggregates(cs.read_cost_returns(tmp_path)), "synthetic")
    assert cmp["agrees"].all() and len(cmp) >= 50
    a = cs.aggregates(cs.read_cost_returns(tmp_path))
    assert a["cost_training_staff_days"] == 2550 and a["cost_p5_staff_days"] == 405
    assert a["cost_salary_median"] == 41_000 and a["cost_mgmt_days_mean"] == pytest.approx(230)


def test_returns_layout_errors(tmp_path):
    cs.write_cost_returns(tmp_path)
    (tmp_path / "training.csv").unlink()
    with pytest.raises(cs.CostReturnsError, match="training.csv is missing"):
        cs.read_cost_returns(tmp_path)
    cs.write_cost_returns(tmp_path)
    df = pd.read_csv(tmp_path / "staff_2019.csv").assign(name="x")
    df.to_csv(tmp_path / "staff_2019.csv", index=False)
    with pytest.raises(cs.CostReturnsError, match="staff_2019.csv has unknown column"):
        cs.read_cost_returns(tmp_path)


def test_synthetic_returns_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    cs.write_cost_returns(a, 9)
    cs.write_cost_returns(b, 9)
    for name in cs.FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes()


# ------------------------------------------------------------------ generated sentences
def test_spending_sentence_counter_examples():
    an = pd.DataFrame({"p (year x status)": [0.5, 0.9]})
    ev = pd.DataFrame({"indicator_id": ["a", "a"], "event_time": [-2, 1], "p_randomisation": [0.01, 0.5]})
    s = answer.spending_sentence(an, ev)
    assert "0 significant" in s and "as the report says" in s and "no year after Round 2" in s
    an2 = pd.DataFrame({"p (year x status)": [0.01, 0.9]})
    ev2 = ev.assign(p_randomisation=[0.5, 0.01])
    s2 = answer.spending_sentence(an2, ev2)
    assert "1 significant" in s2 and "unlike the report" in s2 and "on 1 line(s)" in s2
    assert "was not run" in answer.spending_sentence(None, None)


def test_money_words():
    assert answer.times(8.0, 1.0) == "8.0 times" and answer.times(1.02, 1) == "about the same as"
    assert answer.times(0.4, 1.0).startswith("a fraction")
    assert answer.gbp(78_750) == "£78,750" and answer.gbp(632_782) == "£633,000"
    assert answer.gbp(1_697_956) == "£1.70 million" and answer.money(-78_867.2) == "−£78,867"


# ------------------------------------------------------------------ the chapter on returns in data_dir
def test_run_on_returns_in_data_dir(tmp_path, monkeypatch):
    from sofs_lib.chapters.costs import compute
    from sofs_lib.chapters.costs.params import SPEC

    monkeypatch.setattr(compute, "real_sources", lambda d: None)  # no LA data: those sections skip
    cs.write_cost_returns(tmp_path / "returns", seed=1)
    p = SPEC.resolve({"n_draws": 200, "data_dir": str(tmp_path / "returns")})
    r = compute.run(p, tmp_path)
    assert r["returns_kind"] == "real" and r["returns_check"]["agrees"].all()
    assert r["finance"] is None and "anova" not in r
    s = answer.sentences(r)
    assert any("real cost returns reproduce" in x for x in s["reproduced"])
    assert any("was not run" in x for x in s["new"])
    assert not (tmp_path / "synthetic_returns").exists()


def test_tornado_sentence():
    t = pd.DataFrame(
        {
            "label": ["Share of time", "Salary", "Hours"],
            "at low": [10.0, 50.0, 90.0],
            "at high": [200.0, 150.0, 110.0],
            "swing": [190.0, 100.0, 20.0],
            "assumption": [True, False, True],
        }
    )
    s = answer.tornado_sentence(t)
    assert s.startswith("The total moves most with share of time (an assumption; £10 to £200)")
    assert "salary (sourced; £50 to £150)" in s and "2 of the 3 uncertain" in s


def test_foster_sentence_both_ways():
    s = answer.foster_sentence(672.1, 600.0, 150, "2018/19", "2018-19")
    assert "12% above" in s and "150 English councils" in s
    assert "10% below" in answer.foster_sentence(540.0, 600.0, 150, "2018/19", "2018-19")


def test_internal_funding_totals_by_hand():
    f = recompute.funding()
    assert f["internal_total_min"] == pytest.approx(78_750 * (1.08 + 4 * 0.37))
    assert f["internal_total_max"] == pytest.approx(78_750 * (0.37 + 4 * 1.08))


def test_tornado_legend_clear_of_the_bars():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sofs_lib.chapters.costs import figures

    py, costs = uc.load_unit_costs()
    fig = figures.tornado(model.tornado(costs, py, 5), py)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    bars = [p.get_window_extent(renderer) for p in ax.patches]
    assert bars and not any(legend.overlaps(b) for b in bars)
    assert legend.y0 >= ax.get_window_extent(renderer).y1 - 1  # above the plot area
    plt.close(fig)


def _spending_means(n_lines: int) -> pd.DataFrame:
    from sofs_lib.chapters.costs.spending import LABELS

    rows = [
        {"indicator_id": i, "year": y, "pilots": 1.0, "comparators": 2.0, "England": 3.0}
        for i in list(LABELS)[:n_lines]
        for y in range(2016, 2023)
    ]
    return pd.DataFrame(rows).assign(n_pilots=8, n_comparators=8, n_England=150)


def test_spending_legend_in_the_empty_panel():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sofs_lib.chapters.costs import figures

    fig = figures.spending(_spending_means(7))  # seven lines on a 4 x 2 grid: one panel empty
    legends = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert legends == [fig.axes[7]] and not fig.axes[7].axison
    plt.close(fig)
    fig = figures.spending(_spending_means(6))  # no empty panel: the first panel keeps it
    assert fig.axes[0].get_legend() is not None
    plt.close(fig)


def test_event_and_break_even_legends_below_the_x_label():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sofs_lib.chapters.costs import figures

    es = pd.DataFrame(
        [
            {"indicator_id": i, "event_time": t, "pct": 1.0, "p_randomisation": 0.5}
            for i in list(_spending_means(7)["indicator_id"].unique())
            for t in range(-2, 6)
        ]
    )
    believe = pd.DataFrame(
        {"break-even": [1.0, 2.0], "smallest detectable": [3.0, 4.0], "published estimate": [0.5, None], "unit": "pp"},
        index=["A", "B"],
    )
    for fig in (figures.events(es), figures.break_even(believe)):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        assert ax.get_legend().get_window_extent(renderer).y1 <= ax.xaxis.label.get_window_extent(renderer).y0
        plt.close(fig)
