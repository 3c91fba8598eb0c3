"""Table 8: the strength of the evidence for each question, the rating rule's verdict on the
analysis beside the published one, with its ledger entries."""

from __future__ import annotations

import pandas as pd

from sofs_lib.chapters.did.analysis import EQ_INFO, Analysis
from sofs_lib.chapters.did.common import kind_of, pub_wide


def table_8(an: Analysis, led=None) -> pd.DataFrame:
    p = pub_wide("8")
    rows = {}
    for eq, info in EQ_INFO.items():
        v = an.result(eq).verdict
        row = info["row8"]
        rows[row] = {
            "Expected impact (published)": p.loc[row].iloc[0] if p is not None else "",
            "Analysis results (published)": p.loc[row].iloc[1] if p is not None else "",
            f"Analysis results ({kind_of(an)})": v.text,
            f"Strength ({kind_of(an)})": v.strength,
            f"Reasons ({kind_of(an)})": "; ".join(v.reasons),
        }
        if p is not None and led is not None:
            pt = p.loc[row].iloc[1]
            led.record(
                "8",
                row,
                "Analysis results",
                published=float("nan"),
                reproduced=float("nan"),
                kind=kind_of(an),
                status="exact" if pt == v.text else "differs",
                note=f"published '{pt}' | here '{v.text}'",
            )
    return pd.DataFrame(rows).T
