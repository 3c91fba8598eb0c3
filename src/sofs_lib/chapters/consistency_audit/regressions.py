"""Checks of Tables 5 and 6 (the contrast study's engagement means and competence regressions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit.base import ALPHA, Check, Entry, _c, _q, interval, judge, worst


# ---------------------------------------------------------------------------- Table 6
def implied_df(rows: list[str], df_range=range(10, 121)) -> list[int]:
    """Residual degrees of freedom for which every printed (t, p) of Table 6 agrees."""
    ok = []
    for d in df_range:
        good = True
        for r in rows:
            t, p = _c("6", r, "t"), _c("6", r, "P-value")
            tl, th = interval(t)
            a, b = sorted((abs(tl), abs(th)))
            p_lo, p_hi = 2 * stats.t.sf(b, d), 2 * stats.t.sf(a, d)
            pl, ph = interval(p)
            if not (p_lo <= ph and p_hi >= pl):
                good = False
                break
        if good:
            ok.append(d)
    return ok


def check_regression_t() -> list[Check]:
    """Table 6: t = coefficient / standard error, and p from t."""
    rows = list(dict.fromkeys(pub.table("6")["row"]))
    n_families = _q("contrast_families_n").number
    df_all = int(n_families - 2)
    dfs = implied_df(rows)
    entries = _table6_t_entries(rows) + _table6_p_entries(rows, n_families, df_all, dfs)
    return [
        Check(
            "table6_t_p",
            "Contrast study",
            "Table 6: t and p from coefficients and standard errors",
            f"{pub.cite('6')}; text contrast_families_n",
            "Simple regression (one predictor): residual df = families - 2; two-sided p.",
            f"t: {', '.join(f'{e.reproduced:.3f}' for e in entries if e.column == 't')}; implied df {dfs[0]}–{dfs[-1]}"
            if dfs
            else "no df fits",
            "t: " + ", ".join(_c("6", r, "t").text for r in rows),
            worst(e.verdict for e in entries),
            _table6_reasoning(rows, entries, n_families, df_all, dfs),
            entries,
        ),
        _table6_significance_claim(rows),
    ]


def _table6_t_entries(rows: list[str]) -> list[Entry]:
    """Each row's t against coefficient / standard error, within the rounding of both."""
    entries = []
    for r in rows:
        b, se, t = _c("6", r, "Coefficient"), _c("6", r, "Std. error"), _c("6", r, "t")
        (bl, bh), (sl, sh) = interval(b), interval(se)
        cands = [x / y for x in (bl, bh) for y in (sl, sh)]
        tc = b.number / se.number
        entries.append(
            Entry(
                "6",
                r,
                "t",
                t.number,
                tc,
                judge(t, tc, min(cands), max(cands)),
                f"coefficient / standard error; rounding allows {min(cands):.3f} to {max(cands):.3f}",
            )
        )
    return entries


def _table6_p_entries(rows: list[str], n_families: float, df_all: int, dfs: list[int]) -> list[Entry]:
    """Each row's p against the two-sided p of its printed t with all families' residual df;
    within rounding when some df (``dfs``, from :func:`implied_df`) fits every row."""
    entries = []
    for r in rows:
        t, p = _c("6", r, "t"), _c("6", r, "P-value")
        pc = 2 * stats.t.sf(abs(t.number), df_all)
        v = (
            judge(p, pc)
            if not dfs
            else ("consistent" if judge(p, pc) == "consistent" else "consistent within rounding")
        )
        entries.append(
            Entry(
                "6",
                r,
                "P-value",
                p.number,
                pc,
                v,
                f"two-sided p of t with {df_all} df (all {int(n_families)} families); "
                f"df agreeing with every row: {dfs[0]}–{dfs[-1]}"
                if dfs
                else f"two-sided p of t with {df_all} df; no df agrees with every row",
            )
        )
    return entries


def _table6_reasoning(rows: list[str], entries: list[Entry], n_families: float, df_all: int, dfs: list[int]) -> str:
    """The reasoning of the Table 6 check: the t values, then what the p-values imply about the
    number of families answering."""
    t_ok = all(e.verdict != "inconsistent" for e in entries if e.column == "t")
    buy = next(e for e in entries if e.row == rows[0] and e.column == "t")
    reasoning = (
        f"Each t is the coefficient over its standard error within rounding (including Buy-in, whose "
        f"standard error {_c('6', rows[0], 'Std. error').text} the extraction moved into the header: "
        f"{_c('6', rows[0], 'Coefficient').text}/{_c('6', rows[0], 'Std. error').text} = "
        f"{buy.reproduced:.3f} against {_c('6', rows[0], 't').text} printed). "
        if t_ok
        else "Some t values do not follow from coefficient/SE. "
    )
    if not dfs:
        return reasoning + "No single number of degrees of freedom reproduces all five p-values."
    return reasoning + (
        f"The p-values agree with every t only for {dfs[0]}–{dfs[-1]} residual degrees of "
        f"freedom, i.e. about {dfs[0] + 2}–{dfs[-1] + 2} families with Yatchmenoff "
        f"scores; with all {int(n_families)} families ({df_all} df) Buy-in's p would be "
        f"{2 * stats.t.sf(abs(_c('6', rows[0], 't').number), df_all):.4f}. The "
        "number of families answering is not printed, so the p-values are consistent "
        f"with a sample somewhat smaller than {int(n_families)}."
    )


