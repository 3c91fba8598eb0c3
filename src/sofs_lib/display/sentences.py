"""Small building blocks for sentences generated from computed results (answer boxes, findings).

Every comparative or counting sentence in the book is assembled from numbers by functions like
these, so the sentence cannot disagree with the table beside it.
"""

from __future__ import annotations

from collections.abc import Iterable


def plural(n: int, one: str, many: str | None = None) -> str:
    """``"1 check"``, ``"2 checks"`` (``many`` defaults to ``one + "s"``)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def join_names(names: Iterable[str], limit: int | None = None, conj: str = "and") -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``; with ``limit``, ``"a, b and 3 more"``."""
    items = [str(n) for n in names]
    if limit is not None and len(items) > limit:
        rest = len(items) - limit
        items = items[:limit] + [f"{rest} more"]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def share(k: int, n: int) -> str:
    """``"3 of 4 (75%)"``; ``"0 of 0"`` when there is nothing to count."""
    from sofs_lib.core.rounding import round_half_up

    if n == 0:
        return "0 of 0"
    return f"{k} of {n} ({round_half_up(100 * k / n, 0):.0f}%)"
