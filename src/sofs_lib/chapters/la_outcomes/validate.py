"""Parameters of the LA chapter checked against the data before anything is computed.

Each failure is a :class:`sofs_lib.core.params.ParameterError` naming the parameter: LAs that are
not in the data, exclusions that are in neither group or leave a group empty, empty groups,
LAs in both groups and spans too short for the tests that use them.
"""

from __future__ import annotations

import pandas as pd

from sofs_lib.core.params import ParameterError
from sofs_lib.sources.dfe.groups import _codes
from sofs_lib.sources.dfe.names import LA_NAMES

CHAPTER = "04_la_outcomes"


def _err(param: str, msg: str) -> ParameterError:
    return ParameterError(f"{CHAPTER}: parameter '{param}' {msg}")


def _label(code: str, panel_names: dict) -> str:
    return panel_names.get(code) or LA_NAMES.get(code, code)


def _resolve(param: str, value) -> list[str]:
    try:
        return _codes(value)
    except KeyError as exc:
        raise _err(param, f"names an unknown LA: {exc}") from None


def check_groups(panel: pd.DataFrame, pilots, comparators, exclude=(), years=None) -> dict:
    """Check the groups against ``panel`` (long: ``la_code``, ``la_name``, ``year``, ``value``).

    Returns the resolved DfE LA numbers ``{"pilots", "comparators", "exclude"}``. ``years``:
    (first, last) of a span whose two-way ANOVA needs at least two years.
    """
    names = dict(zip(panel["la_code"].astype(str), panel["la_name"]))
    have = set(panel.dropna(subset=["value"])["la_code"].astype(str))
    out = {}
    for param, value in (("pilots", pilots), ("comparators", comparators)):
        codes = _resolve(param, value)
        if not codes:
            raise _err(param, "is empty: each group needs at least one LA.")
        absent = [c for c in codes if c not in have]
        if absent:
            raise _err(
                param,
                "names LAs with no value in the data analysed: "
                f"{[_label(c, names) for c in absent]} (the panel has {len(have)} LAs"
                + (", e.g. " + ", ".join(sorted(names.values())[:3]) if names else "")
                + ").",
            )
        out[param] = codes
    both = sorted(set(out["pilots"]) & set(out["comparators"]))
    if both:
        raise _err("comparators", f"repeats pilots: {[_label(c, names) for c in both]}.")
    ex = _resolve("exclude_las", exclude or [])
    stray = [c for c in ex if c not in out["pilots"] + out["comparators"]]
    if stray:
        raise _err(
            "exclude_las",
            f"names LAs in neither group, so excluding them changes nothing: {[_label(c, names) for c in stray]}.",
        )
    for param in ("pilots", "comparators"):
        if not set(out[param]) - set(ex):
            raise _err("exclude_las", f"leaves no LA among the {param}.")
    if len(set(out["pilots"] + out["comparators"]) - set(ex)) < 3:
        raise _err("exclude_las", "leaves fewer than three LAs: no test is possible.")
    out["exclude"] = ex
    if years is not None:
        check_span("years", years)
    return out


def check_span(param: str, span) -> None:
    """A span (first, last year ending) long enough for the two-way analysis (two years)."""
    if span[1] - span[0] < 1:
        raise _err(
            param,
            f"spans one year ({span[1] - 1}/{str(span[1])[2:]}); the two-way "
            "analysis of Table A9.5 needs at least two.",
        )
