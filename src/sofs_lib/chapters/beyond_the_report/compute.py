"""The computations of chapter 07_beyond_the_report, one function per item of the chapter."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.beyond_the_report import la_panel as LP
from sofs_lib.methods import few_clusters as F

ALPHA = 0.05
MC_CLUSTERS = (4, 6, 8, 10, 13)
MAX_TREATED = 6
#: The report's DiD designs (pilot and comparator LAs in the notes to Tables A10.6-A10.11).
REPORT_DESIGNS = {
    "EQ3a": ("did_a10_6_pilot_sites", "did_a10_6_comparator_sites"),
    "EQ3b": ("did_a10_8_pilot_sites", "did_a10_8_comparator_sites"),
    "EQ3c": ("did_a10_10_pilot_sites", "did_a10_10_comparator_sites"),
    "EQ3d": ("did_a10_11_pilot_sites", "did_a10_11_comparator_sites"),
}
POWER_EFFECT = 1.0  # in units of the LA-by-year shock's standard deviation
MDE_GRID = np.round(np.arange(0.0, 6.01, 0.25), 2)


def report_designs() -> dict[str, tuple[int, int]]:
    """Question -> (LAs, pilot LAs) as published."""
    out = {}
    for q, (pi, ci) in REPORT_DESIGNS.items():
        k, c = int(published.quote(pi).number), int(published.quote(ci).number)
        out[q] = (k + c, k)
    return out


def mc_designs() -> list[tuple[int, int]]:
    """(G, treated) pairs of the Monte Carlo: G in 4, 6, 8, 10, 13 and 1-6 treated LAs (fewer
    than G)."""
    return [(G, k) for G in MC_CLUSTERS for k in range(1, min(MAX_TREATED, G - 1) + 1)]


def size_power(p: dict) -> tuple[pd.DataFrame, float]:
    """Item 1: rejection rates at 5% of every method under the null (size) and at an effect of
    one shock SD (power), for every design. Returns the table and its run time (s)."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(p["seed"])
    T, rows = int(p["mc_years"]), []
    for G, k in mc_designs():
        starts = F.default_starts(k, T)
        D = F.treatment_matrix(starts + [-1] * (G - k), T)
        A, exact = F.assignments(G, starts, max_exact=p["ri_max_exact"], draws=p["ri_draws"], rng=rng)
        floor = F.ri_floor(A, T)
        for what, eff in (("size", 0.0), ("power", POWER_EFFECT)):
            Y = F.simulate(G, T, D, p["mc_reps"], eff, p["mc_rho"], 1.0, p["mc_cell_sd"], rng)
            pv = F.pvalues(
                Y,
                starts,
                G,
                T,
                np.inf,
                p["boot_reps"],
                rng,
                max_exact=p["ri_max_exact"],
                ri_draws=p["ri_draws"],
            )
            for r in F.rejection_table(pv, ALPHA):
                rows.append(
                    {
                        "quantity": what,
                        "effect_sd": eff,
                        "clusters": G,
                        "treated_clusters": k,
                        **r,
                        "ri_assignments": len(A),
                        "ri_exact": exact,
                        "ri_floor": floor,
                    }
                )
    return pd.DataFrame(rows), time.perf_counter() - t0


def can_reject(row) -> bool:
    """Whether a method can reject at 5% at all in a design (RI: its floor is at most 5%)."""
    return not (row["method"] == "RI" and row["ri_floor"] > ALPHA)


def choose_honest(size: pd.DataFrame, z: float = 2.0) -> str:
    """The honest method: among the methods whose size never exceeds 5% by more than ``z`` Monte
    Carlo SEs in any design with at least two treated and two untreated LAs, the one whose size
    is closest to 5% on average over the designs where it can reject at all."""
    s = size[
        (size["quantity"] == "size")
        & (size["treated_clusters"] >= 2)
        & (size["clusters"] - size["treated_clusters"] >= 2)
    ]
    best, score = None, np.inf
    for m in F.METHODS:
        d = s[s["method"] == m]
        if d.empty:
            continue
        if (d["rejection_rate"] > ALPHA + z * np.maximum(d["mc_se"], 1e-9)).any():
            continue
        d = d[d.apply(can_reject, axis=1)]
        if d.empty:
            continue
        sc = float((d["rejection_rate"] - ALPHA).abs().mean())
        if sc < score:
            best, score = m, sc
    if best is None:
        raise RuntimeError("no method keeps its size at 5% in these designs")
    return best


