"""Parameters of chapter 04 (LA-level outcomes): the one source of their defaults."""

from sofs_lib.chapters.la_outcomes.inputs import _check_la_list, _check_years
from sofs_lib.core.params import Param, Spec


def _check_rule(v):
    return None if v in ("recovered", "sn2021") else "must be 'recovered' or 'sn2021'"


SPEC = Spec(
    "04_la_outcomes",
    (
        Param(
            "dfe_data_dir",
            (str, type(None)),
            None,
            "null = the committed extract of the real DfE files (data/dfe_extract); a folder of raw "
            "DfE/Ofsted downloads (relative to the project root) to read them instead; 'synthetic' = "
            "the synthetic test panel.",
        ),
        Param(
            "years",
            (str,),
            "2014/15-2018/19",
            "Span of the main analysis (the report's).",
            check=_check_years,
        ),
        Param(
            "later_years",
            (str, type(None)),
            "2018/19-2021/22",
            "Span of the 'after the evaluation' section (real data only); null to skip.",
            check=_check_years,
        ),
        Param(
            "pilots",
            (list, type(None)),
            None,
            "Pilot LAs (names or LA numbers); null = data/la_groups.yml.",
            check=_check_la_list,
        ),
        Param(
            "comparators",
            (list, type(None)),
            None,
            "Comparator LAs; null = data/la_groups.yml under comparator_rule.",
            check=_check_la_list,
        ),
        Param(
            "comparator_rule",
            (str,),
            "recovered",
            "Default comparators: 'recovered' (from the report's Tables A9.3/A9.4) or 'sn2021' "
            "(April 2021 statistical neighbours).",
            check=_check_rule,
        ),
        Param(
            "rerun_comparator_search",
            (bool,),
            False,
            "Re-run the comparator search (about a minute) instead of showing the committed result.",
        ),
        Param("exclude_las", (list,), [], "LAs left out in a sensitivity analysis.", check=_check_la_list),
        Param("alpha", (float,), 0.05, "Significance level.", minimum=0.001, maximum=0.2),
        Param("output_dir", (str, type(None)), None, "Folder for this chapter's outputs."),
    ),
)
