"""Contrast study: the synthetic extract, its reader and the method on it. Targets are the
report's printed numbers (read here through sofs_lib.published)."""

from __future__ import annotations

import pandas as pd
import pytest

from sofs_lib import published
from sofs_lib.chapters.contrast_study import analysis, params, pipeline
from sofs_lib.core.params import ParameterError
from sofs_lib.methods.reliability import cronbach_alpha
from sofs_lib.sources import contrast as cs
from sofs_lib.synthetic import contrast_families as synth

TT = {
    "chart_changes": synth.TwoByTwo(13, 18, 22, 22),
    "chart_goals": synth.TwoByTwo(18, 25, 19, 19),
}


@pytest.fixture(scope="module")
def raw():
    return synth.generate(20180601, TT, 52, reliability=cronbach_alpha)


@pytest.fixture(scope="module")
def ex(raw):
    return cs.validate(raw)


@pytest.fixture(scope="module")
def sc(ex):
    return analysis.score(ex)


def _r(x, d):
    return float(f"{x:.{d}f}")


def test_schema_and_design(ex):
    fam = ex["families.csv"]
    assert len(fam) == 60 and fam["family_id"].is_unique
    assert fam.groupby("site")["arm"].first().to_dict() == {
        "Site 1": "SofS",
        "Site 2": "Contrast",
        "Site 3": "Contrast",
        "Site 4": "SofS",
    }
    assert (fam["arm"] == "SofS").sum() == 32  # 14 + 18
    assert set(fam.loc[fam.site == "Site 4", "wave"]) == {"T2", "T3"}  # the late site
    assert fam.groupby("site")["worker_id"].nunique()["Site 4"] == 11
    assert list(ex["osc.csv"].columns[2:]) == cs.OSC_DIMENSIONS


def test_table5_means_and_ordering(sc):
    t5 = published.wide("5")
    for sub in analysis.SUBSCALES + ["Overall score"]:
        means = sc.groupby("arm")[sub].mean()
        assert _r(means["SofS"], 1) == t5.loc[sub, "Pilot"]
        assert _r(means["Contrast"], 1) == t5.loc[sub, "Contrast"]
        assert means["Contrast"] < means["SofS"]  # 'better on each of the subscales'
    assert sc["Overall score"].notna().sum() == 52


def test_alphas_round_to_printed(ex):
    rel = analysis.reliabilities(ex)
    assert (
        _r(rel.loc["Yatchmenoff", "alpha"], 3)
        == published.quote("contrast_yatchmenoff_alpha").number
    )
    assert (
        _r(rel.loc["WAI worker", "alpha"], 3)
        == published.quote("contrast_wai_alpha_social_worker").number
    )
    assert (
        _r(rel.loc["WAI family", "alpha"], 3) == published.quote("contrast_wai_alpha_family").number
    )
    assert rel.loc["Yatchmenoff", "items"] == 18  # 19 less the removed one


def test_table6_pattern(sc):
    reg = analysis.regressions(sc, analysis.SUBSCALES + ["Overall score"], "competence")
    assert (reg["coef"] < 0).all()
    assert (reg["p"] < 0.05).sum() == 4 and reg.loc["Receptivity", "p"] >= 0.05
    assert (reg["clusters"] == 29).all()  # 6 + 6 + 6 + 11 workers


def test_feedback_counts_and_fisher(ex):
    yn = analysis.yes_no(ex)
    assert yn.loc[
        "hcsff_aware_plan", ["sofs_yes", "sofs_n", "contrast_yes", "contrast_n"]
    ].tolist() == [28, 32, 20, 28]
    assert round(yn.loc["hcsff_plan_views", "sofs_pct"]) == 53
    assert round(yn.loc["hcsff_plan_views", "contrast_pct"]) == 32
    assert _r(yn.loc["chart_changes", "p_fisher"], 3) == 0.013
    assert _r(yn.loc["chart_goals", "p_fisher"], 3) == 0.014
    ch = ex["family_chart.csv"].set_index("family_id")["chart_changes"]
    con = ex["families.csv"].set_index("family_id")["arm"] == "Contrast"
    assert (ch[con].dropna() == 5).sum() == (ch[con].dropna() == 4).sum() == 11  # 50% / 50%


def test_wai_footnotes(ex):
    ag = analysis.wai_agreement(ex)
    assert ag.index[ag.p_linear >= 0.05].tolist() == [5]  # footnote 36
    assert ag.index[ag.p_kappa >= 0.05].tolist() == [10]  # footnote 37