def did_mde(p: dict, honest: str, sd_units: dict[str, float] | None = None) -> pd.DataFrame:
    """Item 5 (DiD questions): power of the randomisation test (or the honest method) at the
    report's designs over effects in shock-SD units, and the MDE at 80% power."""
    rng = np.random.default_rng(p["seed"] + 1)
    T, rows = int(p["mc_years"]), []
    for q, (G, k) in report_designs().items():
        starts = F.default_starts(k, T)
        D = F.treatment_matrix(starts + [-1] * (G - k), T)
        Y0 = F.simulate(G, T, D, p["mc_reps"], 0.0, p["mc_rho"], 1.0, p["mc_cell_sd"], rng)
        A, _ = F.assignments(G, starts, max_exact=p["ri_max_exact"], draws=p["ri_draws"], rng=rng)
        if honest == "RI":
            power = F.power_curve(Y0, A, T, MDE_GRID)
        else:
            power = np.array(
                [
                    (
                        F.pvalues(Y0 + e * D, starts, G, T, np.inf, p["boot_reps"], rng, methods=(honest,))[honest]
                        <= ALPHA
                    ).mean()
                    for e in MDE_GRID
                ]
            )
        rows.append(
            {
                "question": q,
                "clusters": G,
                "treated_clusters": k,
                "method": honest,
                "ri_floor": F.ri_floor(A, T),
                "mde_sd": F.mde(MDE_GRID, power),
                "power_at_1sd": float(np.interp(1.0, MDE_GRID, power)),
            }
        )
    return pd.DataFrame(rows)


def la_results(p: dict) -> dict:
    """Items 3-5 on the LA panel: per outcome the staggered DiD, RI, contamination bound,
    synthetic controls and the design-based MDE."""
    rng = np.random.default_rng(p["seed"] + 2)
    panel, kind, source = LP.load_la_panel(p["dfe_data_dir"])
    starts_all = LP.adoption_years()
    n_councils = int(panel["la_code"].nunique())
    share = float(published.quote("beyond_sofs_share_las").number) / 100
    bound = LP.contamination_bound(n_councils, len(starts_all), share)
    rows, events, synth_tabs, curves, info = [], {}, [], {}, []
    for ind, label, unit in LP.OUTCOMES:
        if ind not in set(panel["indicator_id"]):
            info.append({"indicator_id": ind, "status": "not in the panel"})
            continue
        wide, bal = LP.balanced(panel, ind)
        first = min(wide.columns)
        st = {la: y for la, y in starts_all.items() if la in wide.index and y > first}
        no_pre = sorted(la for la, y in starts_all.items() if la in wide.index and y <= first)
        info.append({"indicator_id": ind, **bal, "pilots_used": len(st), "pilots_without_pre_years": len(no_pre)})
        if len(st) == 0:
            continue
        r = LP.staggered(wide, st, rng, ri_draws=p["ri_draws"])
        events[ind] = r.pop("event")
        donors_all = wide.drop(index=[la for la in starts_all if la in wide.index])
        A, _ = F.assignments(len(donors_all), _periods(wide, st), max_exact=0, draws=p["placebo_sets"] * 5, rng=rng)
        sd = float(np.std(F.twfe(donors_all.to_numpy(float), F.treatment_matrix(A[0], wide.shape[1]))[1]))
        grid = MDE_GRID * sd
        power = F.placebo_power(donors_all.to_numpy(float), A, wide.shape[1], grid, n_pseudo=p["placebo_sets"])
        pre = wide.loc[list(st), [y for y in wide.columns if y < min(st.values())]].to_numpy().mean()
        rows.append(
            {
                "indicator_id": ind,
                "outcome": label,
                "unit": unit,
                **r,
                "att_bound": r["att"] * bound["scale"],
                "mde_honest": F.mde(grid, power),
                "resid_sd": sd,
                "mtm_20pc": 0.2 * float(pre),
            }
        )
        if ind in p["synth_outcomes"]:
            donors = LP.nearest_donors(wide, st, p["synth_donors"])
            tab, cur = LP.synth_placebo(wide, st, donors)
            tab.insert(0, "indicator_id", ind)
            tab.insert(1, "la_name", tab["la_code"].map(_names(panel)))
            synth_tabs.append(tab)
            curves[ind] = cur
    return {
        "kind": kind,
        "source": source,
        "n_councils": n_councils,
        "bound": bound,
        "share_users": share,
        "results": pd.DataFrame(rows),
        "events": events,
        "panel_info": pd.DataFrame(info),
        "synth": pd.concat(synth_tabs, ignore_index=True) if synth_tabs else pd.DataFrame(),
        "curves": curves,
        "names": _names(panel),
        "starts": starts_all,
    }


