"""Parameters of chapter 01 (implementation and fidelity): the one source of their defaults."""

from sofs_lib.core.params import Param, Spec

SPEC = Spec(
    "01_implementation",
    (
        Param(
            "alpha",
            (float,),
            0.05,
            "Significance level for the tests of Table 2.",
            minimum=0.001,
            maximum=0.2,
        ),
        Param(
            "max_item_nonresponse",
            (int,),
            3,
            "Largest number of a pilot's survey respondents assumed to have skipped one Table 2 item "
            "(3 is the smallest value for which every printed percentage can be reconstructed).",
            minimum=0,
            maximum=20,
        ),
        Param(
            "profiles_seed",
            (int,),
            20180401,
            "Seed of the synthetic Appendix 7 profiling responses.",
            minimum=0,
        ),
        Param(
            "structures_category",
            (str,),
            "leadership",
            "Which analysis category the profiling instrument's 'Structures' items join.",
            choices=("leadership", "processes"),
        ),
        Param(
            "tscore_reference",
            (str,),
            "pooled",
            "Reference for profiling T-scores: all pilot x time scores, or each time separately.",
            choices=("pooled", "per_time"),
        ),
        Param(
            "output_dir",
            (str, type(None)),
            None,
            "Folder for this chapter's outputs (default book/chapters/01_implementation).",
        ),
    ),
)
