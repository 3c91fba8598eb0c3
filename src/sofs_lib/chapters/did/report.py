"""Tables A10.1-A10.12 and Table 8 beside the published ones, their ledger entries, and the
figures of the DiD chapter.

Every table built from individual records goes through :mod:`sofs_lib.methods.disclosure`: counts
under 10 are suppressed with their complements, and statistics of suppressed groups with them.
Regression tables report coefficients, not counts; their N are far above 10.

Coefficient cells read ``estimate stars (SE)`` with the report's stars (* p<0.1, ** p<0.05,
*** p<0.01); ``N/A`` = the term is not in that specification (as in the report); ``–`` = not
estimable here (for example a child fixed-effects model when no child changes treatment status).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.did import data as D
from sofs_lib.chapters.did.analysis import EQ_INFO, MODEL_NAMES, ROW_TERMS, Analysis
from sofs_lib.core.stars import stars
from sofs_lib.methods import disclosure
from sofs_lib.methods.did import matching as MA
from sofs_lib.methods.did import models as M
from sofs_lib.published import PublishedDataError

SOURCE = "Synthetic NPD extract (sofs_lib.sources.npd), analysed with sofs_lib.chapters.did."
REAL_SOURCE = "NPD extract in data_dir (CIN census / SSDA903), analysed with sofs_lib.chapters.did."


def kind_of(an: Analysis) -> str:
    """Provenance kind of every number computed from the analysis' extract."""
    return "synthetic" if an.synthetic else "real"


def source(an: Analysis) -> str:
    """The source line for tables and figures built from the analysis' extract."""
    return SOURCE if an.synthetic else REAL_SOURCE


def pub(table_id: str) -> pd.DataFrame | None:
    """The published table in long form, or None when it is not transcribed (yet)."""
    try:
        return published.table(table_id)
    except PublishedDataError:
        return None


def pub_wide(table_id: str) -> pd.DataFrame | None:
    try:
        return published.wide(table_id, values="value")
    except PublishedDataError:
        return None


def _cell(v: float, se: float, p: float, digits: int = 3) -> str:
    if not np.isfinite(v):
        return "–"
    s = f"{v:.{digits}g}{stars(p)}"
    return s + (f" ({se:.{digits}g})" if np.isfinite(se) else "")


# --------------------------------------------------------------------------------------------
# A10.1 and A10.2
# --------------------------------------------------------------------------------------------


def table_a10_1(an: Analysis, led=None) -> pd.DataFrame:
    """Pilots x questions, synthetic beside published (``EQ3a`` / ``EQ3a (published)``)."""
    mine = an.table_a10_1()
    p = pub_wide("A10.1")
    out = pd.DataFrame(index=mine.index)
    for c in mine.columns:
        out[c] = mine[c]
        if p is not None:
            out[f"{c} (published)"] = p[c].reindex(mine.index)
            if led is not None:
                for pl in mine.index:
                    pv, mv = p.loc[pl, c], mine.loc[pl, c]
                    led.record(
                        "A10.1",
                        pl,
                        c,
                        published=float("nan"),
                        reproduced=float("nan"),
                        kind=kind_of(an),
                        status="exact" if pv == mv else "differs",
                        note=f"published {pv}, here {mv}",
                    )
    return out


def balance(an: Analysis, eq: str) -> dict:
    """L1 imbalance and local common support before and after CEM (Table A10.2)."""
    d = an.result(eq).frame
    vars_ = ["age", "gender", "disabled", "ethnicity", "academic_year", "fsm", "group_id", "period"]
    pre = MA.l1_imbalance(d, "pilot_i", vars_, bins={"age": 1})
    post = MA.l1_imbalance(d, "pilot_i", vars_, weights="cem_w", bins={"age": 1})
    coarse = MA.l1_imbalance(d, "pilot_i", MA.CEM_VARS + ["group_id", "period"], weights="cem_w")
    return {"pre": pre, "post": post, "coarse_post": coarse}


