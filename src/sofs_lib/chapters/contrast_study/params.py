"""Parameters of chapter 03_contrast_study."""

from __future__ import annotations

from pathlib import Path

from sofs_lib.core.params import Param, Spec

CHAPTER = "03_contrast_study"


def _is_dir(v) -> str | None:
    return None if Path(v).is_dir() else "must name an existing folder"


SPEC = Spec(
    CHAPTER,
    (
        Param(
            "alpha",
            (float,),
            0.05,
            "Significance level for reading tests.",
            minimum=0.001,
            maximum=0.2,
        ),
        Param("seed", (int,), 20180601, "Seed of the synthetic extract.", minimum=0),
        Param(
            "n_yatchmenoff",
            (int,),
            52,
            "Synthetic families answering the Yatchmenoff scale "
            "(Table 6's p-values imply fewer than the 60 families).",
            minimum=10,
            maximum=60,
        ),
        Param(
            "max_group_size",
            (int,),
            60,
            "Largest group size tried when enumerating the 2x2 "
            "tables behind the family-feedback percentages (sensitivity beyond 32 and 28).",
            minimum=32,
            maximum=80,
        ),
        Param(
            "suppression_threshold",
            (int,),
            10,
            "Counts below this are suppressed, with their complements.",
            minimum=1,
            maximum=30,
        ),
        Param(
            "data_dir",
            (str, type(None)),
            None,
            "Folder of a real extract in the layout of "
            "sofs_lib.sources.contrast (None: the synthetic extract).",
            check=_is_dir,
        ),
        Param("output_dir", (str, type(None)), None, "Folder for this chapter's outputs."),
    ),
)
