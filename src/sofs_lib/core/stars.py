"""Significance stars, as the report's appendix 10 prints them: * p<0.1, ** p<0.05, *** p<0.01."""

from __future__ import annotations

import math

THRESHOLDS = ((0.01, "***"), (0.05, "**"), (0.1, "*"))


def stars(p) -> str:
    """Stars for a p-value; an empty string for p >= 0.1 or a missing or non-finite p."""
    if p is None:
        return ""
    p = float(p)
    if not math.isfinite(p):
        return ""
    for cut, mark in THRESHOLDS:
        if p < cut:
            return mark
    return ""
