"""What the workforce evidence could have detected: difference-in-differences around Round 2,
inference honest for eight treated councils, and minimum detectable effects.

* :func:`did` -- two-way fixed-effects DiD (LA and year effects; ``pilot x post``) on a balanced
  panel of LAs observed every year of the window; cluster-robust SE by LA (pyfixest, the number
  of clusters shown) and a wild bootstrap p (``wildboottest``) on the equivalent LA-level
  regression of after-minus-before means (one observation per LA, so clustered by LA);
* :func:`randomisation` -- the same estimate for ``draws`` placebo sets of councils drawn from
  the other English LAs (comparators and excluded councils never drawn): the randomisation p is
  the share of placebo estimates at least as large in absolute value, and their spread is an
  empirical standard error;
* :func:`event_study` -- pilot x year effects relative to a reference year;
* :func:`mde` -- the smallest effect detectable with 80% power by the report's 8 v 8 one-way
  test (two-sample t, df 14) and by this panel's DiD (placebo SE).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

Z80 = stats.norm.ppf(0.80)


def balanced(
    frame: pd.DataFrame, indicator: str, first: int, last: int, groups=("Pilot", "Other English LA")
) -> tuple[pd.DataFrame, dict]:
    """LAs of ``groups`` with a value of ``indicator`` in every year first..last; returns the
    long frame and counts of LAs kept and dropped."""
    d = frame[(frame["year"] >= first) & (frame["year"] <= last) & frame["group"].isin(groups)]
    d = d[["la_code", "year", "group", indicator]].rename(columns={indicator: "y"})
    n_years = last - first + 1
    have = d.dropna(subset=["y"]).groupby("la_code")["year"].nunique()
    keep = have[have == n_years].index
    out = d[d["la_code"].isin(keep)].dropna(subset=["y"]).copy()
    dropped = sorted(set(d["la_code"]) - set(keep))
    info = dict(
        kept=len(keep),
        dropped=len(dropped),
        pilots=int(out.loc[out["group"] == "Pilot", "la_code"].nunique()),
    )
    return out.sort_values(["la_code", "year"]).reset_index(drop=True), info


def _demean(mat: np.ndarray) -> np.ndarray:
    """Two-way within transformation of an LA x year matrix (balanced)."""
    return mat - mat.mean(axis=1, keepdims=True) - mat.mean(axis=0, keepdims=True) + mat.mean()


def did_matrix(d: pd.DataFrame, post_from: int) -> tuple[np.ndarray, list, np.ndarray, np.ndarray]:
    """Outcome as an LA x year matrix, the LA codes, the years and the post indicator."""
    m = d.pivot(index="la_code", columns="year", values="y")
    years = m.columns.to_numpy()
    return m.to_numpy(float), list(m.index), years, (years >= post_from).astype(float)


def estimates(y: np.ndarray, post: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """TWFE DiD estimates for one or many treated sets at once (``treated``: sets x LAs of 0/1):
    with a balanced panel the estimate is ``sum(ydd * Ddd) / sum(Ddd^2)`` (Frisch-Waugh)."""
    ydd = _demean(y)
    treated = np.atleast_2d(treated)
    dm = treated - treated.mean(axis=1, keepdims=True)  # LA part of the demeaned D
    pm = post - post.mean()
    num = dm @ ydd @ pm
    den = (dm**2).sum(axis=1) * (pm**2).sum()
    return num / den


def collapsed(d: pd.DataFrame, post_from: int) -> pd.DataFrame:
    """One row per LA: mean outcome after minus before ``post_from`` and the pilot indicator.
    On a balanced panel, regressing this difference on the indicator gives exactly the TWFE
    estimate, and each LA is one observation (Bertrand, Duflo and Mullainathan 2004)."""
    post = d["year"] >= post_from
    w = d.groupby(["la_code", post.rename("post")])["y"].mean().unstack()
    g = d.drop_duplicates("la_code").set_index("la_code")["group"]
    return pd.DataFrame({"delta": w[True] - w[False], "pilot": (g.loc[w.index] == "Pilot").astype(float)})


def wild_bootstrap_p(d: pd.DataFrame, post_from: int, reps: int = 999, seed: int = 1) -> float:
    """Wild bootstrap p (Rademacher weights, null imposed; the ``wildboottest`` package) of the
    DiD on the collapsed LA-level differences: with one observation per LA this is the wild
    cluster bootstrap clustered by LA."""
    import statsmodels.api as sm
    from wildboottest.wildboottest import wildboottest

    c = collapsed(d, post_from)
    model = sm.OLS(c["delta"].to_numpy(), sm.add_constant(c[["pilot"]].reset_index(drop=True)))
    res = wildboottest(model, B=reps, param="pilot", seed=seed, show=False)
    return float(np.asarray(res["p-value"]).ravel()[0])


def did(d: pd.DataFrame, post_from: int, bootstrap_reps: int = 999, seed: int = 1) -> dict:
    """The observed DiD estimate (pyfixest, LA and year effects) with its LA-clustered SE and p
    and the wild (cluster) bootstrap p of :func:`wild_bootstrap_p`."""
    import pyfixest as pf

    d2 = d.assign(treat_post=((d["group"] == "Pilot") & (d["year"] >= post_from)).astype(float))
    d2 = pd.DataFrame({c: d2[c].to_numpy() for c in ("y", "treat_post", "la_code", "year")})
    d2["la_code"] = d2["la_code"].astype(str)
    fit = pf.feols("y ~ treat_post | la_code + year", data=d2, vcov={"CRV1": "la_code"})
    p_wcb = wild_bootstrap_p(d, post_from, bootstrap_reps, seed) if bootstrap_reps else np.nan
    return dict(
        estimate=float(fit.coef()["treat_post"]),
        se_cluster=float(fit.se()["treat_post"]),
        p_cluster=float(fit.pvalue()["treat_post"]),
        clusters=int(d2["la_code"].nunique()),
        p_wild=p_wcb,
        reps=bootstrap_reps,
    )


def randomisation(d: pd.DataFrame, post_from: int, draws: int = 1000, seed: int = 1) -> dict:
    """Placebo sets of as many councils as there are pilots, drawn from the other LAs."""
    y, las, years, post = did_matrix(d, post_from)
    grp = d.drop_duplicates("la_code").set_index("la_code").loc[las, "group"].to_numpy()
    treated = (grp == "Pilot").astype(float)
    obs = float(estimates(y, post, treated)[0])
    pool = np.flatnonzero(grp != "Pilot")
    k = int(treated.sum())
    rng = np.random.default_rng(seed)
    sets = np.zeros((draws, len(las)))
    for i in range(draws):
        sets[i, rng.choice(pool, size=k, replace=False)] = 1.0
    # placebo: pilots left out of the placebo panels (their rows are dropped)
    keep = grp != "Pilot"
    placebo = estimates(y[keep], post, sets[:, keep])
    p = (1 + np.sum(np.abs(placebo) >= abs(obs) - 1e-12)) / (draws + 1)
    return dict(
        estimate=obs,
        p_ri=float(p),
        se_placebo=float(placebo.std(ddof=1)),
        draws=draws,
        treated=k,
        pool=len(pool),
        placebo=placebo,
    )


def event_study(d: pd.DataFrame, ref_year: int) -> pd.DataFrame:
    """Pilot x year coefficients (reference ``ref_year``) with LA-clustered 95% intervals."""
    import pyfixest as pf

    d = d.copy()
    years = sorted(d["year"].unique())
    names = []
    for yv in years:
        if yv == ref_year:
            continue
        nm = f"e{yv}"
        d[nm] = ((d["group"] == "Pilot") & (d["year"] == yv)).astype(float)
        names.append((yv, nm))
    fit = pf.feols(
        "y ~ " + " + ".join(n for _, n in names) + " | la_code + year",
        data=d,
        vcov={"CRV1": "la_code"},
    )
    ci = fit.confint()
    rows = [dict(year=ref_year, estimate=0.0, ci_low=0.0, ci_high=0.0)]
    for yv, nm in names:
        rows.append(
            dict(
                year=yv,
                estimate=float(fit.coef()[nm]),
                ci_low=float(ci.loc[nm].iloc[0]),
                ci_high=float(ci.loc[nm].iloc[1]),
            )
        )
    return pd.DataFrame(rows).sort_values("year").reset_index(drop=True)


def mde_two_group(sd: float, n1: int = 8, n2: int = 8, alpha: float = 0.05, power: float = 0.80) -> float:
    """Minimum detectable difference of means for a two-sided two-sample t test (the report's
    one-way ANOVA with two groups): ``(t_{1-a/2} + t_{power}) * sd * sqrt(1/n1 + 1/n2)``."""
    df = n1 + n2 - 2
    return float((stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)) * sd * np.sqrt(1 / n1 + 1 / n2))


def mde_from_se(se: float, alpha: float = 0.05, power: float = 0.80) -> float:
    """Minimum detectable effect of an estimate with standard error ``se`` (normal)."""
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * se)


def pooled_sd(frame: pd.DataFrame, indicator: str, year: int) -> tuple[float, int, int]:
    """Pooled within-group SD of pilots and comparators in one year (the report's test)."""
    d = frame[(frame["year"] == year) & frame["group"].isin(["Pilot", "Comparator"])]
    d = d[["group", indicator]].dropna()
    a = d.loc[d["group"] == "Pilot", indicator].to_numpy(float)
    b = d.loc[d["group"] == "Comparator", indicator].to_numpy(float)
    if len(a) < 2 or len(b) < 2:
        return np.nan, len(a), len(b)
    sp = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
    return float(sp), len(a), len(b)


def evidence_sentence(label: str, unit: str, estimate: float, p_ri: float, mde: float, alpha: float = 0.05) -> str:
    """'No evidence' beside 'effects smaller than X cannot be ruled out' (or the reverse)."""
    u = "" if unit in ("%",) else f" {unit}"
    pts = " percentage points" if unit == "%" else u
    if p_ri < alpha:
        return (
            f"{label}: the pilots' change differs from the placebo councils' (estimate "
            f"{estimate:+.2f}{pts}, randomisation p {p_ri:.3f}); this panel detects effects of "
            f"{mde:.2f}{pts} with 80% power."
        )
    return (
        f"{label}: no evidence of an effect (estimate {estimate:+.2f}{pts}, randomisation p "
        f"{p_ri:.2f}), but effects smaller than {mde:.2f}{pts} in either direction cannot be "
        "ruled out."
    )