def table_a10_2(an: Analysis, led=None) -> pd.DataFrame:
    rows = {}
    p = pub("A10.2")
    for eq, info in EQ_INFO.items():
        b = balance(an, eq)
        r = {
            "L1 imbalance score: Prior to CEM": b["pre"]["l1"],
            "L1 imbalance score: Post CEM": b["post"]["l1"],
            "Local common support: Prior to CEM": b["pre"]["lcs"],
            "Local common support: Post CEM": b["post"]["lcs"],
            "L1 on the CEM coarsening, post CEM": b["coarse_post"]["l1"],
        }
        rows[info["a2_row"]] = r
        if p is not None and led is not None:
            for col, val in r.items():
                hit = p[(p["row"] == info["a2_row"]) & (p["column"] == col)]
                if len(hit):
                    h = hit.iloc[0]
                    led.record(
                        "A10.2",
                        info["a2_row"],
                        col,
                        published=float(h["number"]),
                        reproduced=float(val),
                        kind=kind_of(an),
                        decimals=int(h["decimals"]),
                        note=f"{info['short']}",
                    )
    out = pd.DataFrame(rows).T
    out.index.name = "EQ"
    if p is not None:
        pw = published.wide("A10.2")
        for c in pw.columns:
            out[f"{c} (published)"] = pw[c].reindex(out.index).to_numpy()
    return out


# --------------------------------------------------------------------------------------------
# A10.3 / A10.4: weighted pre-treatment summary statistics
# --------------------------------------------------------------------------------------------

_LABELS = {
    "gender": (
        "Gender",
        {
            "male": "male",
            "female": "female",
            "not recorded/unborn": "not recorded/unborn",
            "missing": "missing",
        },
    ),
    "academic_year": (
        "Academic year",
        {
            "secondary": "secondary school",
            "primary": "primary school",
            "before school age": "before school age",
            "missing": "missing",
        },
    ),
    "ethnicity": (
        "Ethnicity",
        {
            "Any other ethnic group": "any other ethnic group",
            "Asian": "Asian",
            "Black": "Black",
            "Missing": "missing",
            "Mixed": "mixed",
            "Unclassified": "unclassified",
            "White": "White",
        },
    ),
}


def _fsm_label(v: str, table_rows: list[str]) -> str:
    if v == "missing":
        return "Low income – missing"
    if v == "below school age":
        hit = [r for r in table_rows if r.startswith("Low income (measured by FSM) – below school age")]
        return hit[0] if hit else "Low income (measured by FSM) – below school age so not recorded"
    return f"Low income (measured by FSM) – {v}"


def summary_stats(an: Analysis, eq: str, threshold: int = disclosure.THRESHOLD, table_rows=None) -> pd.DataFrame:
    """Weighted (CEM) pre-treatment statistics for pilots and comparators of one question, on
    the sample of its main model (:func:`weighted_summary`)."""
    r = an.result(eq)
    return weighted_summary(r.frame, eq, r.choice.model, r.fits["main"].n, threshold, table_rows)


