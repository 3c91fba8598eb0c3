"""LA chapter sentences, parameter checks and data-vintage sensitivities, with counter-examples."""

from __future__ import annotations

import pandas as pd
import pytest

from sofs_lib.chapters.la_outcomes import sentences as S
from sofs_lib.chapters.la_outcomes import validate as V
from sofs_lib.chapters.la_outcomes import vintage as W
from sofs_lib.core.params import ParameterError


def comparison(rows):
    """rows: (table, iid, quantity, computed, published, match)."""
    return pd.DataFrame(
        [
            {
                "table": t,
                "indicator_id": i,
                "report_name": f"Indicator {i}",
                "quantity": q,
                "computed": c,
                "published": p,
                "match": m,
            }
            for t, i, q, c, p, m in rows
        ]
    )


def block(t, i, p_comp, p_pub, pil=(10.0, 10.0, True), snn=(12.0, 12.0, True), F=(5.0, 5.0)):
    return [
        (t, i, "pilot_mean", *pil),
        (t, i, "snn_mean", *snn),
        (t, i, "F", F[0], F[1], F[0] == F[1]),
        (t, i, "p", p_comp, p_pub, p_comp == p_pub),
    ]


def test_verdicts_hold_lost_new():
    c = comparison(
        block("A9.3", "x", 0.01, 0.01)
        + block("A9.3", "y", 0.20, 0.02, snn=(15.3, 12.0, False))
        + block("A9.3", "z", 0.03, 0.40, F=(6.1, 0.7))
        + block("A9.3", "w", 0.50, 0.60)
    )
    v = S.verdicts(c).set_index("indicator_id")
    assert v["status"].to_dict() == {"x": "holds", "y": "lost", "z": "new", "w": "both n.s."}
    assert "comparator mean 15.3 against 12.0 printed" in v.at["y", "reason"]
    assert "both means match" in v.at["z", "reason"] and v.at["x", "reason"] == ""
    s = S.verdict_sentences(S.verdicts(c))[0]
    assert "of the report's 2 differences significant at 0.05, 1 hold" in s
    assert "1 lose significance: Indicator y (p 0.200" in s and "1 become significant" in s


def test_verdicts_all_hold_says_so_and_nothing_else():
    s = S.verdict_sentences(S.verdicts(comparison(block("A9.4", "x", 0.001, 0.00))))[0]
    assert s == (
        "Table A9.4 (all years): of the report's 1 differences significant at 0.05, "
        "1 hold on the public data (Indicator x)."
    )


def test_match_sentence_counts():
    c = comparison(block("A9.3", "x", 0.01, 0.01) + block("A9.3", "y", 0.2, 0.3, snn=(1.0, 2.0, False)))
    s = S.match_sentence(c, "recovered comparators")
    assert "Table A9.3: pilot means 2, comparator means 1, F 2 and p 1 of 2" in s


def _means(rows):
    return pd.DataFrame(rows, columns=["report_name", "pilot_mean", "snn_mean", "p"])


def test_after_sentence_reversed_closed_widened_similar():
    ev = _means([("A", 10, 20, 0.01), ("B", 10, 20, 0.01), ("C", 10, 12, 0.3), ("D", 10, 20, 0.2)])
    la = _means([("A", 25, 20, 0.04), ("B", 19, 20, 0.6), ("C", 10, 16, 0.01), ("D", 11, 20, 0.3)])
    s = S.after_sentence(ev, la, 0.05, "2018/19-2021/22", pd.Series({"A": 0.01, "B": 0.5}))
    assert "on 2 of 4 indicators over the evaluation years and 2 of 4 over 2018/19-2021/22" in s
    assert "the gap reversed for A" in s and "the gap closed for B" in s
    assert "the gap widened for C" in s and "1 gaps stayed within half" in s
    assert "interaction over 2018/19-2021/22 is significant for A" in s
    # counter-example: nothing changed -> no reversal/closing words, no interaction claimed
    s2 = S.after_sentence(ev, ev, 0.05, "later", pd.Series({"A": 0.5}))
    assert "reversed" not in s2 and "closed" not in s2 and "4 gaps stayed" in s2
    assert "no indicator shows a significant" in s2


def test_coverage_and_missing():
    cat = pd.DataFrame({"indicator_id": ["a", "b"], "first_year": [2015, 2017], "last_year": [2019, 2019]})
    panel = pd.DataFrame(
        [
            {"indicator_id": i, "la_code": c, "la_name": n, "group": g, "year": y, "value": 1.0}
            for i in "ab"
            for c, n, g in (("001", "One", "Pilot"), ("002", "Two", "SNN"))
            for y in (2016, 2017)
        ]
    )
    panel.loc[(panel.la_code == "002") & (panel.indicator_id == "b") & (panel.year == 2017), "value"] = None
    m = S.missing_la_years(panel[~((panel.indicator_id == "b") & (panel.year == 2016))], cat)
    assert m[["indicator_id", "la_name", "year"]].values.tolist() == [["b", "Two", 2017]]
    assert S.coverage_sentence(m).startswith("1 LA-year lacks a value") and "Two (1)" in S.coverage_sentence(m)
    assert S.coverage_sentence(m.iloc[:0]).startswith("Every pilot")


