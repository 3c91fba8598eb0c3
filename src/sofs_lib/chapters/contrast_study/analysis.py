"""The contrast study's method on a family-level extract (synthetic or real, same layout).

Scale scoring, Cronbach's alpha, arm comparisons, the competence regressions (statsmodels OLS,
as the report; beside it a worker-clustered p with its number of clusters), the WAI agreement
statistics, the yes/no family-feedback tests (Fisher exact), a site-level randomisation test
and the OSC profiles. Tables of counts are suppressed below the threshold with complements
(:mod:`sofs_lib.methods.disclosure`).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.inter_rater import cohens_kappa

from sofs_lib.methods import disclosure
from sofs_lib.methods.reliability import cronbach_alpha
from sofs_lib.sources import contrast as cs
from sofs_lib.synthetic.contrast_families import REMOVED_YAT, REVERSED_WAI, REVERSED_YAT

SUBSCALES = list(cs.YAT_SUBSCALES)
KEPT_YAT = [c for c in cs.YAT_ITEMS if c != REMOVED_YAT]


def scored_items(ex: dict) -> dict[str, pd.DataFrame]:
    """Item frames after reversal (and without the removed Yatchmenoff item), by family_id."""
    yat = ex["yatchmenoff.csv"].set_index("family_id")[cs.YAT_ITEMS].astype(float)
    yat[REVERSED_YAT] = 6 - yat[REVERSED_YAT]
    out = {"Yatchmenoff": yat[KEPT_YAT]}
    for v, f in (("WAI worker", "wai_worker.csv"), ("WAI family", "wai_family.csv")):
        w = ex[f].set_index("family_id")[cs.WAI_ITEMS].astype(float)
        w[REVERSED_WAI] = 8 - w[REVERSED_WAI]
        out[v] = w
    return out


def score(ex: dict) -> pd.DataFrame:
    """One row per family: design variables, competence, SofS use and scale scores."""
    fam = ex["families.csv"].set_index("family_id")
    use = ex["workers.csv"].set_index("worker_id")["sofs_use"].astype(float)
    items = scored_items(ex)
    yat = items["Yatchmenoff"]
    out = fam.copy()
    out["competence"] = ex["checklist.csv"].set_index("family_id")["ccbc_overall"].astype(float)
    out["sofs_use"] = fam["worker_id"].map(use)
    for sub, cols in cs.YAT_SUBSCALES.items():
        out[sub] = yat[[c for c in cols if c in KEPT_YAT]].mean(axis=1, skipna=False)
    out["Overall score"] = yat.mean(axis=1, skipna=False)
    out["WAI worker"] = items["WAI worker"].mean(axis=1, skipna=False)
    out["WAI family"] = items["WAI family"].mean(axis=1, skipna=False)
    out["WAI difference"] = out["WAI worker"] - out["WAI family"]
    return out


def reliabilities(ex: dict) -> pd.DataFrame:
    rows = []
    for name, df in scored_items(ex).items():
        a, n = cronbach_alpha(df)
        rows.append(dict(scale=name, items=df.shape[1], respondents=n, alpha=a))
    return pd.DataFrame(rows).set_index("scale")


def arm_means(sc: pd.DataFrame, cols: list[str], threshold: int = 10) -> pd.DataFrame:
    """Mean, 95% t-interval and n by arm for each score, with the independent-samples t-test
    (equal variances, as SPSS's default row); groups under ``threshold`` are suppressed."""
    rows = []
    for c in cols:
        groups = {a: sc.loc[sc["arm"] == a, c].dropna() for a in cs.ARMS}
        t = stats.ttest_ind(groups["SofS"], groups["Contrast"])
        for a, x in groups.items():
            h = (
                stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
                if len(x) > 1
                else np.nan
            )
            rows.append(
                dict(
                    score=c,
                    arm=a,
                    n=len(x),
                    mean=x.mean(),
                    low=x.mean() - h,
                    high=x.mean() + h,
                    t=float(t.statistic),
                    p=float(t.pvalue),
                )
            )
    df = pd.DataFrame(rows)
    return disclosure.suppress_groups(df, "n", ["mean", "low", "high"], threshold, by="score")


def regressions(sc: pd.DataFrame, outcomes: list[str], predictor: str) -> pd.DataFrame:
    """Simple linear regression of each outcome on ``predictor`` (OLS), with a worker-clustered
    p beside it (its number of clusters shown)."""
    rows = []
    for y in outcomes:
        d = sc[[y, predictor, "worker_id"]].dropna().rename(columns={y: "y", predictor: "x"})
        m = smf.ols("y ~ x", d).fit()
        cl = smf.ols("y ~ x", d).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(d["worker_id"])[0]}
        )
        rows.append(
            dict(
                outcome=y,
                predictor=predictor,
                n=int(m.nobs),
                coef=m.params["x"],
                se=m.bse["x"],
                t=m.tvalues["x"],
                p=m.pvalues["x"],
                p_cluster=cl.pvalues["x"],
                clusters=d["worker_id"].nunique(),
            )
        )
    return pd.DataFrame(rows).set_index("outcome")


