"""The regression tables of the DiD chapter beside the published ones: the diagnostics and the
model-choice rule (Table A10.5) and the coefficient tables A10.6-A10.12, with the ledger entries
comparing them.

Regression tables report coefficients, not counts; their N are far above 10. Coefficient cells
read ``estimate stars (SE)`` with the report's stars (* p<0.1, ** p<0.05, *** p<0.01); ``N/A`` =
the term is not in that specification (as in the report); ``–`` = not estimable here (for example
a child fixed-effects model when no child changes treatment status).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.did.analysis import EQ_INFO, MODEL_NAMES, ROW_TERMS, Analysis
from sofs_lib.chapters.did.common import cells, kind_of, pub, pub_wide
from sofs_lib.core.stars import stars
from sofs_lib.methods import wild as W
from sofs_lib.methods.did import evidence as E
from sofs_lib.methods.did import models as M
from sofs_lib.published import PublishedDataError

# --------------------------------------------------------------------------------------------
# A10.5: tests and the choice of model
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
    pc = cells(p) if p is not None else {}
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
                hh = pc.get((test, c))
                if hh is not None:
                    led.record(
                        "A10.5",
                        test,
                        c,
                        published=float(hh.number),
                        reproduced=float(g[key]["statistic"]),
                        kind=kind_of(an),
                        decimals=int(hh.decimals),
                        note=f"p={g[key]['p']:.3g}; published stars '{hh.marker}', here '{stars(g[key]['p'])}'",
                    )
            hit = pc.get(("Number of insignificant leads", c))
            if hit is not None:
                txt = hit.value
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


# --------------------------------------------------------------------------------------------
# A10.6-A10.12: coefficient tables
# --------------------------------------------------------------------------------------------


COLUMN_FITS = {
    "Fixed effects model": "fe_main",
    "Linear model": "linear_main",
    "Logit model": "main",
    "Lagged treatment": "event",
}


def _cell(v: float, se: float, p: float, digits: int = 3) -> str:
    if not np.isfinite(v):
        return "–"
    s = f"{v:.{digits}g}{stars(p)}"
    return s + (f" ({se:.{digits}g})" if np.isfinite(se) else "")


def _fit_for(r, col: str):
    if col in COLUMN_FITS:
        return r.fits.get(COLUMN_FITS[col])
    if col in r.secondary:
        return r.secondary[col]
    return r.fits.get(col)


#: rows under the published ones in every coefficient table (:func:`fit_footer` fills them)
FOOTER_ROWS = [
    "N",
    "LAs (clusters)",
    "R²",
    "DiD p: CRV1 | wild cluster bootstrap (Webb)",
    "DiD average marginal effect (percentage points)",
    "Model note",
]


def coef_table(an: Analysis, eq: str, table_id: str, led=None) -> pd.DataFrame:
    """One published regression table, synthetic beside published: for every published column
    ``c``, the columns ``c (published)`` and ``c``. A first column ``Main model (...)`` is added
    when the rule's model is not the one in the published table's first column."""
    r = an.result(eq)
    p = pub(table_id)
    if p is None:
        return pd.DataFrame()
    rows = [x for x in dict.fromkeys(p["row"]) if x != "R²"]
    out = pd.DataFrame(index=rows + FOOTER_ROWS)
    pw = published.wide(table_id, values="value")
    pc = cells(p)
    for label, fit, pcol in _column_specs(r, eq, table_id, list(dict.fromkeys(p["column"]))):
        if pcol is not None:
            out[f"{pcol} (published)"] = pw[pcol].reindex(out.index) if pcol in pw.columns else np.nan
            if "R²" in pw.index:
                out.loc["R²", f"{pcol} (published)"] = pw.loc["R²", pcol]
        vals = _FitValues(fit)
        out[label] = _coef_cells(vals, rows, pw, pcol) + fit_footer(fit)
        if led is not None and pcol is not None:
            _record_column(led, kind_of(an), table_id, pc, pw, rows, fit, vals, pcol)
    if led is not None:
        _record_n(led, kind_of(an), table_id, r.fits["main"])
    return out


_COLS = ("estimate", "se", "p")


class _FitValues:
    """A fit's estimate, standard error and p of each term, read once (``Fit.get`` per cell
    is a label lookup in its table); NaN for a term it does not have."""

    def __init__(self, fit):
        self.fit = fit
        t = fit.table if fit is not None else None
        self.terms: dict | None = None
        if t is not None and t.index.is_unique and {"estimate", "se", "p"} <= set(t.columns):
            self.terms = dict(zip(t.index, zip(*(t[c].astype(float).to_numpy() for c in ("estimate", "se", "p")))))

    def has(self, term: str) -> bool:
        return self.fit is not None and term in self.fit.table.index

    def get(self, term: str, col: str = "estimate") -> float:
        if self.terms is None:
            return self.fit.get(term, col)
        v = self.terms.get(term)
        if v is None or col not in _COLS:
            return self.fit.get(term, col) if v is not None else np.nan
        return float(v[_COLS.index(col)])


def _column_specs(r, eq: str, table_id: str, cols: list[str]) -> list[tuple]:
    """(label, fit, published column or None) of every column of a coefficient table: the rule's
    main model first when the question's primary table leads with another model."""
    main_type = MODEL_NAMES[r.choice.model]
    specs = []
    if table_id == EQ_INFO[eq]["primary"] and cols[0] != main_type:
        specs.append((f"Main model ({main_type.lower()}, the rule's choice)", r.fits["main"], None))
    return specs + [(c, _fit_for(r, c), c) for c in cols]


