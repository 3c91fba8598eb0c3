"""Ledger records of chapter 06_costs: every Table A11.1 cell and every quoted cost number."""

from __future__ import annotations

import math

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit import analysis as audit


def record_all(led, r: dict) -> None:
    """Checks (derived), the returns' aggregates (synthetic or real), and every cost_* quote
    not covered by either (not reproducible, with the reason)."""
    audit.record(led, r["checks"])
    kind = r["returns_kind"]
    done = set()
    for pid, row in r["returns_check"].iterrows():
        if pid.startswith("A11.1 "):
            tr, col = pid[len("A11.1 ") :].split(" / ")
            v = pub.cell("A11.1", tr, col)
            where = ("A11.1", tr, f"{col} ({kind} returns)")
        else:
            v = pub.quote(pid)
            done.add(pid)
            where = ("text", pid, f"{kind} returns")
        status = (
            ("exact" if math.isclose(row["recomputed"], v.number) else "within rounding")
            if row["agrees"]
            else "differs"
        )
        led.record(
            *where,
            published=v.number,
            reproduced=float(row["recomputed"]),
            kind=kind,
            status=status,
            note=f"{kind} returns ({row['reading']})",
        )
    ids = [i for i in pub.text_numbers()["id"] if i.startswith("cost_")]
    covered = done | {e.row for c in r["checks"] for e in c.entries if e.table_id == "text"}
    for i in ids:
        if i in covered:
            continue
        v = pub.quote(i)
        led.record(
            "text",
            i,
            "input",
            published=v.number,
            reproduced=float("nan"),
            kind="derived",
            status="not reproducible",
            note=f"used as an input ({v.note})",
        )
