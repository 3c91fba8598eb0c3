"""The four evaluation questions of Appendix 10 as the chapter names them: labels, published
tables and rows, expected directions, sensitivity exclusions, model names and the secondary
specifications (re-exported by :mod:`sofs_lib.chapters.did.analysis`)."""

from __future__ import annotations

EQ_INFO = {
    "eq3a": dict(
        label="Duration of assessments",
        short="EQ3a",
        row8="Duration of assessments",
        outcome_text="the duration of assessment",
        expected="unclear",
        binary=False,
        unit="working days",
        fig="1",
        primary="A10.6",
        secondary="A10.7",
        a2_row="1",
        leads=5,
        exclusions=[("Excluding Pilot 2", ["Pilot 2"]), ("Excluding Pilot 4", ["Pilot 4"])],
        main_col="Fixed effects model",
        pilot_row="Pilot site",
    ),
    "eq3b": dict(
        label="Re-referral within 6 months",
        short="EQ3b",
        row8="Rate of re-referrals",
        outcome_text="re-referral rates",
        expected="decrease",
        binary=True,
        unit="probability",
        fig="2",
        primary="A10.8",
        secondary="A10.9",
        a2_row="2",
        leads=5,
        exclusions=[("Excluding pilots 1 and 2", ["Pilot 1", "Pilot 2"])],
        main_col="Linear model",
        pilot_row="Pilot LA",
    ),
    "eq3c": dict(
        label="Re-referral leading to a CPP or LAC",
        short="EQ3c",
        row8="Rate of re-referrals that progress to CPP/LAC",
        outcome_text="re-referrals that progress to CPP/LAC",
        expected="decrease",
        binary=True,
        unit="probability",
        fig="3",
        primary="A10.10",
        secondary=None,
        a2_row="3",
        leads=2,
        exclusions=[],
        main_col="Logit model",
        pilot_row="Pilot LA",
    ),
    "eq3d": dict(
        label="Kinship care in the first 12 months",
        short="EQ3d",
        row8="Rate of kinship care",
        outcome_text="kinship care rates",
        expected="increase",
        binary=True,
        unit="probability",
        fig="4",
        primary="A10.11",
        secondary="A10.12",
        a2_row="4",
        leads=4,
        exclusions=[("Excluding pilot 2", ["Pilot 2"])],
        main_col="Linear model",
        pilot_row="Pilot LA",
    ),
}

#: The report's data-quality concerns (section 3, "Main findings"), used when the parameter
#: ``data_quality_concerns`` is None.
REPORT_DATA_QUALITY = {
    "eq3b": [
        "children whose case was closed with no further action are hard to identify "
        "(inconsistent closure-reason codes; very few NFA cases before SofS in 2 comparators and 1 pilot)"
    ],
    "eq3c": ["as EQ3b (same NFA population)"],
}

MODEL_NAMES = {"linear": "Linear model", "fe": "Fixed effects model", "logit": "Logit model"}

#: Published row label -> model term.
ROW_TERMS = {
    "(Intercept)": "(Intercept)",
    "Post settling-in period": "post",
    "Pilot site": "pilot_i",
    "Pilot LA": "pilot_i",
    "DiD": "did",
    "DiD (pilot LA * post settling-in period)": "did",
    "DiD in year t": "lag_0",
    "DiD in year t+1": "lag_1",
    "DiD in year t+2": "lag_2",
    "DiD in year t+3": "lag_3",
    "Quality of delivery": "dose_quality",
    "Quality of delivery * post-settling-in period": "q_post",
    "Embeddedness score": "dose_embed",
    "Embeddedness score * post settling-in period": "e_post",
    "Comparator LA with a similar practice model": "pm_alt",
    "Comparator LA without a similar practice model": "pm_neither",
    "Comparator LA with a similar practice model * post settling-in period": "alt_post",
    "Comparator LA without a similar practice model * post settling-in period": "nei_post",
    "Ofsted rating": "ofsted_high",
    "Pilot LA * Ofsted rating": "pilot_ofs",
    "Post settling-in period * Ofsted rating": "post_ofs",
    "Pilot LA * post settling-in period * Ofsted rating": "did_ofs",
}

SECONDARY = {
    "Quality of delivery": ["dose_quality", "q_post"],
    "Embeddedness of SofS": ["dose_embed", "e_post"],
    "Alternative practice models": ["pm_alt", "pm_neither", "alt_post", "nei_post"],
    "Ofsted": ["pilot_i", "did", "pilot_ofs", "post_ofs", "did_ofs"],
}
