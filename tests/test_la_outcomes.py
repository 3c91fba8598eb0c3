"""LA-level outcome analysis (Appendix 9): statistics against independent computations, the
synthetic panel against the published tables, and the real data against the published means."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sofs_lib.chapters.la_outcomes import analysis as lo
from sofs_lib.chapters.la_outcomes import figures
from sofs_lib.chapters.la_outcomes import groups as G
from sofs_lib.sources.dfe import groups as DG
from sofs_lib.sources.dfe.indicators import load_indicator_catalogue
from sofs_lib.synthetic import la_panel as syn

REPO = Path(__file__).resolve().parents[1]


def r(x, nd=1):
    return float(Decimal(repr(round(float(x), 9))).quantize(Decimal(1).scaleb(-nd), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- published values (transcribed)
# Table A9.3 (2018/19) and Table A9.4 (all years 2014/15-2018/19), Appendix 9:
# indicator: (A9.3 pilot mean, SNN mean, F, p), (A9.4 pilot mean, SNN mean, F, p)
A93_A94 = {
    "cin_rate": ((523.7, 627.4, 2.7, 0.12), (525.7, 605.1, 7.5, 0.01)),
    "cin_duration_lt3m": ((29.4, 26.0, 1.8, 0.20), (28.0, 26.6, 1.4, 0.24)),
    "cin_duration_gt2y": ((29.4, 30.9, 0.3, 0.57), (28.5, 30.8, 2.9, 0.09)),
    "referral_rate": ((480.3, 543.9, 1.2, 0.29), (473.4, 516.7, 2.5, 0.12)),
    "referrals_not_in_need": ((33.6, 25.2, 2.0, 0.18), (28.7, 24.9, 1.5, 0.22)),
    "referrals_nfa": ((5.4, 8.4, 0.6, 0.44), (8.6, 9.0, 0.0, 0.84)),
    "rereferrals": ((23.0, 22.7, 0.0, 0.92), (21.5, 22.8, 1.2, 0.28)),
    "assessment_rate": ((466.4, 609.7, 6.5, 0.02), (433.4, 525.3, 10.1, 0.00)),
    "assessment_median_days": ((31.3, 27.5, 0.7, 0.43), (23.5, 26.7, 2.1, 0.15)),
    "assessment_same_day": ((2.0, 2.8, 0.6, 0.44), (5.1, 3.1, 3.2, 0.08)),
    "assessment_61plus": ((6.5, 9.2, 0.8, 0.38), (5.4, 8.8, 7.7, 0.01)),
    "s47_rate": ((146.9, 183.0, 2.4, 0.14), (134.3, 163.2, 7.2, 0.01)),
    "icpc_rate": ((50.7, 65.9, 7.9, 0.01), (49.5, 64.4, 23.6, 0.00)),
    "s47_to_icpc_days": ((13.5, 14.4, 5.4, 0.04), (13.2, 14.0, 9.8, 0.00)),
    "cpp_rate": ((43.6, 57.6, 9.1, 0.01), (42.7, 55.9, 26.1, 0.00)),
    "cpp_subsequent": ((20.6, 19.4, 0.5, 0.49), (19.5, 19.5, 0.0, 0.99)),
    "cpp_le3m": ((33.4, 30.4, 1.5, 0.25), (32.8, 29.6, 5.9, 0.02)),
    "cpp_reviewed": ((93.0, 93.1, 0.0, 0.97), (94.3, 93.2, 0.8, 0.37)),
    "cin_per_sw": ((12.2, 14.1, 1.9, 0.19), (13.8, 14.2, 0.3, 0.58)),
    "sw_turnover": ((13.8, 18.6, 1.8, 0.20), (17.3, 17.4, 0.0, 0.98)),
    "sw_vacancy": ((17.6, 16.5, 0.0, 0.84), (19.0, 17.6, 0.4, 0.52)),
    "sw_agency": ((17.9, 17.0, 0.0, 0.87), (17.6, 16.7, 0.1, 0.71)),
    "sw_absence": ((2.7, 2.8, 0.0, 0.96), (3.0, 3.1, 0.1, 0.73)),
    "caseload": ((16.8, 17.1, 0.2, 0.69), (16.7, 17.1, 0.2, 0.64)),
    "lac_rate": ((47.6, 61.3, 2.1, 0.17), (47.1, 55.8, 6.3, 0.01)),
    "lac_start_rate": ((20.1, 25.8, 1.8, 0.20), (22.5, 25.4, 2.8, 0.10)),
    "lac_adopted": ((11.7, 11.7, 0.0, 1.00), (13.4, 14.4, 0.8, 0.39)),
    "care_applications": ((8.4, 10.3, 1.9, 0.19), (9.1, 10.0, 1.4, 0.25)),
    "sgo": ((12.4, 11.7, 0.1, 0.79), (12.1, 11.9, 0.1, 0.82)),
}
# Table A9.5: Type III sums of squares (Year, Pilot status, Year * pilot status, Error, Corrected total)
A95 = {
    "cin_rate": (5225.143, 125960.192, 53780.322, 1250035.983, 1435001.640),
    "assessment_rate": (140012.864, 168930.580, 24801.581, 1142063.892, 1475808.918),
    "assessment_61plus": (0.008, 0.024, 0.007, 0.227, 0.266),
    "s47_rate": (6574.288, 16669.538, 4925.691, 169355.083, 197524.599),
    "icpc_rate": (93.199, 4429.776, 1111.903, 13411.361, 19046.240),
    "s47_to_icpc_days": (8.625, 13.613, 6.325, 93.125, 121.688),
    "cpp_rate": (75.877, 3523.185, 719.302, 9729.726, 14048.090),
    "cpp_le3m": (132.043, 208.013, 82.201, 2536.243, 2958.500),
    "lac_rate": (252.800, 1496.450, 137.300, 18089.250, 19975.800),
}
# Table A9.5 F statistics (Year, Pilot status, interaction), printed to 3 decimals
A95_F = {
    "cin_rate": (0.073, 7.054, 0.753),
    "assessment_rate": (2.145, 10.354, 0.380),
    "assessment_61plus": (0.590, 7.365, 0.562),
    "s47_rate": (0.679, 6.890, 0.509),
    "icpc_rate": (0.122, 23.121, 1.451),
    "s47_to_icpc_days": (1.621, 10.232, 1.189),
    "cpp_rate": (0.136, 25.347, 1.294),
    "cpp_le3m": (0.911, 5.741, 0.567),
    "lac_rate": (0.245, 5.791, 0.133),
}
SOURCES = ["Year", "Pilot status", "Year * pilot status", "Error", "Corrected total"]


# ----------------------------------------------------------------------------- synthetic panel
@pytest.fixture(scope="module")
def synthetic_results(tmp_path_factory):
    path = syn.write_synthetic_ees(tmp_path_factory.mktemp("syn"))
    panel = syn.load_synthetic_panel(path)
    pil, snn = syn.synthetic_groups()
    return lo.analyse(pilots=pil, comparators=snn, panel=panel), path


def test_synthetic_is_labelled(synthetic_results):
    res, path = synthetic_results
    raw = pd.read_csv(path)
    assert (raw["kind"] == "synthetic").all()
    assert raw["la_name"].str.fullmatch(r"Synthetic LA \d\d").all() and raw["la_name"].nunique() == 16
    assert res["panel"].attrs["kind"] == "synthetic"
    assert res["panel"]["value"].ge(0).all() and len(res["panel"]) == 29 * 16 * 5


def test_synthetic_matches_a93_a94(synthetic_results):
    res, _ = synthetic_results
    for key, k in (("a93", 0), ("a94", 1)):
        t = res[key].set_index("indicator_id")
        for iid, vals in A93_A94.items():
            pm, sm, F, p = vals[k]
            got = t.loc[iid]
            assert (r(got.pilot_mean), r(got.snn_mean), r(got.F), r(got.p, 2)) == (pm, sm, F, p), (key, iid)


def test_synthetic_matches_a95(synthetic_results):
    res, _ = synthetic_results
    a95 = res["a95"]
    for iid, ss in A95.items():
        t = a95[a95["indicator_id"] == iid].set_index("source")
        assert [r(t.at[s, "ss"], 3) for s in SOURCES] == list(ss), iid
        assert [r(t.at[s, "F"], 3) for s in SOURCES[:3]] == list(A95_F[iid]), iid
        assert list(t.loc[SOURCES, "df"]) == [4, 1, 4, 70, 79]


# ------------------------------------------------------------------ statistics vs independent code
@pytest.fixture(scope="module")
def random_panel():
    rng = np.random.default_rng(7)
    rows = []
    for iid in ("cin_rate", "lac_rate"):
        for i in range(16):
            for y in range(2015, 2020):
                rows.append(
                    {
                        "indicator_id": iid,
                        "la_code": f"{i + 1:03d}",
                        "year": y,
                        "group": "Pilot" if i < 8 else "SNN",
                        "value": 50 + 5 * (i < 8) + y % 3 + rng.normal(0, 4),
                    }
                )
    return pd.DataFrame(rows)


def test_oneway_vs_independent(random_panel):
    res = lo.oneway_anova(random_panel, 2019).set_index("indicator_id")
    for iid, g in random_panel[random_panel["year"] == 2019].groupby("indicator_id"):
        a = g.loc[g["group"] == "Pilot", "value"].to_numpy()
        b = g.loc[g["group"] == "SNN", "value"].to_numpy()
        grand = np.r_[a, b].mean()
        ssb = len(a) * (a.mean() - grand) ** 2 + len(b) * (b.mean() - grand) ** 2
        ssw = ((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()
        F = ssb / (ssw / (len(a) + len(b) - 2))
        assert res.at[iid, "F"] == pytest.approx(F, rel=1e-10)
        assert res.at[iid, "p"] == pytest.approx(stats.f.sf(F, 1, len(a) + len(b) - 2), rel=1e-9)
    pooled = lo.oneway_anova(random_panel, None).set_index("indicator_id")
    g = random_panel[random_panel["indicator_id"] == "cin_rate"]
    F2 = stats.f_oneway(g.loc[g.group == "Pilot", "value"], g.loc[g.group == "SNN", "value"]).statistic
    assert pooled.at["cin_rate", "F"] == pytest.approx(F2) and pooled.at["cin_rate", "df2"] == 78


def test_twoway_vs_hand_coded(random_panel):
    res = lo.twoway_anova(random_panel, scale={})
    for iid, g in random_panel.groupby("indicator_id"):
        t = res[res["indicator_id"] == iid].set_index("source")
        y = g["value"].to_numpy()
        grand = y.mean()
        cell = g.groupby(["group", "year"])["value"].mean()
        gm = g.groupby("group")["value"].mean()
        ym = g.groupby("year")["value"].mean()
        ss_g = 40 * ((gm - grand) ** 2).sum()
        ss_y = 16 * ((ym - grand) ** 2).sum()
        inter = np.array([cell[(a, b)] - gm[a] - ym[b] + grand for a, b in cell.index])
        ss_i = 8 * (inter**2).sum()
        ss_e = ((g["value"] - g.set_index(["group", "year"]).index.map(cell).to_numpy()) ** 2).sum()
        for s, v in (
            ("Pilot status", ss_g),
            ("Year", ss_y),
            ("Year * pilot status", ss_i),
            ("Error", ss_e),
            ("Corrected total", ((y - grand) ** 2).sum()),
        ):
            assert t.at[s, "ss"] == pytest.approx(v, rel=1e-9), (iid, s)
        assert t.at["Pilot status", "F"] == pytest.approx(ss_g / (ss_e / 70), rel=1e-9)


def test_means_ci(random_panel):
    m = lo.group_means_ci(random_panel)
    row = m[(m.indicator_id == "lac_rate") & (m.group == "SNN") & (m.year == 2017)].iloc[0]
    v = random_panel.query("indicator_id == 'lac_rate' and group == 'SNN' and year == 2017")["value"]
    lo_, hi_ = stats.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=stats.sem(v))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo_, hi_))


def test_plot_has_title_labels_source(synthetic_results):
    res, _ = synthetic_results
    fig = figures.plot_indicator(res["means_ci"], "cin_rate", kind="synthetic")
    ax = fig.axes[0]
    title = fig._suptitle.get_text()
    assert title and ax.get_xlabel() and "per 10,000" in ax.get_ylabel() + title
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Source:" in texts and "Synthetic data" in texts and "children in need" in texts.lower()
    grid = figures.plot_indicator_grid(res["means_ci"], kind="real")
    assert len([a for a in grid.axes if a.get_visible()]) == 9
    assert "Synthetic" not in " ".join(t.get_text() for t in grid.texts)
    # whole panel titles (no "…"), and no two neighbouring titles or year labels touch
    grid.canvas.draw()
    renderer = grid.canvas.get_renderer()
    shown = [a for a in grid.axes if a.get_visible()]
    assert not any("…" in a.get_title() for a in shown)
    for a, b in zip(shown, shown[1:]):
        ta, tb = a.title.get_window_extent(renderer), b.title.get_window_extent(renderer)
        if abs(ta.y0 - tb.y0) < 1:
            assert ta.x1 < tb.x0
    for a in shown:
        labels = [t for t in a.get_xticklabels() if t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in labels]
        if labels[0].get_rotation() == 0:
            assert all(p.x1 < q.x0 for p, q in zip(boxes, boxes[1:]))
        else:  # parallel slanted lines: apart by their anchors' spacing times sin(angle)
            gap = np.diff([p.x1 for p in boxes]).min() * np.sin(np.radians(labels[0].get_rotation()))
            assert gap > labels[0].get_fontsize() * grid.dpi / 72


def test_catalogue():
    cat = load_indicator_catalogue()
    assert len(cat) == 29 and cat["indicator_id"].is_unique
    assert list(cat["indicator_id"]) == list(A93_A94)
    counts = cat["category"].value_counts()
    # Table A9.2 (6 categories listed there; the 29 split 3+8+7+5+3+3)
    assert counts["Reduce risk for CYP: Children in need"] == 3
    assert counts["Reduce risk for CYP: Referrals and re-referrals"] == 8
    assert counts["Reduce risk for CYP: Child protection plans"] == 7
    assert counts["Reduce days spent in state care"] == 5
    assert counts["Increase staff wellbeing"] == 3 and counts["Reduce staff turnover and agency rates"] == 3
    assert cat["year_convention"].str.len().gt(0).all() and cat["definition"].str.len().gt(10).all()
    assert cat.set_index("indicator_id").at["cpp_rate", "note"].startswith("Label says 'at March'")


# ---------------------------------------------------------------------------------- real data


NINE = ["303", "304", "801", "855", "925", "926", "935", "938", "872"]


@pytest.fixture(scope="module")
def real_panel(dfe_dir):
    from sofs_lib.sources.dfe.indicators import build_indicator_panel

    comps = DG.default_comparators()
    return build_indicator_panel(dfe_dir, years=(2015, 2022), la_codes=NINE + comps)


@pytest.fixture(scope="module")
def real_results(dfe_dir, real_panel):
    return lo.analyse(dfe_dir, panel=real_panel)


def test_real_headline_target(real_results):
    cmp = lo.compare_with_published(real_results)
    score = lo.match_score(cmp, "pilot_mean").set_index("table")["matched"]
    assert score["A9.3"] >= 25 and score["A9.4"] >= 25
    pm = cmp[cmp.quantity == "pilot_mean"]
    misses = set(zip(pm.loc[~pm.match, "table"], pm.loc[~pm.match, "indicator_id"]))
    # documented misses (see the catalogue notes)
    assert misses <= {
        ("A9.3", "lac_adopted"),
        ("A9.4", "cin_per_sw"),
        ("A9.4", "sw_turnover"),
        ("A9.4", "sw_agency"),
        ("A9.4", "sgo"),
    }
    # spot values, Table A9.3 / A9.4 pilot means
    t93 = real_results["a93"].set_index("indicator_id")
    assert r(t93.at["cin_rate", "pilot_mean"]) == 523.7 and r(t93.at["lac_rate", "pilot_mean"]) == 47.6
    t94 = real_results["a94"].set_index("indicator_id")
    assert r(t94.at["cpp_rate", "pilot_mean"]) == 42.7 and t94.at["cin_rate", "n_pilot"] == 40


def test_dropped_pilot_is_lincolnshire(dfe_dir, real_panel):
    t = G.identify_dropped_pilot(dfe_dir, panel=real_panel[real_panel["year"].between(2015, 2019)])
    top = t.iloc[0]
    assert top["candidate_dropped"] == "Lincolnshire" and bool(top["consistent_with_report"])
    assert t["consistent_with_report"].sum() == 1
    assert top["A9.3_pilot_means_matched"] >= 25 and t.iloc[1:]["A9.3_pilot_means_matched"].max() < 10


def test_comparator_rule_reproduces_defaults(dfe_dir):
    c = G.select_comparators(dfe_dir)
    assert c.attrs["profile_matched"]
    assert list(c["comparator_code"]) == DG.default_comparators("sn2021")
    assert not set(c["comparator_code"]) & set(NINE)
    plain = G.select_comparators(dfe_dir, match_profile=False)
    assert (plain["sn_rank"] <= c["sn_rank"]).all()


def test_years_and_sensitivity(dfe_dir, real_panel):
    res = lo.analyse(dfe_dir, years=(2018, 2022), panel=real_panel)
    assert set(res["panel"]["year"]) == set(range(2018, 2023))
    assert res["a93"]["year"].eq(2022).all() and len(res["a95"]) > 0
    sens = lo.analyse(dfe_dir, exclude=["Bexley", "Medway"], panel=real_panel)
    t = sens["a94"].set_index("indicator_id")
    assert t.at["cin_rate", "n_pilot"] == 35 and t.at["cin_rate", "n_snn"] == 35


def test_side_by_side_marks_only_mismatches(synthetic_results):
    res, _ = synthetic_results
    cmp = lo.compare_with_published(res)
    view, mismatch = lo.side_by_side(cmp, "A9.3")
    assert view.shape == (29, 8) and not mismatch.to_numpy().any()  # the synthetic panel matches
    name = "Referrals (rate per 10,000 children)"
    sel = (cmp["table"] == "A9.3") & (cmp["report_name"] == name) & (cmp["quantity"] == "F")
    cmp.loc[sel, "match"] = False
    _, mismatch = lo.side_by_side(cmp, "A9.3")
    assert mismatch.to_numpy().sum() == 1 and mismatch.loc[name, "F: computed"]
    a95 = lo.compare_a95(res)
    assert set(a95["indicator_id"]) == set(lo.published_a95())  # the nine of Table A9.5


def test_match_figure_x_labels_apart():
    names = list(load_indicator_catalogue().sort_values("order")["report_name"])
    rows = [
        {"table": t, "quantity": q, "report_name": n, "computed": 10.5, "published": 10.0}
        for t in ("A9.3", "A9.4")
        for q in ("pilot_mean", "snn_mean")
        for n in names
    ]
    fig = figures.plot_match(pd.DataFrame(rows))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    left, right = (ax.xaxis.label.get_window_extent(renderer) for ax in fig.axes[:2])
    assert left.x1 < right.x0  # the two panels' x labels do not run into each other


def test_match_figure_names_whole_and_legend_clear_of_points():
    """Every indicator is named in full (no "…"), the names do not run into each other, and
    the legend sits below the x labels, where no point can be under it."""
    names = list(load_indicator_catalogue().sort_values("order")["report_name"])
    rows = [
        {"table": t, "quantity": q, "report_name": n, "computed": 10.0 + 0.01 * i, "published": 10.0}
        for t in ("A9.3", "A9.4")
        for q in ("pilot_mean", "snn_mean")
        for i, n in enumerate(names)
    ]
    fig = figures.plot_match(pd.DataFrame(rows))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = [t for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert [t.get_text().replace("\n", " ") for t in ticks] == names
    boxes = sorted((t.get_window_extent(renderer) for t in ticks), key=lambda b: b.y0)
    assert all(p.y1 <= q.y0 for p, q in zip(boxes, boxes[1:]))
    legend = fig.axes[1].get_legend().get_window_extent(renderer)
    for ax in fig.axes[:2]:
        assert legend.y1 <= ax.xaxis.label.get_window_extent(renderer).y0
    fig_box = fig.get_tightbbox(renderer)
    assert legend.y0 >= fig_box.y0  # inside the saved image
    assert legend.x1 <= fig.axes[1].get_window_extent(renderer).x1 + 1  # not past the right panel
