"""Chapter 07_beyond_the_report: the inference the evaluation could not do.

Modules
-------
:mod:`.params` -- ``SPEC``, the chapter's parameters.
:mod:`.compute` -- item 1 (Monte Carlo of size and power of CRV1 with N-k and G-1 df, CRV3, the
    wild cluster restricted bootstrap with Rademacher and Webb weights and randomisation
    inference, at G = 4, 6, 8, 10, 13 LAs with 1-6 treated), the rule choosing the honest method,
    item 5 (MDEs) and the driver of items 3-5 on the LA panel.
:mod:`.retest` -- item 2: EQ3a-d re-tested on the DiD chapter's data with every method.
:mod:`.la_panel` -- items 3-4: staggered DiD (pyfixest ``did2s``), event study, randomisation
    over placebo councils, the contamination bound, synthetic control (pysyncon) with
    placebo-in-space p.
:mod:`.text` -- every sentence of the answer box, generated from the results (tested).
:mod:`.figures` -- the figures.
General statistics live in :mod:`sofs_lib.methods.few_clusters` (batch TWFE inference on a
balanced panel) and :mod:`sofs_lib.methods.la_inference` (individual-level regression).

Assumptions (stated in the chapter)
-----------------------------------
* The Monte Carlo panels are LA-by-year means: LA and year effects (removed exactly by the TWFE
  model), AR(1) LA-by-year shocks (``mc_rho``) of standard deviation 1 and cell sampling noise
  ``mc_cell_sd``; with equal cell sizes, a child-level regression with LA and year effects gives
  the same coefficient and cluster scores, so "CRV1, N-k df" at the DiD populations' sizes
  (tens of thousands of children) uses normal critical values.
* Effects and MDEs of the DiD questions are in units of the LA-by-year shock's SD (the NPD
  records are not public, so the shock's size in outcome units is unknown); MDEs of the LA
  indicators are in the indicators' own units, from the real panel.
* Treatment timing: Round 1 councils from the year ending March 2015, Bexley from 2018.
* The re-test uses the linear specification of equation [1] for every question (the report's
  main model is child fixed effects for EQ3a and logit for EQ3c; their CRV1 p is shown beside).
"""