@pytest.fixture
def panel():
    return pd.DataFrame(
        [
            {"la_code": c, "la_name": n, "year": y, "indicator_id": "a", "value": 1.0}
            for c, n in (("303", "Bexley"), ("304", "Brent"), ("887", "Medway"), ("313", "Hounslow"))
            for y in (2018, 2019)
        ]
    )


def test_check_groups_ok(panel):
    g = V.check_groups(panel, ["Bexley", "Brent"], ["Medway", "313"], ["Brent"], (2018, 2019))
    assert g == {"pilots": ["303", "304"], "comparators": ["887", "313"], "exclude": ["304"]}


@pytest.mark.parametrize(
    "kw, param, words",
    [
        ({"pilots": []}, "pilots", "is empty"),
        ({"pilots": ["Cornwall"]}, "pilots", "no value in the data"),
        ({"pilots": ["099x"]}, "pilots", "unknown LA"),
        ({"comparators": ["Medway", "Bexley"]}, "comparators", "repeats pilots"),
        ({"exclude": ["Cornwall"]}, "exclude_las", "neither group"),
        ({"exclude": ["Bexley", "Brent"]}, "exclude_las", "no LA among the pilots"),
        ({"exclude": ["Bexley", "Medway"]}, "exclude_las", "fewer than three"),
        ({"years": (2019, 2019)}, "years", "spans one year"),
    ],
)
def test_check_groups_errors(panel, kw, param, words):
    args = {
        "pilots": ["Bexley", "Brent"],
        "comparators": ["Medway", "Hounslow"],
        "exclude": [],
        "years": (2018, 2019),
    } | kw
    with pytest.raises(ParameterError, match=words) as e:
        V.check_groups(panel, **args)
    assert f"'{param}'" in str(e.value)


def test_fill_from_successor():
    p = pd.DataFrame(
        [
            {"indicator_id": "w", "year": 2018, "la_code": "835", "la_name": "Dorset", "value": 5.0},
            {"indicator_id": "w", "year": 2019, "la_code": "835", "la_name": "Dorset", "value": None},
            {"indicator_id": "w", "year": 2019, "la_code": "838", "la_name": "Dorset", "value": 7.0},
            {"indicator_id": "w", "year": 2018, "la_code": "838", "la_name": "Dorset", "value": 9.0},
        ]
    )
    out, filled = W.fill_from_successor(p)
    assert filled[["year", "la_code", "from_code", "value"]].values.tolist() == [[2019, "835", "838", 7.0]]
    old = out[out.la_code == "835"].set_index("year")["value"]
    assert old.to_dict() == {2018: 5.0, 2019: 7.0}  # 2018 kept, not overwritten
    assert len(out) == 4
    _, none = W.fill_from_successor(p, indicators=["other"])
    assert none.empty


def test_interaction_and_fragile_sentences():
    inter = pd.DataFrame({"report_name": ["A", "B"], "p": [0.01, 0.6]})
    assert S.interaction_sentence(inter, 0.05).startswith(
        "Year x pilot status interaction significant at 0.05 for 1 of 2 indicators (A)"
    )
    none = S.interaction_sentence(inter.assign(p=[0.5, 0.6]), 0.05)
    assert "for 0 of 2" in none and "did not change detectably" in none
    loo = pd.DataFrame(
        {
            "report_name": ["A", "B", "C"],
            "significant_all": [True, True, False],
            "robust": [True, False, True],
        }
    )
    assert S.fragile_sentence(loo) == (
        "Of 2 indicators with a significant all-years difference, 1 lose significance when one pilot is left out: B."
    )
    assert S.fragile_sentence(loo.assign(robust=True)).endswith("left out.")


def test_vintage_sentence():
    before = pd.DataFrame({"table": ["A9.3", "A9.4"], "column": "snn_mean", "matched": [22, 22]})
    filled = pd.DataFrame({"indicator_id": ["sw_vacancy", "sw_agency"]})
    s = S.vintage_sentence(before, before.assign(matched=[25, 22]), filled)
    assert "for the 2 LA-years it lacks (sw_agency, sw_vacancy)" in s
    assert "Table A9.3 from 22 to 25; Table A9.4 from 22 to 22." in s
    assert S.vintage_sentence(before, before, filled).endswith("changes no match count.")


def test_check_span_names_the_parameter():
    V.check_span("later_years", (2019, 2022))
    with pytest.raises(ParameterError, match="'later_years' spans one year"):
        V.check_span("later_years", (2020, 2020))


def test_verdicts_on_synthetic_data_are_not_called_evidence():
    v = S.verdicts(comparison(block("A9.4", "x", 0.001, 0.00)))
    s = S.verdict_sentences(v, 0.05, "synthetic")[0]
    assert "public data" not in s and "synthetic panel" in s and "no evidence" in s
