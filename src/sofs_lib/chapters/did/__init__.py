"""Chapter 5: the difference-in-differences (DiD) analysis of Appendix 10, on individual records.

The report (section 3 and Appendix 10) matched each pilot to up to two comparator LAs with
similar pre-SofS trends, matched children within those groups by coarsened exact matching,
estimated equation [1] with year effects, child and LA covariates and standard errors
clustered by LA, chose between linear, fixed-effects and logit models by a stated rule, ran
placebo leads, lags, sensitivity and secondary analyses, and rated the strength of the
evidence (Table 8). The records are not public: by default the chapter runs on a synthetic
extract (:mod:`sofs_lib.sources.npd`) and every number it computes is *synthetic*; with ``data_dir``
(and ``design_file``) the same code runs on a real extract.

Public API
----------
:data:`SPEC` (in :mod:`sofs_lib.chapters.did.params`) -- the chapter's parameters (``sofs_lib.core.params.Spec("05_did", ...)``).
:class:`Analysis` ``(params)`` -- the computation, step by step (:mod:`.analysis`).
:func:`run` ``(**params)`` -- validated parameters -> an :class:`Analysis` with everything
    computed.
Modules: :mod:`.data` (extract -> analysis frames; synthetic LA attributes), :mod:`.matching`
(LA matching on pre-trends, CEM, L1 imbalance), :mod:`.models` (estimation and diagnostics,
model-choice rule), :mod:`.evidence` (the rating of Table 8), the tables beside the
published ones with their ledger entries: :mod:`.samples` (populations, LA matching, CEM
balance, summary statistics: Tables A10.1-A10.4), :mod:`.regression_tables` (Tables
A10.5-A10.12), :mod:`.table8` (Table 8), :mod:`.figures` (Figures 1-4, event study) and
:mod:`.common` (source lines, provenance kinds, formats).
"""

from __future__ import annotations

from sofs_lib.chapters.did.params import SPEC


def run(**params):
    """Validate ``params`` (defaults filled in) and compute the whole analysis."""
    from sofs_lib.chapters.did.analysis import Analysis

    p = SPEC.resolve(params)
    an = Analysis(p)
    an.run_all()
    return an


def __getattr__(name):  # lazy: importing the spec must not import the estimation stack
    if name == "Analysis":
        from sofs_lib.chapters.did.analysis import Analysis

        return Analysis
    raise AttributeError(name)


__all__ = ["SPEC", "Analysis", "run"]
