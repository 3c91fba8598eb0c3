"""Chapter 03_contrast_study: SofS and contrast sites compared on engagement, working alliance
and family feedback (report section 3; appendix 5), with every printed test reconstructed.

Modules: ``params`` (SPEC), ``design`` (sites, waves, instruments, the report's
disagreements), ``recompute`` (Tables 5 and 6, the 2x2 reconstructions, case-record counts),
``multiplicity`` (test inventory, Holm/BH, site-level randomisation), ``analysis`` (the method on
a family-level extract), ``figures``, ``records`` (ledger), ``checks`` (audit rows) and
``answer`` (the chapter's generated summary sentences).
"""
