"""Everything chapter 06_costs shows, computed once from its parameters (:func:`run`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib import published as pub
from sofs_lib.chapters.costs import breakeven, coverage, model, recompute, spending, training
from sofs_lib.chapters.costs import unit_costs as uc
from sofs_lib.chapters.costs.checks import cost_checks
from sofs_lib.chapters.costs.params import ASSUMPTIONS, year_span
from sofs_lib.sources.dfe.groups import default_comparators, default_pilots
from sofs_lib.synthetic import cost_surveys as cs

#: how the report words a quoted value: "nearly" = just below, "over" = just above, "around"
QUALIFIERS = {
    "cost_venue_hire_mean": "nearly",
    "cost_venue_hire_one_la": "nearly",
    "cost_it_mean": "over",
    "cost_staffing_share": "around",
}


def real_sources(dfe_data_dir) -> dict | None:
    """Where the real LA data come from: a folder of DfE files, the committed extract, or None."""
    if dfe_data_dir:
        return {"how": "files", "dir": Path(dfe_data_dir)}
    try:
        from sofs_lib.sources.dfe.extract import default_extract_path
    except ImportError:
        return None
    return {"how": "extract"} if default_extract_path().exists() else None


EXTRACT_IDS = [*spending.LABELS, "pop_0_17", "sw_starters_fte", "sw_fte"]


def _extract_loader(src: dict):
    """A ``load_panel``-like function reading the committed extract once for every section."""
    if "panel" not in src:
        from sofs_lib.sources.dfe.extract import load_panel

        src["panel"] = load_panel(indicators=EXTRACT_IDS)
    return lambda ids: src["panel"][src["panel"]["indicator_id"].isin(list(ids))]


def finance(src, keep_missing: bool = False) -> pd.DataFrame | None:
    if src is None:
        return None
    if src["how"] == "files":
        return spending.finance_panel_from_files(src["dir"], keep_missing)
    return spending.finance_panel_from_extract(_extract_loader(src), keep_missing)


def finance_coverage(full: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The finance panel of values (as the analyses use it) and every LA-year its pilot,
    comparator and England means lack (:func:`coverage.missing_la_years`)."""
    fin = full.dropna(subset=["value"]).drop(columns="why").reset_index(drop=True)
    groups = {"Pilot": default_pilots(), "SNN": default_comparators()}
    why = full[full["value"].isna()][["indicator_id", "la_code", "year", "why"]]
    return fin, coverage.missing_la_years(fin, groups, why)


def starters(src) -> pd.DataFrame | None:
    if src is None:
        return None
    if src["how"] == "files":
        return training.starters_from_files(src["dir"])
    return training.starters_from_extract(_extract_loader(src))


def compare_returns(agg: dict[str, float], kind: str) -> pd.DataFrame:
    """Each printed aggregate beside its value recomputed from the returns."""
    rows = []
    for k, v in agg.items():
        if k.startswith("A11.1|"):
            _, row, col = k.split("|")
            p = pub.cell("A11.1", row, col)
            label, pid = f"Table A11.1: {row} ({col.lower()})", f"A11.1 {row} / {col}"
        else:
            p, label, pid = pub.quote(k), pub.quote(k).note, k
        how = QUALIFIERS.get(k, "")
        if how == "nearly":
            ok = 0.95 * p.number <= v < p.number
        elif how == "over":
            ok = p.number < v <= 1.05 * p.number
        else:
            d = p.decimals or 0
            ok = abs(v - p.number) <= 0.5 * 10**-d + 1e-9
        rows.append(
            {
                "id": pid,
                "what": label,
                "published": p.text,
                "recomputed": v,
                "reading": how or "as printed (rounded)",
                "agrees": bool(ok),
                "kind": kind,
            }
        )
    return pd.DataFrame(rows).set_index("id")


def run(p: dict, out: Path) -> dict:
    """All results of the chapter (see the notebook for what each shows)."""
    r: dict = {"p": p}
    r["checks"] = cost_checks()
    r["totals"] = recompute.totals_table()
    r["training_table"] = recompute.training_table()
    r["a11"] = recompute.a11_count_table()
    # returns (synthetic unless data_dir is given)
    if p["data_dir"]:
        folder, r["returns_kind"] = Path(p["data_dir"]), "real"
    else:
        folder, r["returns_kind"] = (
            cs.write_cost_returns(out / "synthetic_returns", seed=p["seed"]),
            "synthetic",
        )
    r["returns"] = cs.read_cost_returns(folder)
    r["returns_check"] = compare_returns(cs.aggregates(r["returns"]), r["returns_kind"])
    r["survey_bases"] = coverage.survey_bases(r["returns"])
    # real LA data
    src = real_sources(p["dfe_data_dir"])
    r["real"] = src is not None
    r["starters"] = st = starters(src)
    py, costs = uc.load_unit_costs(p["unit_costs_file"])
    over = {a: p[a] for a in ASSUMPTIONS}
    if st is not None:
        r["starters_summary"] = training.starters_summary(st)
        r["starters_missing"] = coverage.missing_la_years(
            training.starters_long(st), {"Pilot": training.round2_pilots()}, england=False
        )
        if over["starters_per_pilot_year"] is None:
            over["starters_per_pilot_year"] = float(r["starters_summary"]["mean starters per pilot (FTE)"].mean())
    costs = uc.with_overrides(costs, over)
    r["price_year"], r["costs"] = py, costs
    g = costs["pay_uprating"].value
    r["unit_table"] = uc.table(costs, py, g)
    r["central"] = model.summarise(costs, py, p["horizon_years"])
    r["central_table"] = model.central_table(r["central"])
    r["draws"] = model.monte_carlo(costs, py, p["horizon_years"], p["n_draws"], p["seed"])
    r["interval"] = model.interval(r["draws"], p["interval"])
    r["tornado"] = model.tornado(costs, py, p["horizon_years"])
    sim = breakeven.simulate(costs, py, p["horizon_years"], p["n_draws"], p["seed"])
    r["effects"] = breakeven.published_effects()
    r["consequences"] = breakeven.consequences(sim, p["interval"])
    r["break_even"] = breakeven.break_even(sim, p["interval"])
    r["detectable"] = breakeven.detectable()
    r["believe"] = breakeven.need_to_believe(r["break_even"], r["detectable"])
    if st is not None:
        v = sim["values"]
        r["recurrent"] = training.recurrent_cost(
            r["starters_summary"],
            v["sw_hour"] * v["hours_per_day"],
            v["new_starter_training_days"],
            v["travel_per_training_day"],
            p["interval"],
        )
    full = finance(src, keep_missing=True)
    fin, r["finance_missing"] = finance_coverage(full) if full is not None else (None, None)
    r["finance"] = fin
    if fin is not None:
        r["fin_means"] = spending.group_means(fin)
        r["anova"] = spending.anova_over_time(fin, year_span(p["anova_years"]))
        r["events"] = spending.event_study_all(fin, year_span(p["event_years"]))
        y = spending.ROUND2_FIRST_YEAR + 1
        r["lait_foster"] = (
            *spending.all_la_mean(fin, "fin_fostering_unit_cost", y),
            f"{y - 1}-{y % 100:02d}",
        )
        r["clustered"] = spending.clustered_check(fin, "fin_safeguarding_gross", year_span(p["event_years"]))
    r["sw_day"] = float(np.mean(sim["values"]["sw_hour"] * sim["values"]["hours_per_day"]))
    return r
