"""Parameters of chapter 05 (difference-in-differences): the one source of their defaults."""

from sofs_lib.core.params import Param, Spec

_PILOTS = tuple(f"Pilot {i}" for i in range(1, 10))


def _check_effects(v):
    if isinstance(v, bool):
        return "must be null, 0 or a mapping"
    if isinstance(v, (int, float)):
        return None if v == 0 else "must be null (published effects), 0 (the null world) or a mapping"
    from sofs_lib.synthetic.npd import EFFECT_KEYS

    bad = [k for k in v if k not in EFFECT_KEYS]
    if bad:
        return f"has unknown key(s) {bad}; known: {list(EFFECT_KEYS)}"
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v.values()):
        return "values must be numbers"
    return None


def _check_pilots(v):
    bad = [x for x in v if x not in _PILOTS]
    return f"must list pilots named 'Pilot 1' ... 'Pilot 9' ({bad} unknown)" if bad else None


def _check_settling(v):
    bad = [k for k in v if k not in _PILOTS]
    if bad:
        return f"has unknown pilot(s) {bad}"
    wrong = [k for k, x in v.items() if isinstance(x, bool) or not isinstance(x, (int, float)) or not 2 <= x <= 5]
    return f"must give each pilot a settling-in length from 2 to 5 years ({wrong})" if wrong else None


def _check_dq(v):
    bad = [k for k in v if k not in ("eq3a", "eq3b", "eq3c", "eq3d")]
    if bad:
        return f"keys must be eq3a..eq3d ({bad})"
    if not all(isinstance(x, list) for x in v.values()):
        return "values must be lists of concerns (text)"
    return None


SPEC = Spec(
    "05_did",
    (
        Param(
            "seed",
            (int,),
            2019,
            "Seed of the synthetic extract and of the synthetic LA attributes.",
            minimum=0,
        ),
        Param(
            "scale",
            (float,),
            1.0,
            "Size of the synthetic extract: 1.0 = the published population sizes "
            "(about 2.4 million records, the settling-in rows included); 4.1 = about 10 million records.",
            minimum=0.1,
            maximum=40.0,
        ),
        Param(
            "true_effects",
            (type(None), int, float, dict),
            None,
            "True effects of the synthetic extract: null = the published estimates, 0 = the null world, or a "
            "mapping over sofs_lib.synthetic.npd.EFFECT_KEYS.",
            check=_check_effects,
        ),
        Param(
            "exclude_pilots",
            (list,),
            [],
            'Pilots left out of every analysis (e.g. ["Pilot 4"]).',
            check=_check_pilots,
        ),
        Param(
            "duration_cutoff",
            (float,),
            76.0,
            "Assessments longer than this many working days are excluded "
            "(76: the interquartile rule; 310: the report's alternative).",
            minimum=1.0,
        ),
        Param(
            "settling_in",
            (type(None), dict),
            None,
            'Settling-in lengths (years, 2-5) replacing the assumed ones, e.g. {"Pilot 2": 3}.',
            check=_check_settling,
        ),
        Param(
            "pretrend",
            (type(None), float),
            None,
            "Pilot-only pre-SofS trend in assessment duration of the "
            "synthetic extract (working days per year): null = the calibration's assumption (the report found "
            "pre-trends for EQ3a); 0 = parallel trends.",
            minimum=-10.0,
            maximum=10.0,
        ),
        Param(
            "data_dir",
            (type(None), str),
            None,
            "Folder of a real NPD extract (CIN census / SSDA903 layout); null = synthetic data.",
        ),
        Param(
            "design_file",
            (type(None), str),
            None,
            "With data_dir: YAML naming the pilot LAs, their SofS start "
            "dates, settling-in lengths and comparators (sofs_lib.chapters.did.data.load_design).",
        ),
        Param(
            "ofsted_file",
            (type(None), str),
            None,
            "With data_dir: Ofsted 'Children's social care in England' "
            "underlying data (.ods); null = synthetic Ofsted ratings.",
        ),
        Param(
            "la_matching",
            (str,),
            "design",
            "LA-level matching: 'design' uses the comparators of the study "
            "design and reports the closeness of every candidate; 'trends' re-selects them by the trend rule.",
            choices=("design", "trends"),
        ),
        Param(
            "match_max_rmse_sd",
            (float,),
            0.25,
            "Trend rule: largest RMSE of de-meaned yearly means, in "
            "outcome standard deviations, for a candidate comparator.",
            minimum=0.0,
        ),
        Param(
            "match_min_post",
            (int,),
            100,
            "Trend rule: fewest units after the settling-in period for a pilot to be used.",
            minimum=0,
        ),
        Param(
            "min_switchers",
            (int,),
            30,
            "Fewest children changing treatment status for a child fixed-effects DiD to count as identified.",
            minimum=1,
        ),
        Param(
            "data_quality_concerns",
            (type(None), dict),
            None,
            "Data-quality concerns per question for the evidence rating; null = the report's (EQ3b, EQ3c); {} = none.",
            check=_check_dq,
        ),
        Param(
            "output_dir",
            (str, type(None)),
            None,
            "Folder for this chapter's outputs (default book/chapters/05_did).",
        ),
    ),
)
