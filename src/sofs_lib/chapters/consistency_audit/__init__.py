"""Appendix A2, the consistency audit."""