def _table6_significance_claim(rows) -> Check:
    ps = {r: _c("6", r, "P-value") for r in rows}
    alpha = ALPHA
    nonsig = [r for r, p in ps.items() if p.number >= alpha]
    v = "consistent" if nonsig == ["Receptivity"] else "inconsistent"
    return Check(
        "table6_claim",
        "Contrast study",
        "'all but receptivity being significant' (section 3)",
        pub.cite("6"),
        "Significance at 5 per cent, the report's convention.",
        f"not significant: {', '.join(nonsig) or 'none'}",
        "all but Receptivity significant",
        v,
        f"Receptivity p = {ps['Receptivity'].text}; all other subscales have p < .05.",
        [
            Entry(
                "6",
                "Receptivity",
                "P-value",
                ps["Receptivity"].number,
                ps["Receptivity"].number,
                v,
                "the only p at or above .05",
            )
        ],
    )


def check_table5() -> list[Check]:
    """Table 5: contrast sites better (lower) on every subscale; overall score vs subscales."""
    w = pub.wide("5")
    subs = [r for r in w.index if r != "Overall score"]
    return [_table5_contrast_better(w, subs), _table5_6_overall(w, subs)]


def _table5_contrast_better(w: pd.DataFrame, subs: list[str]) -> Check:
    """'on each of the subscales the contrast sites had better average scores': ties as printed
    leave the claim within rounding; a higher contrast mean contradicts it."""
    ties = [r for r in subs if w.loc[r, "Contrast"] == w.loc[r, "Pilot"]]
    worse = [r for r in subs if w.loc[r, "Contrast"] > w.loc[r, "Pilot"]]
    v = "inconsistent" if worse else ("consistent within rounding" if ties else "consistent")
    return Check(
        "table5_contrast_better",
        "Contrast study",
        "'on each of the subscales the contrast sites had better average scores'",
        pub.cite("5"),
        "Lower = better (the report's reading).",
        f"contrast lower on {len(subs) - len(ties) - len(worse)} of {len(subs)} subscales; "
        f"tied as printed: {', '.join(ties) or 'none'}",
        "contrast better on each subscale",
        v,
        (
            f"{', '.join(ties)} is printed as {w.loc[ties[0], 'Pilot']:.1f} for both groups: the "
            "claim can hold only before rounding."
            if ties
            else "Contrast lower on every subscale."
        )
        + (f" Contrast higher on {', '.join(worse)}." if worse else ""),
        [
            Entry(
                "5",
                r,
                "Contrast",
                w.loc[r, "Contrast"],
                w.loc[r, "Pilot"],
                v,
                "contrast vs pilot mean (tie as printed)",
            )
            for r in ties
        ],
    )


def _table5_6_overall(w: pd.DataFrame, subs: list[str]) -> Check:
    """The overall score of Tables 5 and 6 against the equal-weight mean of the subscales'."""
    entries = []
    rec = []
    for g in ("Pilot", "Contrast"):
        m = w.loc[subs, g].mean()
        o = _c("5", "Overall score", g)
        lo, hi = m - 0.05, m + 0.05
        v2 = judge(o, m, lo, hi)
        entries.append(
            Entry(
                "5",
                "Overall score",
                g,
                o.number,
                m,
                v2,
                "equal-weight mean of the four subscale means (assumption)",
            )
        )
        rec.append(f"{g} {m:.3f}")
    b6 = [_c("6", r, "Coefficient").number for r in subs]
    o6 = _c("6", "Overall score", "Coefficient")
    m6 = float(np.mean(b6))
    entries.append(
        Entry(
            "6",
            "Overall score",
            "Coefficient",
            o6.number,
            m6,
            "cannot check",
            "equal-weight mean of the subscale coefficients; the weights are not published",
        )
    )
    return Check(
        "table5_6_overall",
        "Contrast study",
        "Overall score against the four subscales (Tables 5 and 6)",
        f"{pub.cite('5')}; {pub.cite('6')}",
        "If the overall score were the equal-weight mean of the subscales, its mean and its "
        "regression coefficient would be the means of the subscales'. The subscales have "
        "different numbers of items and one item was removed, so the weights are unknown.",
        f"means: {', '.join(rec)}; coefficient {m6:.3f}",
        f"means: Pilot {_c('5', 'Overall score', 'Pilot').text}, Contrast "
        f"{_c('5', 'Overall score', 'Contrast').text}; coefficient {o6.text}",
        "cannot check",
        f"The overall means fit an equal-weight average within rounding, but the overall "
        f"coefficient ({o6.text}) is not the equal-weight average of the subscale coefficients "
        f"({m6:.3f}); with unpublished item weights neither can be confirmed.",
        entries,
    )
