"""The answer boxes of chapter 01 and appendices A1/A2, and the findings page: sentences
generated from numbers, checked on hand-made frames (including counter-examples)."""

import json

import pandas as pd
import pytest

from sofs_lib.chapters.consistency_audit import answer as audit_answer
from sofs_lib.chapters.findings import gather
from sofs_lib.chapters.implementation import answer as impl
from sofs_lib.chapters.reproduction_ledger import summary
from sofs_lib.display.provenance import answer_html
from sofs_lib.display.sentences import join_names, plural, share


def test_sentence_helpers():
    assert plural(1, "check") == "1 check" and plural(2, "check") == "2 checks"
    assert join_names([]) == "" and join_names(["a"]) == "a"
    assert join_names(["a", "b", "c"]) == "a, b and c"
    assert join_names(["a", "b", "c", "d"], limit=2) == "a, b and 2 more"
    assert share(1, 8) == "1 of 8 (13%)"  # 12.5 rounds half up, as printed tables do
    assert share(0, 0) == "0 of 0"


def _t2(values):
    df = pd.DataFrame(values, index=["e1", "e2"])
    df.loc["Number"] = [10, 500, 10]  # respondent rows never count as use
    return df


def test_survey_extremes_follow_the_numbers():
    s = impl.survey_extremes(_t2({"Pilot 1": [80, 90], "Pilot 2": [50, 60], "Pilot 3": [70, 70]}))
    assert "in Pilot 1 report the highest" in s and "(85%)" in s
    assert "in Pilot 2 the lowest (55%)" in s
    # counter-example: the order reversed, the sentence reverses
    s = impl.survey_extremes(_t2({"Pilot 1": [50, 60], "Pilot 2": [80, 90], "Pilot 3": [70, 70]}))
    assert "in Pilot 2 report the highest" in s and "in Pilot 1 the lowest" in s


def _tests(verdicts, holm):
    return pd.DataFrame({"verdict": verdicts, "verdict_holm": holm}, index=[f"el{i}" for i in range(len(verdicts))])


def test_element_differences():
    t = _tests(
        ["differs between pilots", "no significant difference", "differs between pilots"],
        ["differs", "no significant difference", "no significant difference"],
    )
    s = impl.element_differences(t)
    assert "2 of 3 (67%) elements" in s and "(el0 and el2)" in s and "1 remains after Holm" in s
    none = impl.element_differences(_tests(["no significant difference"] * 2, ["x"] * 2))
    assert "none of the 2 elements differs" in none and "remain" not in none


def test_disagreements_and_agreement():
    claims = pd.DataFrame(
        {
            "claim": ["A", "B"],
            "published": ["6.0", "x"],
            "reproduced": ["3.1", "x"],
            "status": ["differs", "exact"],
        }
    )
    oc = pd.DataFrame(
        {"statement": ["S"], "published": [5.0], "reproduced": [4.0], "basis": ["lists 4"], "agrees": [False]}
    )
    out = impl.disagreements(claims, oc)
    assert out == [
        "'A': the report says 6.0; Table A8.1 gives 3.1.",
        "S: the report gives 5; the table supports 4 (lists 4).",
    ]
    assert impl.agreement(claims, claims["status"] != "differs", "statements").startswith(
        "1 of 2 (50%) statements agrees"
    )
    assert impl.disagreements(claims.assign(status="exact"), oc.assign(agrees=True)) == []


def _ledger(rows):
    return pd.DataFrame(rows, columns=["chapter", "table_id", "kind", "status"])


def test_ledger_headline_split_by_kind_real_first():
    led = _ledger(
        [
            ("a", "A9.3", "real", "exact"),
            ("a", "A9.3", "real", "differs"),
            ("a", "A9.4", "real", "within rounding"),
            ("b", "A10.3", "synthetic", "exact"),
            ("b", "A10.3", "synthetic", "exact"),
            ("c", "2", "derived", "not reproducible"),
        ]
    )
    t = summary.by_kind(led)
    assert list(t.index) == ["real", "derived", "synthetic", "all kinds"]
    assert t.loc["real", "total"] == 3 and t.loc["synthetic", "exact"] == 2
    assert t.loc["all kinds", "total"] == 6
    assert t.loc["real", "exact (%)"] == pytest.approx(100 / 3)
    h = summary.headline(led)
    assert h[0].startswith(
        "1 of 3 (33%) comparisons against public DfE/Ofsted data are exact and 1 more within rounding; 1 differ"
    )
    assert "true by construction" in h[2] and h[2].startswith("2 of 2 (100%)")
    parts = summary.answer_parts(led)
    assert parts["reproduced"][0] == h[0]  # real data lead the answer too
    assert "1 real" in parts["not_reproduced"][0] and "synthetic" not in parts["not_reproduced"][0]
    assert "are A9.3 (1)" in parts["new"][0]
    syn_only = led.assign(kind="synthetic")
    assert summary.differing_tables(syn_only) == []  # a synthetic difference is no finding
    # counter-example: no real comparisons -> said so in the headline, left out of the answer
    led2 = led[led["kind"] != "real"]
    assert summary.headline(led2)[0] == "No comparison against public DfE/Ofsted data."
    assert not any("DfE/Ofsted" in s for s in summary.answer_parts(led2)["reproduced"])


def test_audit_answer():
    frame = pd.DataFrame(
        {
            "topic": ["T1", "T1", "T2", "T2"],
            "title": ["a", "b", "c", "d"],
            "verdict": ["consistent", "consistent within rounding", "inconsistent", "cannot check"],
        }
    )
    p = audit_answer.answer_parts(frame)
    assert p["reproduced"] == ["2 of 4 (50%) checks agree: 1 exactly and 1 within the rounding of the printed numbers."]
    assert p["new"][0].startswith("1 of 4 (25%) checks find") and p["new"][1] == "c (T2)."
    assert "1 check cannot be decided" in p["not_reproduced"][0] and "(T2)" in p["not_reproduced"][0]
    ok = audit_answer.answer_parts(frame.assign(verdict="consistent"))
    assert ok["new"] == ["None of the 4 checks finds an inconsistency."]
    answer_html(**ok)  # every part non-empty: a valid answer box


def test_findings_gather(tmp_path):
    (tmp_path / "01_x").mkdir()
    (tmp_path / "01_x" / "answer.json").write_text(
        json.dumps({"kind": "real", "report": ["r"], "reproduced": ["a", "b"], "not_reproduced": ["n"], "new": ["w"]})
    )
    (tmp_path / "01_x.ipynb").write_text(
        json.dumps({"cells": [{"cell_type": "markdown", "source": ["# Chapter X\n", "text"]}]})
    )
    entries = gather.collect(tmp_path, ["00_findings", "01_x", "02_y"])
    assert [e["name"] for e in entries] == ["01_x", "02_y"]
    assert entries[0]["title"] == "Chapter X" and entries[1]["answer"] is None
    ov = gather.overview(entries)
    assert ov.loc["Chapter X", "data"] == "real" and ov.loc["Chapter X", "reproduced"] == 2
    assert ov.loc["02_y", "data"] == "no answer yet"
    s = gather.summary_sentences(entries)
    assert s[0] == "1 chapter of 2 has written an answer."
    assert "Computed from real data: Chapter X." in s and "Not yet answered" in s[-1]
    html = gather.page_html(entries)
    assert 'href="01_x.html"' in html and html.count('class="admonition sofs-answer"') == 1
    (tmp_path / "01_x" / "answer.json").write_text('{"kind": "nonsense"}')
    with pytest.raises(gather.FindingsError, match="unknown kind"):
        gather.collect(tmp_path, ["01_x"])
