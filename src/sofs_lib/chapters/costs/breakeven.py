"""Cost consequences of the published DiD effects, break-even effects, and what the designs
could detect.

Effects (all through :mod:`sofs_lib.published`): kinship care (EQ3d, -12.63 points, p = 0.03;
-0.07 without Pilot 2, p = 0.29) and re-referral within 6 months (EQ3b, -9.78 points,
p = 0.0013). Their standard errors are recovered from the printed p-values
(:func:`sofs_lib.methods.mde.se_from_p`). Unit costs and assumptions come from
``data/unit_costs.yml``; one seeded draw of every input feeds both the cost model and the
valuations, so costs and consequences share their uncertainty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib import published as pub
from sofs_lib.chapters.costs import model
from sofs_lib.chapters.costs.unit_costs import UnitCost, draw
from sofs_lib.chapters.la_outcomes.analysis import DEFAULT_YEARS
from sofs_lib.methods import mde

A94_LAC = "Number of CYP becoming looked after per 10,000 children in LA"
A94_RR = "Referrals within 12 months of previous referral (%)"


def published_effects() -> pd.DataFrame:
    """The DiD effects valued here, with the standard errors their p-values imply."""
    q = lambda i: pub.quote(i).number
    ex = pub.cell("A10.11", "DiD", "Excluding pilot 2").number
    rows = [
        (
            "Kinship care (EQ3d)",
            -q("did_a10_kinship_pp") / 100,
            q("did_a10_kinship_p"),
            "text did_a10_kinship_pp, did_a10_kinship_p",
        ),
        (
            "Kinship care without Pilot 2",
            ex,
            q("did_a10_kinship_excl_p2_p"),
            "Table A10.11 'Excluding pilot 2'; text did_a10_kinship_excl_p2_p",
        ),
        (
            "Re-referral within 6 months (EQ3b)",
            -q("did_a10_rereferral_pp") / 100,
            q("did_a10_rereferral_p"),
            "text did_a10_rereferral_pp, did_a10_rereferral_p",
        ),
    ]
    df = pd.DataFrame(rows, columns=["effect", "coef", "p", "source"])
    df["se"] = [mde.se_from_p(c, p) for c, p in zip(df["coef"], df["p"])]
    return df.set_index("effect")


def la_level_sd(row: str) -> dict:
    """Pooled LA-year SD behind Table A9.4's two-group F for one indicator."""
    n = int(pub.quote("la_pilots_analysed").number) * len(range(DEFAULT_YEARS[0], DEFAULT_YEARS[1] + 1))
    a, b = pub.cell("A9.4", row, "Pilot mean").number, pub.cell("A9.4", row, "SNN mean").number
    f = pub.cell("A9.4", row, "F Statistic").number
    return {"sd": mde.sd_from_oneway_f(a, b, f, n, n), "n_la": int(pub.quote("la_pilots_analysed").number)}


def detectable(alpha: float = 0.05, power: float = 0.8) -> pd.DataFrame:
    """Smallest effects the report's designs could detect."""
    e = published_effects()
    lac, rr = la_level_sd(A94_LAC), la_level_sd(A94_RR)
    k = lac["n_la"]
    rows = [
        (
            "DiD: re-referral within 6 months",
            100 * mde.mde_from_se(e.loc["Re-referral within 6 months (EQ3b)", "se"], alpha, power),
            "percentage points",
            "SE from the printed p-value",
        ),
        (
            "DiD: kinship care",
            100 * mde.mde_from_se(e.loc["Kinship care (EQ3d)", "se"], alpha, power),
            "percentage points",
            "SE from the printed p-value",
        ),
        (
            f"LA-level {k} v {k}: children becoming looked after",
            mde.mde_two_group(k, k, lac["sd"], alpha, power),
            "per 10,000 children",
            f"SD {lac['sd']:.1f} from Table A9.4's F and means",
        ),
        (
            f"LA-level {k} v {k}: re-referrals within 12 months",
            mde.mde_two_group(k, k, rr["sd"], alpha, power),
            "percentage points of referrals",
            f"SD {rr['sd']:.1f} from Table A9.4's F and means",
        ),
    ]
    return pd.DataFrame(rows, columns=["design", "smallest detectable effect", "unit", "how"]).set_index("design")


def _valuations(v: dict) -> dict:
    return {
        "per_switch": v["foster_week"] * (1 - v["kinship_cost_ratio"]) * v["care_weeks_first_year"],
        "per_rereferral": v["sw_hour_client"] * v["rereferral_hours"],
        "per_child_out": v["foster_week"] * v["care_weeks_first_year"],
        "foster_week": v["foster_week"],
    }


