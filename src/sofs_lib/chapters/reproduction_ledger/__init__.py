"""Appendix A1, the reproduction ledger."""