def weighted_summary(
    frame: pd.DataFrame,
    eq: str,
    model: str,
    n_total: int,
    threshold: int = disclosure.THRESHOLD,
    table_rows=None,
) -> pd.DataFrame:
    """Tables A10.3/A10.4 for one question from an analysis frame (columns ``cem_w``, ``post``,
    ``pilot_i``, ``repeated``, the outcome and the covariates): matched pre-treatment rows (only
    the repeated children for a fixed-effects model); outcome (percent for binary outcomes), age,
    and weighted percentages of every covariate category. Small-cell suppression: the unweighted
    counts of each covariate's categories x (pilots, comparators) go through
    :func:`sofs_lib.methods.disclosure.suppress_counts` (counts under ``threshold`` and their
    complements); the percentage of a suppressed cell is ``[c]``; the group sizes through
    :func:`sofs_lib.methods.disclosure.suppress_groups`."""
    d = frame[(frame["cem_w"] > 0) & (frame["post"] == 0)]
    if model == "fe":
        d = d[d["repeated"] == 1]
    y = D.OUTCOMES[eq][0]
    table_rows = table_rows or []
    grp = {"Pilot sites": d[d["pilot_i"] == 1], "Comparator LAs": d[d["pilot_i"] == 0]}
    rows: dict[str, dict] = {}
    small = {c: len(g) < threshold for c, g in grp.items()}

    def wmean(g, col):
        return float(np.average(g[col].astype(float), weights=g["cem_w"])) if len(g) else np.nan

    scale = 1 if eq == "eq3a" else 100
    for k, g in grp.items():
        rows.setdefault("Outcome", {})[k] = disclosure.MARK if small[k] else wmean(g, y) * scale
        rows.setdefault("Age", {})[k] = disclosure.MARK if small[k] else wmean(g, "age")
    cats = ["gender", "academic_year", "fsm", "ethnicity"] + (["main_need"] if eq == "eq3d" else [])
    for var in cats + ["disabled"]:
        vals = d[var].astype(str) if var != "disabled" else d[var].map({1: "yes", 0: "no"})
        counts = pd.crosstab(vals, d["pilot_i"]).reindex(columns=[1, 0], fill_value=0)
        if var == "disabled":
            counts = counts.reindex(["yes", "no"], fill_value=0)
        _, mask = disclosure.suppress_counts(counts, threshold=threshold)
        for lev in counts.index:
            if var == "disabled" and lev != "yes":
                continue
            if var == "disabled":
                label = "Disabled"
            elif var == "fsm":
                label = _fsm_label(lev, table_rows)
            elif var == "main_need":
                label = f"Main need – {lev}"
            else:
                head, m = _LABELS[var]
                label = f"{head} – {m.get(lev, lev)}"
            for col, t in (("Pilot sites", 1), ("Comparator LAs", 0)):
                g = grp[col]
                if mask.loc[lev, t] or small[col]:
                    rows.setdefault(label, {})[col] = disclosure.MARK
                else:
                    share = float(g.loc[vals.loc[g.index] == lev, "cem_w"].sum() / g["cem_w"].sum())
                    rows.setdefault(label, {})[col] = share * 100
    rows["Main specification (which determines sample size)"] = {c: MODEL_NAMES[model] for c in grp}
    cnt = pd.DataFrame({"group": list(grp), "n": [len(g) for g in grp.values()]})
    prot = disclosure.suppress_groups(cnt, "n", threshold=threshold)
    rows["Number of observations in this pre-treatment group"] = dict(zip(prot["group"], prot["n"]))
    rows["Number of observations of treatment and comparator LAs over all periods"] = {c: n_total for c in grp}
    return pd.DataFrame(rows).T


def table_a10_3_4(an: Analysis, which: str, led=None) -> pd.DataFrame:
    """Table A10.3 (EQ3a, EQ3b) or A10.4 (EQ3c, EQ3d): synthetic beside published."""
    eqs = ("eq3a", "eq3b") if which == "A10.3" else ("eq3c", "eq3d")
    p = pub(which)
    prow = list(dict.fromkeys(p["row"])) if p is not None else []
    parts = []
    for eq in eqs:
        s = summary_stats(an, eq, table_rows=prow)
        s.columns = [f"{EQ_INFO[eq]['short']} {c}" for c in s.columns]
        parts.append(s)
    mine = pd.concat(parts, axis=1)
    order = prow + [r for r in mine.index if r not in prow]
    mine = mine.reindex(order)
    out = pd.DataFrame(index=mine.index)
    pw = pub_wide(which)
    for c in mine.columns:
        out[c] = mine[c]
        if pw is not None and c in pw.columns:
            out[f"{c} (published)"] = pw[c].reindex(mine.index)
    if p is not None and led is not None:
        for h in p.itertuples():
            if not np.isfinite(h.number) or h.column not in mine.columns or h.row not in mine.index:
                continue
            v = mine.loc[h.row, h.column]
            if isinstance(v, str):
                led.record(
                    which,
                    h.row,
                    h.column,
                    published=h.number,
                    reproduced=float("nan"),
                    kind=kind_of(an),
                    status="not reproducible",
                    note="suppressed here (fewer than 10 children)" if v == disclosure.MARK else v,
                )
                continue
            led.record(
                which,
                h.row,
                h.column,
                published=h.number,
                reproduced=float(v) if pd.notna(v) else float("nan"),
                kind=kind_of(an),
                decimals=None if pd.isna(h.decimals) else int(h.decimals),
                note="weighted pre-treatment statistic",
            )
    return out


