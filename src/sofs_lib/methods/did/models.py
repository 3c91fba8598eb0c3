"""Estimation and diagnostics of the DiD chapter (Appendix 10, equation [1]).

Every regression is run by a library: pyfixest (linear and fixed-effects models, standard
errors clustered by LA, multiple estimation sharing one demeaning), statsmodels (logit with
cluster-robust standard errors), linearmodels (fixed and random effects for the Hausman test).
Nothing here hand-writes least squares, clustering or maximum likelihood.

Specifications
--------------
``linear`` -- equation [1] by weighted least squares (CEM weights):
    ``y ~ pilot_i + post + did + X + ofsted_high + C(year)``, with X the child covariates of
    :data:`sofs_lib.methods.did.models.COVARIATES` and the LA-level characteristic Γ_st the LA's Ofsted
    rating in the year (the only LA-level characteristic the report names). SEs clustered by LA.
``fe`` -- child fixed effects: ``y ~ post + did + age + C(academic_year) + C(fsm) +
    ofsted_high + C(year) | child``; pilot status and time-invariant covariates are absorbed,
    children seen once are dropped (singletons), so the sample is the repeated children.
    Year effects enter as dummies so that the only absorbed effect is the child's (one-way
    demeaning is exact; two-way alternating projections converge badly on this design).
``logit`` -- equation [1] as a binomial GLM with logit link and CEM weights as variance
    weights (statsmodels), cluster-robust SEs by LA.
Event study -- ``did`` replaced by ``lead_1..lead_K`` (placebo "effects" in the K financial
    years up to the SofS start, the earlier pre years being the reference) and ``lag_0..lag_M``
    (the effect in the m-th financial year after the settling-in period: "DiD in year t",
    "t+1", ...). Main and event-study fits of one model share one pyfixest call (``sw()``), so
    the fixed effects are demeaned once. For a logit main model the event study is linear, as in
    the report (footnotes 5 and 8: the logit did not converge with individual DiD dummies).

Diagnostics
-----------
:func:`breusch_godfrey` -- order-1 serial correlation of the pooled (linear) model's residuals
    within children: the residuals are ordered by date within each child and lagged once
    (the first row of each child gets 0, the Breusch-Godfrey convention for missing lags); the
    auxiliary regression of the residual on the model's regressors and the lagged residual is
    run with pyfixest (CEM weights, no clustering) and ``LM = N * R^2`` is referred to
    chi-square(1).
:func:`hausman` -- fixed versus random child effects (linearmodels ``PanelOLS`` with entity
    effects and ``RandomEffects``, CEM weights, unadjusted covariances), both on the children
    seen more than once (the rows that inform the fixed-effects estimator), on the coefficients
    both estimate (post, did, age, Ofsted, year dummies):
    ``H = (b_FE - b_RE)' (V_FE - V_RE)^+ (b_FE - b_RE)``, chi-square with rank(V_FE - V_RE)
    degrees of freedom (Moore-Penrose inverse, as the difference need not be positive definite
    in finite samples).
:func:`repeated_test` -- the report's test that repeated individuals differ: a linear
    probability model of ``repeated`` (the child has more than one row) on the outcome and the
    covariates, and the F-test that all slopes are zero (iid errors).
:func:`choose_model` -- the report's rule (module :mod:`sofs_lib.chapters.did` docs).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats


#: Child-level covariates X_ist (categorical ones in CATEGORICAL) per question (appendix 10).
CATEGORICAL = ["gender", "ethnicity", "academic_year", "fsm"]
COVARIATES = {
    "eq3a": ["age", "disabled", *CATEGORICAL],
    "eq3b": ["age", "disabled", *CATEGORICAL],
    "eq3c": ["age", "disabled", *CATEGORICAL],
    "eq3d": ["age", "disabled", *CATEGORICAL, "main_need"],
}

ALPHA = 0.05
FE_TIME_VARYING = ["age", "C(academic_year)", "C(fsm)"]


@dataclass
class Fit:
    """One estimated specification: a tidy ``table`` (term x estimate, se, p, lo, hi)."""

    name: str
    model: str
    outcome: str
    table: pd.DataFrame
    n: int
    r2: float = np.nan
    n_clusters: int = 0
    n_la: int = 0
    note: str = ""
    extra: dict = field(default_factory=dict)

    def get(self, term: str, col: str = "estimate") -> float:
        return float(self.table.loc[term, col]) if term in self.table.index else np.nan

    @property
    def identified(self) -> bool:
        return not self.table.empty


def _term(name: str) -> str:
    if name == "Intercept":
        return "(Intercept)"
    return name


def _tidy_pf(m) -> pd.DataFrame:
    t = m.tidy()
    out = pd.DataFrame({"estimate": t["Estimate"], "se": t["Std. Error"], "p": t["Pr(>|t|)"],
                        "lo": t["2.5%"], "hi": t["97.5%"]})
    out.index = [_term(i) for i in out.index]
    return out


def covariate_terms(eq: str, model: str) -> list[str]:
    """The covariate terms of question ``eq`` for ``model`` (linear/logit or fe)."""
    if model == "fe":
        return list(FE_TIME_VARYING)
    return [c if c in ("age", "disabled") else f"C({c})" for c in COVARIATES[eq]]


def rhs(eq: str, model: str, treat: list[str], extra: list[str] | None = None,
        drop: list[str] | None = None) -> str:
    """Right-hand side (without the fixed-effect part) for a model and treatment terms;
    ``drop`` removes terms (e.g. ``pilot_i`` when a dose or practice-model indicators replace it)."""
    base = ["post"]  # the pilot indicator (or what replaces it) comes with the treatment terms
    terms = base + list(treat) + list(extra or []) + covariate_terms(eq, model) + ["ofsted_high", "C(year)"]
    terms = [t for t in dict.fromkeys(terms) if t not in (drop or [])]
    return " + ".join(terms)


def _prep(df: pd.DataFrame, weights: str | None):
    if weights and weights in df:
        df = df[df[weights] > 0]
    return df


_VAR = re.compile(r"C\(([A-Za-z_][A-Za-z0-9_]*)\)|([A-Za-z_][A-Za-z0-9_]*)")


def _slim(df: pd.DataFrame, fml: str, keep: list[str]) -> pd.DataFrame:
    """Only the columns a formula uses (pyfixest copies and checks every column it is given)."""
    names = {a or b for a, b in _VAR.findall(fml)}
    cols = [c for c in df.columns if c in names or c in keep]
    return df[cols]


def fit_ols(df: pd.DataFrame, eq: str, model: str, ys: list[str], variants: dict[str, list[str]],
            extra: list[str] | None = None, weights: str | None = "cem_w", cluster: str = "la",
            drop: list[str] | None = None) -> dict:
    """Linear or fixed-effects fits of several outcomes x treatment variants in one pyfixest
    call (``sw()``: shared demeaning). ``variants``: ``{name: [treatment terms]}``; ``drop``:
    terms removed from the right-hand side (e.g. ``pilot_i`` when a dose replaces it).
    Returns ``{(name, y): Fit}``."""
    d = df
    names = list(variants)
    alts = [" + ".join(variants[n]) for n in names]
    treat_part = alts[0] if len(alts) == 1 else f"sw({', '.join(alts)})"
    rhs_s = rhs(eq, model, ["__TREAT__"], extra, drop).replace("__TREAT__", treat_part)
    fml = f"{' + '.join(ys)} ~ {rhs_s}" + (" | child" if model == "fe" else "")
    d = _prep(_slim(d, fml, [weights or "", cluster, "la"]), weights)
    n_la = int(d["la"].nunique())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pf.feols(fml, data=d, vcov={"CRV1": cluster}, weights=weights if weights in d else None,
                       copy_data=False, store_data=False, lean=True)
    models = list(res.all_fitted_models.values()) if hasattr(res, "all_fitted_models") else [res]
    out = {}
    i = 0
    for y in ys:
        for n in names:
            m = models[i]
            i += 1
            r2 = float(getattr(m, "_r2_within", np.nan) if model == "fe" else getattr(m, "_r2", np.nan))
            out[(n, y)] = Fit(n, model, y, _tidy_pf(m), int(m._N), r2, int(d[cluster].nunique()), n_la)
    return out


def fit_logit(df: pd.DataFrame, eq: str, y: str, treat: list[str], extra: list[str] | None = None,
              weights: str | None = "cem_w", cluster: str = "la", name: str = "logit",
              drop: list[str] | None = None) -> Fit:
    """Equation [1] as a weighted logit (statsmodels GLM, cluster-robust SEs by LA)."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    d = _prep(df, weights).reset_index(drop=True)
    # terms without variation in the sample would make the information matrix singular
    const = [t for t in rhs(eq, "logit", treat, extra, drop).split(" + ")
             if (t[2:-1] if t.startswith("C(") else t) in d and d[t[2:-1] if t.startswith("C(") else t].nunique() < 2]
    fml = f"{y} ~ {rhs(eq, 'logit', treat, extra, list(drop or []) + const)}"
    # quasi-complete separation of a binary treatment term: no event (or no non-event) among
    # the rows where it is 1 -- the maximum likelihood estimate does not exist
    separated = [t for t in treat if t in d and d[t].isin([0, 1]).all() and d[t].sum() > 0
                 and d.loc[d[t] == 1, y].nunique() < 2]
    groups = pd.factorize(d[cluster])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = smf.glm(fml, data=d, family=sm.families.Binomial(),
                      var_weights=d[weights] if weights in d else None)
        cov_note = ""
        try:
            r = mod.fit(cov_type="cluster", cov_kwds={"groups": groups}, maxiter=200)
        except np.linalg.LinAlgError:
            # too few clusters for the sandwich: fall back to model-based SEs and say so
            r = mod.fit(maxiter=200)
            cov_note = (f"cluster-robust covariance singular with {len(np.unique(groups))} LAs: "
                        "model-based standard errors shown")
    ci = r.conf_int()
    t = pd.DataFrame({"estimate": r.params, "se": r.bse, "p": r.pvalues, "lo": ci[0], "hi": ci[1]})
    t.index = [_term(i) for i in t.index]
    # McFadden pseudo R^2 (the report prints an R^2 above its logit column)
    r2 = float(1 - r.llf / r.llnull) if np.isfinite(r.llnull) and r.llnull != 0 else np.nan
    note = "; ".join(x for x in (cov_note, "" if r.converged else "maximum likelihood did not converge") if x)
    for tm in separated:
        t.loc[tm, :] = np.nan
        ev = int(d.loc[d[tm] == 1, y].sum())
        note = (note + "; " if note else "") + (
            f"{tm}: quasi-complete separation ({ev} events among the {int(d[tm].sum())} rows with {tm} = 1), "
            "the maximum likelihood estimate does not exist")
    return Fit(name, "logit", y, t, int(r.nobs), r2, int(len(np.unique(groups))), int(d["la"].nunique()), note)


