"""The DiD chapter's table builders (Tables A10.1, A10.5, A10.6-A10.12 and 8) on a small synthetic
run, each cell read back and compared with what it should show, worked out here from the analysis
frames and fits by another route: cells are parsed back into numbers, stars are counted against the
report's thresholds written out below, and counts of rows and LAs are taken from the frames."""

import re
import warnings

import numpy as np
import pytest

from sofs_lib import published
from sofs_lib.chapters import did
from sofs_lib.chapters.did import regression_tables as RT
from sofs_lib.chapters.did import samples as S
from sofs_lib.chapters.did import table8 as T8
from sofs_lib.chapters.did.analysis import EQ_INFO, MODEL_NAMES, ROW_TERMS

CELL = re.compile(r"^(-?[0-9.]+(?:e[+-]?\d+)?)(\**) \(([0-9.]+(?:e[+-]?\d+)?)\)$")


def n_stars(p: float) -> int:
    """The report's convention (note to Tables A10.6-A10.12): * p<0.1, ** p<0.05, *** p<0.01."""
    return 3 if p < 0.01 else 2 if p < 0.05 else 1 if p < 0.1 else 0


@pytest.fixture(scope="module")
def an():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = did.run(scale=0.1)
        for eq in EQ_INFO:
            a.result(eq)
    return a


def test_coefficient_cells_read_back_to_the_fits(an):
    eq = "eq3b"
    r = an.result(eq)
    tid = EQ_INFO[eq]["primary"]
    t = RT.coef_table(an, eq, tid)
    checked = 0
    for col in [c for c in t.columns if not c.endswith("(published)")]:
        fit = RT._fit_for(r, col) if not col.startswith("Main model") else r.fits["main"]
        if fit is None:
            assert set(t[col]) == {"–"}
            continue
        for row, term in ROW_TERMS.items():
            if row not in t.index:
                continue
            cell = t.at[row, col]
            if term not in fit.table.index:
                assert cell in ("N/A", "–")
                continue
            m = CELL.match(cell)
            assert m, (row, col, cell)
            est, st, se = float(m[1]), m[2], float(m[3])
            assert est == pytest.approx(fit.get(term), rel=5e-3)  # three significant digits
            assert se == pytest.approx(fit.get(term, "se"), rel=5e-3)
            assert len(st) == n_stars(fit.get(term, "p"))
            checked += 1
    assert checked >= 8


def test_published_columns_are_the_report_s(an):
    tid = EQ_INFO["eq3b"]["primary"]
    t = RT.coef_table(an, "eq3b", tid)
    pw = published.wide(tid, values="value")
    for col in pw.columns:
        got = t[f"{col} (published)"].reindex(pw.index)
        want = pw[col]
        same = [(g == w) or (g != g and w != w) for g, w in zip(got, want)]
        assert all(same), col


def test_footer_counts_rows_and_las_of_the_frame(an):
    eq = "eq3b"
    r = an.result(eq)
    t = RT.coef_table(an, eq, EQ_INFO[eq]["primary"])
    d = r.frame[r.frame["cem_w"] > 0]
    col = "Linear model"
    assert int(t.at["N", col].replace(",", "")) == len(d) == r.diagnostics["n"]
    g, treated = d["la"].nunique(), d.loc[d["pilot_i"] == 1, "la"].nunique()
    assert t.at["LAs (clusters)", col] == f"G = {g} ({treated} treated)"
    # fewer than 10 LAs: the DiD p carries the wild cluster bootstrap p beside CRV1
    assert g < 10 and "wild" not in t.at["DiD p: CRV1 | wild cluster bootstrap (Webb)", col]
    assert re.search(r"\| 0\.\d+$", t.at["DiD p: CRV1 | wild cluster bootstrap (Webb)", col])


def test_table_a10_1_ticks_follow_the_matching(an):
    t = S.table_a10_1(an)
    groups = an.matching()["groups"]
    for eq, info in EQ_INFO.items():
        for pilot in t.index:
            assert (t.at[pilot, info["short"]] == "✓") == (pilot in groups[eq]), (eq, pilot)


def test_table_a10_5_cells(an):
    t = RT.table_a10_5(an)
    for eq, info in EQ_INFO.items():
        r, c = an.result(eq), info["short"]
        d = r.frame[r.frame["cem_w"] > 0]
        share = d["repeated"].astype(float).mean()
        assert t.at["Share of repeated individuals", c] == f"{100 * share:.1f}%"
        assert t.at["Chosen model", c] == MODEL_NAMES[r.choice.model]
        bg = re.match(r"^(-?[0-9.]+)(\**)$", t.at["Breusch-Godfrey test", c])
        assert float(bg[1]) == pytest.approx(r.diagnostics["bg"]["statistic"], abs=0.005)
        assert len(bg[2]) == n_stars(r.diagnostics["bg"]["p"])
        ls = r.diagnostics["leads"]
        k, n = map(int, re.findall(r"\d+", t.at["Number of insignificant leads", c]))
        assert (k, n) == (ls["insignificant"], ls["n_leads"]) and 0 <= k <= n