# --------------------------------------------------------------------------------------------
# A10.5: tests
# --------------------------------------------------------------------------------------------


def table_a10_5(an: Analysis, led=None) -> pd.DataFrame:
    rows = {
        "Breusch-Godfrey test": {},
        "Hausman test": {},
        "Number of insignificant leads": {},
        "Repeated individuals: F-test": {},
        "Share of repeated individuals": {},
        "Chosen model": {},
    }
    p = pub("A10.5")
    for eq, info in EQ_INFO.items():
        r = an.result(eq)
        g = r.diagnostics
        c = info["short"]
        rows["Breusch-Godfrey test"][c] = f"{g['bg']['statistic']:.2f}{stars(g['bg']['p'])}"
        h = g["hausman"]
        rows["Hausman test"][c] = f"{h['statistic']:.2f}{stars(h['p'])}" if np.isfinite(h["statistic"]) else "–"
        ls = g["leads"]
        rows["Number of insignificant leads"][c] = (
            f"{ls['insignificant']} out of {ls['n_leads']} leads are insignificant"
        )
        rt = g["repeated_test"]
        rows["Repeated individuals: F-test"][c] = f"{rt['statistic']:.2f}{stars(rt['p'])}"
        rows["Share of repeated individuals"][c] = f"{g['share_repeated']:.1%}"
        rows["Chosen model"][c] = MODEL_NAMES[r.choice.model]
        if p is not None and led is not None:
            for test, key in (("Breusch-Godfrey test", "bg"), ("Hausman test", "hausman")):
                hit = p[(p["row"] == test) & (p["column"] == c)]
                if len(hit):
                    hh = hit.iloc[0]
                    led.record(
                        "A10.5",
                        test,
                        c,
                        published=float(hh["number"]),
                        reproduced=float(g[key]["statistic"]),
                        kind=kind_of(an),
                        decimals=int(hh["decimals"]),
                        note=f"p={g[key]['p']:.3g}; published stars '{hh['marker']}', here '{stars(g[key]['p'])}'",
                    )
            hit = p[(p["row"] == "Number of insignificant leads") & (p["column"] == c)]
            if len(hit):
                txt = hit.iloc[0]["value"]
                k = float(txt.split(" ")[0])
                led.record(
                    "A10.5",
                    "Number of insignificant leads",
                    c,
                    published=k,
                    reproduced=float(ls["insignificant"]),
                    kind=kind_of(an),
                    decimals=0,
                    note=f"published '{txt}'; here of {ls['n_leads']} leads ({r.fits['event'].model} model)",
                )
    out = pd.DataFrame(rows).T
    pw = pub_wide("A10.5")
    if pw is not None:
        for c in list(out.columns):
            out[f"{c} (published)"] = pw[c].reindex(out.index) if c in pw.columns else np.nan
    return out[
        [c for eq in EQ_INFO for c in (EQ_INFO[eq]["short"], f"{EQ_INFO[eq]['short']} (published)") if c in out.columns]
    ]


# --------------------------------------------------------------------------------------------
# regression tables
# --------------------------------------------------------------------------------------------

COLUMN_FITS = {
    "Fixed effects model": "fe_main",
    "Linear model": "linear_main",
    "Logit model": "main",
    "Lagged treatment": "event",
}


def _fit_for(r, col: str):
    if col in COLUMN_FITS:
        return r.fits.get(COLUMN_FITS[col])
    if col in r.secondary:
        return r.secondary[col]
    return r.fits.get(col)