# --------------------------------------------------------------------------------------------
# diagnostics
# --------------------------------------------------------------------------------------------


def fe_switchers(df: pd.DataFrame, col: str = "did", weights: str | None = "cem_w") -> int:
    """Children whose ``col`` changes between their rows: what identifies a child-FE DiD."""
    d = _prep(df[["child", col] + ([weights] if weights in df else [])], weights)
    g = d.groupby("child", sort=False)[col]
    return int((g.nunique() > 1).sum())


def breusch_godfrey(df: pd.DataFrame, eq: str, y: str, weights: str | None = "cem_w") -> dict:
    """Breusch-Godfrey LM test of order-1 serial correlation within children (module doc)."""
    base = rhs(eq, "linear", ["pilot_i", "did"])
    w = weights if (weights and weights in df) else None
    d = _prep(_slim(df, f"{y} ~ {base}", [w or "", "child"]), weights).copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(f"{y} ~ {base}", data=d, vcov="iid", weights=w, copy_data=False, store_data=False)
        d["_e"] = np.asarray(m.resid())
        del m
        # rows are ordered by child and date (analysis_frame); lag within child
        lag = d["_e"].shift(1).to_numpy()
        first = (d["child"].to_numpy() != np.roll(d["child"].to_numpy(), 1))
        first[0] = True
        d["_e_lag"] = np.where(first, 0.0, lag)
        aux = pf.feols(f"_e ~ {base} + _e_lag", data=d, vcov="iid", weights=w, copy_data=False,
                       store_data=False, lean=True)
    n = int(aux._N)
    lm = n * float(aux._r2)
    return {"statistic": lm, "df": 1, "p": float(stats.chi2.sf(lm, 1)), "n": n,
            "n_lagged": int((~first).sum()), "rho": float(aux.coef().get("_e_lag", np.nan))}


