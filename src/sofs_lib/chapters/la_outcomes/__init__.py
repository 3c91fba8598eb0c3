"""Chapter 04_la_outcomes: LA-level outcomes (appendix 9) on public data."""
