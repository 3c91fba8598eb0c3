"""Parameters of the reproduction-ledger appendix (A1)."""

from sofs_lib.core.params import Param, Spec

SPEC = Spec(
    "A1_reproduction_ledger",
    (
        Param(
            "chapters_dir",
            (str, type(None)),
            None,
            "Folder holding the executed chapters' output folders (default book/chapters).",
        ),
        Param("output_dir", (str, type(None)), None, "Folder for this appendix's outputs."),
    ),
    stage=1,
)
