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


def round_half_up_array(values, ndigits: int = 0):
    """:func:`round_half_up` of every element of an array, vectorised for searches that round
    millions of candidate means (tested element by element against :func:`round_half_up`).

    The same rule in integer arithmetic: each value is read at 12 significant digits as an integer
    ``N`` times ``10**-d``, ``N`` is divided by ``10**(d - ndigits)`` with halves rounded up, and the
    sign is put back (halves away from zero). NaN stays NaN; infinities stay infinite."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    a = np.abs(v)
    finite = np.isfinite(a) & (a > 0)
    safe = np.where(finite, a, 1.0)
    mag = np.floor(np.log10(safe)).astype(np.int64)
    d = np.minimum(NOISE_DIGITS - 1 - mag, 300)
    n = np.round(safe * np.power(10.0, d)).astype(np.int64)  # the 12 significant digits, exactly
    shift = d - ndigits
    small = shift >= NOISE_DIGITS + 1  # below half a unit of the last decimal: rounds to 0
    q = np.power(np.int64(10), np.clip(shift, 0, NOISE_DIGITS), dtype=np.int64)
    whole = np.where(shift > 0, n // q + (2 * (n % q) >= q), n)
    scale = np.power(10.0, np.where(shift > 0, ndigits, d))
    out = np.where(small, 0.0, whole / scale)
    out = np.where(finite, np.copysign(out, v), np.where(np.isnan(v), np.nan, v))
    return out
