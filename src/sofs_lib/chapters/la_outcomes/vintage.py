"""Data-vintage sensitivities: why a recovered comparator mean can miss the printed one.

Today's files are not the ones the evaluators read in 2019-20. Each explanation is a
sensitivity that changes the data in one named way and reports the rows it touched; none is
applied silently.

* :func:`fill_from_successor`: a council reorganised in 2019 (Dorset, 835, became 838 on
  1 April 2019) has its September 2019 workforce figures only under its successor's code;
  looking the old council up under its successor fills those LA-years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.dfe.names import LA_NAMES

#: predecessor -> successor codes of the 2019 reorganisation that touches the analysis window
SUCCESSORS_2019 = {"835": "838"}


def fill_from_successor(
    panel: pd.DataFrame, successors: dict | None = None, indicators=None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill a predecessor's missing LA-years with its successor's value.

    Returns the new panel and the rows filled (``indicator_id, year, la_code, from_code,
    value``). Only LA-years where the predecessor has no value and the successor has one are
    filled; ``indicators`` restricts the indicators touched.
    """
    successors = SUCCESSORS_2019 if successors is None else successors
    have = panel.dropna(subset=["value"])
    filled = []
    for old, new in successors.items():
        src = have[have["la_code"] == new]
        if indicators is not None:
            src = src[src["indicator_id"].isin(indicators)]
        known = set(zip(have.loc[have["la_code"] == old, "indicator_id"], have.loc[have["la_code"] == old, "year"]))
        mask = [(i, y) not in known for i, y in zip(src["indicator_id"], src["year"])]
        add = src[np.array(mask, dtype=bool)].copy()
        add["from_code"] = new
        add["la_code"] = old
        add["la_name"] = LA_NAMES.get(old, old)
        filled.append(add)
    rows = pd.concat(filled, ignore_index=True) if filled else panel.iloc[:0].assign(from_code="")
    keys = set(zip(rows["indicator_id"], rows["year"], rows["la_code"]))
    keep = np.array(
        [(i, y, c) not in keys for i, y, c in zip(panel["indicator_id"], panel["year"], panel["la_code"])],
        dtype=bool,
    )
    out = pd.concat([panel[keep], rows.drop(columns="from_code")], ignore_index=True)
    out.attrs.update(panel.attrs)
    return out, rows[["indicator_id", "year", "la_code", "from_code", "value"]]
