"""The DiD chapter's generated sentences, built-in-effect bookkeeping, table builders and audit
check, on hand-made inputs with expected values worked by hand."""

import numpy as np
import pandas as pd
import pytest

from sofs_lib.chapters.did import answer as A
from sofs_lib.chapters.did import checks as C
from sofs_lib.chapters.did import common as CM
from sofs_lib.chapters.did import figures as F
from sofs_lib.chapters.did import recovery as RC
from sofs_lib.chapters.did import regression_tables as RT
from sofs_lib.chapters.did import samples as S
from sofs_lib.methods.did import evidence as E
from sofs_lib.methods.did.models import Fit


def test_size_sentence_within_and_outside():
    assert A.size_sentence("EQ3a", 252_785, 252_169) == (
        "EQ3a: the main model has 252,785 rows, within 5% of the published 252,169 (+0.2%)."
    )
    # counter-example: 56,117 against 252,169 is 77.7% short
    assert A.size_sentence("EQ3a", 56_117, 252_169) == (
        "EQ3a: the main model has 56,117 rows, outside 5% of the published 252,169 (-77.7%)."
    )
    assert "no published N" in A.size_sentence("EQ3x", 10, float("nan"))


def test_fe_sample_sentence():
    # 65,573 against 135,323: 51.5% short
    assert A.fe_sample_sentence(65_573, 135_323).endswith(
        "outside 5% of the fixed-effects sample of 135,323 in Table A10.3 (-51.5%)."
    )
    assert " within 5%" in A.fe_sample_sentence(136_000, 135_323)
    assert A.published_fe_sample() == 135_323


def test_verdict_and_null_sentences():
    assert A.verdict_sentence("EQ3b", "No clear evidence", "no clear evidence", "synthetic").endswith(
        "the report's verdict."
    )
    s = A.verdict_sentence("EQ3b", "No clear evidence", "Moderate strength evidence", "synthetic")
    assert s.endswith("not the report's 'Moderate strength evidence'.")
    assert "does not depend on the effect" in A.null_sentence("EQ3a", "No clear evidence", "No clear evidence")
    assert "does not depend" not in A.null_sentence("EQ3d", "No evidence", "Moderate strength evidence")


def test_bias_and_wild_sentences():
    s = A.bias_sentence("EQ3a", 7.08, 5.94, 8.22, 2.99, "working days", 5, 5)
    assert "a bias of +4.09 working days" in s and "misses" in s and "5 of 5 placebo leads" in s
    s = A.bias_sentence("EQ3a", 3.5, 1.0, 6.0, 2.99, "working days", 0, 5)
    assert "covers" in s and "+0.51" in s
    s = A.wild_sentence("EQ3c", 0.001, 0.18, 4, 2, 999)
    assert "(Webb weights, 999 draws) 0.18:" in s and "significant at 5% by CRV1 but not by the wild bootstrap" in s
    assert "both significant" in A.wild_sentence("EQ3b", 0.001, 0.01, 8, 4, 999)
    assert "neither" in A.wild_sentence("EQ3b", 0.2, 0.3, 8, 4, 999)
    assert "by the wild bootstrap but not by CRV1" in A.wild_sentence("EQ3b", 0.06, 0.01, 8, 4, 999)
    # no draw as extreme: p is below one draw's share (1/999), not 0, and still significant
    s = A.wild_sentence("EQ3b", 2.87e-7, 0.0, 8, 4, 999)
    assert "(Webb weights, 999 draws) below 0.001, no draw being as extreme: both significant at 5%." in s
    assert " 0:" not in s


def test_p_text_always_names_clusters():
    assert E.p_text(0.0123, 4, 2, 0.25) == "p=0.0123, G=4 LAs (2 treated); wild cluster bootstrap p=0.25"
    assert E.p_text(0.5, 13, 6) == "p=0.5, G=13 LAs (6 treated)"
    v = E.rate(E.EvidenceInput("x", "decrease", -0.1, 0.2, True, g=8, g_treated=4, wild_p=0.3))
    assert "G=8 LAs (4 treated)" in v.reasons[0] and "wild cluster bootstrap p=0.3" in v.reasons[0]
    v = E.rate(E.EvidenceInput("x", "decrease", -0.1, 1e-6, True, g=8, g_treated=4, wild_p=0.0, wild_draws=999))
    assert v.reasons[0].endswith("G=8 LAs (4 treated); wild cluster bootstrap p<0.001)")