def _coef_cells(vals: _FitValues, rows: list[str], pw: pd.DataFrame, pcol: str | None) -> list[str]:
    """A fit's cells for the published rows: ``estimate stars (SE)``, ``N/A`` where the published
    specification has no such term either, ``–`` where it is not estimable here."""
    out = []
    for row in rows:
        term = ROW_TERMS.get(row)
        pv = pw.loc[row, pcol] if pcol is not None and row in pw.index else None
        if vals.fit is None:
            out.append("–")
            continue
        if term is None or not vals.has(term):
            out.append("N/A" if pv in (None, "N/A") else "–")
        else:
            out.append(_cell(vals.get(term), vals.get(term, "se"), vals.get(term, "p")))
    return out


def _record_column(
    led, kind: str, table_id: str, pc: dict, pw: pd.DataFrame, rows, fit, vals: _FitValues, pcol: str
) -> None:
    """Ledger entries of one published column: every published coefficient, then its R²."""
    for row in rows:
        h = pc[(row, pcol)]
        if not np.isfinite(h.number):
            continue
        term = ROW_TERMS.get(row)
        est = vals.get(term) if (fit is not None and term) else np.nan
        note = (
            f"{fit.model} model; SE {vals.get(term, 'se'):.3g}, p {vals.get(term, 'p'):.3g}; stars published "
            f"'{h.marker}', here '{stars(vals.get(term, 'p'))}'"
            if fit is not None and np.isfinite(est)
            else "not estimable in the synthetic data"
        )
        led.record(
            table_id,
            row,
            pcol,
            published=float(h.number),
            reproduced=float(est),
            kind=kind,
            decimals=int(h.decimals),
            note=note,
        )
    if fit is not None and "R²" in pw.index and ("R²", pcol) in pc:
        h = pc[("R²", pcol)]
        led.record(
            table_id,
            "R²",
            pcol,
            published=float(h.number),
            reproduced=float(fit.r2),
            kind=kind,
            decimals=int(h.decimals),
            note="within R² for fixed effects; McFadden's pseudo-R² for the logit",
        )


def _record_n(led, kind: str, table_id: str, main) -> None:
    """Ledger entry of the N printed under the table (when transcribed) against the main model's."""
    nid = "did_a" + table_id.replace("A", "").replace(".", "_").lower() + "_n"
    try:
        q = published.quote(nid)
    except PublishedDataError:
        return
    led.record(
        "text",
        nid,
        "N",
        published=q.number,
        reproduced=float(main.n),
        kind=kind,
        decimals=0,
        note=f"N of the main model; {table_id} population note",
    )


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
        out += f" | {W.p_text(wp, fit.extra.get('wild_draws', 0))}" + (
            " (linear probability model)" if fit.model == "logit" else ""
        )
    elif fit.n_clusters < M.FEW_CLUSTERS:
        out += " | not run"
    return out


def fit_p_text(fit) -> str:
    """``p=0.0222, G=10 LAs (5 treated)``: the DiD's p-value of a fit in a sentence, with its
    clusters and, when it has one, its wild cluster bootstrap p
    (:func:`sofs_lib.methods.did.evidence.p_text`)."""
    return E.p_text(
        fit.get("did", "p"),
        fit.n_clusters,
        fit.n_treated_clusters,
        fit.extra.get("wild_p", np.nan),
        fit.extra.get("wild_draws", 0),
    )


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