def test_table_8_one_row_per_question(an):
    t = T8.table_8(an)
    assert list(t.index) == [info["row8"] for info in EQ_INFO.values()]
    p = published.wide("8", values="value")
    assert (t["Analysis results (published)"] == p.loc[t.index].iloc[:, 1]).all()
    assert set(t["Strength (synthetic)"]) <= {"none", "no clear evidence", "low", "moderate", "high"}
    for eq, info in EQ_INFO.items():
        assert t.at[info["row8"], "Analysis results (synthetic)"] == an.result(eq).verdict.text
    assert np.all(t["Reasons (synthetic)"].str.len() > 0)


def test_population_sizes_from_the_frames(an):
    t = S.population_sizes(an)
    for eq, info in EQ_INFO.items():
        r, row = an.result(eq), t.loc[info["short"]]
        d = r.frame
        assert row["Units before CEM (pre and post periods)"] == len(d)
        assert row["Unmatched by CEM"] == int((d["cem_w"] == 0).sum())
        assert row["Pilot LAs"] == d.loc[(d["cem_w"] > 0) & (d["pilot_i"] == 1), "la"].nunique()
        pn = row["N (published)"]
        # the difference is the main model's N against the published N, in per cent
        assert row["difference from published (%)"] == pytest.approx(100 * (row["N (main model)"] / pn - 1))


def test_flow_table_suppresses_small_counts(an):
    f = S.flow_table(an)
    cols = ["rows_in", "rows_excluded", "rows_out"]
    shown = f[cols].apply(lambda s: s.map(lambda v: v if isinstance(v, (int, float, np.integer)) else np.nan))
    vals = shown.to_numpy(dtype=float)
    # every count still shown is zero or at least 10 (the others are suppressed)
    assert np.all(np.isnan(vals) | (vals == 0) | (vals >= 10))
    assert set(f["question"]) == {info["short"] for info in EQ_INFO.values()}


def test_matching_table_names_the_matched_comparators(an):
    t = S.matching_table(an)
    groups = an.matching()["groups"]
    for eq, info in EQ_INFO.items():
        for pilot, comps in groups[eq].items():
            row = t[(t["question"] == info["short"]) & (t["pilot"] == pilot)].iloc[0]
            assert row["used"] == "✓" and row["comparators"].split(", ") == comps
        unused = t[(t["question"] == info["short"]) & (t["used"] == "x")]
        assert not set(unused["pilot"]) & set(groups[eq])


def test_balance_is_the_imbalance_on_every_variable(an):
    # S.balance codes the variables other than age once; the measure on every variable
    # (the long way, as the report defines Table A10.2's cells) must be the same
    from sofs_lib.methods.did import matching as MA

    for eq in EQ_INFO:
        d = an.result(eq).frame
        fine = ["age", "gender", "disabled", "ethnicity", "academic_year", "fsm", "group_id", "period"]
        b = S.balance(an, eq)
        assert b["pre"] == MA.l1_imbalance(d, "pilot_i", fine, bins={"age": 1})
        assert b["post"] == MA.l1_imbalance(d, "pilot_i", fine, weights="cem_w", bins={"age": 1})
        assert b["coarse_post"] == MA.l1_imbalance(d, "pilot_i", MA.CEM_VARS + ["group_id", "period"], weights="cem_w")
        assert b["post"]["cells"] < b["pre"]["cells"]  # zero-weight rows drop out after CEM


def test_summary_statistics_on_a_narrow_frame_are_the_same(an):
    # weighted_summary reads only some columns: a frame holding only those gives the same table
    r = an.result("eq3b")
    from sofs_lib.chapters.did import data as D

    full = S.weighted_summary(r.frame, "eq3b", r.choice.model, r.fits["main"].n)
    y = D.OUTCOMES["eq3b"][0]
    cols = ["cem_w", "post", "pilot_i", "repeated", y, "age", "gender", "academic_year", "fsm", "ethnicity", "disabled"]
    narrow = S.weighted_summary(r.frame[cols], "eq3b", r.choice.model, r.fits["main"].n)
    assert full.equals(narrow)
