"""Estimation of the DiD chapter's models (Appendix 10, equation [1]); diagnostics re-exported.

Linear and fixed-effects models are fitted on :mod:`sofs_lib.methods.did.engine`: one model
matrix per sample and fixed-effect structure (coded, demeaned and weighted once), every
specification on it a subset of its columns, with pyfixest's own collinearity check,
singleton rule and small-sample adjustments, and held to ``pyfixest.feols`` by the tests
(every coefficient, SE, p-value and N to 1e-8). statsmodels fits the logit (cluster-robust
standard errors) and wildboottest the wild cluster bootstrap; the fixed and random effects
of the Hausman test are linearmodels' estimators written in NumPy (:mod:`.hausman`, held to
linearmodels by the tests).

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
    "t+1", ...). Main and event-study fits of one model share one model matrix, so the fixed
    effects are demeaned once. For a logit main model the event study is linear, as in
    the report (footnotes 5 and 8: the logit did not converge with individual DiD dummies).

Diagnostics and the model-choice rule are in :mod:`sofs_lib.methods.did.diagnostics`,
the specifications' building blocks in :mod:`sofs_lib.methods.did.spec` (both re-exported).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sofs_lib.methods.did import engine as EN
from sofs_lib.methods.did.diagnostics import (  # noqa: F401
    ModelChoice,
    _independent,
    breusch_godfrey,
    choose_model,
    fe_switchers,
    hausman,
    leads_summary,
    repeated_test,
)
from sofs_lib.methods.did.spec import (  # noqa: F401
    ALPHA,
    CATEGORICAL,
    COVARIATES,
    FE_TIME_VARYING,
    Fit,
    _n_treated,
    _prep,
    _term,
    _tidy_pf,
    covariate_terms,
    rhs,
)
from sofs_lib.methods.logit import (  # noqa: F401
    COEF_MAX,
    SE_MAX,
    _var_of,
    average_marginal_effect,
    perfect_predictors,
)
from sofs_lib.methods.wild import _wild_cl, bootstrap_p, compress_clusters, crv1_denominators, wcr  # noqa: F401

#: Fewer clusters than this: the CRV1 p-value is shown with a wild cluster bootstrap p beside it.
FEW_CLUSTERS = 10
WILD_REPS = 999


def _terms(eq, model, treat, extra=None, drop=None) -> list[str]:
    return rhs(eq, model, treat, extra, drop).split(" + ")


def design_for(
    df: pd.DataFrame,
    eq: str,
    model: str,
    ys: list[str],
    terms: list[str],
    weights: str | None = "cem_w",
    cluster: str = "la",
    cache: dict | None = None,
) -> EN.Design:
    """The model matrix of ``df`` for ``model`` (``linear`` or ``fe``) with at least ``terms``
    and ``ys``, built once: ``cache`` (a dict kept with the frame) holds the last design of
    each model type, reused while it has every term and outcome asked for."""
    key = (model, weights, cluster)
    des = cache.get(key) if cache is not None else None
    if des is None or not (set(terms) <= des.terms and set(ys) <= set(des.Y)):
        if des is not None:  # the next design holds what the cached one did, and more
            terms = list(dict.fromkeys([*des.term_list, *terms]))
            ys = list(dict.fromkeys([*des.Y, *ys]))
        des = EN.Design(
            df,
            terms,
            ys,
            weights=weights if weights and weights in df else None,
            cluster=cluster,
            fe="child" if model == "fe" else None,
        )
        if cache is not None:
            cache[key] = des
    return des


def _design_rows(df, rows, eq, model, ys, terms, weights, cluster, cache) -> EN.Design:
    """The design of ``df`` (``rows``: of its rows where true), from the cached design of the
    whole frame when a subset of it is exact (:meth:`~sofs_lib.methods.did.engine.Design.subset`)."""
    if rows is None:
        return design_for(df, eq, model, ys, terms, weights, cluster, cache)
    rows = np.asarray(rows, dtype=bool)
    if cache is not None:
        sub = design_for(df, eq, model, ys, terms, weights, cluster, cache).subset(rows, terms)
        if sub is not None:
            return sub
    return design_for(df[rows], eq, model, ys, terms, weights, cluster, None)


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
    cache: dict | None = None,
    rows: np.ndarray | None = None,
) -> float:
    """Wild cluster bootstrap p-value (WCR, Webb six-point weights, null imposed; package
    ``wildboottest``) of ``term`` in one linear or fixed-effects specification. The bootstrap
    runs on the specification's model matrix after the fixed effects are partialled out and
    the CEM weights applied (rows times the square root of the weight, :mod:`.engine`), which
    is the weighted regression as ordinary least squares; collinear columns are left out as
    in the fit. The regression reaches the bootstrap as its per-cluster cross-products
    (:func:`~sofs_lib.methods.wild.compress_clusters`), and ties count as at least as extreme
    (:func:`~sofs_lib.methods.wild.bootstrap_p`); ``rows``: the specification's rows of ``df`` (a boolean array)."""
    terms = _terms(eq, model, treat, extra, drop)
    des = _design_rows(df, rows, eq, model, [y], terms, weights, cluster, cache)
    fit = des.fit(y, terms, vcov="iid")
    if term not in fit.names:
        return np.nan
    idx = [des.names.index(n) for n in fit.names]
    R = np.zeros(len(idx))
    R[fit.names.index(term)] = 1.0
    # the regression by its per-cluster cross-products (a few rows a cluster, not a copy of X)
    Xc, Yc, cl = compress_clusters(des.X, des.Y[y], des.bounds, idx)
    boot = wcr(Xc, Yc, cl, R, reps, seed, kind="webb", n=des.n)
    return bootstrap_p(boot.t_stat, boot.t_boot)


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
    cache: dict | None = None,
    rows: np.ndarray | None = None,
) -> dict:
    """Linear or fixed-effects fits of several outcomes x treatment variants on one model
    matrix (:mod:`.engine`: built, demeaned and weighted once; ``cache`` shares it with later
    calls on the same frame). ``variants``: ``{name: [treatment terms]}``; ``drop``: terms
    removed from the right-hand side (e.g. ``pilot_i`` when a dose replaces it). Returns
    ``{(name, y): Fit}``. ``Fit.n`` counts the rows of the model: for child fixed effects every
    row, children seen once included (Stata's ``xtreg, fe`` convention, which the report's N
    follow); ``extra["n_informative"]`` the rows the estimator uses (children seen more than
    once). ``rows``: fit on those rows of ``df`` only (a boolean array; with ``cache``, the
    whole frame's design is subset rather than built again)."""
    terms_of = {n: _terms(eq, model, variants[n], extra, drop) for n in variants}
    union = list(dict.fromkeys(t for n in variants for t in terms_of[n]))
    des = _design_rows(df, rows, eq, model, ys, union, weights, cluster, cache)
    d = df[[c for c in dict.fromkeys([cluster, "la", "pilot_i", weights or ""]) if c in df]]
    d = _prep(d if rows is None else d[np.asarray(rows, dtype=bool)], weights)
    n_la = int(d["la"].nunique())
    n_tr = _n_treated(d, cluster)
    n_cl = int(d[cluster].nunique())
    out = {}
    for y in ys:
        for n in variants:
            f = des.fit(y, terms_of[n])
            t = f.tidy()
            t.index = [_term(i) for i in t.index]
            r2 = f.r2_within if model == "fe" else f.r2
            n_rows = int(len(d)) if model == "fe" else f.n
            out[(n, y)] = Fit(n, model, y, t, n_rows, r2, n_cl, n_la, n_tr, extra={"n_informative": f.n})
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
       model** of the same specification (CRV1 by LA), ``extra["separated"]`` gives
       the reasons and ``extra["logit"]`` the logit table with the diverging terms blanked;
       nothing diverging is ever shown as a result.
    Otherwise the logit is returned with ``extra["ame"]`` = ``{term: (ame, se, p)}``, the
    average marginal effects of the binary treatment terms (probability scale)."""
    d = _prep(df, weights).reset_index(drop=True)
    n_in = len(d)
    # terms without variation in the sample would make the information matrix singular
    const = [
        t for t in rhs(eq, "logit", treat, extra, drop).split(" + ") if _var_of(t) in d and d[_var_of(t)].nunique() < 2
    ]
    terms = rhs(eq, "logit", treat, extra, list(drop or []) + const).split(" + ")
    d, terms, notes, separated = _drop_perfect_predictors(d, y, terms, treat)
    groups = pd.factorize(d[cluster])[0]
    G = len(np.unique(groups))
    w = d[weights] if weights in d else None
    mod, r, caught = _glm_logit(d, y, terms, w, groups, G, notes)
    ci = r.conf_int()
    t = pd.DataFrame({"estimate": r.params, "se": r.bse, "p": r.pvalues, "lo": ci[0], "hi": ci[1]})
    t.index = [_term(i) for i in t.index]
    wild = _separation_reasons(t, r, caught, separated)
    r2 = float(1 - r.llf / r.llnull) if np.isfinite(r.llnull) and r.llnull != 0 else np.nan
    if separated:
        blank = list(wild.index) + [x for x in treat if x in t.index and any(s.startswith(f"{x} =") for s in separated)]
        lpm = fit_ols(df, eq, "linear", [y], {name: list(treat)}, extra, weights, cluster, drop)[(name, y)]
        return _lpm_instead(lpm, t, blank, separated, r2)
    exog = np.asarray(mod.exog, dtype=float)
    ame = {}
    for x in treat:
        if x in r.params.index and d[x].isin([0, 1]).all():
            ame[x] = average_marginal_effect(r, exog, list(r.params.index), x, w)
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
        extra={"ame": ame, "rows_dropped": n_in - len(d)},
    )


def _glm_logit(d: pd.DataFrame, y: str, terms: list[str], w, groups: np.ndarray, G: int, notes: list[str]):
    """Step 2 of :func:`fit_logit`: the statsmodels GLM of ``y`` on ``terms`` (the model matrix
    of :func:`sofs_lib.methods.did.engine.model_matrix`: formula coding, without a formula
    parser; cluster-robust by ``groups``, or model-based with a note when that covariance is
    singular). Returns ``(model, result, separation and convergence warnings caught)``."""
    # the GLM module alone: statsmodels.api also imports its graphics and time-series modules
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    X = EN.model_matrix(d, terms)
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        mod = GLM(d[y].astype(float), X, family=families.Binomial(), var_weights=w)
        try:
            r = mod.fit(cov_type="cluster", cov_kwds={"groups": groups}, maxiter=200)
        except np.linalg.LinAlgError:
            r = mod.fit(maxiter=200)
            notes.append(f"cluster-robust covariance singular with {G} LAs: model-based standard errors")
        caught = [w for w in wlist if issubclass(w.category, (PerfectSeparationWarning, ConvergenceWarning))]
    return mod, r, caught


def _separation_reasons(t: pd.DataFrame, r, caught: list, separated: list[str]) -> pd.DataFrame:
    """Append to ``separated`` the signs that the logit's maximum likelihood estimate does not
    exist (warnings, no convergence, diverging coefficients); returns the diverging rows."""
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
    return wild


def _lpm_instead(lpm: Fit, t: pd.DataFrame, blank: list[str], separated: list[str], r2: float) -> Fit:
    """A separated logit's linear probability model, carrying the reasons and the logit table
    with the ``blank`` (diverging) terms set to missing."""
    logit_t = t.copy()
    logit_t.loc[blank, :] = np.nan
    lpm.note = "logit not estimable (separation: " + "; ".join(separated) + "): linear probability model shown instead"
    lpm.extra.update(separated=separated, logit=logit_t, logit_r2=r2)
    return lpm
