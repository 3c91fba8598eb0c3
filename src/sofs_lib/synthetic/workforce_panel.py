"""A seeded synthetic national workforce panel in the long layout of the project's LA extract.

99 synthetic LAs ('Synthetic LA 01'-'99', codes '001'-'099'; 01-08 play the pilots, 09-16 the
comparators), every September 2015-2025. Each indicator is an LA effect plus a national year
effect plus noise, on roughly the scale of the real statistics; there is NO treatment effect.
Synthetic: it shows the method when no real data are available and says nothing about any
council.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.sources.dfe.extract import COLUMNS

YEARS = tuple(range(2015, 2026))
N_LAS = 99
PILOT_CODES = [f"{i:03d}" for i in range(1, 9)]
COMPARATOR_CODES = [f"{i:03d}" for i in range(9, 17)]
#: id -> (mean, between-LA SD, within-LA SD, lower bound)
SCALES = {
    "sw_turnover_fte": (16.0, 3.5, 3.5, 0.0),
    "sw_turnover_headcount": (16.5, 3.5, 3.5, 0.0),
    "sw_vacancy_rate_fte": (16.0, 6.0, 3.5, 0.0),
    "sw_agency_rate_fte": (15.0, 7.0, 3.0, 0.0),
    "sw_agency_rate_headcount": (15.0, 7.0, 3.0, 0.0),
    "sw_agency_cover_rate_fte": (75.0, 15.0, 12.0, 0.0),
    "sw_absence_rate_fte": (3.0, 0.8, 0.7, 0.0),
    "sw_caseload_fte": (17.0, 2.5, 1.8, 1.0),
    "sw_starters_fte": (45.0, 20.0, 8.0, 0.0),
    "sw_fte": (220.0, 90.0, 15.0, 20.0),
    "pop_0_17": (75000.0, 35000.0, 1000.0, 5000.0),
    "cin_at31": (2800.0, 1200.0, 250.0, 50.0),
}


def synthetic_workforce_panel(seed: int = 20150930) -> pd.DataFrame:
    """The long synthetic panel (``attrs['kind'] = 'synthetic'``)."""
    rng = np.random.default_rng(seed)
    codes = [f"{i:03d}" for i in range(1, N_LAS + 1)]
    parts = []
    for iid, (mean, between, within, floor) in SCALES.items():
        la = rng.normal(0, between, N_LAS)
        yr = rng.normal(0, within / 2, len(YEARS))
        noise = rng.normal(0, within, (N_LAS, len(YEARS)))
        v = np.maximum(mean + la[:, None] + yr[None, :] + noise, floor)
        v = np.round(v, 1)
        parts.append(
            pd.DataFrame(
                {
                    "la_code": np.repeat(codes, len(YEARS)),
                    "year": np.tile(YEARS, N_LAS),
                    "indicator_id": iid,
                    "value": v.ravel(),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["la_name"] = "Synthetic LA " + out["la_code"].str[1:]
    out["suppression"] = ""
    out["publication"] = "synthetic"
    out["release"] = "synthetic"
    out["file"] = "synthetic"
    out = out[COLUMNS]
    out.attrs["kind"] = "synthetic"
    return out


def synthetic_groups() -> tuple[list[str], list[str]]:
    """(pilot codes, comparator codes) of the synthetic panel."""
    return list(PILOT_CODES), list(COMPARATOR_CODES)
