"""Recurrent training driven by real staff flows: new social workers (FTE starters) in the
pilot authorities each year, times the SofS training a new starter needs.

Starters come from the *Children's social work workforce* indicator files (``starters_fte``,
year = 30 September). Only averages and ranges over the pilot authorities are shown, never a
council's own figure beside a cost.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.sources.dfe.groups import default_pilots, load_groups


def round2_pilots() -> list[str]:
    """The Round 2 pilots: the analysed pilots and the one the LA analysis dropped."""
    g = load_groups()
    extra = [g["dropped_pilot"]["la_code"]] if g.get("dropped_pilot") else []
    return default_pilots() + [str(c) for c in extra]


def starters_from_files(dfe_data_dir) -> pd.DataFrame:
    """LA x year starters (FTE) and social workers in post (FTE) from the workforce file."""
    from sofs_lib.sources.dfe import load_workforce

    root = Path(dfe_data_dir) / "workforce"
    hits = sorted(root.glob("csww_indicators_*.csv"))
    if not hits:
        raise FileNotFoundError(f"no workforce indicators file (csww_indicators_*.csv) in {root}")
    w = load_workforce(hits[-1])
    w = w[w["la_code"].notna()]
    out = w[["la_code", "year", "starters_fte", "inpost_fte"]].copy()
    out["year"] = out["year"].astype(int)
    out.attrs["kind"] = "real"
    out.attrs["file"] = hits[-1].name
    return out


def starters_summary(starters: pd.DataFrame, pilots=None) -> pd.DataFrame:
    """Per year: pilots reporting, mean, least and most starters per pilot, and the starter
    rate (starters / social workers in post)."""
    pil = list(pilots) if pilots is not None else round2_pilots()
    d = starters[starters["la_code"].isin(pil)].dropna(subset=["starters_fte"])
    g = d.groupby("year")
    out = pd.DataFrame(
        {
            "pilots reporting": g["starters_fte"].count(),
            "mean starters per pilot (FTE)": g["starters_fte"].mean(),
            "least": g["starters_fte"].min(),
            "most": g["starters_fte"].max(),
            "starters per 100 in post": 100 * g["starters_fte"].sum() / g["inpost_fte"].sum(),
        }
    )
    out.index.name = "year (30 September)"
    out.attrs["missing"] = int(
        len(pil) * starters["year"].nunique() - starters[starters["la_code"].isin(pil)]["starters_fte"].notna().sum()
    )
    return out


def recurrent_cost(
    summary: pd.DataFrame,
    sw_day: np.ndarray | float,
    days: np.ndarray | float,
    travel: np.ndarray | float,
    level: float = 0.90,
) -> pd.DataFrame:
    """Yearly cost per pilot (average) of training every new starter: starters x days x (a
    social worker's day + travel), with the interval of the unit-cost draws."""
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    per_starter = np.asarray(days) * (np.asarray(sw_day) + np.asarray(travel))
    rows = []
    for year, r in summary.iterrows():
        c = r["mean starters per pilot (FTE)"] * per_starter
        rows.append(
            {
                "year (30 September)": year,
                "starters per pilot (FTE)": r["mean starters per pilot (FTE)"],
                "n pilots": int(r["pilots reporting"]),
                "cost per pilot (average)": float(np.mean(c)),
                f"{lo:.0%}": float(np.quantile(c, lo)),
                f"{hi:.0%}": float(np.quantile(c, hi)),
            }
        )
    return pd.DataFrame(rows).set_index("year (30 September)")


def starters_long(starters: pd.DataFrame) -> pd.DataFrame:
    """The starters as a long panel (``indicator_id`` sw_starters_fte) for the coverage check."""
    d = starters[["la_code", "year", "starters_fte"]].rename(columns={"starters_fte": "value"})
    return d.assign(indicator_id="sw_starters_fte")


def starters_from_extract(load_panel) -> pd.DataFrame:
    """Starters and social workers in post from the committed real LA extract."""
    d = load_panel(["sw_starters_fte", "sw_fte"])
    w = d.pivot_table(index=["la_code", "year"], columns="indicator_id", values="value").reset_index()
    w = w.rename(columns={"sw_starters_fte": "starters_fte", "sw_fte": "inpost_fte"})
    w["la_code"] = w["la_code"].astype(str)
    w["year"] = w["year"].astype(int)
    w.attrs["kind"] = "real"
    w.attrs["file"] = "committed extract"
    return w[["la_code", "year", "starters_fte", "inpost_fte"]]