def coef_table(an: Analysis, eq: str, table_id: str, led=None) -> pd.DataFrame:
    """One published regression table, synthetic beside published: for every published column
    ``c``, the columns ``c (published)`` and ``c``. A first column ``Main model (...)`` is added
    when the rule's model is not the one in the published table's first column."""
    r = an.result(eq)
    p = pub(table_id)
    if p is None:
        return pd.DataFrame()
    rows = [x for x in dict.fromkeys(p["row"]) if x != "R²"]
    cols = list(dict.fromkeys(p["column"]))
    extra_rows = [
        "N",
        "LAs (clusters)",
        "R²",
        "DiD p: CRV1 | wild cluster bootstrap (Webb)",
        "DiD average marginal effect (percentage points)",
        "Model note",
    ]
    out = pd.DataFrame(index=rows + extra_rows)
    pw = published.wide(table_id, values="value")
    main_type = MODEL_NAMES[r.choice.model]
    colspecs = []
    if table_id == EQ_INFO[eq]["primary"] and cols[0] != main_type:
        colspecs.append((f"Main model ({main_type.lower()}, the rule's choice)", r.fits["main"], None))
    for c in cols:
        colspecs.append((c, _fit_for(r, c), c))
    for label, fit, pcol in colspecs:
        if pcol is not None:
            out[f"{pcol} (published)"] = pw[pcol].reindex(out.index) if pcol in pw.columns else np.nan
            if "R²" in pw.index:
                out.loc["R²", f"{pcol} (published)"] = pw.loc["R²", pcol]
        vals = []
        for row in rows:
            term = ROW_TERMS.get(row)
            pv = pw.loc[row, pcol] if pcol is not None and row in pw.index else None
            if fit is None:
                vals.append("–")
                continue
            if term is None or term not in fit.table.index:
                vals.append("N/A" if pv in (None, "N/A") else "–")
            else:
                vals.append(_cell(fit.get(term), fit.get(term, "se"), fit.get(term, "p")))
        vals += fit_footer(fit)
        out[label] = vals
        if led is not None and pcol is not None:
            for row in rows:
                h = p[(p["row"] == row) & (p["column"] == pcol)].iloc[0]
                if not np.isfinite(h["number"]):
                    continue
                term = ROW_TERMS.get(row)
                est = fit.get(term) if (fit is not None and term) else np.nan
                note = (
                    f"{fit.model} model; SE {fit.get(term, 'se'):.3g}, p {fit.get(term, 'p'):.3g}; stars published "
                    f"'{h['marker']}', here '{stars(fit.get(term, 'p'))}'"
                    if fit is not None and np.isfinite(est)
                    else "not estimable in the synthetic data"
                )
                led.record(
                    table_id,
                    row,
                    pcol,
                    published=float(h["number"]),
                    reproduced=float(est),
                    kind=kind_of(an),
                    decimals=int(h["decimals"]),
                    note=note,
                )
            if fit is not None and "R²" in pw.index:
                h = p[(p["row"] == "R²") & (p["column"] == pcol)]
                if len(h):
                    led.record(
                        table_id,
                        "R²",
                        pcol,
                        published=float(h.iloc[0]["number"]),
                        reproduced=float(fit.r2),
                        kind=kind_of(an),
                        decimals=int(h.iloc[0]["decimals"]),
                        note="within R² for fixed effects; McFadden's pseudo-R² for the logit",
                    )
    if led is not None:
        nid = "did_a" + table_id.replace("A", "").replace(".", "_").lower() + "_n"
        try:
            q = published.quote(nid)
            main = r.fits["main"]
            led.record(
                "text",
                nid,
                "N",
                published=q.number,
                reproduced=float(main.n),
                kind=kind_of(an),
                decimals=0,
                note=f"N of the main model; {table_id} population note",
            )
        except PublishedDataError:
            pass
    return out


def clusters_text(fit) -> str:
    """``G = 10 (5 treated)``: the clusters of a fit's standard errors and how many are pilots."""
    return f"G = {fit.n_clusters} ({fit.n_treated_clusters} treated)"


def did_p_text(fit) -> str:
    """The DiD's CRV1 p-value with its G, and the wild cluster bootstrap p beside it when the
    fit has fewer than 10 clusters (``–`` when there is no DiD term)."""
    if fit is None or "did" not in fit.table.index or not np.isfinite(fit.get("did", "p")):
        return "–"
    model_based = "model-based standard errors" in (fit.note or "")
    out = f"{fit.get('did', 'p'):.3g} ({'model-based, ' if model_based else ''}{clusters_text(fit)})"
    wp = fit.extra.get("wild_p", np.nan)
    if np.isfinite(wp):
        out += f" | {wp:.3g}" + (" (linear probability model)" if fit.model == "logit" else "")
    elif fit.n_clusters < M.FEW_CLUSTERS:
        out += " | not run"
    return out