def _periods(wide: pd.DataFrame, st: dict[str, int]) -> list[int]:
    years = list(wide.columns)
    return [years.index(y) for y in st.values()]


def _names(panel: pd.DataFrame) -> dict[str, str]:
    return panel.drop_duplicates("la_code").set_index("la_code")["la_name"].to_dict()


#: Published main estimate (quoted-number id, sign) and the baseline rate MTM's 20% applies to.
PUBLISHED_EFFECT = {
    "EQ3a": ("did_assess_days", 1),
    "EQ3b": ("did_rereferral_pp", -1),
    "EQ3c": (None, -1),
    "EQ3d": ("did_kinship_pp", -1),
}
BASELINE = {"EQ3b": "did_rereferral_from", "EQ3d": "did_kinship_from"}


def shock_sd(frame: pd.DataFrame, y: str) -> float:
    """SD of the LA-by-year residual of the TWFE model of the question's LA-year means (CEM
    weighted), on the LAs observed in every year: the unit of the DiD MDEs."""
    d = frame[frame["cem_w"] > 0]
    m = d.assign(wy=d[y] * d["cem_w"]).groupby(["la", "year"], observed=True)[["wy", "cem_w"]].sum()
    wide = (m["wy"] / m["cem_w"]).unstack("year")
    full = wide.dropna(axis=1)  # the years every LA has, else the LAs seen every year
    wide = full if full.shape[1] >= 2 else wide.dropna(axis=0)
    if wide.shape[0] < 2 or wide.shape[1] < 2:
        return float("nan")
    Y = wide.to_numpy(float)
    return float(np.sqrt((F.demean2(Y) ** 2).sum() / ((Y.shape[0] - 1) * (Y.shape[1] - 1))))


def did_mde_units(mde: pd.DataFrame, an, scale: dict[str, float] | None = None) -> pd.DataFrame:
    """The DiD MDEs in outcome units (x the shock SD of the DiD chapter's data) beside the
    published estimates and MTM's 20 per cent shift (20% of the published baseline rate, or of
    the pilots' pre-SofS mean in the data when the report gives none)."""
    from sofs_lib.chapters.did import data as DD
    from sofs_lib.chapters.did.analysis import EQ_INFO

    rows = []
    for r in mde.to_dict("records"):
        eq = "eq3" + r["question"][-1]
        fr = an.frame(eq)
        y = DD.OUTCOMES[eq][0]
        sd = shock_sd(fr, y)
        binary = EQ_INFO[eq]["binary"]
        k = 100.0 if binary else 1.0  # probabilities in percentage points
        qid, _ = PUBLISHED_EFFECT[r["question"]]
        pub = float(published.quote(qid).number) if qid else float("nan")
        if r["question"] in BASELINE:
            base = float(published.quote(BASELINE[r["question"]]).number)
        else:
            pre = fr[(fr["pilot_i"] == 1) & (fr["post"] == 0) & (fr["cem_w"] > 0)]
            base = float(np.average(pre[y], weights=pre["cem_w"])) * k if len(pre) else float("nan")
        rows.append(
            {
                "question": r["question"],
                "unit": "percentage points" if binary else EQ_INFO[eq]["unit"],
                "shock_sd": sd * k,
                "mde": r["mde_sd"] * sd * k,
                "published_estimate": pub,
                "mtm_20pc": 0.2 * base,
            }
        )
    return pd.DataFrame(rows)
