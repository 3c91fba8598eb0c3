"""Diagnostics of the DiD chapter's models and the report's model-choice rule (Appendix 10).

Diagnostics
-----------
:func:`breusch_godfrey` -- order-1 serial correlation of the pooled (linear) model's residuals
    within children: the residuals are ordered by date within each child and lagged once
    (the first row of each child gets 0, the Breusch-Godfrey convention for missing lags); the
    auxiliary regression of the residual on the model's regressors and the lagged residual is
    run on the model matrix of :mod:`.engine` (CEM weights, no clustering) and ``LM = N * R^2`` is referred to
    chi-square(1).
:func:`hausman` -- fixed versus random child effects (the estimators of linearmodels'
    ``PanelOLS`` with entity effects and ``RandomEffects``, CEM weights, unadjusted covariances,
    written in NumPy in :mod:`.hausman`), both on the children seen more than once (the rows
    that inform the fixed-effects estimator), on the coefficients both estimate (post, did,
    age, Ofsted, year dummies):
    ``H = (b_FE - b_RE)' (V_FE - V_RE)^+ (b_FE - b_RE)``, chi-square with rank(V_FE - V_RE)
    degrees of freedom (Moore-Penrose inverse, as the difference need not be positive definite
    in finite samples).
:func:`repeated_test` -- the report's test that repeated individuals differ: a linear
    probability model of ``repeated`` (the child has more than one row) on the outcome and the
    covariates, and the F-test that all slopes are zero (iid errors).
:func:`choose_model` -- the report's rule (module :mod:`sofs_lib.chapters.did` docs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sofs_lib.methods.did import engine as EN
from sofs_lib.methods.did.hausman import _independent, hausman  # noqa: F401 (re-exported)
from sofs_lib.methods.did.spec import ALPHA, Fit, _prep, covariate_terms, rhs


def fe_switchers(df: pd.DataFrame, col: str = "did", weights: str | None = "cem_w") -> int:
    """Children whose ``col`` changes between their rows: what identifies a child-FE DiD."""
    d = _prep(df[["child", col] + ([weights] if weights in df else [])], weights)
    g = d.groupby("child", sort=False)[col]
    return int((g.nunique() > 1).sum())


def breusch_godfrey(
    df: pd.DataFrame, eq: str, y: str, weights: str | None = "cem_w", cache: dict | None = None
) -> dict:
    """Breusch-Godfrey LM test of order-1 serial correlation within children (module doc).
    ``cache``: the frame's design cache (:func:`sofs_lib.methods.did.models.design_for`), whose
    linear design gives the pooled model's residuals without building its matrix again."""
    from sofs_lib.methods.did.models import design_for

    terms = rhs(eq, "linear", ["pilot_i", "did"]).split(" + ")
    w = weights if (weights and weights in df) else None
    des = design_for(df, eq, "linear", [y], terms, w, "la", cache)
    e = des.fit(y, terms, vcov="iid", keep_resid=True).resid
    d = _prep(df[[c for c in ("child", w) if c]], w)
    child = d["child"].to_numpy()
    # rows are ordered by child and date (analysis_frame); lag within child
    first = child != np.roll(child, 1)
    first[0] = True
    e_lag = np.where(first, 0.0, np.roll(e, 1))
    # the auxiliary regression on the same model matrix, with the lag as one more column
    aux = des.fit("_e", terms, vcov="iid", extra={"_e_lag": e_lag}, y_values=e)
    n = int(aux.n)
    lm = n * float(aux.r2)
    rho = float(aux.beta[aux.names.index("_e_lag")]) if "_e_lag" in aux.names else np.nan
    return {
        "statistic": lm,
        "df": 1,
        "p": float(stats.chi2.sf(lm, 1)),
        "n": n,
        "n_lagged": int((~first).sum()),
        "rho": rho,
    }


def repeated_test(df: pd.DataFrame, eq: str, y: str) -> dict:
    """F-test that the outcome and covariates do not predict appearing more than once: the
    linear probability model of ``repeated`` (unweighted, iid errors) and
    ``F = W / q`` on ``(q, N - k)`` degrees of freedom, ``W`` the Wald statistic of the ``q``
    slopes being zero."""
    terms = [y, *covariate_terms(eq, "linear")]
    m = EN.Design(df, terms, ["repeated"]).fit("repeated", terms, vcov="iid")
    slopes = [i for i, n in enumerate(m.names) if n != "Intercept"]
    b = m.beta[slopes]
    V = m.vcov[np.ix_(slopes, slopes)]
    q = len(slopes)
    f_stat = float(b @ np.linalg.pinv(V) @ b) / q
    df2 = m.n - len(m.names)
    return {
        "statistic": f_stat,
        "p": float(stats.f.sf(f_stat, q, df2)),
        "df": q,
        "df2": int(df2),
        "share_repeated": float(df["repeated"].mean()),
    }


def leads_summary(fit: Fit, alpha: float = ALPHA) -> dict:
    """How many of the fit's lead coefficients are insignificant at ``alpha``."""
    t = fit.table[fit.table.index.str.startswith("lead_")]
    insig = int((t["p"] >= alpha).sum())
    return {"n_leads": int(len(t)), "insignificant": insig, "holds": bool(len(t) > 0 and insig > len(t) / 2)}


@dataclass(frozen=True)
class ModelChoice:
    model: str
    reasons: tuple[str, ...]


def choose_model(
    prevalence: float | None,
    bg_p: float,
    hausman_p: float,
    share_repeated: float,
    binary: bool,
    alpha: float = ALPHA,
    min_repeated: float = 0.15,
    fe_identified: bool = True,
    rare: float = 0.05,
) -> ModelChoice:
    """The report's model-choice rule (Appendix 10):

    1. a binary outcome with prevalence under 5 per cent -> ``logit`` ("We run linear
       regressions except for the evaluation questions with small proportions of true
       outcomes (<5%), where we run logistic regressions");
    2. else, serial correlation (Breusch-Godfrey) and the Hausman test both significant and
       repeated individuals more than 15 per cent of the sample -> ``fe`` (EQ3a), provided a
       child-FE DiD is identified (some children change treatment status);
    3. else ``linear`` (EQ3b and EQ3d: Breusch-Godfrey significant but under 15 per cent
       repeated; the report notes the serial correlation is then not accounted for).
    """
    reasons = []
    if binary and prevalence is not None and prevalence < rare:
        return ModelChoice("logit", (f"binary outcome with prevalence {prevalence:.1%} < {rare:.0%}",))
    bg = bg_p < alpha
    ha = hausman_p < alpha if np.isfinite(hausman_p) else False
    rep = share_repeated > min_repeated
    reasons.append(f"Breusch-Godfrey {'significant' if bg else 'not significant'} (p={bg_p:.3g})")
    reasons.append(f"Hausman {'significant' if ha else 'not significant'} (p={hausman_p:.3g})")
    reasons.append(f"repeated individuals {share_repeated:.1%} {'>' if rep else '<='} {min_repeated:.0%}")
    if bg and ha and rep:
        if fe_identified:
            return ModelChoice("fe", tuple(reasons))
        reasons.append(
            "but no child changes treatment status in the data: the child fixed-effects DiD is not identified"
        )
    return ModelChoice("linear", tuple(reasons))