def _fit(est=-0.1, se=0.02, p=0.001, g=4, gt=2, **extra):
    t = pd.DataFrame(
        {"estimate": [est], "se": [se], "p": [p], "lo": [est - 2 * se], "hi": [est + 2 * se]}, index=["did"]
    )
    return Fit("main", "linear", "y", t, 1234, 0.05, g, g, gt, extra=dict(extra))


def test_table_footer_cells():
    f = _fit(wild_p=0.178)
    assert RT.fit_footer(f)[:4] == ["1,234", "G = 4 (2 treated)", "0.050", "0.001 (G = 4 (2 treated)) | 0.178"]
    assert RT.did_p_text(_fit(g=13, gt=6)) == "0.001 (G = 13 (6 treated))"
    assert RT.did_p_text(_fit(g=8, gt=4)).endswith("| not run")
    f = _fit(wild_p=0.178)
    f.model, f.note = "logit", "cluster-robust covariance singular with 4 LAs: model-based standard errors"
    assert RT.did_p_text(f) == "0.001 (model-based, G = 4 (2 treated)) | 0.178 (linear probability model)"
    assert RT.did_p_text(_fit(g=8, gt=4, wild_p=0.0, wild_draws=999)) == "0.001 (G = 8 (4 treated)) | < 0.001"
    assert RT.fit_p_text(_fit(g=8, gt=4, wild_p=0.0, wild_draws=999)) == (
        "p=0.001, G=8 LAs (4 treated); wild cluster bootstrap p<0.001"
    )
    assert RT.fit_p_text(_fit(g=13, gt=6)) == "p=0.001, G=13 LAs (6 treated)"
    # AME in percentage points: 0.0123 (SE 0.004, p 0.002) -> "1.23*** (0.4)"
    assert RT.ame_text(_fit(ame={"did": (0.0123, 0.004, 0.002)})) == "1.23*** (0.4)"
    assert RT.fit_footer(None) == ["–"] * 6


def test_cell_format_and_kinds():
    assert RT._cell(2.99, 0.5, 0.001) == "2.99*** (0.5)"
    assert RT._cell(-0.04, 0.02, 0.04) == "-0.04** (0.02)"
    assert RT._cell(np.nan, 1, 1) == "–"
    df = pd.DataFrame(columns=["EQ3a", "EQ3a (published)"])
    assert CM.kinds_for(df, "real") == {"EQ3a": "real", "EQ3a (published)": "published"}
    assert CM.fmt_number(1)(1234.56) == "1,234.6" and CM.fmt_number(1)(12) == "12"


def test_built_in_effects():
    eff = {"eq3d_kinship": -0.1263}
    assert RC.built_in(eff, {}, "eq3d_kinship", ["Pilot 2", "Pilot 3"]) == pytest.approx(-0.1263)
    # Pilot 2 carries 3.229 x the effect, the others 0.554: without Pilot 2 the mean is 0.554
    m = {"eq3d_kinship": {"Pilot 2": 3.229, "Pilot 3": 0.554, "Pilot 5": 0.554}}
    assert RC.built_in(eff, m, "eq3d_kinship", ["Pilot 3", "Pilot 5"]) == pytest.approx(-0.1263 * 0.554)
    assert RC.built_in(eff, m, "eq3d_kinship", ["Pilot 2", "Pilot 3", "Pilot 5"]) == pytest.approx(
        -0.1263 * (3.229 + 0.554 + 0.554) / 3
    )
    assert np.isnan(RC.built_in(eff, {}, "eq3b_rereferral", ["Pilot 1"]))
    assert RC.covers(-1, 1, 0) and not RC.covers(-1, 1, 2) and not RC.covers(np.nan, 1, 0)


def test_audit_check_on_the_reports_eq3c_logit():
    x = C.eq3c_logit_numbers()
    # by hand: 1 / (1 + e^18.23) = 1.21e-8; N 22,529 - 1,777 - 854 = 19,898 post rows;
    # 19,898 x 1% x e^-6.28 (0.00187) = 0.37 events
    assert x["p_reference"] == pytest.approx(1.21e-8, rel=0.01)
    assert x["post_rows"] == 19_898
    assert x["expected_events_post"] == pytest.approx(0.373, abs=0.001)
    c = C.check_eq3c_logit()[0]
    assert c.verdict == "inconsistent" and "separation" in c.reasoning