def simulate(costs: dict[str, UnitCost], price_year: str, horizon: int, n: int, seed: int) -> dict:
    """One seeded draw of every input: costs, valuations and effects (arrays of length n)."""
    rng = np.random.default_rng(seed)
    x = {k: draw(uc, rng, n) for k, uc in costs.items()}
    r = model.summarise(costs, price_year, horizon, x)
    val = _valuations(r["values"])
    e = published_effects()
    eff = {k: rng.normal(row.coef, row.se, n) for k, row in e.iterrows()}
    return {
        "x": x,
        "model": r,
        "val": val,
        "eff": eff,
        "values": r["values"],
        "annual": {
            "during Round 2": r["impl_total"] / r["facts"]["years"],
            "after the grant": r["ongoing_year"],
        },
    }


def consequences(sim: dict, level: float = 0.90) -> pd.DataFrame:
    """Yearly cost consequence per pilot (average) of each published effect (positive = cost)."""
    v, val, eff = sim["values"], sim["val"], sim["eff"]
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    for k, draws in eff.items():
        if k.startswith("Kinship"):
            cost = -draws * v["care_entrants_per_pilot_year"] * val["per_switch"]
        else:
            cost = draws * v["nfa_closures_per_pilot_year"] * val["per_rereferral"]
        rows.append(
            {
                "effect": k,
                "mean": float(np.mean(cost)),
                f"{lo:.0%}": float(np.quantile(cost, lo)),
                f"{hi:.0%}": float(np.quantile(cost, hi)),
                "P(saving)": float(np.mean(cost < 0)),
            }
        )
    return pd.DataFrame(rows).set_index("effect")


def break_even(sim: dict, level: float = 0.90) -> pd.DataFrame:
    """Effects per pilot per year that would pay for SofS (during Round 2 and after the grant)."""
    v, val = sim["values"], sim["val"]
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    for period, c in sim["annual"].items():
        routes = {
            "Re-referrals avoided": (c / val["per_rereferral"], "re-referrals"),
            "Re-referral rate (DiD scale)": (
                100 * c / val["per_rereferral"] / v["nfa_closures_per_pilot_year"],
                "percentage points",
            ),
            "Care-weeks avoided": (c / val["foster_week"], "weeks of foster care"),
            "Children kept out of care": (c / val["per_child_out"], "children"),
            "Children becoming looked after (LA scale)": (
                1e4 * c / val["per_child_out"] / v["children_per_pilot"],
                "per 10,000 children",
            ),
            "Kinship share of care entrants (DiD scale)": (
                100 * c / val["per_switch"] / v["care_entrants_per_pilot_year"],
                "percentage points",
            ),
        }
        for route, (arr, unit) in routes.items():
            arr = np.broadcast_to(arr, (len(next(iter(sim["eff"].values()))),))
            rows.append(
                {
                    "period": period,
                    "route": route,
                    "unit": unit,
                    "median": float(np.median(arr)),
                    f"{lo:.0%}": float(np.quantile(arr, lo)),
                    f"{hi:.0%}": float(np.quantile(arr, hi)),
                }
            )
    return pd.DataFrame(rows).set_index(["period", "route"])


def need_to_believe(be: pd.DataFrame, det: pd.DataFrame, period: str = "after the grant") -> pd.DataFrame:
    """For each route: the break-even effect beside the published estimate and the smallest
    effect the design could detect, with a generated sentence."""
    e = published_effects()
    k = next(i for i in det.index if i.startswith("LA-level") and "looked after" in i)
    spec = [
        (
            "Re-referral rate (DiD scale)",
            100 * -e.loc["Re-referral within 6 months (EQ3b)", "coef"],
            det.loc["DiD: re-referral within 6 months", "smallest detectable effect"],
            "fewer re-referrals",
        ),
        (
            "Kinship share of care entrants (DiD scale)",
            100 * e.loc["Kinship care (EQ3d)", "coef"],
            det.loc["DiD: kinship care", "smallest detectable effect"],
            "more kinship placements",
        ),
        (
            "Children becoming looked after (LA scale)",
            float("nan"),
            det.loc[k, "smallest detectable effect"],
            "fewer children becoming looked after",
        ),
    ]
    rows = []
    for route, est, md, what in spec:
        b = be.loc[(period, route), "median"]
        unit = be.loc[(period, route), "unit"]
        rows.append(
            {
                "route": route,
                "break-even": b,
                "unit": unit,
                "published estimate": est,
                "smallest detectable": md,
                "sentence": believe_sentence(route, what, b, est, md, unit),
            }
        )
    return pd.DataFrame(rows).set_index("route")


def believe_sentence(route: str, what: str, b: float, est: float, md: float, unit: str) -> str:
    """'You would need to believe ...' from the numbers (tested)."""
    s = f"SofS pays for itself through {what} only if the effect is at least {b:.1f} {unit} a year"
    if not np.isnan(est):
        if est <= 0:
            s += f"; the published estimate points the other way ({est:+.1f})"
        elif est >= b:
            s += f"; the published estimate ({est:.1f}) is that large"
        else:
            s += f"; the published estimate ({est:.1f}) is {b / est:.1f} times too small"
    s += (
        "; an effect that size is below the smallest the design could detect "
        f"({md:.1f}), so the evaluation could not have shown it"
        if b < md
        else f"; the design could detect effects of {md:.1f} or more, so it could have shown it"
    )
    return s + "."
