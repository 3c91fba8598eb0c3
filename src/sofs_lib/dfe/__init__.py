"""Loaders, manifest, indicator catalogue, groups and synthetic data for the LA-level outcome
analysis of Appendix 9 (public DfE, Ofsted and ONS statistics).

The data folder is always a parameter (``dfe_data_dir``); nothing from it is committed. See
the README (section "Public DfE and Ofsted data") for what to download.
"""

from ._io import SUPPRESSION_CODES, suppression_summary
from .errors import (
    DfeChecksumWarning,
    DfeDataError,
    DfeEmptyFileError,
    DfeFormatError,
    DfeLayoutError,
    DfeLayoutWarning,
    DfeManifestError,
)
from .loaders import (
    DEFAULT_DFE_DATA_DIR,
    cla_legacy_files,
    load_cla_legacy,
    load_ees,
    load_lait,
    load_ofsted_inspections,
    load_ofsted_outcomes,
    load_population,
    load_statistical_neighbours,
    load_workforce,
    ofsted_rating_at,
    resolve_dfe_data_dir,
)
from .names import REORGANISATIONS, code_for_name, harmonise, la_table, name_key

__all__ = [n for n in dir() if not n.startswith("_")]

from .groups import (  # noqa: E402
    ROUND1_COUNCILS,
    ROUND2_PILOTS,
    TABLE_A9_1,
    identify_dropped_pilot,
    la_characteristics,
    load_groups,
    select_comparators,
)
from .indicators import build_indicator_panel, load_indicator_catalogue  # noqa: E402
from .manifest import check_dfe_data, load_manifest  # noqa: E402
from .synthetic import load_synthetic_panel, synthetic_groups, synthetic_panel, write_synthetic_ees  # noqa: E402

__all__ = [n for n in dir() if not n.startswith("_")]
