"""Items 3-5 on the public LA panel: staggered DiD, randomisation over placebo councils,
synthetic control one pilot at a time, and design-based power.

Treatment timing (published, sections 1-2): the Round 1 councils began SofS in October 2014
(first treated year: the year ending March 2015) and Bexley joined with Round 2 in September
2017 (year ending March 2018). Years are years ending 31 March, as in the DfE files.

"Never treated" here means *not named by the report as a SofS pilot*. About two-thirds of
English councils used SofS in some form (report, key messages), so most "never treated"
councils are in fact users: the comparison is contaminated. If a share ``c`` of the comparison
councils adopted SofS with the same effect over the same years, the DiD estimates
``(1 - c)`` times the pilots' effect; :func:`contamination_bound` gives ``c`` and the scaled
estimate, an upper bound on the size of the effect under that assumption.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.methods import few_clusters as F
from sofs_lib.sources.dfe import groups as DG

#: Outcomes of items 3-5: (indicator id, label, unit)
OUTCOMES = [
    ("cin_rate", "Children in need rate", "per 10,000 children"),
    ("referral_rate", "Referral rate", "per 10,000 children"),
    ("rereferrals", "Re-referrals within 12 months", "% of referrals"),
    ("s47_rate", "Section 47 enquiry rate", "per 10,000 children"),
    ("cpp_rate", "Child protection plan rate", "per 10,000 children"),
    ("lac_rate", "Looked after children rate", "per 10,000 children"),
    ("sgo", "Ceased care through an SGO", "% of children ceasing care"),
    ("sw_turnover_fte", "Social worker turnover (FTE)", "%"),
]


class LaPanelError(ValueError):
    """The LA panel cannot be used (named in the message)."""


def adoption_years() -> dict[str, int]:
    """LA code -> first treated year (year ending March) of every council the report names as
    a SofS pilot: Round 1 councils from their October start, Bexley from Round 2."""
    r1 = int(published.quote("beyond_round1_start_year").number) + 1  # October -> year ending March
    r2 = int(published.quote("beyond_round2_start_year").number) + 1
    from sofs_lib.sources.dfe import code_for_name

    out = {str(code_for_name(n)): r1 for n in DG.ROUND1_COUNCILS}
    out[str(code_for_name("Bexley"))] = r2
    return out


def load_la_panel(dfe_data_dir=None, indicators=None) -> tuple[pd.DataFrame, str, str]:
    """``(long panel la_code, la_name, year, indicator_id, value; kind; source)`` from
    ``sofs_lib.sources.dfe.extract.load_panel``: the committed public extract by default (real
    data, present in a fresh clone), the raw DfE files of a folder ``dfe_data_dir``, or
    ``"synthetic"``."""
    from sofs_lib.sources.dfe.extract import load_panel

    ids = [o[0] for o in OUTCOMES] if indicators is None else list(indicators)
    p = load_panel(source=dfe_data_dir, indicators=ids)
    missing = sorted(set(ids) - set(p["indicator_id"]))
    if len(missing) == len(ids):
        raise LaPanelError(f"none of the indicators {ids} is in the LA panel ({p.attrs.get('source')})")
    out = p[["la_code", "la_name", "year", "indicator_id", "value"]].copy()
    out["la_code"] = out["la_code"].astype(str)
    return out, p.attrs.get("kind", "real"), p.attrs.get("source", "LA panel")


def balanced(panel: pd.DataFrame, indicator: str, years=None) -> tuple[pd.DataFrame, dict]:
    """Wide LA x year table of ``indicator`` with only councils observed in every year
    (``years``: the years with the most councils if None). Returns the table and the counts
    of councils kept and dropped."""
    d = panel[(panel["indicator_id"] == indicator) & panel["value"].notna()]
    if d.empty:
        raise LaPanelError(f"indicator {indicator!r} has no values in the panel")
    wide = d.pivot_table(index="la_code", columns="year", values="value", aggfunc="first")
    if years is None:
        share = wide.notna().mean()
        years = [y for y in wide.columns if share[y] >= 0.9]
    wide = wide[list(years)]
    keep = wide.notna().all(axis=1)
    return wide[keep], {
        "councils": int(keep.sum()),
        "dropped_incomplete": int((~keep).sum()),
        "years": f"{min(years)}-{max(years)}",
    }


def contamination_bound(n_councils: int, n_named: int, share_users: float) -> dict:
    """Share ``c`` of the comparison councils that used SofS if ``share_users`` of all councils
    did and all ``n_named`` pilots are among them; the DiD estimates ``(1 - c)`` times the effect."""
    users = share_users * n_councils
    c = max(0.0, min(1.0, (users - n_named) / (n_councils - n_named)))
    return {"contaminated_share": c, "scale": 1.0 / (1.0 - c) if c < 1 else np.inf}


def _long(wide: pd.DataFrame, start: dict[str, int]) -> pd.DataFrame:
    d = wide.stack().rename("y").reset_index()
    d.columns = ["la", "year", "y"]
    d["g"] = d["la"].map(start).fillna(0).astype(int)  # 0: never treated
    d["treat"] = ((d["g"] > 0) & (d["year"] >= d["g"])).astype(int)
    d["rel"] = np.where(d["g"] > 0, d["year"] - d["g"], -1000).astype(float)
    return d


def staggered(wide: pd.DataFrame, start: dict[str, int], rng, ri_draws: int = 1000) -> dict:
    """Gardner's two-stage DiD (pyfixest ``did2s``; heterogeneity-robust with staggered
    adoption; first stage on never- and not-yet-treated council-years), its event study, the
    TWFE estimate and randomisation inference over placebo sets of councils with the same
    adoption years."""
    import pyfixest as pf

    d = _long(wide, start)
    if d.loc[d["treat"] == 1, "la"].nunique() == 0:
        raise LaPanelError("no treated council-years in the panel")
    note = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            att = pf.did2s(
                d,
                yname="y",
                first_stage="~ 0 | la + year",
                second_stage="~ treat",
                treatment="treat",
                cluster="la",
            )
            ev = pf.did2s(
                d[d["rel"].between(-6, 6) | (d["g"] == 0)],
                yname="y",
                first_stage="~ 0 | la + year",
                second_stage="~ i(rel, ref=-1000.0)",
                treatment="treat",
                cluster="la",
            )
        t = att.tidy().loc["treat"]
        evt = ev.tidy()
        evt = evt[evt.index.str.contains("rel::")].copy()
        evt["rel"] = [float(i.split("::")[1].rstrip("]")) for i in evt.index]
        evt = evt[["rel", "Estimate", "2.5%", "97.5%"]]
    except (ValueError, np.linalg.LinAlgError) as exc:  # pyfixest: too few untreated years per pilot
        t = pd.Series({"Estimate": np.nan, "Std. Error": np.nan, "Pr(>|t|)": np.nan})
        evt = pd.DataFrame(columns=["rel", "Estimate", "2.5%", "97.5%"])
        note = f"did2s not estimable: {str(exc).strip().splitlines()[0][:120]}"
    las = list(wide.index)
    starts = [start[la] for la in las if la in start]
    order = [la for la in las if la in start] + [la for la in las if la not in start]
    Y = wide.loc[order].to_numpy(dtype=float)
    years = list(wide.columns)
    periods = [years.index(s) if s in years else -1 for s in starts]
    ok = [p for p in periods if p >= 1]
    if len(ok) != len(periods):
        raise LaPanelError("a pilot's adoption year is outside the panel's years or its first year")
    A, _ = F.assignments(len(order), periods, max_exact=0, draws=ri_draws, rng=rng)
    beta, se = F.crv1(Y, F.treatment_matrix(A[0], len(years)))
    return {
        "att": float(t["Estimate"]),
        "att_se": float(t["Std. Error"]),
        "att_p_crv1": float(t["Pr(>|t|)"]),
        "twfe": float(beta[0]),
        "twfe_p_crv1_g1": float(F.p_t(beta / se, len(order) - 1)[0]),
        "ri_p": float(F.ri(Y, A, len(years))[0]),
        "ri_assignments": len(A),
        "ri_floor": 1 / len(A),
        "clusters": len(order),
        "treated_clusters": len(starts),
        "note": note,
        "event": evt,
    }


def synth_one(wide: pd.DataFrame, unit: str, donors: list[str], start_year: int) -> dict:
    """Synthetic control of ``unit`` from ``donors`` (pysyncon ``Synth``, predictors = the
    outcome in each pre-adoption year with equal weights): the gaps series, the mean gap after
    adoption and its absolute value (the placebo statistic: with two pre-adoption years the
    pre-period fit is near-perfect, so the usual post/pre RMSPE ratio divides by almost zero)."""
    from pysyncon import Synth

    years = list(wide.columns)
    pre = [y for y in years if y < start_year]
    post = [y for y in years if y >= start_year]
    if len(pre) < 1 or len(post) < 1:
        raise LaPanelError(f"{unit}: needs pre- and post-adoption years (start {start_year}, panel {years})")
    Z0 = wide.loc[donors].T
    Z1 = wide.loc[unit]
    Z1.name = unit
    s = Synth()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s.fit(X0=Z0.loc[pre], X1=Z1.loc[pre], Z0=Z0.loc[pre], Z1=Z1.loc[pre], custom_V=np.ones(len(pre)))
    synth = Z0.to_numpy() @ np.asarray(s.W)
    gap = Z1.to_numpy() - synth
    pre_m = np.isin(years, pre)
    rmspe_pre = float(np.sqrt(np.mean(gap[pre_m] ** 2)))
    rmspe_post = float(np.sqrt(np.mean(gap[~pre_m] ** 2)))
    return {
        "years": years,
        "actual": Z1.to_numpy(),
        "synthetic": synth,
        "gap": gap,
        "rmspe_pre": rmspe_pre,
        "rmspe_post": rmspe_post,
        "post_gap": float(gap[~pre_m].mean()),
        "stat": abs(float(gap[~pre_m].mean())),
    }


def synth_placebo(wide: pd.DataFrame, pilots: dict[str, int], donors: list[str]) -> tuple[pd.DataFrame, dict]:
    """Every pilot against its synthetic twin, with the placebo-in-space p: the share of
    {pilot} + donors whose absolute mean post-adoption gap is at least the pilot's (each donor's placebo
    drawn from the other donors; computed once per adoption year). Floor: 1/(donors + 1)."""
    rows, curves, placebo = [], {}, {}
    for yr in sorted(set(pilots.values())):
        placebo[yr] = np.array([synth_one(wide, d, [x for x in donors if x != d], yr)["stat"] for d in donors])
    for la, yr in pilots.items():
        r = synth_one(wide, la, donors, yr)
        p = (1 + int((placebo[yr] >= r["stat"]).sum())) / (len(donors) + 1)
        rows.append(
            {
                "la_code": la,
                "start_year": yr,
                "post_gap": r["post_gap"],
                "rmspe_pre": r["rmspe_pre"],
                "placebo_p": p,
                "p_floor": 1 / (len(donors) + 1),
                "donors": len(donors),
            }
        )
        curves[la] = r
    return pd.DataFrame(rows), curves


def nearest_donors(wide: pd.DataFrame, pilots: dict[str, int], n: int) -> list[str]:
    """The ``n`` non-pilot councils closest to the pilots before adoption (mean over pilots of
    the root mean squared difference in the years before the earliest adoption)."""
    first = min(pilots.values())
    pre = [y for y in wide.columns if y < first]
    pool = [la for la in wide.index if la not in pilots]
    if len(pool) < n:
        raise LaPanelError(f"only {len(pool)} possible donors for {n} requested")
    P = wide.loc[list(pilots), pre].to_numpy()
    dist = {la: float(np.sqrt(((P - wide.loc[la, pre].to_numpy()) ** 2).mean(1)).mean()) for la in pool}
    return sorted(pool, key=lambda la: (dist[la], la))[:n]