def ame_text(fit) -> str:
    """A logit's average marginal effect of the DiD in percentage points, ``–`` otherwise."""
    a = (fit.extra.get("ame") or {}).get("did") if fit is not None else None
    if not a:
        return "–"
    ame, se, p = a
    return f"{100 * ame:.3g}{stars(p)} ({100 * se:.3g})"


def fit_footer(fit) -> list[str]:
    """The extra rows of a regression table's column: N, clusters, R², DiD p with G and the
    wild bootstrap p, the logit's AME and the fit's note (separation, dropped rows, ...)."""
    if fit is None:
        return ["–"] * 6
    return [
        f"{fit.n:,}",
        clusters_text(fit),
        f"{fit.r2:.3f}" if np.isfinite(fit.r2) else "–",
        did_p_text(fit),
        ame_text(fit),
        fit.note or "",
    ]


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


# --------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------


def trend_data(an: Analysis, eq: str, threshold: int = disclosure.THRESHOLD) -> pd.DataFrame:
    """Weighted yearly outcome means of pilots and comparators (pre and post periods), groups of
    fewer than ``threshold`` units suppressed (NaN)."""
    r = an.result(eq)
    d = r.frame[r.frame["cem_w"] > 0]
    y = D.OUTCOMES[eq][0]
    g = d.assign(wy=d[y] * d["cem_w"]).groupby(["pilot_i", "year", "post"], observed=True)
    t = pd.DataFrame({"n": g.size(), "wy": g["wy"].sum(), "w": g["cem_w"].sum()}).reset_index()
    t["mean"] = t["wy"] / t["w"]
    t.loc[t["n"] < threshold, "mean"] = np.nan
    t["group"] = np.where(t["pilot_i"] == 1, "pilot", "comparator")
    return t[["group", "year", "post", "n", "mean"]]


def counterfactual(an: Analysis, eq: str) -> dict:
    """Pilots' post-period mean, the DiD and the counterfactual (post mean minus the DiD: the
    report's numbers, 21% observed and 31% counterfactual for a DiD of -9.8 points)."""
    r = an.result(eq)
    d = r.frame[(r.frame["cem_w"] > 0) & (r.frame["did"] == 1)]
    y = D.OUTCOMES[eq][0]
    fit = r.fits["main"] if r.choice.model != "logit" else r.fits.get("linear_main")
    beta = fit.get("did") if fit is not None else np.nan
    m = float(np.average(d[y], weights=d["cem_w"])) if len(d) else np.nan
    return {"post_mean": m, "did": beta, "counterfactual": m - beta, "model": fit.model if fit else ""}


def figure_trends(an: Analysis, eq: str):
    import matplotlib.pyplot as plt

    from sofs_lib.display import plotting

    info = EQ_INFO[eq]
    t = trend_data(an, eq)
    cf = counterfactual(an, eq)
    scale = 1 if eq == "eq3a" else 100
    unit = "working days" if eq == "eq3a" else "per cent"
    fig, ax = plt.subplots(figsize=(8, 5.2))
    for grp, colr in (("pilot", plotting.PALETTE["pilot"]), ("comparator", plotting.PALETTE["comparator"])):
        s = t[t["group"] == grp].groupby("year")["mean"].mean() * scale  # pre and post of staggered groups
        ax.plot(s.index, s.to_numpy(), marker="o", color=colr, label=f"{grp.capitalize()} LAs")
    post_years = t[(t["group"] == "pilot") & (t["post"] == 1)]["year"]
    if len(post_years) and np.isfinite(cf["counterfactual"]):
        ax.hlines(
            cf["counterfactual"] * scale,
            post_years.min() - 0.3,
            post_years.max() + 0.3,
            colors=plotting.PALETTE["pilot"],
            linestyles="--",
            label=f"Pilots without SofS, {kind_of(an)} (post mean − DiD = {cf['counterfactual'] * scale:.1f})",
        )
        ax.hlines(
            cf["post_mean"] * scale,
            post_years.min() - 0.3,
            post_years.max() + 0.3,
            colors=plotting.PALETTE["pilot"],
            linestyles=":",
            label=f"Pilots' post-period mean, {kind_of(an)} ({cf['post_mean'] * scale:.1f})",
        )
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
    title = (
        f"{'Synthetic re-creation of the method of' if an.synthetic else 'Re-run of'} Figure {info['fig']}: "
        f"{info['label']} in pilot and comparator LAs"
    )
    mark_synthetic(fig, an.synthetic)
    plotting.finish(
        fig,
        title,
        source(an) + " Weighted (CEM) means by financial year; settling-in years left out; "
        "years with fewer than 10 children not shown.",
        xlabel="Financial year ending",
        ylabel=f"{info['label']} ({unit})",
        ax=ax,
        synthetic=an.synthetic,
    )
    return fig


