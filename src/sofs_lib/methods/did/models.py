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

from sofs_lib.methods.logit import (  # noqa: F401
    COEF_MAX,
    SE_MAX,
    _var_of,
    average_marginal_effect,
    perfect_predictors,
)
from sofs_lib.methods.wild import _wild_cl, crv1_denominators  # noqa: F401

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
    n_treated_clusters: int = 0
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
    out = pd.DataFrame(
        {
            "estimate": t["Estimate"],
            "se": t["Std. Error"],
            "p": t["Pr(>|t|)"],
            "lo": t["2.5%"],
            "hi": t["97.5%"],
        }
    )
    out.index = [_term(i) for i in out.index]
    return out


def covariate_terms(eq: str, model: str) -> list[str]:
    """The covariate terms of question ``eq`` for ``model`` (linear/logit or fe)."""
    if model == "fe":
        return list(FE_TIME_VARYING)
    return [c if c in ("age", "disabled") else f"C({c})" for c in COVARIATES[eq]]


def rhs(eq: str, model: str, treat: list[str], extra: list[str] | None = None, drop: list[str] | None = None) -> str:
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


#: Fewer clusters than this: the CRV1 p-value is shown with a wild cluster bootstrap p beside it.
FEW_CLUSTERS = 10
WILD_REPS = 999


def _n_treated(d: pd.DataFrame, cluster: str) -> int:
    return int(d.loc[d["pilot_i"] == 1, cluster].nunique()) if "pilot_i" in d else 0


def wild_cluster_p(
    df: pd.DataFrame,
    eq: str,
    model: str,
    y: str,
    treat: list[str],
    term: str,
    extra: list[str] | None = None,
    weights: str | None = "cem_w",
    cluster: str = "la",
    drop: list[str] | None = None,
    reps: int = WILD_REPS,
    seed: int = 2019,
) -> float:
    """Wild cluster bootstrap p-value (WCR, Webb six-point weights, null imposed; package
    ``wildboottest``) of ``term`` in one linear or fixed-effects specification. The bootstrap
    runs on pyfixest's model matrices after the fixed effects are partialled out and the CEM
    weights applied (rows and columns times the square root of the weight), which is the
    weighted regression as ordinary least squares."""
    fml = f"{y} ~ {rhs(eq, model, treat, extra, drop)}" + (" | child" if model == "fe" else "")
    d = _prep(_slim(df, fml, [weights or "", cluster, "la"]), weights).reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(
            fml,
            data=d,
            vcov={"CRV1": cluster},
            weights=weights if weights in d else None,
            copy_data=False,
            store_data=True,
        )
        names = list(m._coefnames)
        if term not in names:
            return np.nan
        R = np.zeros(len(names))
        R[names.index(term)] = 1.0
        X, Y = np.asarray(m._X, dtype=float), np.asarray(m._Y, dtype=float).ravel()
        cl = pd.factorize(m._data[cluster])[0].astype(np.int64)
        boot = _wild_cl()(X=X, Y=Y, cluster=cl, R=R, B=reps, seed=seed, parallel=False)
        boot.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
        boot.get_weights(weights_type="webb")
        boot.get_numer()
        boot.get_denom()
        boot.get_tboot()
        boot.get_vcov()
        boot.get_tstat()
        boot.get_pvalue(pval_type="two-tailed")
    return float(np.asarray(boot.pvalue).ravel()[0])


def fit_ols(
    df: pd.DataFrame,
    eq: str,
    model: str,
    ys: list[str],
    variants: dict[str, list[str]],
    extra: list[str] | None = None,
    weights: str | None = "cem_w",
    cluster: str = "la",
    drop: list[str] | None = None,
) -> dict:
    """Linear or fixed-effects fits of several outcomes x treatment variants in one pyfixest
    call (``sw()``: shared demeaning). ``variants``: ``{name: [treatment terms]}``; ``drop``:
    terms removed from the right-hand side (e.g. ``pilot_i`` when a dose replaces it).
    Returns ``{(name, y): Fit}``. ``Fit.n`` counts the rows of the model: for child fixed
    effects every row, children seen once included (Stata's ``xtreg, fe`` convention, which
    the report's N follow); ``extra["n_informative"]`` the rows pyfixest keeps (children seen
    more than once)."""
    d = df
    names = list(variants)
    alts = [" + ".join(variants[n]) for n in names]
    treat_part = alts[0] if len(alts) == 1 else f"sw({', '.join(alts)})"
    rhs_s = rhs(eq, model, ["__TREAT__"], extra, drop).replace("__TREAT__", treat_part)
    fml = f"{' + '.join(ys)} ~ {rhs_s}" + (" | child" if model == "fe" else "")
    d = _prep(_slim(d, fml, [weights or "", cluster, "la"]), weights)
    n_la = int(d["la"].nunique())
    n_tr = _n_treated(d, cluster)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pf.feols(
            fml,
            data=d,
            vcov={"CRV1": cluster},
            weights=weights if weights in d else None,
            copy_data=False,
            store_data=False,
            lean=True,
        )
    models = list(res.all_fitted_models.values()) if hasattr(res, "all_fitted_models") else [res]
    out = {}
    i = 0
    for y in ys:
        for n in names:
            m = models[i]
            i += 1
            r2 = float(getattr(m, "_r2_within", np.nan) if model == "fe" else getattr(m, "_r2", np.nan))
            n_rows = int(len(d)) if model == "fe" else int(m._N)
            out[(n, y)] = Fit(
                n,
                model,
                y,
                _tidy_pf(m),
                n_rows,
                r2,
                int(d[cluster].nunique()),
                n_la,
                n_tr,
                extra={"n_informative": int(m._N)},
            )
    return out


