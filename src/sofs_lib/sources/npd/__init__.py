"""Synthetic and real National Pupil Database extracts for the difference-in-differences chapter.

The report's DiD analysis (Appendix 10) used individual records of the children in need
(CIN) census and the SSDA903 return, linked in the NPD, April 2008 - March 2019. Those records
cannot be published; this subpackage generates schema-true synthetic ones calibrated to what
the report publishes, derives the four analysis populations from raw records, and validates
real extracts in the same schemas so the same code runs on them unchanged.

Public API
----------
Data
    :class:`NPDExtract` -- the tables (children, cin_referrals, assessments, section47,
    cp_plans, la_header, la_episodes); ``.digest()``, ``.write_csv(folder)``, ``.n_records``.

    :func:`generate` ``(seed=0, scale=1.0, true_effects=None, settling_in=None, *,
    pretrends=None, calibration=None) -> NPDExtract`` -- deterministic for a seed.
    ``true_effects=0`` (or :data:`NULL_EFFECTS`) is the null world.

    :func:`read_extract` ``(data_dir, *, validate=True) -> NPDExtract`` -- one CSV per
    table (:data:`FILE_NAMES`); :func:`validate_extract` ``(extract) -> extract`` raises
    :class:`NPDValidationError`.

Design
    :class:`StudyDesign`, :func:`default_design` ``(settling_in=None)`` -- groups per question
    (Table A10.1), SofS start, settling-in; ``.assign_periods(df, date_col, eq)``.
    :func:`load_calibration` -- ``data/npd/calibration.yml`` (published targets with sources).

Derivations (each returns :class:`Population` with ``.data`` and a ``.flow`` table)
    :func:`derive_eq3a` ``(extract, design=None, *, cutoff=76)`` -- duration of assessments
    (``duration_wd``, ``same_day``); :func:`derive_eq3b` -- re-referral within 6 months
    (``rereferral_6m``); :func:`derive_eq3c` -- re-referral leading to a plan or care
    (``rereferral_escalation_6m``); :func:`derive_eq3d` -- kinship care in the first
    12 months (``kinship_12m``); :func:`derive_all`; :func:`pre_treatment_summary`.

Helpers
    :func:`working_days_between`, :func:`within_months`, :func:`iqr_cutoff`.

Typical use in a chapter::

    from sofs_lib import npd
    ex = synthetic.npd.generate(seed=1)       # or npd.read_extract("path/to/extract")
    pop = npd.derive_eq3d(ex)
    pop.flow                                  # exclusions, step by step
    import pyfixest as pf
    fit = pf.feols("kinship_12m ~ did + age + C(gender) | la + year", data=pop.data,
                   vcov={"CRV1": "la"})

Small-cell suppression of anything published from these populations is done elsewhere
(``sofs_lib.methods.disclosure``); nothing here suppresses or rounds.
"""

from sofs_lib.sources.npd.calendar import iqr_cutoff, within_months, working_days_between
from sofs_lib.sources.npd.covariates import add_covariates
from sofs_lib.sources.npd.derive import (
    Population,
    derive_all,
    derive_eq3a,
    derive_eq3b,
    derive_eq3c,
    derive_eq3d,
    pre_treatment_summary,
)
from sofs_lib.sources.npd.design import EQS, StudyDesign, default_design, load_calibration
from sofs_lib.sources.npd.extract import FILE_NAMES, TABLES, NPDExtract, read_extract
from sofs_lib.sources.npd.validate import NPDValidationError, validate_extract

__all__ = [
    "EQS",
    "FILE_NAMES",
    "TABLES",
    "NPDExtract",
    "NPDValidationError",
    "Population",
    "StudyDesign",
    "add_covariates",
    "default_design",
    "derive_all",
    "derive_eq3a",
    "derive_eq3b",
    "derive_eq3c",
    "derive_eq3d",
    "iqr_cutoff",
    "load_calibration",
    "pre_treatment_summary",
    "read_extract",
    "validate_extract",
    "within_months",
    "working_days_between",
]