def _square(a: pd.Series, b: pd.Series, levels) -> np.ndarray:
    return pd.crosstab(a, b).reindex(index=levels, columns=levels, fill_value=0).to_numpy()


def wai_agreement(ex: dict) -> pd.DataFrame:
    """Per WAI question: linear-by-linear association and Cohen's kappa between the worker's and
    the family's answers (same family), as section 3 reports them."""
    items = scored_items(ex)
    w, f = items["WAI worker"], items["WAI family"]
    rows = []
    for q in cs.WAI_ITEMS:
        d = pd.concat([w[q], f[q]], axis=1, keys=["w", "f"]).dropna()
        tab = pd.crosstab(d["w"], d["f"]).to_numpy()
        lbl = Table(tab, shift_zeros=False).test_ordinal_association()
        k = cohens_kappa(_square(d["w"], d["f"], range(1, 8)))
        rows.append(
            dict(
                question=int(q[-2:]),
                n=len(d),
                linear_by_linear_z=lbl.zscore,
                p_linear=lbl.pvalue,
                kappa=k.kappa,
                p_kappa=k.pvalue_two_sided,
            )
        )
    return pd.DataFrame(rows).set_index("question")


def wai_tests(sc: pd.DataFrame) -> pd.DataFrame:
    """Paired t-test worker vs family; independent t-tests SofS vs contrast."""
    d = sc[["WAI worker", "WAI family"]].dropna()
    pt = stats.ttest_rel(d["WAI worker"], d["WAI family"])
    rows = [
        dict(test="paired t: worker vs family mean", n=len(d), statistic=pt.statistic, p=pt.pvalue)
    ]
    for c in ("WAI worker", "WAI family", "WAI difference"):
        x = [sc.loc[sc["arm"] == a, c].dropna() for a in cs.ARMS]
        t = stats.ttest_ind(*x)
        rows.append(
            dict(
                test=f"t: SofS vs contrast, {c}",
                n=sum(map(len, x)),
                statistic=t.statistic,
                p=t.pvalue,
            )
        )
    return pd.DataFrame(rows).set_index("test")


def wai_arm_chi2(ex: dict) -> pd.DataFrame:
    """Per WAI question and version: chi-square test of answers by arm (the report's)."""
    fam = ex["families.csv"].set_index("family_id")["arm"]
    rows = []
    for v, df in scored_items(ex).items():
        if v == "Yatchmenoff":
            continue
        for q in cs.WAI_ITEMS:
            tab = pd.crosstab(df[q].dropna(), fam.reindex(df[q].dropna().index))
            res = stats.chi2_contingency(tab.to_numpy())
            rows.append(
                dict(version=v, question=int(q[-2:]), chi2=res.statistic, df=res.dof, p=res.pvalue)
            )
    return pd.DataFrame(rows)


def yes_no(ex: dict) -> pd.DataFrame:
    """Every yes/no family-feedback item by arm: counts, percentages and Fisher's exact p.
    Family Chart items count 'agree' or 'strongly agree' (4 or 5) as yes."""
    fam = ex["families.csv"].set_index("family_id")["arm"]
    hc = ex["hcsff.csv"].set_index("family_id")
    ch = ex["family_chart.csv"].set_index("family_id")
    items = {
        **{k: (hc[k], v) for k, v in cs.HCSFF_ITEMS.items()},
        **{
            k: (ch[k].where(ch[k].isna(), (ch[k] >= 4).astype("Int64")), v)
            for k, v in cs.CHART_ITEMS.items()
        },
    }
    rows = []
    for k, (s, label) in items.items():
        s = s.dropna().astype(int)
        arm = fam.reindex(s.index)
        c = {a: (int(s[arm == a].sum()), int((arm == a).sum())) for a in cs.ARMS}
        (k1, n1), (k2, n2) = c["SofS"], c["Contrast"]
        p = stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue
        rows.append(
            dict(
                item=k,
                label=label,
                sofs_yes=k1,
                sofs_n=n1,
                contrast_yes=k2,
                contrast_n=n2,
                sofs_pct=100 * k1 / n1,
                contrast_pct=100 * k2 / n2,
                p_fisher=float(p),
            )
        )
    return pd.DataFrame(rows).set_index("item")


def protected_counts(yn: pd.DataFrame, threshold: int = 10) -> pd.DataFrame:
    """The yes/no counts as a table (item x arm x yes/no), small cells and complements hidden."""
    counts = pd.DataFrame(
        {
            ("SofS", "yes"): yn["sofs_yes"],
            ("SofS", "no"): yn["sofs_n"] - yn["sofs_yes"],
            ("Contrast", "yes"): yn["contrast_yes"],
            ("Contrast", "no"): yn["contrast_n"] - yn["contrast_yes"],
        }
    )
    out, _ = disclosure.suppress_counts(counts, threshold)
    out.columns = [f"{a} {b}" for a, b in out.columns]
    return out.fillna(disclosure.MARK)