def hausman(df: pd.DataFrame, y: str, weights: str | None = "cem_w") -> dict:
    """Hausman test of fixed versus random child effects (module doc)."""
    from linearmodels.panel import PanelOLS, RandomEffects

    d = df[[c for c in ("child", "seq", "repeated", "year", "post", "did", "age", "ofsted_high", y, weights)
            if c and c in df]]
    d = _prep(d, weights)
    d = d[d["repeated"] == 1] if d["repeated"].sum() > 0 else d
    idx = pd.MultiIndex.from_arrays([d["child"].to_numpy(), d["seq"].to_numpy()], names=["child", "seq"])
    yr = pd.get_dummies(d["year"].astype(int), prefix="y", drop_first=True, dtype=float)
    X = pd.concat([d[["post", "did", "age", "ofsted_high"]].astype(float).reset_index(drop=True),
                   yr.reset_index(drop=True)], axis=1)
    X.index = idx
    Y = pd.Series(d[y].to_numpy(dtype=float), index=idx, name=y)
    w = pd.Series(d[weights].to_numpy(dtype=float), index=idx) if weights in d else None
    X = X[_independent(X, d["child"].to_numpy())]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fe = PanelOLS(Y, X, entity_effects=True, weights=w, drop_absorbed=True, check_rank=False).fit()
            Xc = X.assign(const=1.0)
            re_ = RandomEffects(Y, Xc, weights=w, check_rank=False).fit()
    except (ZeroDivisionError, ValueError, np.linalg.LinAlgError) as exc:
        # e.g. no within-child variation left, or a zero idiosyncratic variance: no test
        return {"statistic": np.nan, "df": 0, "p": np.nan, "n": int(len(Y)),
                "note": f"not computable ({type(exc).__name__}: {exc})"}
    common = [c for c in fe.params.index if c in re_.params.index and c != "const"]
    b = (fe.params[common] - re_.params[common]).to_numpy()
    V = fe.cov.loc[common, common].to_numpy() - re_.cov.loc[common, common].to_numpy()
    if not np.all(np.isfinite(V)) or not np.all(np.isfinite(b)):
        return {"statistic": np.nan, "df": 0, "p": np.nan, "n": int(len(Y)), "note": "not computable"}
    h = float(b @ np.linalg.pinv(V) @ b)
    k = int(np.linalg.matrix_rank(V))
    return {"statistic": h, "df": k, "p": float(stats.chi2.sf(h, k)) if k else np.nan, "n": int(len(Y)),
            "note": f"{len(common)} coefficients compared"}


