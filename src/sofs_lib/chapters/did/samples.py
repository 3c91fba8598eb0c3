"""Who is analysed: the analysis populations and the records each rule drops, the pilots used
for each question and their comparators (Table A10.1), the balance of coarsened exact matching
(Table A10.2) and the weighted pre-treatment summary statistics (Tables A10.3 and A10.4), each
beside the published table.

Every table built from individual records goes through :mod:`sofs_lib.methods.disclosure`: counts
under 10 are suppressed with their complements, and statistics of suppressed groups with them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.did import data as D
from sofs_lib.chapters.did.analysis import EQ_INFO, MODEL_NAMES, Analysis
from sofs_lib.chapters.did.common import cells, kind_of, pub, pub_wide
from sofs_lib.methods import disclosure
from sofs_lib.methods.did import matching as MA
from sofs_lib.published import PublishedDataError

# --------------------------------------------------------------------------------------------
# analysis populations and LA matching (Table A10.1)
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# coarsened exact matching: balance (Table A10.2)
# --------------------------------------------------------------------------------------------


def balance(an: Analysis, eq: str) -> dict:
    """L1 imbalance and local common support before and after CEM (Table A10.2): on the
    uncoarsened variables (age in whole years) and on the CEM coarsening. The cells of the
    variables other than age are coded once (:func:`sofs_lib.methods.did.matching.strata`, in
    order of first appearance, as the imbalance measure numbers them: the same cells, numbered
    the same), so each measure codes that column and age (or the age band) rather than every
    variable again."""
    d = an.result(eq).frame
    fine = ["gender", "disabled", "ethnicity", "academic_year", "fsm", "group_id", "period"]
    coarse_vars = MA.CEM_VARS + ["group_id", "period"]
    extra = [v for v in coarse_vars if v not in fine]
    c = pd.DataFrame({"cell": MA.strata(d, fine)}).assign(
        **{v: d[v].reset_index(drop=True) for v in ["age", "pilot_i", "cem_w", *extra]}
    )
    pre = MA.l1_imbalance(c, "pilot_i", ["age", "cell"], bins={"age": 1})
    post = MA.l1_imbalance(c, "pilot_i", ["age", "cell"], weights="cem_w", bins={"age": 1})
    if set(fine) <= set(coarse_vars):
        coarse = MA.l1_imbalance(c, "pilot_i", [*extra, "cell"], weights="cem_w")
    else:
        coarse = MA.l1_imbalance(d, "pilot_i", coarse_vars, weights="cem_w")
    return {"pre": pre, "post": post, "coarse_post": coarse}


def table_a10_2(an: Analysis, led=None) -> pd.DataFrame:
    rows = {}
    p = pub("A10.2")
    pc = cells(p) if p is not None else {}
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
                h = pc.get((info["a2_row"], col))
                if h is not None:
                    led.record(
                        "A10.2",
                        info["a2_row"],
                        col,
                        published=float(h.number),
                        reproduced=float(val),
                        kind=kind_of(an),
                        decimals=int(h.decimals),
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
# weighted pre-treatment summary statistics (Tables A10.3 and A10.4)
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


_SUMMARY_CATEGORIES = ["gender", "academic_year", "fsm", "ethnicity"]


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
    y = D.OUTCOMES[eq][0]
    used = ["cem_w", "post", "pilot_i", "repeated", y, "age", *_SUMMARY_CATEGORIES, "main_need", "disabled"]
    frame = frame[[c for c in dict.fromkeys(used) if c in frame.columns]]  # only the columns it reads
    d = frame[(frame["cem_w"] > 0) & (frame["post"] == 0)]
    if model == "fe":
        d = d[d["repeated"] == 1]
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
    cats = _SUMMARY_CATEGORIES + (["main_need"] if eq == "eq3d" else [])
    pil = d["pilot_i"].to_numpy() == 1
    w = d["cem_w"].to_numpy(dtype=float)
    w_group = {"Pilot sites": w[pil].sum(), "Comparator LAs": w[~pil].sum()}
    for var in cats + ["disabled"]:
        counts, wsum = _category_counts(d[var], pil, w, var)
        if var == "disabled":
            counts, wsum = counts.reindex(["yes", "no"], fill_value=0), wsum.reindex(["yes", "no"], fill_value=0.0)
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
                if mask.loc[lev, t] or small[col]:
                    rows.setdefault(label, {})[col] = disclosure.MARK
                else:
                    rows.setdefault(label, {})[col] = float(wsum.loc[lev, t] / w_group[col]) * 100
    rows["Main specification (which determines sample size)"] = {c: MODEL_NAMES[model] for c in grp}
    cnt = pd.DataFrame({"group": list(grp), "n": [len(g) for g in grp.values()]})
    prot = disclosure.suppress_groups(cnt, "n", threshold=threshold)
    rows["Number of observations in this pre-treatment group"] = dict(zip(prot["group"], prot["n"]))
    rows["Number of observations of treatment and comparator LAs over all periods"] = {c: n_total for c in grp}
    return pd.DataFrame(rows).T


def _category_counts(s: pd.Series, pil: np.ndarray, w: np.ndarray, var: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows and weight of each category of ``s`` (as text, sorted; ``disabled`` as yes/no) among
    pilots (column 1) and comparators (column 0): the counts a crosstab gives, without
    converting every row to text."""
    if var == "disabled":
        v = s.to_numpy()
        codes, labels = np.where(v == 1, 0, np.where(v == 0, 1, -1)), np.array(["yes", "no"], dtype=object)
    elif isinstance(s.dtype, pd.CategoricalDtype):
        codes, labels = (
            s.cat.codes.to_numpy().astype(np.int64),
            np.array([str(c) for c in s.cat.categories] + ["nan"], dtype=object),
        )
        codes = np.where(codes < 0, len(labels) - 1, codes)
    else:
        codes, uniq = pd.factorize(s, use_na_sentinel=False)
        labels = np.array([str(u) for u in uniq], dtype=object)
    ok = codes >= 0
    k = len(labels)
    idx = codes[ok] * 2 + pil[ok]
    n = np.bincount(idx, minlength=2 * k).reshape(k, 2)
    ws = np.bincount(idx, weights=w[ok], minlength=2 * k).reshape(k, 2)
    frame_n = pd.DataFrame(n[:, ::-1], index=labels, columns=[1, 0])
    frame_w = pd.DataFrame(ws[:, ::-1], index=labels, columns=[1, 0])
    if frame_n.index.has_duplicates:  # labels that print alike are one category
        frame_n, frame_w = frame_n.groupby(level=0).sum(), frame_w.groupby(level=0).sum()
    present = frame_n.sum(axis=1) > 0
    return frame_n[present].sort_index(), frame_w[present].sort_index()


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