def site_randomisation(sc: pd.DataFrame, col: str) -> dict:
    """Exact site-level randomisation test: every way of choosing which sites are 'SofS' (as many
    as observed), statistic = difference of arm means of site means. Two-sided p."""
    site_mean = sc.groupby("site")[col].mean().dropna()
    sofs = set(sc.loc[sc["arm"] == "SofS", "site"])
    k = len(sofs & set(site_mean.index))

    def stat(group):
        g = site_mean.index.isin(list(group))
        return site_mean[g].mean() - site_mean[~g].mean()

    obs = stat(sofs)
    draws = [stat(c) for c in itertools.combinations(site_mean.index, k)]
    p = np.mean([abs(d) >= abs(obs) - 1e-12 for d in draws])
    return dict(
        score=col,
        sites=len(site_mean),
        assignments=len(draws),
        difference=obs,
        p=float(p),
        p_min=float(np.mean([abs(d) >= max(abs(x) for x in draws) - 1e-12 for d in draws])),
    )


def osc_long(osc: pd.DataFrame, fam: pd.DataFrame) -> pd.DataFrame:
    arm = fam.groupby("site")["arm"].first()
    long = osc.melt(["site", "wave"], cs.OSC_DIMENSIONS, "dimension", "t_score")
    long["arm"] = long["site"].map(arm)
    return long


def osc_statements(long: pd.DataFrame, similar: float = 3.0, change: float = 3.0) -> pd.DataFrame:
    """The report's OSC sentences (section 3) checked on T-scores. 'Similar' = within
    ``similar`` points on every culture dimension; 'changed' = moved by more than ``change``."""
    w = long.pivot_table(index=["site", "wave"], columns="dimension", values="t_score")
    arm = long.groupby("site")["arm"].first()
    sofs = [s for s in arm.index if arm[s] == "SofS"]
    con = [s for s in arm.index if arm[s] != "SofS"]
    culture = ["proficiency", "rigidity", "resistance"]

    def v(s, t, d):
        return float(w.loc[(s, t), d]) if (s, t) in w.index else float("nan")

    def moved(s, d):
        return v(s, "T2", d) - v(s, "T1", d)

    t1_alike = [s for s in arm.index if s != "Site 3"]
    spread = max(
        w.loc[[(s, "T1") for s in t1_alike], culture].max()
        - w.loc[[(s, "T1") for s in t1_alike], culture].min()
    )
    checks = [
        (
            "Sites 1, 2 and 4 had very similar culture profiles at T1",
            spread <= similar,
            f"largest T1 gap {spread:.0f}",
        ),
        (
            "At T2 the SofS sites had not changed significantly",
            all(abs(moved(s, d)) <= change for s in sofs for d in culture),
            "; ".join(f"{s}: " + ", ".join(f"{moved(s, d):+.0f}" for d in culture) for s in sofs),
        ),
        (
            "Site 2 improved: higher proficiency and lower resistance at T2",
            moved("Site 2", "proficiency") > change and moved("Site 2", "resistance") < -change,
            f"{moved('Site 2', 'proficiency'):+.0f}, {moved('Site 2', 'resistance'):+.0f}",
        ),
        (
            "Site 3 average at T1, then proficiency fell and resistance rose",
            all(abs(v("Site 3", "T1", d) - 50) <= similar for d in culture)
            and moved("Site 3", "proficiency") < -change
            and moved("Site 3", "resistance") > change,
            f"{moved('Site 3', 'proficiency'):+.0f}, {moved('Site 3', 'resistance'):+.0f}",
        ),
        (
            "All sites: lower than normal engagement, higher functionality and stress",
            bool(
                (w["engagement"] < 50).all()
                and (w["functionality"] > 50).all()
                and (w["stress"] > 50).all()
            ),
            "every site and wave",
        ),
        (
            "Engagement lower in the SofS sites at T1",
            max(v(s, "T1", "engagement") for s in sofs)
            < min(v(s, "T1", "engagement") for s in con),
            "SofS max vs contrast min",
        ),
        (
            "At T2 both contrast sites had lower engagement than the SofS sites",
            max(v(s, "T2", "engagement") for s in con)
            < min(v(s, "T2", "engagement") for s in sofs),
            "contrast max vs SofS min",
        ),
    ]
    return pd.DataFrame(checks, columns=["statement", "holds", "found"]).set_index("statement")


def responses(ex: dict) -> pd.DataFrame:
    """Families per arm with a complete answer to each instrument, and how many were dropped
    (every item missing counts as not answering; a partly answered scale is dropped too)."""
    arm = ex["families.csv"].set_index("family_id")["arm"]
    rows = []
    for f in (
        "checklist.csv",
        "yatchmenoff.csv",
        "wai_worker.csv",
        "wai_family.csv",
        "hcsff.csv",
        "family_chart.csv",
    ):
        d = ex[f].set_index("family_id").reindex(arm.index)
        if f == "yatchmenoff.csv":
            d = d.drop(columns=[REMOVED_YAT])
        complete = d.notna().all(axis=1)
        for a in cs.ARMS:
            n = int((arm == a).sum())
            k = int(complete[arm == a].sum())
            rows.append(dict(file=f, arm=a, families=n, complete=k, dropped=n - k))
    return pd.DataFrame(rows).set_index(["file", "arm"])
