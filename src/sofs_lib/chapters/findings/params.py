"""Parameters of the findings page (a gathering page: executed after every other chapter)."""

from sofs_lib.core.params import Param, Spec

SPEC = Spec(
    "00_findings",
    (
        Param(
            "chapters_dir",
            (str, type(None)),
            None,
            "Folder holding the executed chapters and their output folders (default book/chapters).",
        ),
        Param("output_dir", (str, type(None)), None, "Folder for this page's outputs."),
    ),
    stage=2,
)
