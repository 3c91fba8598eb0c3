"""Loaders, manifest, indicator catalogue, groups and synthetic data for the LA-level outcome
analysis of Appendix 9 (public DfE, Ofsted and ONS statistics).

The data folder is a parameter (``dfe_data_dir``); no raw file is committed. The committed
LA-level extract derived from them is :mod:`sofs_lib.sources.dfe.extract`; the README's section
"Public DfE and Ofsted data" says what to download.
"""

from sofs_lib.sources.dfe._io import SUPPRESSION_CODES, suppression_summary
from sofs_lib.sources.dfe.errors import (
    DfeChecksumWarning,
    DfeDataError,
    DfeEmptyFileError,
    DfeFormatError,
    DfeLayoutError,
    DfeLayoutWarning,
    DfeManifestError,
)
from sofs_lib.sources.dfe.loaders import (
    DEFAULT_DFE_DATA_DIR,
    cla_legacy_files,
    load_cla_legacy,
    load_ees,
    load_lait,
    load_population,
    load_statistical_neighbours,
    load_workforce,
    resolve_dfe_data_dir,
)
from sofs_lib.sources.dfe.names import REORGANISATIONS, code_for_name, harmonise, la_table, name_key
from sofs_lib.sources.dfe.ofsted import load_ofsted_inspections, load_ofsted_outcomes, ofsted_rating_at

__all__ = [n for n in dir() if not n.startswith("_")]

from sofs_lib.sources.dfe.groups import (
    ROUND1_COUNCILS,
    ROUND2_PILOTS,
    la_characteristics,
    load_groups,
)
from sofs_lib.sources.dfe.indicators import build_indicator_panel, load_indicator_catalogue  # noqa: E402
from sofs_lib.sources.dfe.manifest import check_dfe_data, load_manifest  # noqa: E402

__all__ = [n for n in dir() if not n.startswith("_")]