def mark_synthetic(fig, synthetic: bool) -> None:
    """A visible mark on the image itself: a large diagonal "SYNTHETIC DATA" behind the plot."""
    if synthetic:
        fig.text(
            0.5,
            0.5,
            "SYNTHETIC DATA",
            fontsize=44,
            color="#c0392b",
            alpha=0.16,
            rotation=25,
            ha="center",
            va="center",
            fontweight="bold",
            zorder=0,
        )


def event_data(an: Analysis, eq: str, fit_key: str = "event") -> pd.DataFrame:
    r = an.result(eq)
    f = r.fits.get(fit_key)
    if f is None:
        return pd.DataFrame(columns=["term", "label", "x", "estimate", "lo", "hi", "p"])
    t = f.table
    rows = []
    for term in t.index:
        if term.startswith("lead_"):
            k = int(term.split("_")[1])
            rows.append((term, f"lead {k}", -k, *t.loc[term, ["estimate", "lo", "hi", "p"]]))
        elif term.startswith("lag_"):
            m = int(term.split("_")[1])
            rows.append((term, "t" if m == 0 else f"t+{m}", m + 1, *t.loc[term, ["estimate", "lo", "hi", "p"]]))
    return pd.DataFrame(rows, columns=["term", "label", "x", "estimate", "lo", "hi", "p"]).sort_values("x")


def figure_event_study(an: Analysis):
    import matplotlib.pyplot as plt

    from sofs_lib.display import plotting

    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, eq in zip(axes.ravel(), EQ_INFO):
        e = event_data(an, eq)
        r = an.result(eq)
        if len(e):
            col = np.where(e["x"] < 0, plotting.PALETTE["comparator"], plotting.PALETTE["pilot"])
            ax.errorbar(
                e["x"],
                e["estimate"],
                yerr=[e["estimate"] - e["lo"], e["hi"] - e["estimate"]],
                fmt="none",
                ecolor="#777777",
                capsize=3,
            )
            ax.scatter(e["x"], e["estimate"], c=col, zorder=3)
            ax.set_xticks(e["x"], e["label"], fontsize=8)
        ax.axhline(0, color="#333333", lw=0.8)
        ax.axvline(0, color="#999999", ls="--", lw=0.8)
        ax.set_title(f"{EQ_INFO[eq]['short']}: {EQ_INFO[eq]['label']} ({r.fits['event'].model})", fontsize=10)
    mark_synthetic(fig, an.synthetic)
    plotting.finish(
        fig,
        ("Synthetic data: " if an.synthetic else "")
        + "leads (placebo) and lags of the DiD indicator, with 95% confidence intervals",
        source(an) + " Leads: years up to the SofS start (lead 1 = the start year); lags: years after the "
        "settling-in period (t = the first). The settling-in period (dashed line) is left out.",
        synthetic=an.synthetic,
    )
    return fig


# --------------------------------------------------------------------------------------------
# display helpers
# --------------------------------------------------------------------------------------------