def _drop_perfect_predictors(d: pd.DataFrame, y: str, terms: list[str], treat: list[str]):
    """Step 1 of :func:`fit_logit`: treatment terms that predict perfectly are separation
    (returned as reasons); covariate levels that do are dropped with their rows (Stata's rule),
    and terms left without variation removed. Returns ``(d, terms, notes, separated)``."""
    notes, separated = [], []
    perfect = perfect_predictors(d, y, terms)
    for v, lev, n, out in perfect:
        if v in treat:
            separated.append(f"{v} = {lev} predicts {y} = {out} in all its {n:,} rows")
    cov_perfect = [(v, lev) for v, lev, _, _ in perfect if v not in treat and v != "year"]
    if cov_perfect and not separated:
        bad = np.zeros(len(d), dtype=bool)
        for v, lev in cov_perfect:
            col = d[v]
            bad |= (col == int(lev)).to_numpy() if col.dtype == "int8" else (col.astype("string") == lev).to_numpy()
        d = d[~bad].reset_index(drop=True)
        notes.append(
            f"{int(bad.sum()):,} rows dropped: covariate levels that predict the outcome perfectly ("
            + ", ".join(f"{v} = {lev}" for v, lev in cov_perfect)
            + ")"
        )
        const = [t for t in terms if _var_of(t) in d and d[_var_of(t)].nunique() < 2]
        terms = [t for t in terms if t not in const]
    return d, terms, notes, separated


