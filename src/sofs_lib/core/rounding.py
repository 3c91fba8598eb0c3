"""The one rounding rule of the book: half away from zero, as SPSS and Excel print.

Every table cell, ledger row and audit verdict rounds through :func:`round_half_up`, so a
number and its comparison can never disagree at a boundary.

Binary floating point stores most decimals inexactly (2.675 is 2.67499999999999982…), so the
value is first read at 12 significant digits, which removes that representation noise and
nothing larger: 12.3449999995 is genuinely below 12.345 and rounds to 12.34.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NOISE_DIGITS = 12


def round_half_up(x, ndigits: int = 0) -> float:
    """``x`` rounded to ``ndigits`` decimals, halves away from zero; NaN and None give NaN."""
    if x is None:
        return float("nan")
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return x if math.isinf(x) else float("nan")
    d = Decimal(f"{x:.{NOISE_DIGITS}g}")
    return float(d.quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP))


def half_unit(ndigits: int) -> float:
    """Half a unit of the last printed decimal: the rounding interval's half-width."""
    return 0.5 * 10.0 ** (-ndigits)