def _frame():
    # 12 pilot and 12 comparator pre-treatment units (weights 1 and 2), plus post units
    rows = []
    for i in range(24):
        pil = int(i < 12)
        rows.append(
            dict(
                pilot_i=pil,
                post=0,
                repeated=int(i % 2 == 0),
                cem_w=1.0 if pil else 2.0,
                duration_wd=10.0 + i,
                age=5.0 + (i % 3),
                gender="male" if i % 4 else "female",
                academic_year="primary",
                fsm="no",
                ethnicity="White",
                disabled=int(i % 6 == 0),
                la="A" if pil else "B",
                year=2013,
            )
        )
    for i in range(20):
        rows.append(
            dict(
                pilot_i=int(i < 10),
                post=1,
                repeated=0,
                cem_w=1.0,
                duration_wd=40.0,
                age=6.0,
                gender="male",
                academic_year="primary",
                fsm="no",
                ethnicity="White",
                disabled=0,
                la="A" if i < 10 else "B",
                year=2018,
            )
        )
    return pd.DataFrame(rows)


def test_weighted_summary_by_hand():
    d = _frame()
    t = S.weighted_summary(d, "eq3a", "linear", 999)
    # pilots: durations 10..21 -> mean 15.5; comparators 22..33 (equal weights 2) -> 27.5
    assert t.loc["Outcome", "Pilot sites"] == pytest.approx(15.5)
    assert t.loc["Outcome", "Comparator LAs"] == pytest.approx(27.5)
    # ages 5,6,7 repeating: pilots i=0..11 -> mean 6; comparators i=12..23 -> mean 6
    assert t.loc["Age", "Pilot sites"] == pytest.approx(6.0)
    # gender female when i % 4 == 0: pilots i=0,4,8 -> 3 of 12 = 25%, under 10 children -> suppressed
    assert t.loc["Gender – female", "Pilot sites"] == "[c]"
    assert t.loc["Number of observations in this pre-treatment group", "Pilot sites"] == 12
    assert t.loc["Number of observations of treatment and comparator LAs over all periods", "Pilot sites"] == 999
    # fixed effects: only repeated children (6 pilots, under 10) -> the pilot group is suppressed
    fe = S.weighted_summary(d, "eq3a", "fe", 999)
    assert fe.loc["Outcome", "Pilot sites"] == "[c]"


class _Stub:
    """The parts of an Analysis the figure data use: result(eq).frame / .fits / .choice."""

    synthetic = True

    def __init__(self, frame, did):
        t = pd.DataFrame({"estimate": [did], "se": [1.0], "p": [0.01], "lo": [did - 2], "hi": [did + 2]}, index=["did"])
        fit = Fit("main", "linear", "duration_wd", t, len(frame), 0.1, 2, 2, 1)
        self._r = type(
            "R",
            (),
            {
                "frame": frame.assign(did=frame["pilot_i"] * frame["post"]),
                "fits": {"main": fit},
                "choice": type("C", (), {"model": "linear"})(),
            },
        )()

    def result(self, eq):
        return self._r


def test_counterfactual_and_trend_data_by_hand():
    an = _Stub(_frame(), did=3.0)
    cf = F.counterfactual(an, "eq3a")
    # pilots' post mean 40, DiD 3 -> counterfactual 37 (the report's "post mean minus the DiD")
    assert cf["post_mean"] == 40.0 and cf["counterfactual"] == 37.0
    td = F.trend_data(an, "eq3a").set_index(["group", "year"])
    assert td.loc[("pilot", 2013), "mean"] == pytest.approx(15.5)
    assert td.loc[("comparator", 2018), "mean"] == pytest.approx(40.0)
    # groups of fewer than 10 units are not shown: with a threshold of 11, the 10 post pilots go
    assert np.isnan(F.trend_data(an, "eq3a", threshold=11).set_index(["group", "year"]).loc[("pilot", 2018), "mean"])


def test_event_study_units_and_labels():
    # the y axis of each panel names the coefficient's unit
    assert F.effect_unit("eq3a", "fe") == "working days"
    assert F.effect_unit("eq3b", "linear") == "proportion"
    assert F.effect_unit("eq3c", "logit") == "log-odds"
    assert F.effect_unit("eq3d", "linear") == "proportion"
    # leads are "L<k>" (short enough not to run into each other), lags t, t+1, ... in time order
    terms = ["lead_2", "lead_1", "lag_0", "lag_1"]
    t = pd.DataFrame({"estimate": [1.0, 2, 3, 4], "lo": 0.0, "hi": 5.0, "p": 0.5}, index=terms)
    fit = type("Fit", (), {"table": t, "model": "linear"})()
    an = type("An", (), {"result": lambda self, eq: type("R", (), {"fits": {"event": fit}})()})()
    e = F.event_data(an, "eq3b")
    assert list(e["label"]) == ["L2", "L1", "t", "t+1"]
    assert list(e["x"]) == [-2, -1, 1, 2]