def test_osc_narrative_holds(ex):
    st = analysis.osc_statements(analysis.osc_long(ex["osc.csv"], ex["families.csv"]))
    assert st["holds"].all()
    # counter-example: raise Site 1's T2 engagement above the contrast ... and lower it below
    bad = ex["osc.csv"].copy()
    bad.loc[(bad.site == "Site 1") & (bad.wave == "T2"), "engagement"] = 20
    st = analysis.osc_statements(analysis.osc_long(bad, ex["families.csv"]))
    assert not st.loc["At T2 both contrast sites had lower engagement than the SofS sites", "holds"]


def test_same_seed_same_bytes(raw, tmp_path):
    a = cs.write_extract(raw, tmp_path / "a")
    b = cs.write_extract(
        synth.generate(20180601, TT, 52, reliability=cronbach_alpha), tmp_path / "b"
    )
    for f in cs.SCHEMA:
        assert (a / f).read_bytes() == (b / f).read_bytes()


def test_disclosure_hides_small_cells_and_complements(ex):
    prot = analysis.protected_counts(analysis.yes_no(ex), 10)
    row = prot.loc["hcsff_aware_plan"]
    assert row["SofS no"] == "[c]"  # 4 families
    # every row with a hidden cell has at least two hidden cells (no recovery by subtraction)
    hidden = (prot == "[c]").sum(axis=1)
    assert ((hidden == 0) | (hidden >= 2)).all()


def test_randomisation_on_sites(sc):
    r = analysis.site_randomisation(sc, "Overall score")
    assert (r["assignments"], r["p_min"]) == (6, pytest.approx(1 / 3))
    assert r["p"] >= 1 / 3


# ------------------------------------------------------------------ reader errors
def _write(raw, d):
    return cs.write_extract(raw, d)


def test_reader_errors_name_file_and_column(raw, tmp_path):
    d = _write(raw, tmp_path / "x")
    (d / "hcsff.csv").unlink()
    with pytest.raises(cs.ExtractError, match="hcsff.csv: file missing"):
        cs.read_extract(d)
    d = _write(raw, tmp_path / "y")
    y = pd.read_csv(d / "yatchmenoff.csv", dtype=str, keep_default_na=False)
    y.loc[3, "yat_r2"] = "7"
    y.to_csv(d / "yatchmenoff.csv", index=False)
    with pytest.raises(cs.ExtractError, match=r"yatchmenoff.csv, column yat_r2: 1 value\(s\)"):
        cs.read_extract(d)
    d = _write(raw, tmp_path / "z")
    f = pd.read_csv(d / "families.csv", dtype=str).rename(columns={"wave": "time"})
    f.to_csv(d / "families.csv", index=False)
    with pytest.raises(cs.ExtractError, match=r"families.csv: missing column\(s\) \['wave'\]"):
        cs.read_extract(d)


def test_reader_cross_file_errors(raw):
    t = dict(raw)
    t["checklist.csv"] = raw["checklist.csv"].assign(
        family_id=lambda x: x.family_id.replace("F001", "F999")
    )
    with pytest.raises(cs.ExtractError, match="checklist.csv, column family_id: 1 id"):
        cs.validate(t)
    t = dict(raw)
    t["families.csv"] = raw["families.csv"].assign(arm="SofS")
    with pytest.raises(cs.ExtractError, match="families.csv, column arm"):
        cs.validate(t)


def test_bad_parameters():
    with pytest.raises(ParameterError, match="'alpha'"):
        params.SPEC.resolve({"alpha": 0.5})
    with pytest.raises(ParameterError, match="'data_dir'.*existing folder"):
        params.SPEC.resolve({"data_dir": "no/such/folder"})
    with pytest.raises(ParameterError, match="Unknown parameter 'seeds'"):
        params.SPEC.resolve({"seeds": 1})


def test_pipeline_on_extract_folder_equals_synthetic(raw, tmp_path):
    d = _write(
        synth.generate(
            20180601,
            pipeline.synthetic_tables(pipeline.derived_results(60, 0.05)["reach"]),
            52,
            reliability=cronbach_alpha,
        ),
        tmp_path / "ex",
    )
    p = params.SPEC.resolve({"data_dir": str(d)})
    real = pipeline.run(p)
    syn = pipeline.run(params.SPEC.defaults())
    assert (real.kind, syn.kind) == ("real", "synthetic")
    pd.testing.assert_frame_equal(real.method["reg_yat"], syn.method["reg_yat"])
    pd.testing.assert_frame_equal(real.method["yes_no"], syn.method["yes_no"])


def test_responses_count_dropped(ex):
    r = analysis.responses(ex)
    # 60 - 52 = 8 families without Yatchmenoff answers; Family Chart changes: 18 + 22 answered
    assert r.xs("yatchmenoff.csv")["dropped"].sum() == 8
    assert r.loc[("hcsff.csv", "SofS"), "complete"] == 32
    assert r.xs("family_chart.csv")["families"].sum() == 60