def fit_logit(
    df: pd.DataFrame,
    eq: str,
    y: str,
    treat: list[str],
    extra: list[str] | None = None,
    weights: str | None = "cem_w",
    cluster: str = "la",
    name: str = "logit",
    drop: list[str] | None = None,
) -> Fit:
    """Equation [1] as a weighted logit (statsmodels GLM, cluster-robust SEs by LA), checked for
    separation before anything is reported.

    1. Covariate levels whose rows all share one outcome (a category with no event) predict it
       perfectly: as Stata's ``logit`` does, their rows are dropped and counted in the note.
    2. A treatment term that predicts perfectly, a statsmodels separation or convergence
       warning, or a coefficient beyond :data:`SE_MAX` / :data:`COEF_MAX`: the maximum
       likelihood estimate does not exist. The fit returned is then the **linear probability
       model** of the same specification (pyfixest, CRV1 by LA), ``extra["separated"]`` gives
       the reasons and ``extra["logit"]`` the logit table with the diverging terms blanked;
       nothing diverging is ever shown as a result.
    Otherwise the logit is returned with ``extra["ame"]`` = ``{term: (ame, se, p)}``, the
    average marginal effects of the binary treatment terms (probability scale)."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationWarning,
    )

    d = _prep(df, weights).reset_index(drop=True)
    n_in = len(d)
    # terms without variation in the sample would make the information matrix singular
    const = [
        t for t in rhs(eq, "logit", treat, extra, drop).split(" + ") if _var_of(t) in d and d[_var_of(t)].nunique() < 2
    ]
    terms = rhs(eq, "logit", treat, extra, list(drop or []) + const).split(" + ")
    d, terms, notes, separated = _drop_perfect_predictors(d, y, terms, treat)
    fml = f"{y} ~ {' + '.join(terms)}"
    groups = pd.factorize(d[cluster])[0]
    G = len(np.unique(groups))
    caught = []
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        mod = smf.glm(fml, data=d, family=sm.families.Binomial(), var_weights=d[weights] if weights in d else None)
        try:
            r = mod.fit(cov_type="cluster", cov_kwds={"groups": groups}, maxiter=200)
        except np.linalg.LinAlgError:
            r = mod.fit(maxiter=200)
            notes.append(f"cluster-robust covariance singular with {G} LAs: model-based standard errors")
        caught = [w for w in wlist if issubclass(w.category, (PerfectSeparationWarning, ConvergenceWarning))]
    ci = r.conf_int()
    t = pd.DataFrame({"estimate": r.params, "se": r.bse, "p": r.pvalues, "lo": ci[0], "hi": ci[1]})
    t.index = [_term(i) for i in t.index]
    if caught:
        separated.append("statsmodels: " + "; ".join(sorted({str(w.message).split(".")[0] for w in caught})))
    if not r.converged:
        separated.append("maximum likelihood did not converge")
    wild = t[~np.isfinite(t["se"]) | (t["se"] > SE_MAX) | (t["estimate"].abs() > COEF_MAX)]
    if len(wild):
        separated.append(
            "diverging coefficient(s): "
            + ", ".join(f"{i} {row.estimate:.3g} (SE {row.se:.3g})" for i, row in wild.iterrows())
        )
    r2 = float(1 - r.llf / r.llnull) if np.isfinite(r.llnull) and r.llnull != 0 else np.nan
    if separated:
        logit_t = t.copy()
        logit_t.loc[
            list(wild.index)
            + [x for x in treat if x in logit_t.index and any(s.startswith(f"{x} =") for s in separated)],
            :,
        ] = np.nan
        lpm = fit_ols(
            df,
            eq,
            "linear",
            [y],
            {name: list(treat)},
            extra=extra,
            weights=weights,
            cluster=cluster,
            drop=drop,
        )[(name, y)]
        lpm.note = (
            "logit not estimable (separation: " + "; ".join(separated) + "): linear probability model shown instead"
        )
        lpm.extra.update(separated=separated, logit=logit_t, logit_r2=r2)
        return lpm
    exog = np.asarray(mod.exog, dtype=float)
    ame = {}
    for x in treat:
        if x in r.params.index and d[x].isin([0, 1]).all():
            ame[x] = average_marginal_effect(r, exog, list(r.params.index), x, d[weights] if weights in d else None)
    dropped = n_in - len(d)
    return Fit(
        name,
        "logit",
        y,
        t,
        int(r.nobs),
        r2,
        G,
        int(d["la"].nunique()),
        note="; ".join(notes),
        n_treated_clusters=_n_treated(d, cluster),
        extra={"ame": ame, "rows_dropped": dropped},
    )


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
        first = d["child"].to_numpy() != np.roll(d["child"].to_numpy(), 1)
        first[0] = True
        d["_e_lag"] = np.where(first, 0.0, lag)
        aux = pf.feols(
            f"_e ~ {base} + _e_lag",
            data=d,
            vcov="iid",
            weights=w,
            copy_data=False,
            store_data=False,
            lean=True,
        )
    n = int(aux._N)
    lm = n * float(aux._r2)
    return {
        "statistic": lm,
        "df": 1,
        "p": float(stats.chi2.sf(lm, 1)),
        "n": n,
        "n_lagged": int((~first).sum()),
        "rho": float(aux.coef().get("_e_lag", np.nan)),
    }


def hausman(df: pd.DataFrame, y: str, weights: str | None = "cem_w") -> dict:
    """Hausman test of fixed versus random child effects (module doc)."""
    from linearmodels.panel import PanelOLS, RandomEffects

    d = df[
        [
            c
            for c in ("child", "seq", "repeated", "year", "post", "did", "age", "ofsted_high", y, weights)
            if c and c in df
        ]
    ]
    d = _prep(d, weights)
    d = d[d["repeated"] == 1] if d["repeated"].sum() > 0 else d
    idx = pd.MultiIndex.from_arrays([d["child"].to_numpy(), d["seq"].to_numpy()], names=["child", "seq"])
    yr = pd.get_dummies(d["year"].astype(int), prefix="y", drop_first=True, dtype=float)
    X = pd.concat(
        [
            d[["post", "did", "age", "ofsted_high"]].astype(float).reset_index(drop=True),
            yr.reset_index(drop=True),
        ],
        axis=1,
    )
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
        return {
            "statistic": np.nan,
            "df": 0,
            "p": np.nan,
            "n": int(len(Y)),
            "note": f"not computable ({type(exc).__name__}: {exc})",
        }
    common = [c for c in fe.params.index if c in re_.params.index and c != "const"]
    b = (fe.params[common] - re_.params[common]).to_numpy()
    V = fe.cov.loc[common, common].to_numpy() - re_.cov.loc[common, common].to_numpy()
    if not np.all(np.isfinite(V)) or not np.all(np.isfinite(b)):
        return {"statistic": np.nan, "df": 0, "p": np.nan, "n": int(len(Y)), "note": "not computable"}
    h = float(b @ np.linalg.pinv(V) @ b)
    k = int(np.linalg.matrix_rank(V))
    return {
        "statistic": h,
        "df": k,
        "p": float(stats.chi2.sf(h, k)) if k else np.nan,
        "n": int(len(Y)),
        "note": f"{len(common)} coefficients compared",
    }


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
    return {
        "statistic": float(w["statistic"]),
        "p": float(w["pvalue"]),
        "df": int(R.shape[0]),
        "share_repeated": float(d["repeated"].mean()),
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
