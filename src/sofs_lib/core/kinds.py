"""The provenance vocabulary: the four kinds of number and the ledger's statuses.

* **published** -- quoted from the report or its appendices, with its table;
* **real** -- computed from public DfE/Ofsted/ONS files;
* **synthetic** -- computed from generated data: demonstrates the method, never evidence;
* **derived** -- computed from the report's own published numbers.
"""

from __future__ import annotations

#: kind -> (label, description, one-letter mark)
KINDS = {
    "published": ("Published", "quoted from the report, with its table", "P"),
    "real": ("Real", "computed from public DfE/Ofsted files", "R"),
    "synthetic": ("Synthetic", "computed from generated data: shows the method, is not evidence", "S"),
    "derived": ("Derived", "computed here from the report's own published numbers", "D"),
}

#: kinds a reproduced value in the ledger can have (a published value is never "reproduced").
LEDGER_KINDS = ("real", "synthetic", "derived")

#: ledger statuses, best first.
STATUSES = ("exact", "within rounding", "differs", "not reproducible")


class ProvenanceError(ValueError):
    """An unknown provenance kind."""


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ProvenanceError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return kind
