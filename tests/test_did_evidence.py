"""The evidence rating and the model-choice rule on constructed cases; the report's own
results must give its Table 8 verdicts and its model choices (Appendix 10)."""

import numpy as np
import pytest

from sofs_lib import published
from sofs_lib.methods.did import evidence as E
from sofs_lib.methods.did import models as M

T8 = published.wide("8", values="value")


def test_report_inputs_give_table_8_verdicts():
    # EQ3a (Table A10.6): FE DiD 2.99*** (p=0); leads all significant under FE; excluding Pilot 2
    # 0.12 (p=0.91), excluding Pilot 4 -5.05** (p=0.02), cut-off 310 10.82***.
    eq3a = E.EvidenceInput(
        "the duration of assessment",
        "unclear",
        2.99,
        0.0,
        parallel_trends=False,
        checks=[
            E.Check("Excluding Pilot 2", 0.12, 0.91),
            E.Check("Excluding Pilot 4", -5.05, 0.02),
            E.Check("Alternative cut-off", 10.82, 0.001),
        ],
        n_pilots=5,
    )
    # EQ3b (A10.8): -0.0978 (p=0.0013); 4 of 5 leads insignificant; excluding pilots 1 and 2 -0.13***;
    # data-quality concern; BG significant, linear model (under 15% repeated)
    eq3b = E.EvidenceInput(
        "re-referral rates",
        "decrease",
        -0.0978,
        0.0013,
        True,
        [E.Check("Excluding pilots 1 and 2", -0.13, 0.001)],
        ["NFA cases hard to identify"],
        4,
        serial_correlation=True,
    )
    # EQ3c (A10.10): logit -6.28** ; 2 of 2 leads insignificant; 2 pilots; no checks; data quality
    eq3c = E.EvidenceInput(
        "re-referrals that progress to CPP/LAC",
        "decrease",
        -6.28,
        0.03,
        True,
        [],
        ["NFA cases hard to identify"],
        2,
    )
    # EQ3d (A10.11): -0.1263 (p=0.03); 4 of 4 leads insignificant; excluding pilot 2 -0.07 (p=0.29);
    # BG significant, linear model
    eq3d = E.EvidenceInput(
        "kinship care rates",
        "increase",
        -0.1263,
        0.03,
        True,
        [E.Check("Excluding pilot 2", -0.07, 0.29)],
        [],
        6,
        serial_correlation=True,
    )
    rows = [
        "Duration of assessments",
        "Rate of re-referrals",
        "Rate of re-referrals that progress to CPP/LAC",
        "Rate of kinship care",
    ]
    for inp, row in zip([eq3a, eq3b, eq3c, eq3d], rows):
        assert E.rate(inp).text == T8.loc[row, "Analysis results"], row
    assert E.rate(eq3d).strength == "moderate"
    assert E.rate(eq3b).strength == "low"


def test_other_verdicts():
    high = E.EvidenceInput(
        "kinship care rates",
        "increase",
        0.1,
        0.001,
        True,
        [E.Check("x", 0.09, 0.01)],
        [],
        6,
        serial_correlation=True,
        model_accounts_for_serial_correlation=True,
    )
    v = E.rate(high)
    assert v.strength == "high" and v.text == "High strength evidence of increased kinship care rates"
    none = E.rate(E.EvidenceInput("re-referral rates", "decrease", -0.01, 0.4, True))
    assert none.strength == "none" and "No evidence" in none.text
    flip = E.rate(E.EvidenceInput("re-referral rates", "decrease", -0.1, 0.01, True, [E.Check("x", 0.02, 0.5)], [], 6))
    assert flip.strength == "no clear evidence"
    na = E.rate(E.EvidenceInput("re-referral rates", "decrease", np.nan, np.nan, True))
    assert na.strength == "none" and "not estimable" in na.reasons[0]
    # a low-strength effect against the expected direction is a negative impact
    neg = E.rate(
        E.EvidenceInput("re-referral rates", "decrease", 0.1, 0.01, True, [E.Check("x", 0.1, 0.01)], ["coding"], 6)
    )
    assert neg.text == "No moderate or high strength evidence of a negative impact"


@pytest.mark.parametrize(
    "case, expected",
    [
        # Table A10.5: EQ3a BG 5.29* and Hausman 55.67***, >15% repeated -> fixed effects
        (dict(prevalence=None, bg_p=0.02, hausman_p=1e-6, share_repeated=0.54, binary=False), "fe"),
        # EQ3b / EQ3d: BG and Hausman significant but < 15% repeated -> linear
        (dict(prevalence=0.21, bg_p=0.001, hausman_p=1e-4, share_repeated=0.12, binary=True), "linear"),
        # EQ3c: prevalence 1% -> logit
        (dict(prevalence=0.01, bg_p=0.3, hausman_p=1e-4, share_repeated=0.12, binary=True), "logit"),
        # no serial correlation -> linear even with many repeated children
        (dict(prevalence=None, bg_p=0.4, hausman_p=1e-6, share_repeated=0.54, binary=False), "linear"),
        # fixed effects chosen but not identified (no child changes status) -> linear
        (
            dict(
                prevalence=None,
                bg_p=0.02,
                hausman_p=1e-6,
                share_repeated=0.54,
                binary=False,
                fe_identified=False,
            ),
            "linear",
        ),
    ],
)
def test_model_choice_rule(case, expected):
    assert M.choose_model(**case).model == expected
