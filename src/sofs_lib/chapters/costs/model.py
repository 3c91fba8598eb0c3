"""Bottom-up cost of SofS per pilot (average) and in total, with a seeded Monte Carlo.

The quantities come from the report (posts, salaries, training days, practice-leader sessions,
management days, venue and IT means; through :mod:`sofs_lib.published`) and the unit costs and
assumptions of ``data/unit_costs.yml`` (:mod:`.unit_costs`). Every cost is at the file's price
year. Costs are for an average pilot ("per pilot (average)"): no figure here belongs to a
named or numbered council.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib import published as pub
from sofs_lib.chapters.costs import recompute as rc
from sofs_lib.chapters.costs.unit_costs import UnitCost, draw, quantile_range, uprate_factor

COMPONENTS = [
    "SofS posts",
    "Training time",
    "Training travel and subsistence",
    "Practice-leader sessions",
    "Management time",
    "Venue and room hire",
    "IT development",
]
ONGOING = [
    "Continuing posts",
    "New-starter training",
    "Practice-leader sessions",
    "Management time",
    "Venue and room hire",
    "IT upkeep",
]


def facts() -> dict:
    """The published quantities the model uses (all through sofs_lib.published)."""
    q = lambda i: pub.quote(i).number
    b, t = rc.salary_bounds(), rc.training_totals()
    a11 = rc.a11_counts().set_index(["row", "column"])["count"]
    n6 = q("cost_survey_2019_replies")
    pilots = q("la_pilots_remaining")
    return {
        "pilots": pilots,
        "years": q("cost_grant_years"),
        "grant": q("cost_grant_per_pilot"),
        "posts_per_pilot": q("cost_staff_employed") / q("cost_staffing_las"),
        "continuing_share": q("cost_staff_continuing") / q("cost_staff_employed"),
        "salary_mean_min": b["mean_min"],
        "salary_mean_max": b["mean_max"],
        "training_days_per_pilot": t["staff_days"] / q("cost_training_pilots"),
        "pl_sessions_per_pilot": q("cost_practice_leader_sessions") / pilots,
        "mgmt_days_per_pilot": q("cost_mgmt_days_mean"),
        "venue_ongoing": a11[("Venue/room hire", "Ongoing in future")] / n6,
        "it_ongoing": a11[("IT development", "Ongoing in future")] / n6,
        "training_ongoing": a11[("Training", "Ongoing in future")] / n6,
    }


def _values(costs: dict[str, UnitCost], price_year: str, x: dict) -> dict:
    """Central values (or arrays of draws in ``x``), monetary ones uprated to the price year."""
    g = x.get("pay_uprating", costs["pay_uprating"].value)
    return {k: x.get(k, uc.value) * uprate_factor(uc, price_year, g) for k, uc in costs.items()}


def components(v: dict, f: dict) -> tuple[dict, dict]:
    """Round 2 implementation cost and yearly ongoing cost per pilot (average), by component."""
    sw_day = v["sw_hour"] * v["hours_per_day"]
    salary = f["salary_mean_min"] + v["salary_position"] * (f["salary_mean_max"] - f["salary_mean_min"])
    post_year = f["posts_per_pilot"] * salary * (1 + v["on_cost_rate"]) * v["sofs_time_share"]
    pl_year = f["pl_sessions_per_pilot"] * v["pl_attendees"] * v["pl_session_days"] * sw_day / f["years"]
    mgmt_year = f["mgmt_days_per_pilot"] * sw_day * v["manager_day_ratio"] / f["years"]
    impl = {
        "SofS posts": post_year * f["years"],
        "Training time": f["training_days_per_pilot"] * sw_day,
        "Training travel and subsistence": f["training_days_per_pilot"] * v["travel_per_training_day"],
        "Practice-leader sessions": pl_year * f["years"],
        "Management time": mgmt_year * f["years"],
        "Venue and room hire": v["venue_hire_year"] * f["years"],
        "IT development": v["it_development"],
    }
    ongoing = {
        "Continuing posts": post_year * f["continuing_share"],
        "New-starter training": v["starters_per_pilot_year"]
        * v["new_starter_training_days"]
        * (sw_day + v["travel_per_training_day"]),
        "Practice-leader sessions": pl_year * f["training_ongoing"],
        "Management time": mgmt_year * v["mgmt_ongoing_share"],
        "Venue and room hire": v["venue_hire_year"] * f["venue_ongoing"],
        "IT upkeep": v["it_development"] * v["it_upkeep_share"] * f["it_ongoing"],
    }
    return impl, ongoing


def annuity(rate, years: int):
    """Present value of 1 a year for ``years`` years, first payment one year after the grant."""
    t = np.arange(1, years + 1)
    r = np.asarray(rate, dtype=float)
    return (1 / (1 + r[..., None]) ** t).sum(axis=-1) if r.ndim else float((1 / (1 + r) ** t).sum())


def summarise(costs: dict[str, UnitCost], price_year: str, horizon: int, x: dict | None = None) -> dict:
    """Totals for one set of values (central when ``x`` is empty)."""
    f = facts()
    v = _values(costs, price_year, x or {})
    impl, ong = components(v, f)
    i_tot = sum(impl.values())
    o_tot = sum(ong.values())
    pv = o_tot * annuity(v["discount_rate"], horizon)
    return {
        "impl": impl,
        "ongoing": ong,
        "impl_total": i_tot,
        "ongoing_year": o_tot,
        "ongoing_pv": pv,
        "total": i_tot + pv,
        "facts": f,
        "values": v,
    }


def central_table(res: dict) -> pd.DataFrame:
    """Components of the central estimate, per pilot (average) and for all pilots."""
    f = res["facts"]
    rows = [("Round 2 (2 years)", k, v) for k, v in res["impl"].items()]
    rows += [("Each year after the grant", k, v) for k, v in res["ongoing"].items()]
    df = pd.DataFrame(rows, columns=["period", "component", "per pilot (average)"])
    df["all pilots"] = df["per pilot (average)"] * f["pilots"]
    tot = [
        ("Round 2 (2 years)", "Total", res["impl_total"]),
        ("Each year after the grant", "Total", res["ongoing_year"]),
    ]
    t = pd.DataFrame(tot, columns=["period", "component", "per pilot (average)"])
    t["all pilots"] = t["per pilot (average)"] * f["pilots"]
    return pd.concat([df, t], ignore_index=True).set_index(["period", "component"])


def monte_carlo(costs: dict[str, UnitCost], price_year: str, horizon: int, n: int, seed: int) -> pd.DataFrame:
    """``n`` seeded draws of every uncertain entry; one row per draw with the totals."""
    rng = np.random.default_rng(seed)
    x = {k: draw(uc, rng, n) for k, uc in costs.items()}
    r = summarise(costs, price_year, horizon, x)
    out = pd.DataFrame({k: np.broadcast_to(v, (n,)) for k, v in r["impl"].items()})
    out["implementation"] = r["impl_total"]
    out["ongoing per year"] = r["ongoing_year"]
    out["ongoing (present value)"] = r["ongoing_pv"]
    out["total"] = r["total"]
    return out


def interval(draws: pd.DataFrame, level: float = 0.90) -> pd.DataFrame:
    """Mean and central interval of each total."""
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    cols = ["implementation", "ongoing per year", "ongoing (present value)", "total"]
    return pd.DataFrame(
        {
            "mean": draws[cols].mean(),
            f"{lo:.0%}": draws[cols].quantile(lo),
            f"{hi:.0%}": draws[cols].quantile(hi),
        }
    )


def tornado(
    costs: dict[str, UnitCost], price_year: str, horizon: int, q: float = 0.05, what: str = "total"
) -> pd.DataFrame:
    """One-way sensitivity: each uncertain entry at its q and 1-q quantiles, others central."""
    base = summarise(costs, price_year, horizon)[what]
    rows = []
    for k, uc in costs.items():
        if uc.dist == "fixed":
            continue
        lo, hi = quantile_range(uc, q)
        a = summarise(costs, price_year, horizon, {k: lo})[what]
        b = summarise(costs, price_year, horizon, {k: hi})[what]
        if a == base and b == base:
            continue
        rows.append(
            {
                "entry": k,
                "label": uc.label,
                "low input": lo,
                "high input": hi,
                "at low": a,
                "at high": b,
                "swing": abs(b - a),
                "assumption": uc.assumption,
            }
        )
    df = pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)
    df.attrs["base"] = base
    return df
