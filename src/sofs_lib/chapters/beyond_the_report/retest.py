"""Item 2: the report's four DiD questions (EQ3a-d) re-tested with few-cluster inference.

On the DiD chapter's data (:class:`sofs_lib.chapters.did.Analysis`: synthetic by default, a real extract
through ``data_dir``), for each question the linear specification of equation [1] (CEM
weights, LA clusters) is fitted with pyfixest and its DiD coefficient tested by CRV1 with t(N-k)
and t(G-1), CRV3 (pyfixest's jackknife), the wild cluster restricted bootstrap (Rademacher and
Webb; ``wildboottest``) and LA-level randomisation inference
(:func:`sofs_lib.methods.la_inference.la_permutation`). The evidence rating of the DiD chapter
(:func:`sofs_lib.methods.did.evidence.rate`) is then re-run with the honest p in place of the CRV1 one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from sofs_lib.chapters.did import data as DD
from sofs_lib.chapters.did.analysis import EQ_INFO, REPORT_DATA_QUALITY
from sofs_lib.methods import la_inference as LI
from sofs_lib.methods.did import evidence as E
from sofs_lib.methods.did import models as M
from sofs_lib.methods.wild import p_text as wild_p_text

#: The column holding the number of draws behind each wild bootstrap p of :func:`retest_one`
#: (a p of 0 is shown as below one draw in that many, :func:`p_text`).
DRAWS = {"WCR Rademacher": "wcr_rademacher_draws", "WCR Webb": "wcr_webb_draws"}

#: Published p-value of each question's main estimate (quoted-number id, or the table and
#: its significance marker where no p is quoted).
PUBLISHED_P = {
    "eq3a": "did_a10_assess_p",
    "eq3b": "did_a10_rereferral_p",
    "eq3c": None,
    "eq3d": "did_a10_kinship_p",
}
MARKER_RANGE = {"***": "p < 0.01", "**": "p < 0.05", "*": "p < 0.1", "": "p >= 0.1"}


def published_p(eq: str) -> tuple[float, str]:
    """``(p or NaN, text)`` of the published main estimate of ``eq``."""
    from sofs_lib import published

    qid = PUBLISHED_P[eq]
    if qid is not None:
        v = published.quote(qid)
        return float(v.number), f"{v.number:g}"
    info = EQ_INFO[eq]
    c = published.cell(info["primary"], "DiD", info["main_col"])
    return np.nan, f"{MARKER_RANGE.get(c.marker, c.marker)} ({c.text}, Table {info['primary']})"


def design_matrices(frame: pd.DataFrame, eq: str):
    """``(data, y name, formula, X, names, W)`` of the linear specification on the matched rows
    without missing values (``W``: the regressors other than ``pilot_i`` and ``did``)."""
    from formulaic import Formula, model_matrix

    y = DD.OUTCOMES[eq][0]
    rhs = M.rhs(eq, "linear", ["pilot_i", "did"])
    cols = sorted(set(Formula(f"{y} ~ {rhs}").required_variables) | {y, "la", "cem_w"})
    missing = [c for c in cols if c not in frame]
    if missing:
        raise KeyError(f"{eq}: the analysis frame lacks column(s) {missing}")
    d = frame.loc[frame["cem_w"] > 0, cols].dropna().reset_index(drop=True)
    mm = model_matrix(f"{y} ~ {rhs}", d)
    X = mm.rhs
    names = list(X.columns)
    W = X.drop(columns=["pilot_i", "did"]).to_numpy(dtype=float)
    return d, y, f"{y} ~ {rhs}", X.to_numpy(dtype=float), names, W


def retest_one(
    frame: pd.DataFrame, eq: str, B: int = 999, seed: int = 0, max_exact: int = 5000, ri_draws: int = 2000
) -> dict:
    """Every method's p for the DiD coefficient of ``eq`` on its analysis frame."""
    import pyfixest as pf

    d, y, fml, X, names, _ = design_matrices(frame, eq)
    G = int(d["la"].nunique())
    pilots = sorted(d.loc[d["pilot_i"] == 1, "la"].unique().tolist(), key=str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m1 = pf.feols(fml, data=d, vcov={"CRV1": "la"}, weights="cem_w")
        m3 = pf.feols(fml, data=d, vcov={"CRV3": "la"}, weights="cem_w", ssc=pf.ssc(k_adj=False, G_adj=False))
    keep = list(m1.coef().index)  # pyfixest drops collinear columns: bootstrap the same design
    missing = [c for c in keep if c not in names]
    if missing:
        raise RuntimeError(f"{eq}: pyfixest terms {missing} are not in the design matrix")
    X = X[:, [names.index(c) for c in keep]]
    W = X[:, [i for i, c in enumerate(keep) if c not in ("pilot_i", "did")]]
    names = keep
    b, se = float(m1.coef()["did"]), float(m1.se()["did"])
    n, k = int(m1._N), len(m1.coef())
    se3 = float(m3.se()["did"]) * np.sqrt((G - 1) / G)
    rows = {
        "estimate": b,
        "n": n,
        "clusters": G,
        "treated_clusters": len(pilots),
        "CRV1, N-k df": float(2 * stats.t.sf(abs(b / se), n - k)),
        "CRV1, G-1 df": float(2 * stats.t.sf(abs(b / se), G - 1)),
        "CRV3": float(2 * stats.t.sf(abs(b / se3), G - 1)) if np.isfinite(se3) and se3 > 0 else np.nan,
    }
    for kind, label in (("rademacher", "WCR Rademacher"), ("webb", "WCR Webb")):
        r = LI.wild_bootstrap(d[y], X, names, "did", d["la"].astype(str), w=d["cem_w"], B=B, kind=kind, seed=seed)
        rows[label] = r["p"]
        rows[DRAWS[label]] = r["draws"]
        if kind == "rademacher":
            rows["rademacher_enumerated"] = r["enumerated"]
    ri = LI.la_permutation(
        d[y],
        W,
        d["la"].astype(str),
        d["post"],
        [str(p) for p in pilots],
        w=d["cem_w"],
        max_exact=max_exact,
        draws=ri_draws,
        rng=seed,
    )
    if not np.isclose(ri["beta"], b, rtol=1e-6, atol=1e-9):
        raise RuntimeError(f"{eq}: the randomisation projection gives {ri['beta']} but pyfixest {b}")
    rows.update(
        {
            "RI": ri["p"],
            "ri_assignments": ri["n_assignments"],
            "ri_exact": ri["exact"],
            "ri_floor": ri["floor"],
        }
    )
    return rows


def honest_verdict(an, eq: str, p_honest: float) -> E.Verdict:
    """The DiD chapter's evidence rating of ``eq`` with ``p_honest`` as the main p."""
    r = an.result(eq)
    info = EQ_INFO[eq]
    dq = an.p.get("data_quality_concerns")
    concerns = list((REPORT_DATA_QUALITY if dq is None else dq).get(eq, []))
    concerns += (
        [f"very few units before SofS in {', '.join(r.diagnostics['volume'])}"] if r.diagnostics["volume"] else []
    )
    mf = r.fits["main"]
    return E.rate(
        E.EvidenceInput(
            outcome=info["outcome_text"],
            expected=info["expected"],
            estimate=mf.get("did"),
            p=p_honest,
            parallel_trends=r.diagnostics["leads"]["holds"],
            checks=r.checks,
            data_quality_concerns=concerns,
            n_pilots=r.diagnostics["n_pilots"],
            serial_correlation=r.diagnostics["bg"]["p"] < 0.05,
            model_accounts_for_serial_correlation=(r.choice.model == "fe"),
        )
    )


def retest_all(
    an, honest: str, B: int = 999, seed: int = 0, max_exact: int = 5000, ri_draws: int = 2000
) -> pd.DataFrame:
    """One row per question: the estimate, G, treated G, every method's p, the published p, the
    DiD chapter's own verdict (its main model), the verdict with the linear specification's CRV1
    p and with the ``honest`` method's p, and whether it stands (same strength and direction)."""
    out = []
    for eq, info in EQ_INFO.items():
        r = an.result(eq)
        row = {
            "question": info["short"],
            "outcome": info["label"],
            "main_model": r.choice.model,
            "main_model_p_crv1": r.fits["main"].get("did", "p"),
        }
        row.update(retest_one(r.frame, eq, B=B, seed=seed, max_exact=max_exact, ri_draws=ri_draws))
        row["published_p"] = published_p(eq)[1]
        row["verdict_did_chapter"] = r.verdict.text
        v0 = honest_verdict(an, eq, row["CRV1, G-1 df"])
        v1 = honest_verdict(an, eq, row[honest])
        row["verdict_crv1"], row["verdict_honest"] = v0.text, v1.text
        row["verdict_stands"] = (v0.strength, v0.direction) == (v1.strength, v1.direction)
        out.append(row)
    return pd.DataFrame(out)


def p_text(row, method: str, spec: str = ".3g") -> str:
    """The p of ``method`` in a row of :func:`retest_all` as the chapter shows it: format
    ``spec``, and a wild bootstrap p of 0 as below one draw in the row's number of draws
    (:func:`sofs_lib.methods.wild.p_text`), since no draw being as extreme bounds p, not zeroes it."""
    p = float(row[method])
    if method in DRAWS:
        return wild_p_text(p, int(row[DRAWS[method]]), spec)
    return format(p, spec) if np.isfinite(p) else "–"


def shown(rt: pd.DataFrame, cols: list[str], spec: str = ".3g") -> pd.DataFrame:
    """The columns ``cols`` of :func:`retest_all`'s table as the chapter shows them: the wild
    bootstrap p columns as text (:func:`p_text`), the rest as they are."""
    out = rt[cols].copy()
    for m in DRAWS:
        if m in out:
            out[m] = [p_text(r, m, spec) for r in rt.to_dict("records")]
    return out
