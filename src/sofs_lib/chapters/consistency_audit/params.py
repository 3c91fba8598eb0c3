"""Parameters of the consistency-audit appendix (A2)."""

from sofs_lib.core.params import Param, Spec

SPEC = Spec(
    "A2_consistency_audit",
    (Param("output_dir", (str, type(None)), None, "Folder for this appendix's outputs."),),
)
