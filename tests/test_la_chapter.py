"""LA chapter pieces built from results: titles, the report's conclusions counted from its
tables, A9.5 match counts and the answer box parts."""

from __future__ import annotations

import pandas as pd

from sofs_lib.chapters.la_outcomes import chapter as CH
from sofs_lib.chapters.la_outcomes import sentences as S


def test_grid_title_never_the_reports_figures():
    for which in CH.LABELS:
        for kind in ("real", "synthetic"):
            t = CH.grid_title(which, kind)
            assert not t.startswith("Figures A9") and "Re-creation of the method" in t
            assert CH.LABELS[which] in t
            assert t.startswith("Synthetic data") == (kind == "synthetic")


def test_report_sentences_count_the_printed_tables():
    # Table A9.4 prints p < .05 for 9 indicators (CIN rate .01, assessments .00, 61+ days .01,
    # s47 .01, ICPC .00, s47->ICPC .00, CPP .00, CPP <=3 months .02, LAC .01); pilots are lower
    # on all but CPP <=3 months (32.8 vs 29.6). A9.3: assessments .02, ICPC .01, s47->ICPC .04,
    # CPP .01, pilots lower on all four.
    a94, a93 = CH.report_sentences(0.05)
    assert "across all years (Table A9.4) on 9 of 29 indicators, pilots lower on 8" in a94
    assert "in 2018/19 (Table A9.3) on 4 of 29 indicators, pilots lower on 4" in a93
    pub = pd.DataFrame(
        {
            "a93_p": [0.5],
            "a93_pilot": [1.0],
            "a93_snn": [2.0],
            "a94_p": [0.01],
            "a94_pilot": [3.0],
            "a94_snn": [2.0],
        }
    )
    a94, a93 = CH.report_sentences(0.05, pub)
    assert "on 1 of 1 indicators, pilots lower on 0" in a94 and "on 0 of 1" in a93


def test_a95_match_counts():
    a95 = pd.DataFrame(
        {
            "ss": [1.2344, 5.0, 2.0],
            "ss_published": [1.234, 5.001, None],
            "F": [0.0734, 1.0, 2.0],
            "F_published": [0.073, 1.0, 2.0],
            "p": [0.5, 0.5, 0.5],
            "p_published": [None, None, None],
        }
    )
    m = CH.a95_match_counts(a95).set_index("column")
    assert m.loc["ss"].tolist() == [1, 2] and m.loc["F"].tolist() == [3, 3]
    assert m.loc["p"].tolist() == [0, 0]


def _cmp(snn_match: bool, p_comp: float):
    rows = []
    for q, c, pv, m in (
        ("pilot_mean", 10.0, 10.0, True),
        ("snn_mean", 12.0 if snn_match else 13.4, 12.0, snn_match),
        ("F", 5.0, 5.0, True),
        ("p", p_comp, 0.01, p_comp == 0.01),
    ):
        rows.append(
            {
                "table": "A9.4",
                "indicator_id": "x",
                "report_name": "X",
                "quantity": q,
                "computed": c,
                "published": pv,
                "match": m,
            }
        )
    return pd.DataFrame(rows)


def test_answer_parts_follow_the_results():
    good = _cmp(True, 0.01)
    parts = CH.answer_parts(good, S.verdicts(good), "recovered", "real", 0.05)
    assert parts["not_reproduced"] == ["Every printed comparator mean is reproduced."]
    assert any("1 hold on the public data (X)" in s for s in parts["reproduced"])
    bad = _cmp(False, 0.30)
    alt = S.verdicts(bad)
    parts = CH.answer_parts(
        good, S.verdicts(good), "recovered", "real", 0.05, ver_alt=alt, alt_label="April 2021 comparators"
    )
    assert "With the April 2021 comparators instead, only 0 of the report's 1" in parts["new"][0]
    parts = CH.answer_parts(bad, S.verdicts(bad), "sn2021", "real", 0.05)
    assert "X (A9.4: 13.40 against 12.0)" in parts["not_reproduced"][0]
    assert any("1 lose significance" in s for s in parts["reproduced"])


def test_audit_check_on_the_committed_extract():
    from sofs_lib.chapters.la_outcomes.checks import TARGET, check_recovered_comparators

    (c,) = check_recovered_comparators()
    assert c.verdict == "consistent within rounding" and len(c.entries) == 58
    ok = [e for e in c.entries if e.verdict == "consistent within rounding"]
    assert len(ok) >= 2 * TARGET
    # an entry marked consistent really rounds to the printed value
    e = next(e for e in c.entries if e.table_id == "A9.3" and e.row == "cin_rate")
    assert e.verdict == "consistent within rounding" and round(e.reproduced, 1) == e.published == 627.4


def test_audit_check_counter_example():
    from sofs_lib.chapters.la_outcomes.checks import check_recovered_comparators
    from sofs_lib.sources.dfe.extract import load_panel

    panel = load_panel(None, scope="A9")
    panel = panel.assign(value=panel["value"] * 1.1)  # every value 10% off
    (c,) = check_recovered_comparators(panel)
    assert c.verdict == "cannot check"


def test_synthetic_panel_groups_and_real_names(tmp_path):
    import pytest

    from sofs_lib.chapters.la_outcomes import inputs
    from sofs_lib.chapters.la_outcomes import validate as V
    from sofs_lib.core.params import ParameterError

    panel, kind, sp, sc = inputs.chapter_panel("synthetic", tmp_path, (2015, 2019))
    p = {"pilots": None, "comparators": None, "comparator_rule": "recovered"}
    pil, com, which = CH.resolve_groups(p, kind, sp, sc)
    assert kind == "synthetic" and which == "synthetic"
    assert len(V.check_groups(panel, pil, com, [], (2015, 2019))["comparators"]) == 8
    # real LA names on the synthetic panel stop before anything runs, naming the parameter
    pil, com, _ = CH.resolve_groups(dict(p, pilots=["Bexley", "Brent"]), kind, sp, sc)
    with pytest.raises(ParameterError, match="'pilots' names LAs with no value"):
        V.check_groups(panel, pil, com, [], (2015, 2019))
    real = dict(p, comparator_rule="sn2021")
    assert CH.resolve_groups(real, "real")[1] == CH.default_comparators("sn2021")
    assert CH.resolve_groups(p, "real")[2] == "recovered"