def _independent(X: pd.DataFrame, entity: np.ndarray, tol: float = 1e-8) -> list[str]:
    """Columns of ``X`` kept in order while they add rank after the within-entity transform
    (so that both the fixed- and the random-effects models are of full rank)."""
    Xw = X - X.groupby(entity).transform("mean").to_numpy()
    keep: list[str] = []
    for c in X.columns:
        cols = keep + [c]
        G = Xw[cols].to_numpy()
        G = G.T @ G
        if np.linalg.matrix_rank(G, tol=tol * max(1.0, float(np.abs(G).max()))) == len(cols):
            keep.append(c)
    return keep


def repeated_test(df: pd.DataFrame, eq: str, y: str) -> dict:
    """F-test that the outcome and covariates do not predict appearing more than once."""
    d = df
    fml = f"repeated ~ {y} + " + " + ".join(covariate_terms(eq, "linear"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(fml, data=_slim(d, fml, []), vcov="iid", copy_data=False, store_data=False, lean=True)
        names = list(m.coef().index)
        R = np.eye(len(names))[[i for i, n in enumerate(names) if n != "Intercept"]]
        w = m.wald_test(R=R, distribution="F")
    return {"statistic": float(w["statistic"]), "p": float(w["pvalue"]), "df": int(R.shape[0]),
            "share_repeated": float(d["repeated"].mean())}


def leads_summary(fit: Fit, alpha: float = ALPHA) -> dict:
    """How many of the fit's lead coefficients are insignificant at ``alpha``."""
    t = fit.table[fit.table.index.str.startswith("lead_")]
    insig = int((t["p"] >= alpha).sum())
    return {"n_leads": int(len(t)), "insignificant": insig,
            "holds": bool(len(t) > 0 and insig > len(t) / 2)}


@dataclass(frozen=True)
class ModelChoice:
    model: str
    reasons: tuple[str, ...]


def choose_model(prevalence: float | None, bg_p: float, hausman_p: float, share_repeated: float,
                 binary: bool, alpha: float = ALPHA, min_repeated: float = 0.15,
                 fe_identified: bool = True, rare: float = 0.05) -> ModelChoice:
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
        reasons.append("but no child changes treatment status in the data: the child fixed-effects "
                       "DiD is not identified")
    return ModelChoice("linear", tuple(reasons))