def kinds_for(df: pd.DataFrame, kind: str = "synthetic") -> dict:
    """Column -> provenance kind: ``... (published)`` columns are published, the rest ``kind``
    (:func:`kind_of` the analysis: synthetic, or real for an extract in ``data_dir``)."""
    return {c: ("published" if str(c).endswith("(published)") else kind) for c in df.columns}


def fmt_number(digits: int = 2):
    """A cell formatter: numbers to ``digits`` decimals, text as is."""

    def f(v):
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            return f"{v:,}"
        if isinstance(v, (float, np.floating)):
            return "–" if not np.isfinite(v) else f"{v:,.{digits}f}"
        return str(v)

    return f


def flow_table(an: Analysis) -> pd.DataFrame:
    """Rows kept and excluded by each derivation rule (counts under 10 suppressed)."""
    parts = []
    for eq, info in EQ_INFO.items():
        fl = an.wide[eq].flow.copy()
        fl.insert(0, "question", info["short"])
        parts.append(fl)
    f = pd.concat(parts, ignore_index=True)
    counts = f[["rows_in", "rows_excluded", "rows_out"]]
    prot, _ = disclosure.suppress_counts(counts, keep_zeros=True)
    f[["rows_in", "rows_excluded", "rows_out"]] = prot
    return f.drop(columns=["step"])


def population_sizes(an: Analysis, led=None) -> pd.DataFrame:
    """Rows of each question's main model beside the published N."""
    rows = {}
    for eq, info in EQ_INFO.items():
        r = an.result(eq)
        nid = "did_a" + info["primary"].replace("A", "").replace(".", "_").lower() + "_n"
        try:
            pn = published.quote(nid).number
        except PublishedDataError:
            pn = np.nan
        g = r.diagnostics
        main = r.fits["main"]
        rows[info["short"]] = {
            "N (published)": pn,
            "N (main model)": main.n,
            "difference from published (%)": 100 * (main.n - pn) / pn if pn else np.nan,
            "Rows of children seen more than once": g["n_repeated_rows"],
            "Units before CEM (pre and post periods)": len(r.frame),
            "Unmatched by CEM": g["n_unmatched"],
            "Pilot LAs": g["n_pilots"],
            "Comparator LAs": g["n_comparators"],
            "Children seen more than once": f"{g['share_repeated']:.1%}",
        }
    return pd.DataFrame(rows).T


def matching_table(an: Analysis) -> pd.DataFrame:
    """Per question and pilot: the comparators used, their closeness and what the trend rule
    would pick from every candidate in the extract."""
    m = an.matching()
    rows = []
    for eq, info in EQ_INFO.items():
        close = m["closeness"][eq].set_index(["pilot", "candidate"])
        for r in m["decisions"][eq].itertuples():
            comps = [c for c in r.comparators.split(", ") if c]
            cl = [close.loc[(r.pilot, c)] for c in comps if (r.pilot, c) in close.index]
            rows.append(
                {
                    "question": info["short"],
                    "pilot": r.pilot,
                    "used": "✓" if r.included else "x",
                    "comparators": r.comparators or "–",
                    "RMSE (outcome SDs)": ", ".join(f"{x['rmse_sd']:.3f}" for x in cl) or "–",
                    "slope difference per year": ", ".join(f"{x['slope_diff']:+.3g}" for x in cl) or "–",
                    "rank among candidates": ", ".join(f"{int(x['rank'])}" for x in cl if np.isfinite(x["rank"]))
                    or "–",
                    "trend rule would pick": getattr(r, "rule_would_pick", r.comparators) or "none",
                    "reason": r.reason,
                }
            )
    return pd.DataFrame(rows)


def choice_table(an: Analysis) -> pd.DataFrame:
    rows = {}
    for eq, info in EQ_INFO.items():
        r = an.result(eq)
        rows[info["short"]] = {
            "model": MODEL_NAMES[r.choice.model],
            "why": "; ".join(r.choice.reasons),
            "children changing treatment status": r.diagnostics["switchers"],
            "prevalence": "–" if r.diagnostics["prevalence"] is None else f"{r.diagnostics['prevalence']:.1%}",
        }
    return pd.DataFrame(rows).T
