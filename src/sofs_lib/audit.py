"""Consistency audit: the report's numbers checked against each other.

Every check recomputes a published number from other published numbers (all read through
:mod:`sofs_lib.published`, never typed in here) and compares. Each check function returns a list
of :class:`Check` results; :func:`run_all` gathers them into one tidy table with the columns

``check_id, topic, title, inputs, assumptions, recomputed, published, verdict, reasoning``

and :func:`record` writes each comparison to a :class:`sofs_lib.ledger.Ledger` (``kind="derived"``).

Verdicts (:data:`VERDICTS`):

* ``consistent`` -- the recomputed value, rounded as printed, equals the published one;
* ``consistent within rounding`` -- not equal after rounding, but some values of the inputs
  allowed by their printed rounding reproduce it;
* ``inconsistent`` -- no reconstruction within the stated assumptions gives the published value;
* ``cannot check`` -- the published numbers do not determine the answer (the reasoning says
  what is missing).

Printed values are treated as intervals: a value printed with *d* decimals stands for anything
within half a unit of its last digit. Counts behind rounded percentages are reconstructed with
:mod:`sofs_lib.recon`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from . import published as pub
from . import recon
from .params import Param, Spec

CHAPTER = "A2_consistency_audit"

PARAMS = Spec(CHAPTER, (
    Param("output_dir", (str, type(None)), None, "Folder for this appendix's outputs."),
))

#: Significance level used to read the report's 'significant' / 'not significant'.
ALPHA = 0.05
#: Respondents per pilot who may have skipped a survey item (Table 4 reconstructions; raised
#: item by item when no count fits, and reported).
MAX_ITEM_NONRESPONSE = 3

VERDICTS = ("consistent", "consistent within rounding", "inconsistent", "cannot check")
STATUS = {"consistent": "exact", "consistent within rounding": "within rounding",
          "inconsistent": "differs", "cannot check": "not reproducible"}
COLUMNS = ["check_id", "topic", "title", "inputs", "assumptions", "recomputed", "published",
           "verdict", "reasoning"]


@dataclass
class Entry:
    """One ledger row of a check."""

    table_id: str
    row: str
    column: str
    published: float
    reproduced: float
    verdict: str
    note: str = ""


@dataclass
class Check:
    """The result of one check."""

    check_id: str
    topic: str
    title: str
    inputs: str
    assumptions: str
    recomputed: str
    published: str
    verdict: str
    reasoning: str
    entries: list[Entry] = field(default_factory=list)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"{self.check_id}: verdict {self.verdict!r} not in {VERDICTS}")


# ---------------------------------------------------------------------------- helpers
def half_unit(v: pub.Value) -> float:
    """Half a unit of the last printed digit (0 for exact counts printed without decimals
    when ``exact`` is wanted, see callers)."""
    return 0.5 * 10 ** -(v.decimals or 0)


def interval(v: pub.Value) -> tuple[float, float]:
    h = half_unit(v)
    return v.number - h, v.number + h


def round_half_up(x: float, decimals: int) -> float:
    s = 10 ** decimals
    return math.copysign(math.floor(abs(x) * s + 0.5 + 1e-9) / s, x)


def judge(published: pub.Value, central: float, lo: float | None = None,
          hi: float | None = None) -> str:
    """Compare a recomputed value (central, and its range lo..hi from input rounding) with a
    printed value. ``<`` markers (e.g. ``<.001``) mean an upper bound."""
    d = published.decimals or 0
    if "<" in published.marker:
        if central < published.number:
            return "consistent"
        return "consistent within rounding" if lo is not None and lo < published.number else "inconsistent"
    if math.isclose(round_half_up(central, d), published.number, abs_tol=1e-12):
        return "consistent"
    plo, phi = interval(published)
    lo = central if lo is None else lo
    hi = central if hi is None else hi
    if lo <= phi + 1e-12 and hi >= plo - 1e-12:
        return "consistent within rounding"
    return "inconsistent"


def worst(verdicts) -> str:
    order = {"inconsistent": 3, "cannot check": 2, "consistent within rounding": 1, "consistent": 0}
    vs = list(verdicts)
    return max(vs, key=order.get) if vs else "cannot check"


def fmt(x: float, d: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{d}f}"


def fmt_p(p: float) -> str:
    return "<.0001" if p < 0.0001 else f"{p:.4f}"


def _q(i: str) -> pub.Value:
    return pub.quote(i)


def _c(t: str, r: str, c: str) -> pub.Value:
    return pub.cell(t, r, c)


def stars_for(p: float) -> str:
    """Appendix 10's convention: *p<0.1, **p<0.05, ***p<0.01."""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def p_interval(v: pub.Value) -> tuple[float, float]:
    """The p-values a printed p can stand for (``0`` or ``.000`` = below half a unit)."""
    if "<" in v.marker:
        return 0.0, v.number
    return max(0.0, v.number - half_unit(v)), v.number + half_unit(v)


# ---------------------------------------------------------------------------- A9.5: ANOVA tables
def anova_blocks() -> dict[str, pd.DataFrame]:
    """Table A9.5 as one long frame per dependent variable (index: source)."""
    df = pub.table("A9.5")
    parts = df["row"].str.rsplit(": ", n=1)
    df["dv"] = parts.str[0]
    df["source"] = parts.str[1]
    return {dv: g for dv, g in df.groupby("dv", sort=False)}


def _av(block: pd.DataFrame, source: str, column: str) -> pub.Value:
    r = block[(block["source"] == source) & (block["column"] == column)].iloc[0]
    return pub.cell("A9.5", r["row"], column)


def check_anova_f_p() -> list[Check]:
    """A9.5: mean squares, F and p recomputed from the sums of squares and degrees of freedom."""
    out = []
    for dv, b in anova_blocks().items():
        err_ss = _av(b, "Error", "Type III sum of squares")
        err_df = _av(b, "Error", "df")
        entries, rec, pubs, notes = [], [], [], []
        for src in ("Year", "Pilot status", "Year * pilot status"):
            ss, dfv = _av(b, src, "Type III sum of squares"), _av(b, src, "df")
            F_pub, p_pub = _av(b, src, "F"), _av(b, src, "Sig.")
            (sl, sh), (el, eh) = interval(ss), interval(err_ss)
            f_c = (ss.number / dfv.number) / (err_ss.number / err_df.number)
            f_lo = (sl / dfv.number) / (eh / err_df.number)
            f_hi = (sh / dfv.number) / (el / err_df.number)
            v_f = judge(F_pub, f_c, f_lo, f_hi)
            fl, fh = interval(F_pub)
            p_c = stats.f.sf(F_pub.number, dfv.number, err_df.number)
            p_lo = stats.f.sf(fh, dfv.number, err_df.number)
            p_hi = stats.f.sf(max(fl, 0), dfv.number, err_df.number)
            v_p = judge(p_pub, p_c, p_lo, p_hi)
            entries += [Entry("A9.5", f"{dv}: {src}", "F", F_pub.number, f_c, v_f,
                              f"F = (SS/df)/(SS_error/df_error); rounding of SS allows {fmt(f_lo)}–{fmt(f_hi)}"),
                        Entry("A9.5", f"{dv}: {src}", "Sig.", p_pub.number, p_c, v_p,
                              f"p = P(F({dfv.number:g},{err_df.number:g}) > printed F)")]
            rec.append(f"{src}: F {f_c:.3f}, p {p_c:.3f}")
            pubs.append(f"{src}: F {F_pub.text}, p {p_pub.text}")
            if v_f != "consistent":
                notes.append(f"{src} F {v_f} (inputs allow {fmt(f_lo)}–{fmt(f_hi)})")
            if v_p != "consistent":
                notes.append(f"{src} p {v_p}")
        verdict = worst(e.verdict for e in entries)
        reasoning = ("Every F equals its mean square over the error mean square and every p is the "
                     "upper tail of F with the printed degrees of freedom"
                     + ("." if not notes else "; " + "; ".join(notes) + "."))
        out.append(Check(f"anova_{_slug(dv)}", "LA-level outcomes (A9)",
                         f"2-factor ANOVA: {dv}", f"{pub.cite('A9.5')}: sums of squares, df",
                         "Type III sums of squares printed to 3 decimals (±0.0005).",
                         "; ".join(rec), "; ".join(pubs), verdict, reasoning, entries))
    return out


def check_anova_additivity() -> list[Check]:
    """A9.5: sources add up to the corrected total (balanced design), df to 79 (80 observations
    = 16 authorities x 5 years, as Table A9.1's 8 pilots + 8 SNNs)."""
    entries, bad = [], []
    for dv, b in anova_blocks().items():
        parts = ["Year", "Pilot status", "Year * pilot status", "Error"]
        ss = sum(_av(b, s, "Type III sum of squares").number for s in parts)
        tot = _av(b, "Corrected total", "Type III sum of squares")
        tol = 4 * 0.0005
        v = judge(tot, ss, ss - tol, ss + tol)
        dfs = sum(_av(b, s, "df").number for s in parts)
        dtot = _av(b, "Corrected total", "df")
        vd = "consistent" if dfs == dtot.number else "inconsistent"
        entries += [Entry("A9.5", f"{dv}: Corrected total", "Type III sum of squares", tot.number, ss, v,
                          "sum of the four sources (balanced design: Type III SS add up)"),
                    Entry("A9.5", f"{dv}: Corrected total", "df", dtot.number, dfs, vd, "sum of df")]
        if v == "inconsistent" or vd == "inconsistent":
            bad.append(dv)
    a91 = pub.wide("A9.1")
    n_la = a91[a91.index.str.startswith("Authority type")].sum().sum()
    years = 5
    dtot = pub.cell("A9.5", next(iter(anova_blocks())) + ": Corrected total", "df")
    v_n = "consistent" if n_la * years - 1 == dtot.number else "inconsistent"
    entries.append(Entry("A9.1", "all authorities", "Pilot sites + SNNs", dtot.number + 1,
                         n_la * years, v_n, "authorities in Table A9.1 x 5 years = observations in A9.5"))
    verdict = worst(e.verdict for e in entries)
    return [Check("anova_additivity", "LA-level outcomes (A9)",
                  "A9.5 sums of squares and df add up; observations match Table A9.1",
                  f"{pub.cite('A9.5')}; {pub.cite('A9.1')}",
                  "Balanced design (equal cells), so Type III sums of squares are additive; "
                  "5 years (2014/15–2018/19).",
                  f"{len(anova_blocks()) - len(bad)} of {len(anova_blocks())} blocks add up; "
                  f"{int(n_la)} authorities x {years} years = {int(n_la * years)} observations",
                  f"corrected total df {dtot.text} (= {int(dtot.number) + 1} observations)", verdict,
                  "In every block the four sources add up to the corrected total within the "
                  "rounding of the printed sums of squares, and the degrees of freedom to 79. Eighty "
                  "observations are the 16 authorities of Table A9.1 (8 pilots, 8 SNNs) over five "
                  "years." if verdict == "consistent" or verdict.endswith("rounding") else
                  f"Blocks that do not add up: {', '.join(bad)}.", entries)]


def _key(label: str) -> str:
    return label.split("(")[0].strip().lower()


def check_oneway_from_anova() -> list[Check]:
    """A9.4's one-way F and the pilot/SNN means against A9.5's sums of squares.

    With two equal groups of 40 observations, the pilot-status sum of squares is
    20 x (difference of the means)^2, and the one-way F is SS_pilot / ((SS_total - SS_pilot) / 78).
    """
    a94 = pub.table("A9.4")
    keys94 = {_key(r): r for r in dict.fromkeys(a94["row"])}
    out = []
    for dv, b in anova_blocks().items():
        row94 = keys94.get(_key(dv))
        if row94 is None:
            continue
        ssp, sst = _av(b, "Pilot status", "Type III sum of squares"), _av(b, "Corrected total", "Type III sum of squares")
        dft = _av(b, "Corrected total", "df").number
        n = dft + 1
        F94 = _c("A9.4", row94, "F Statistic")
        f_c = ssp.number / ((sst.number - ssp.number) / (n - 2))
        (pl, ph), (tl, th) = interval(ssp), interval(sst)
        f_lo, f_hi = pl / ((th - pl) / (n - 2)), ph / ((tl - ph) / (n - 2))
        v_f = judge(F94, f_c, f_lo, f_hi)
        m1, m2 = _c("A9.4", row94, "Pilot mean"), _c("A9.4", row94, "SNN mean")
        diff = abs(m2.number - m1.number)
        dlo, dhi = max(diff - 2 * half_unit(m1), 0), diff + 2 * half_unit(m1)
        # the A9.5 block may be on a 0-1 scale while A9.4 prints percentages
        scale = 1.0
        if (n / 4) * diff ** 2 > 1000 * max(ssp.number, 1e-9):
            scale = 0.01
        ss_c = (n / 4) * (diff * scale) ** 2
        ss_lo, ss_hi = (n / 4) * (dlo * scale) ** 2, (n / 4) * (dhi * scale) ** 2
        v_ss = judge(ssp, ss_c, ss_lo, ss_hi)
        entries = [Entry("A9.4", row94, "F Statistic", F94.number, f_c, v_f,
                         "one-way F from A9.5: SS_pilot / ((SS_total - SS_pilot)/78)"),
                   Entry("A9.5", f"{dv}: Pilot status", "Type III sum of squares", ssp.number, ss_c, v_ss,
                         f"20 x (A9.4 SNN mean - pilot mean)^2{' on a 0-1 scale' if scale != 1 else ''}; "
                         f"rounding of the means allows {ss_lo:.4g}–{ss_hi:.4g}")]
        verdict = worst(e.verdict for e in entries)
        out.append(Check(
            f"oneway_{_slug(dv)}", "LA-level outcomes (A9)", f"A9.4 against A9.5: {dv}",
            f"{pub.cite('A9.4')}: means, F; {pub.cite('A9.5')}: sums of squares",
            "Two groups of 40 observations (8 authorities x 5 years each); the one-way ANOVA of "
            "A9.4 uses the same 80 observations as A9.5"
            + ("; the A9.5 block is on a 0–1 scale (its sums of squares are tiny), A9.4 in percent"
               if scale != 1 else "") + ".",
            f"F {f_c:.2f} (inputs allow {f_lo:.2f}–{f_hi:.2f}); SS_pilot {ss_c:.4g} "
            f"({ss_lo:.4g}–{ss_hi:.4g})",
            f"F {F94.text}; SS_pilot {ssp.text}", verdict,
            "The all-years one-way F of Table A9.4 follows from A9.5's sums of squares, and the "
            "difference of A9.4's means reproduces A9.5's pilot-status sum of squares."
            if verdict != "inconsistent" else
            "The printed means or F of A9.4 cannot be reconciled with A9.5's sums of squares "
            "under the stated design.", entries))
    return out


def _p_from_f_table(tid: str, df2_default: int, df2_range_rows: dict[str, tuple[int, int]]) -> Check:
    w = pub.table(tid)
    entries, bad = [], []
    for row in dict.fromkeys(w["row"]):
        F, p = _c(tid, row, "F Statistic"), _c(tid, row, "P-value")
        fl, fh = interval(F)
        d_lo, d_hi = df2_range_rows.get(row, (df2_default, df2_default))
        pc = stats.f.sf(F.number, 1, d_hi)
        p_lo = min(stats.f.sf(fh, 1, d) for d in (d_lo, d_hi))
        p_hi = max(stats.f.sf(max(fl, 0), 1, d) for d in (d_lo, d_hi))
        v = judge(p, pc, p_lo, p_hi)
        entries.append(Entry(tid, row, "P-value", p.number, pc, v,
                             f"p = P(F(1,{d_lo}{'' if d_lo == d_hi else f'–{d_hi}'}) > F); "
                             f"rounding of F allows {p_lo:.3f}–{p_hi:.3f}"))
        if v == "inconsistent":
            bad.append(f"{row} (F {F.text}, p {p.text}; F allows p {p_lo:.3f}–{p_hi:.3f})")
    verdict = worst(e.verdict for e in entries)
    n_ok = sum(e.verdict != "inconsistent" for e in entries)
    return Check(
        f"p_from_f_{_slug(tid)}", "LA-level outcomes (A9)", f"{tid}: p-values from the F statistics",
        f"{pub.cite(tid)}: F, p", "", f"{n_ok} of {len(entries)} p-values reproduced",
        f"{len(entries)} printed p-values", verdict,
        ("Every printed p-value is the upper tail of the printed F (one-way ANOVA, 1 numerator "
         "degree of freedom) within the rounding of F." if not bad else
         "Not reproduced: " + "; ".join(bad) + "."), entries)


def check_a93_a94_p_from_f() -> list[Check]:
    """A9.3 (one year: 16 authorities, df 1 and 14) and A9.4 (five years: df 1 and 78; the
    workforce rows have fewer years, df from 1 and 46)."""
    c3 = _p_from_f_table("A9.3", 14, {})
    c3.assumptions = ("16 authorities (Table A9.1) in 2018/19 (workforce: September 2019), so "
                      "F has 1 and 14 degrees of freedom.")
    a94 = pub.table("A9.4")
    wf = [r for r in dict.fromkeys(a94["row"]) if r.endswith("2019")]
    c4 = _p_from_f_table("A9.4", 78, {r: (46, 78) for r in wf})
    c4.assumptions = ("80 observations (16 authorities x 5 years), F with 1 and 78 degrees of "
                      "freedom; the workforce rows ('… 2019') may cover only 3–5 years (caseload "
                      "data are missing for 2014/15 and 2015/16), so 1 and 46 to 78.")
    return [c3, c4]


TEXT_P_VS_TABLES = [
    # text id, table, row key, kind ("all years" -> A9.4 p and F; "status" -> A9.5 Sig.; "2018" -> A9.3)
    ("la_cin_p_all_years", "A9.4", "children in need throughout the year"),
    ("la_a9_cin_p_all_years", "A9.4", "children in need throughout the year"),
    ("la_cin_p_pilot_status", "A9.5", "children in need throughout the year"),
    ("la_a9_cin_p_pilot_status", "A9.5", "children in need throughout the year"),
    ("la_assess_p_all_years", "A9.4", "assessments rate per 10,000 children"),
    ("la_a9_assess_p_all_years", "A9.4", "assessments rate per 10,000 children"),
    ("la_assess_p_pilot_status", "A9.5", "assessments rate per 10,000 children"),
    ("la_a9_assess_p_pilot_status", "A9.5", "assessments rate per 10,000 children"),
    ("la_a9_assess61_p_all_years", "A9.4", "assessments that lasted 61 days or more"),
    ("la_assess61_p_pilot_status", "A9.5", "assessments that lasted 61 days or more"),
    ("la_a9_assess61_p_pilot_status", "A9.5", "assessments that lasted 61 days or more"),
    ("la_a9_median_duration_p", "A9.4", "median duration of assessment"),
    ("la_a9_cpc_p_all_years", "A9.4", "child protection conferences throughout the year"),
    ("la_cpc_p_pilot_status", "A9.5", "child protection conferences throughout the year"),
    ("la_a9_cpc_p_pilot_status", "A9.5", "child protection conferences throughout the year"),
    ("la_a9_cpc_p_2018", "A9.3", "child protection conferences throughout the year"),
    ("la_a9_cpp_p_all_years", "A9.4", "child protection plans at march"),
    ("la_cpp_p_pilot_status", "A9.5", "child protection plans at march"),
    ("la_a9_cpp_p_pilot_status", "A9.5", "child protection plans at march"),
    ("la_a9_s47_p_all_years", "A9.4", "section 47 throughout the year"),
    ("la_s47_p_pilot_status", "A9.5", "section 47 throughout the year"),
    ("la_a9_s47_p_pilot_status", "A9.5", "section 47 throughout the year"),
    ("la_a9_icpc_duration_p_all_years", "A9.4", "duration between start of section 47 enquiries and initial cp conference"),
    ("la_icpc_duration_p_pilot_status", "A9.5", "duration between start of section 47 enquiries and initial cp conference"),
    ("la_a9_icpc_duration_p_pilot_status", "A9.5", "duration between start of section 47 enquiries and initial cp conference"),
    ("la_a9_cpp3m_p_all_years", "A9.4", "child protection plans at march with case duration of 3 months or less"),
    ("la_a9_cpp3m_p_pilot_status", "A9.5", "child protection plans at march with case duration of 3 months or less"),
    ("la_a9_lac_p_all_years", "A9.4", "looked after children at march"),
    ("la_lac_p_pilot_status", "A9.5", "looked after children at march"),
    ("la_a9_lac_p_pilot_status", "A9.5", "looked after children at march"),
]


def check_text_p_values() -> list[Check]:
    """p-values quoted in section 3 and Appendix 9 against Tables A9.3-A9.5."""
    blocks = {_key(dv): b for dv, b in anova_blocks().items()}
    entries, bad, cc = [], [], []
    for qid, tid, key in TEXT_P_VS_TABLES:
        q = _q(qid)
        ql, qh = p_interval(q)
        if tid == "A9.5":
            b = blocks[key]
            tp = _av(b, "Pilot status", "Sig.")
            tl, th = p_interval(tp)
            v = "consistent" if (ql <= th and qh >= tl) else "inconsistent"
            rec = tp.number
            how = f"A9.5 pilot-status Sig. {tp.text}"
            ref = (tid, tp.row, "Sig.")
        else:
            rows = {_key(r): r for r in dict.fromkeys(pub.table(tid)["row"])}
            row = rows[key]
            tp, F = _c(tid, row, "P-value"), _c(tid, row, "F Statistic")
            d2 = 14 if tid == "A9.3" else 78
            fl, fh = interval(F)
            pc = stats.f.sf(F.number, 1, d2)
            p_lo, p_hi = stats.f.sf(fh, 1, d2), stats.f.sf(max(fl, 0), 1, d2)
            tl, th = p_interval(tp)
            agrees_table = ql <= th and qh >= tl
            agrees_f = ql <= p_hi and qh >= p_lo
            v = "consistent" if agrees_table and agrees_f else (
                "cannot check" if agrees_table else "inconsistent")
            rec = pc
            how = (f"{tid} p {tp.text}; from F {F.text} with 1 and {d2} df: {pc:.4f} "
                   f"(rounding of F allows {p_lo:.4f}–{p_hi:.4f})")
            ref = (tid, row, "P-value")
        entries.append(Entry(ref[0], ref[1], ref[2] + " (text p)", q.number, rec, v,
                             f"text {qid} = {q.text}; {how}"))
        cc.append(f"{qid} {q.text} ~ {how}")
        if v != "consistent":
            bad.append(f"{qid} ({q.text}): {how}")
    verdict = worst(e.verdict for e in entries)
    return [Check("text_p_values_a9", "LA-level outcomes (A9)",
                  "p-values quoted in section 3 and Appendix 9 against Tables A9.3–A9.5",
                  "text_numbers la_*; " + ", ".join(pub.cite(t) for t in ("A9.3", "A9.4", "A9.5")),
                  "'Across all years' = Table A9.4 (one-way, 1 and 78 df); '2-factor analysis' = "
                  "the pilot-status row of Table A9.5; 'in 2018/19' = Table A9.3 (1 and 14 df).",
                  f"{len(entries) - len(bad)} of {len(entries)} quoted p-values reproduced",
                  f"{len(entries)} quoted p-values", verdict,
                  "Every quoted p-value agrees with its table after rounding, and the three-decimal "
                  "values quoted in the text are what the printed F gives: the text had the "
                  "unrounded p-values that Tables A9.3 and A9.4 round to 2 decimals."
                  if not bad else "Not reproduced: " + "; ".join(bad) + ".", entries)]


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
    entries = []
    for r in rows:
        b, se, t = _c("6", r, "Coefficient"), _c("6", r, "Std. error"), _c("6", r, "t")
        (bl, bh), (sl, sh) = interval(b), interval(se)
        cands = [x / y for x in (bl, bh) for y in (sl, sh)]
        tc = b.number / se.number
        entries.append(Entry("6", r, "t", t.number, tc, judge(t, tc, min(cands), max(cands)),
                             f"coefficient / standard error; rounding allows {min(cands):.3f} to {max(cands):.3f}"))
    dfs = implied_df(rows)
    for r in rows:
        t, p = _c("6", r, "t"), _c("6", r, "P-value")
        pc = 2 * stats.t.sf(abs(t.number), df_all)
        v = judge(p, pc) if not dfs else (
            "consistent" if judge(p, pc) == "consistent" else "consistent within rounding")
        entries.append(Entry("6", r, "P-value", p.number, pc, v,
                             f"two-sided p of t with {df_all} df (all {int(n_families)} families); "
                             f"df agreeing with every row: {dfs[0]}–{dfs[-1]}" if dfs else
                             f"two-sided p of t with {df_all} df; no df agrees with every row"))
    t_ok = all(e.verdict != "inconsistent" for e in entries if e.column == "t")
    verdict = worst(e.verdict for e in entries)
    buy = next(e for e in entries if e.row == rows[0] and e.column == "t")
    reasoning = (
        f"Each t is the coefficient over its standard error within rounding (including Buy-in, whose "
        f"standard error {_c('6', rows[0], 'Std. error').text} the extraction moved into the header: "
        f"{_c('6', rows[0], 'Coefficient').text}/{_c('6', rows[0], 'Std. error').text} = "
        f"{buy.reproduced:.3f} against {_c('6', rows[0], 't').text} printed). " if t_ok else "Some t values do not follow from coefficient/SE. ")
    if dfs:
        reasoning += (f"The p-values agree with every t only for {dfs[0]}–{dfs[-1]} residual degrees of "
                      f"freedom, i.e. about {dfs[0] + 2}–{dfs[-1] + 2} families with Yatchmenoff "
                      f"scores; with all {int(n_families)} families ({df_all} df) Buy-in's p would be "
                      f"{2 * stats.t.sf(abs(_c('6', rows[0], 't').number), df_all):.4f}. The "
                      "number of families answering is not printed, so the p-values are consistent "
                      f"with a sample somewhat smaller than {int(n_families)}.")
    else:
        reasoning += "No single number of degrees of freedom reproduces all five p-values."
    return [Check("table6_t_p", "Contrast study", "Table 6: t and p from coefficients and standard errors",
                  f"{pub.cite('6')}; text contrast_families_n",
                  "Simple regression (one predictor): residual df = families - 2; two-sided p.",
                  f"t: {', '.join(f'{e.reproduced:.3f}' for e in entries if e.column == 't')}; "
                  f"implied df {dfs[0]}–{dfs[-1]}" if dfs else "no df fits",
                  "t: " + ", ".join(_c('6', r, 't').text for r in rows), verdict, reasoning, entries),
            _table6_significance_claim(rows)]


def _table6_significance_claim(rows) -> Check:
    ps = {r: _c("6", r, "P-value") for r in rows}
    alpha = ALPHA
    nonsig = [r for r, p in ps.items() if p.number >= alpha]
    v = "consistent" if nonsig == ["Receptivity"] else "inconsistent"
    return Check("table6_claim", "Contrast study",
                 "'all but receptivity being significant' (section 3)",
                 pub.cite("6"), "Significance at 5 per cent, the report's convention.",
                 f"not significant: {', '.join(nonsig) or 'none'}", "all but Receptivity significant",
                 v, f"Receptivity p = {ps['Receptivity'].text}; all other subscales have p < .05.",
                 [Entry("6", "Receptivity", "P-value", ps["Receptivity"].number,
                        ps["Receptivity"].number, v, "the only p at or above .05")])


def check_table5() -> list[Check]:
    """Table 5: contrast sites better (lower) on every subscale; overall score vs subscales."""
    w = pub.wide("5")
    subs = [r for r in w.index if r != "Overall score"]
    ties = [r for r in subs if w.loc[r, "Contrast"] == w.loc[r, "Pilot"]]
    worse = [r for r in subs if w.loc[r, "Contrast"] > w.loc[r, "Pilot"]]
    v = "inconsistent" if worse else ("consistent within rounding" if ties else "consistent")
    c1 = Check("table5_contrast_better", "Contrast study",
               "'on each of the subscales the contrast sites had better average scores'",
               pub.cite("5"), "Lower = better (the report's reading).",
               f"contrast lower on {len(subs) - len(ties) - len(worse)} of {len(subs)} subscales; "
               f"tied as printed: {', '.join(ties) or 'none'}", "contrast better on each subscale", v,
               (f"{', '.join(ties)} is printed as {w.loc[ties[0], 'Pilot']:.1f} for both groups: the "
                "claim can hold only before rounding." if ties else "Contrast lower on every subscale.")
               + (f" Contrast higher on {', '.join(worse)}." if worse else ""),
               [Entry("5", r, "Contrast", w.loc[r, "Contrast"], w.loc[r, "Pilot"], v,
                      "contrast vs pilot mean (tie as printed)") for r in ties])
    entries = []
    rec = []
    for g in ("Pilot", "Contrast"):
        m = w.loc[subs, g].mean()
        o = _c("5", "Overall score", g)
        lo, hi = m - 0.05, m + 0.05
        v2 = judge(o, m, lo, hi)
        entries.append(Entry("5", "Overall score", g, o.number, m, v2,
                             "equal-weight mean of the four subscale means (assumption)"))
        rec.append(f"{g} {m:.3f}")
    b6 = [_c("6", r, "Coefficient").number for r in subs]
    o6 = _c("6", "Overall score", "Coefficient")
    m6 = float(np.mean(b6))
    entries.append(Entry("6", "Overall score", "Coefficient", o6.number, m6, "cannot check",
                         "equal-weight mean of the subscale coefficients; the weights are not published"))
    c2 = Check("table5_6_overall", "Contrast study",
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
               f"({m6:.3f}); with unpublished item weights neither can be confirmed.", entries)
    return [c1, c2]


# ---------------------------------------------------------------------------- Table 4 (workforce)
def _table4_ns() -> pd.Series:
    return pub.wide("2").loc["Number"]


def table4_tests(alpha: float = ALPHA, max_missing: int = MAX_ITEM_NONRESPONSE) -> pd.DataFrame:
    """Chi-square test (4 pilots x agree/not) of each Table 4 statement on counts reconstructed
    from the percentages, with Table 2's respondents as group sizes. Where no count fits for
    ``max_missing`` non-responses, the allowance is raised until one does (reported)."""
    t4 = pub.wide("4")
    ns = _table4_ns()[t4.columns]
    rows = []
    for stmt in t4.index:
        m = max_missing
        while True:
            try:
                r = recon.chi2_range(t4.loc[stmt], ns, max_missing=m)
                break
            except recon.ReconstructionError:
                m += 1
                if m > 20:
                    raise
        crit = stats.chi2.ppf(1 - alpha, r["dof"])
        rows.append(dict(statement=stmt, chi2=r["statistic"], p=r["p"], chi2_min=r["stat_min"],
                         chi2_max=r["stat_max"], p_min=r["p_min"], p_max=r["p_max"],
                         reconstructions=r["n_reconstructions"], max_missing=m,
                         nonresponse_assumed=", ".join(r["nonresponse_assumed"]),
                         n_share_for_ns=min(1.0, crit / r["statistic"]) if r["statistic"] > 0 else 1.0))
    return pd.DataFrame(rows).set_index("statement")


def check_table4(alpha: float = ALPHA, max_missing: int = MAX_ITEM_NONRESPONSE) -> list[Check]:
    tests = table4_tests(alpha, max_missing)
    ns = _table4_ns()
    out = []
    for stmt, r in tests.iterrows():
        if r.p_min > alpha:
            v = "consistent"
            why = f"every reconstruction gives p > {alpha} (p {r.p_min:.3f}–{r.p_max:.3f})"
        elif r.p_max <= alpha:
            v = "inconsistent"
            why = (f"no reconstruction gives a non-significant result: p {fmt_p(r.p_min)}–{fmt_p(r.p_max)}. "
                   f"The difference would be non-significant only if fewer than "
                   f"{100 * r.n_share_for_ns:.0f}% of Table 2's respondents answered the item")
        else:
            v = "consistent within rounding"
            why = (f"some reconstructions are significant, some not (p {r.p_min:.3f}–{r.p_max:.3f}; "
                   f"central {r.p:.3f})")
        extra = (f"; no count fits Pilot percentages with up to {max_missing} non-responses, so up to "
                 f"{int(r.max_missing)} were allowed" if r.max_missing > max_missing else "")
        out.append(Check(
            f"table4_{_slug(stmt)}", "Workforce", f"Table 4 'not significant': {stmt}",
            f"{pub.cite('4')}; respondents from {pub.cite('2')} (row 'Number')",
            f"Respondents per pilot = Table 2's 'Number' ({', '.join(f'{int(v)}' for v in ns)}), "
            f"up to {int(r.max_missing)} skipping the item; Pearson chi-square, 3 df; alpha {alpha}.",
            f"chi2 {r.chi2_min:.2f}–{r.chi2_max:.2f}, p {fmt_p(r.p_min)}–{fmt_p(r.p_max)} "
            f"({int(r.reconstructions)} reconstructions)",
            "differences not significant (section 3)", v, why[0].upper() + why[1:] + extra + ".",
            [Entry("4", stmt, "chi-square p (all pilots)", alpha, r.p, v,
                   f"published: 'not significant' (p > {alpha}); recomputed p range "
                   f"{r.p_min:.4f}–{r.p_max:.4f}")]))
    # Pilot 8 'best on most measures'
    t4 = pub.wide("4")
    better_low = {"Expected to fulfil too many roles", "Planning to leave job within 2 years",
                  "Turnover is a problem in the authority"}
    best = {}
    for s in t4.index:
        row = t4.loc[s]
        target = row.min() if s in better_low else row.max()
        best[s] = [c for c in row.index if row[c] == target]
    p8 = [s for s, b in best.items() if "Pilot 8" in b]
    not8 = {s: b for s, b in best.items() if "Pilot 8" not in b}
    out.append(Check(
        "table4_pilot8_best", "Workforce", "'On most of these measures Pilot 8 emerged with the best "
        "outcomes' (section 3) / best on all five areas (section 5)", pub.cite("4"),
        "Lower is better for too many roles, planning to leave and turnover; higher for the others.",
        f"Pilot 8 best (or tied) on {len(p8)} of {len(best)}",
        "section 3: most measures; section 5 lists all five areas", "consistent within rounding"
        if not not8 else "inconsistent",
        f"Pilot 8 is best or tied best on {len(p8)} of {len(best)} measures, which supports section 3's "
        f"'most'. It is not best on " + "; ".join(f"'{s}' (best: {', '.join(b)}, "
                                                   f"{t4.loc[s, b[0]]:.0f}% vs Pilot 8 {t4.loc[s, 'Pilot 8']:.0f}%)"
                                                   for s, b in not8.items())
        + ", so section 5's list, which names job satisfaction, overstates it.",
        [Entry("4", s, "best pilot", float("nan"), float("nan"), "inconsistent",
               f"section 5 names Pilot 8 best; best is {', '.join(b)}") for s, b in not8.items()]))
    return out


def _pooled(stmt: str) -> tuple[float, float, float]:
    t4 = pub.wide("4")
    ns = _table4_ns()[t4.columns]
    pct = t4.loc[stmt]
    pooled = float((pct * ns).sum() / ns.sum())
    return pooled, float(pct.min()), float(pct.max())


WORD_SHARES = {"half": 50.0, "1 in 5": 20.0}


def check_workforce_text() -> list[Check]:
    out = []
    # response rate
    lo, hi = _q("survey_response_low"), _q("survey_response_high")
    t2 = pub.wide("2")
    share = t2.loc["% of social workers in the pilot"]
    v = "consistent" if share.min() >= lo.number and share.max() <= hi.number else "inconsistent"
    heads = (t2.loc["Number"] / (share / 100)).round(0)
    out.append(Check(
        "workforce_response_rate", "Workforce",
        f"'responses were received from between {lo.text} and {hi.text} per cent of social workers' "
        "(section 3)",
        f"text survey_response_low/high; {pub.cite('2')} (last row)",
        "Both describe the same survey's respondents as a share of the pilot's social workers.",
        f"Table 2: {share.min():.0f}%–{share.max():.0f}% "
        f"({', '.join(f'{c} {share[c]:.0f}%' for c in share.index)})",
        f"{lo.text}%–{hi.text}%", v,
        "Table 2's last row puts respondents at 21% to 82% of each pilot's social workers (implied "
        f"headcounts {', '.join(f'{int(h)}' for h in heads)}), not 44% to 52%. The two must use "
        "different denominators (Table 2 uses the DfE workforce headcount, footnote 21); the text "
        "does not say which it uses." if v == "inconsistent" else "Within the stated range.",
        [Entry("2", "% of social workers in the pilot", c, hi.number if share[c] > hi.number else lo.number,
               share[c], "inconsistent" if not (lo.number <= share[c] <= hi.number) else "consistent",
               "text range 44–52% vs Table 2") for c in share.index]))
    # around half / 1 in 5 / 14-23 per cent
    for qid, stmt in (("workforce_turnover_problem_share", "Turnover is a problem in the authority"),
                      ("workforce_leaving_share", "Planning to leave job within 2 years")):
        q = _q(qid)
        target = WORD_SHARES[q.text]
        pooled, mn, mx = _pooled(stmt)
        v = "consistent" if abs(pooled - target) <= 2.5 else (
            "consistent within rounding" if mn <= target <= mx else "inconsistent")
        out.append(Check(
            qid, "Workforce", f"'Around {q.text}' ({q.row}) against Table 4: {stmt}",
            f"text {qid}; {pub.cite('4')}; respondents from {pub.cite('2')}",
            f"'{q.text}' read as {target:.0f}%; pooled over pilots weighting by respondents.",
            f"pooled {pooled:.1f}% (pilots {mn:.0f}%–{mx:.0f}%)", f"around {q.text} ({target:.0f}%)", v,
            f"The pooled share is {pooled:.1f}%" + (
                ", which is 'around " + q.text + "'." if v == "consistent" else
                f": closer to 1 in {round(100 / pooled)} than to '{q.text}', though the pilots range "
                f"{mn:.0f}%–{mx:.0f}% and the phrase is loose."),
            [Entry("4", stmt, "pooled (text)", target, pooled, v, f"'{q.text}'")]))
    mn_q, mx_q = _q("workforce_leaving_min"), _q("workforce_leaving_max")
    _, mn, mx = _pooled("Planning to leave job within 2 years")
    v = "consistent" if (mn, mx) == (mn_q.number, mx_q.number) else "inconsistent"
    out.append(Check("workforce_leaving_range", "Workforce",
                     f"'between {mn_q.text} per cent and {mx_q.text} per cent were personally planning "
                     "on leaving' (section 4)",
                     f"text workforce_leaving_min/max; {pub.cite('4')}", "",
                     f"{mn:.0f}%–{mx:.0f}%", f"{mn_q.text}%–{mx_q.text}%", v,
                     "The range is Table 4's lowest and highest pilot.",
                     [Entry("4", "Planning to leave job within 2 years", "min", mn_q.number, mn, v),
                      Entry("4", "Planning to leave job within 2 years", "max", mx_q.number, mx, v)]))
    return out


# ---------------------------------------------------------------------------- contrast study 2x2 tests
def _options(p: float, n: int) -> list[int]:
    try:
        lo, hi = recon.count_bounds(p, n)
    except recon.ReconstructionError:
        return []
    return list(range(lo, hi + 1))


def two_by_two_p(k1: int, n1: int, k2: int, n2: int) -> dict[str, float]:
    """p-values of a 2x2 comparison by the usual tests."""
    t = [[k1, n1 - k1], [k2, n2 - k2]]
    out = {"Fisher two-sided": float(stats.fisher_exact(t).pvalue),
           "Fisher one-sided": float(min(stats.fisher_exact(t, alternative="greater").pvalue,
                                         stats.fisher_exact(t, alternative="less").pvalue))}
    if min(k1 + k2, n1 + n2 - k1 - k2) > 0:
        out["Pearson chi-square"] = float(stats.chi2_contingency(t, correction=False).pvalue)
        out["Yates chi-square"] = float(stats.chi2_contingency(t, correction=True).pvalue)
    return out


@lru_cache(maxsize=None)
def search_group_sizes(p1: float, p2: float, n1_max: int, n2_max: int,
                       extra: tuple[tuple[float, int], ...] = ()) -> pd.DataFrame:
    """Every (n1, n2, k1, k2) with n1 <= n1_max, n2 <= n2_max whose counts are consistent with
    the printed percentages, and the p-value of each test. ``extra``: further percentages of
    group 2 that must also be whole counts (e.g. 50% 'strongly agree')."""
    rows = []
    for n1 in range(2, n1_max + 1):
        o1 = _options(p1, n1)
        if not o1:
            continue
        for n2 in range(2, n2_max + 1):
            o2 = _options(p2, n2)
            if not o2 or any(not _options(pe, n2) for pe, _ in extra):
                continue
            for k1, k2 in itertools.product(o1, o2):
                for test, p in two_by_two_p(k1, n1, k2, n2).items():
                    rows.append((n1, n2, k1, k2, test, p))
    return pd.DataFrame(rows, columns=["n1", "n2", "k1", "k2", "test", "p"])


CONTRAST_TESTS = [
    ("contrast_aware_plan", "HCSFF: aware of a plan", "contrast_hcsff_aware_plan_sofs",
     "contrast_hcsff_aware_plan_contrast", "contrast_hcsff_aware_plan_p", "Fisher two-sided", ()),
    ("contrast_plan_views", "HCSFF: plan represents my family's views", "contrast_hcsff_plan_views_sofs",
     "contrast_hcsff_plan_views_contrast", "contrast_hcsff_plan_views_p", "Fisher two-sided", ()),
    ("contrast_chart_changes", "Family Chart: agree with social worker about changes needed",
     "contrast_chart_changes_sofs", "contrast_chart_changes_contrast", "contrast_chart_changes_p", None,
     ("contrast_chart_changes_contrast_strongly",)),
    ("contrast_chart_goals", "Family Chart: social worker understood goals", "contrast_chart_goals_sofs",
     "contrast_chart_goals_contrast", "contrast_chart_goals_p", None, ()),
]


def check_contrast_tests() -> list[Check]:
    """Contrast study family feedback: 2x2 tests on counts reconstructed from percentages.

    Assumed group sizes: the 32 families seen in the two SofS sites and the remaining 28 of the
    60 families; the search also tries every smaller pair of group sizes (item non-response)."""
    n_all = int(_q("contrast_families_n").number)
    n1 = int(_q("contrast_families_total").number)
    n2 = n_all - n1
    out = []
    for cid, title, q1, q2, qp, named, extra_ids in CONTRAST_TESTS:
        a, b, p = _q(q1), _q(q2), _q(qp)
        extra = tuple((_q(e).number, 0) for e in extra_ids)
        res = search_group_sizes(a.number, b.number, n1, n2, extra)
        tests = [named] if named else sorted(res["test"].unique())
        at = res[(res.n1 == n1) & (res.n2 == n2) & res.test.isin(tests)]
        pl, ph = interval(p)
        hit_assumed = at[(at.p >= pl) & (at.p < ph)]
        hits = res[(res.p >= pl) & (res.p < ph) & res.test.isin(tests)]
        hits_any = res[(res.p >= pl) & (res.p < ph)]
        test_txt = named or "test not named: Fisher (one- and two-sided), Pearson and Yates chi-square tried"
        if len(at):
            rng = f"p {at.p.min():.4f}–{at.p.max():.4f} at {n1} vs {n2} families"
            rng_short = (f"p = {at.p.min():.4f}" if math.isclose(at.p.min(), at.p.max())
                         else f"p from {at.p.min():.4f} to {at.p.max():.4f}")
        else:
            rng = rng_short = f"no counts out of {n1} and {n2} match the percentages"
        if len(hit_assumed):
            v = "consistent within rounding" if len(hit_assumed) < len(at) else "consistent"
            why = f"At {n1} SofS and {n2} contrast families the reconstruction gives the published p."
        elif len(hits):
            v = "cannot check"
            ex = hits.drop_duplicates(["n1", "n2", "test"]).head(4)
            why = (f"With all {n1} SofS and {n2} contrast families no reconstruction gives {p.text} "
                   f"({rng_short}). It is reproduced only with fewer respondents, e.g. "
                   + "; ".join(f"{r.k1}/{r.n1} vs {r.k2}/{r.n2} ({r.test})" for r in ex.itertuples())
                   + ". The report does not give the number of families answering, so this cannot "
                   "be settled.")
        else:
            v = "inconsistent"
            why = (f"No reconstruction gives the published p = {p.text}. With {n1} and {n2} families "
                   f"the counts behind {a.text}% and {b.text}% give {rng_short} ({named}); no smaller "
                   f"pair of group sizes (any item non-response) gives {p.text} either"
                   + (", and neither does a one-sided Fisher test or a chi-square test with or "
                      "without continuity correction" if hits_any.empty else
                      f"; other tests can ({', '.join(sorted(hits_any.test.unique()))})")
                   + ". If the reported test compared more answer categories than the two "
                   "percentages printed, the printed figures do not show it.")
        out.append(Check(
            cid, "Contrast study", f"{title}: {a.text}% vs {b.text}% (p = {p.text})",
            f"text {q1}, {q2}, {qp}; contrast_families_total, contrast_families_n",
            f"Groups: {n1} SofS families and {n_all} - {n1} = {n2} contrast families; counts "
            f"reconstructed from whole percentages; {test_txt}.",
            rng, f"p = {p.text}", v, why,
            [Entry("text", qp, "p (2x2 test)", p.number,
                   float(at.p.median()) if len(at) else float("nan"), v,
                   f"{title}; {rng}; test: {test_txt}")]))
    return out


# ---------------------------------------------------------------------------- cost study
def check_cost() -> list[Check]:
    q = _q
    out = []
    parts = [q("cost_trained_5day"), q("cost_trained_family_finding"), q("cost_trained_1day")]
    tot = q("cost_staff_trained")
    s = sum(p.number for p in parts)
    v = "consistent" if s == tot.number else "inconsistent"
    out.append(Check("cost_staff_trained", "Cost study", "Staff trained by course add up to the total",
                     "text cost_trained_5day, cost_trained_family_finding, cost_trained_1day, cost_staff_trained",
                     "", f"{int(s)}", tot.text, v,
                     " + ".join(p.text for p in parts) + f" = {int(s)}.",
                     [Entry("text", "cost_staff_trained", "sum of courses", tot.number, s, v)]))
    days = q("cost_training_staff_days")
    known = 5 * parts[0].number + 1 * parts[2].number
    ff_days = (days.number - known) / parts[1].number
    whole = [d for d in range(1, 11) if 5 * parts[0].number + d * parts[1].number + parts[2].number == days.number]
    v = "consistent" if whole else "inconsistent"
    out.append(Check(
        "cost_staff_days", "Cost study", f"Training staff-days: {days.text} from the courses",
        "text cost_trained_5day, cost_trained_family_finding, cost_trained_1day, cost_training_staff_days",
        "5-day course = 5 days, 1-day course = 1 day per person; the Family Finding course's length is "
        "not stated.", f"5 x {parts[0].text} + 1 x {parts[2].text} = {int(known)}; the remaining "
        f"{int(days.number - known)} days / {parts[1].text} Family Finding staff = {ff_days:g} days each",
        days.text, v,
        (f"The total is reproduced exactly if the Family Finding training lasted {whole[0]} days (the "
         "only whole number of days that works); its length is not given in the report." if whole else
         "No whole-day length of the Family Finding course reproduces the total."),
        [Entry("text", "cost_training_staff_days", "5a + d*b + c", days.number,
               known + (whole[0] if whole else ff_days) * parts[1].number, v,
               f"Family Finding length implied: {ff_days:g} days")]))
    p5 = q("cost_p5_staff_days")
    out.append(Check(
        "cost_p5_days", "Cost study", f"Pilot 5 lost {p5.text} staff-days to the 5-day and 1-day courses",
        "text cost_p5_staff_days, cost_trained_5day, cost_trained_1day",
        "Per-pilot attendance is not published.", f"upper bound {int(known)} days (all pilots)", p5.text,
        "cannot check",
        f"{p5.text} = 5a + b for many (a, b) (e.g. {int((p5.number - 5) // 5)} on the 5-day course and 5 on "
        f"the 1-day course); it is below the all-pilot total of {int(known)}, which is all that can be "
        "checked.", [Entry("text", "cost_p5_staff_days", "bound", p5.number, float("nan"), "cannot check")]))
    g, n, yrs = q("cost_grant_per_pilot"), q("cost_grant_pilots"), q("cost_grant_years")
    lo, hi = q("cost_internal_funding_min_pct"), q("cost_internal_funding_max_pct")
    total = g.number * n.number
    out.append(Check(
        "cost_grant_total", "Cost study", "Round 2 grant totals",
        "text cost_grant_per_pilot, cost_grant_pilots, cost_grant_years, cost_internal_funding_min/max_pct",
        "The same grant for each of the 10 authorities.",
        f"total £{total:,.0f} (£{total / yrs.number:,.0f} a year); internal funding "
        f"£{g.number * lo.number / 100:,.0f}–£{g.number * hi.number / 100:,.0f} per pilot",
        f"£{g.text} per pilot; no total printed", "cannot check",
        "The report prints only the per-pilot grant, so the derived totals have nothing to be "
        "compared with; they are shown for scale.",
        [Entry("text", "cost_grant_per_pilot", "x pilots", float("nan"), total, "cannot check",
               "no published total")]))
    sites, mean, mn, mx = (q("cost_mgmt_sites"), q("cost_mgmt_days_mean"), q("cost_mgmt_days_min"),
                           q("cost_mgmt_days_max"))
    k = int(sites.number)
    min_mean = (mx.number + (k - 1) * mn.number) / k
    lo_sum, hi_sum = (mean.number - 0.5) * k, (mean.number + 0.5) * k
    others_hi = hi_sum - mx.number - mn.number
    v = "consistent" if lo_sum <= min_mean * k <= hi_sum or min_mean <= mean.number else "inconsistent"
    out.append(Check(
        "cost_mgmt_days", "Cost study",
        f"Management input: average {mean.text} days, range {mn.text}–{mx.text}, {sites.text} sites",
        "text cost_mgmt_sites, cost_mgmt_days_mean, cost_mgmt_days_min, cost_mgmt_days_max",
        "'Average' = arithmetic mean over the 6 sites; the mean is rounded to a whole day.",
        f"smallest possible mean {min_mean:.2f} (one site at {mx.text}, five at {mn.text})",
        f"mean {mean.text}", v,
        (f"Possible, but only just: with one site at {mx.text} days and one at {mn.text}, the other "
         f"{k - 2} sites must together report at most {others_hi:.0f} days, i.e. each between {mn.text} "
         f"and {others_hi - (k - 3) * mn.number:.0f}. Five of the six sites are then at or near the "
         "minimum; a median would describe them better than the mean." if v == "consistent" else
         "The mean is below the smallest value the range allows."),
        [Entry("text", "cost_mgmt_days_mean", "min feasible mean", mean.number, min_mean, v,
               "one site at the maximum, the rest at the minimum")]))
    a11 = pub.table("A11.1")
    n6 = int(q("cost_survey_2019_replies").number)
    bad = [f"{r.row} / {r.column}: {r.value}" for r in a11.itertuples()
           if not any(math.isclose(round_half_up(100 * j / n6, 0), r.number) for j in range(n6 + 1))]
    v = "consistent" if not bad else "inconsistent"
    out.append(Check(
        "cost_a11_sixths", "Cost study", "Table A11.1 percentages are shares of the 6 responding authorities",
        f"{pub.cite('A11.1')}; text cost_survey_2019_replies", "Every authority answered every item.",
        f"{len(a11) - len(bad)} of {len(a11)} cells are k/{n6}", f"{len(a11)} percentages", v,
        f"Every percentage is a whole number of authorities out of {n6} ("
        + ", ".join(f"{round_half_up(100 * j / n6, 0):.0f} = {j}" for j in range(1, n6 + 1)) + ")."
        if not bad else "Not a whole count of 6: " + "; ".join(bad),
        [Entry("A11.1", r.row, r.column, r.number, r.number, v, f"k/{n6}") for r in a11.itertuples()][:1]))
    s18, g_n, s19, left = (q("cost_survey_2018_sent"), q("cost_grant_pilots"), q("cost_survey_2019_pilots"),
                           q("la_pilots_remaining"))
    v = "consistent" if s18.number == g_n.number and s19.number == left.number else "inconsistent"
    out.append(Check(
        "cost_pilot_counts", "Cost study", "Numbers of pilots across the cost study",
        "text cost_survey_2018_sent, cost_grant_pilots, cost_survey_2019_pilots, la_pilots_remaining",
        "One pilot left in January 2019.", f"{s18.text} in Dec 2018 = {g_n.text} funded; "
        f"{s19.text} in Nov 2019 = {left.text} remaining", "as printed", v,
        "The December 2018 survey went to all 10 funded pilots and the November 2019 survey to the 9 "
        "left after one withdrew.", [Entry("text", "cost_survey_2019_pilots", "= pilots remaining",
                                           s19.number, left.number, v)]))
    return out


# ---------------------------------------------------------------------------- DiD
DID_PAIRS = [
    # text p id, text coefficient id (or None), table, row, column, coefficient scale (text/table)
    ("did_a10_assess_p", "did_assess_days", "A10.6", "DiD", "Fixed effects model", 1),
    ("did_a10_assess_excl_p2_p", None, "A10.6", "DiD", "Excluding Pilot 2", 1),
    ("did_a10_assess_excl_p4_p", None, "A10.6", "DiD", "Excluding Pilot 4", 1),
    (None, "did_a10_assess_alt_cutoff_coef", "A10.6", "DiD", "Alternative cut-off", 1),
    ("did_a10_sameday_p", "did_a10_sameday_pp", "A10.7", "DiD (pilot LA * post settling-in period)", "Same day", 100),
    ("did_a10_delivery_p", "did_a10_delivery_coef", "A10.7", "Quality of delivery * post-settling-in period", "Quality of delivery", 1),
    ("did_a10_embedded_p", "did_a10_embedded_coef", "A10.7", "Embeddedness score * post settling-in period", "Embeddedness of SofS", 1),
    ("did_a10_pm_neither_p", "did_a10_pm_neither_coef", "A10.7", "Comparator LA without a similar practice model * post settling-in period", "Alternative practice models", 1),
    ("did_a10_ofsted_beta4_p", "did_a10_ofsted_beta4", "A10.7", "DiD (pilot LA * post settling-in period)", "Ofsted", 1),
    ("did_a10_ofsted_beta7_p", "did_a10_ofsted_beta7", "A10.7", "Pilot LA * post settling-in period * Ofsted rating", "Ofsted", 1),
    ("did_a10_rereferral_p", "did_a10_rereferral_pp", "A10.8", "DiD", "Linear model", 100),
    (None, "did_a10_rereferral_main_coef", "A10.8", "DiD", "Linear model", 1),
    ("did_a10_rereferral_pm_p", "did_a10_rereferral_pm_coef", "A10.9", "Comparator LA without a similar practice model * post settling-in period", "Alternative practice models", 1),
    ("did_a10_kinship_p", "did_a10_kinship_pp", "A10.11", "DiD", "Linear model", 100),
    ("did_a10_kinship_excl_p2_p", None, "A10.11", "DiD", "Excluding pilot 2", 1),
    ("did_a10_kinship_pm_p", "did_a10_kinship_pm_to", "A10.12", "Comparator LA without a similar practice model * post settling-in period", "Alternative practice models", 100),
    ("did_a10_kinship_ofsted_did_p", "did_a10_kinship_ofsted_did", "A10.12", "DiD (pilot LA * post settling-in period)", "Ofsted", 1),
    ("did_a10_kinship_triple_p", None, "A10.12", "Pilot LA * post settling-in period * Ofsted rating", "Ofsted", 1),
    # report text against appendix text
    ("did_sameday_p", "did_sameday_pp", "A10.7", "DiD (pilot LA * post settling-in period)", "Same day", 100),
    ("did_rereferral_p", "did_rereferral_pp", "A10.8", "DiD", "Linear model", 100),
    ("did_kinship_p", "did_kinship_pp", "A10.11", "DiD", "Linear model", 100),
]


def check_did_text_vs_tables() -> list[Check]:
    """DiD effects and p-values quoted in the text against the stars and coefficients of the
    Appendix 10 tables."""
    entries, bad = [], []
    for pid, cid, tid, row, col, scale in DID_PAIRS:
        cell = _c(tid, row, col)
        if pid:
            p = _q(pid)
            pl, ph = p_interval(p)
            ok_stars = {stars_for(pl), stars_for(max(ph - 1e-12, 0))}
            v = "consistent" if cell.marker in ok_stars else "inconsistent"
            entries.append(Entry(tid, row, col + " (stars)", p.number, float(len(cell.marker)), v,
                                 f"text {pid} = {p.text} implies '{stars_for(p.number) or 'no star'}'; "
                                 f"table prints {cell.text}"))
            if v != "consistent":
                bad.append(f"{pid} {p.text} vs {tid} {cell.text}")
        if cid:
            c = _q(cid)
            txt = c.number / scale
            if cid in ("did_assess_days",):  # 'almost 3 working days'
                v = "consistent" if c.number - 0.5 <= abs(cell.number) <= c.number else "inconsistent"
            else:
                v = judge(cell, math.copysign(abs(txt), cell.number))
                if v != "consistent":
                    # the table rounds more coarsely than the text: compare at the table's decimals
                    v = "consistent" if math.isclose(round_half_up(abs(txt), cell.decimals or 0),
                                                     abs(cell.number)) else v
            entries.append(Entry(tid, row, col, cell.number, math.copysign(abs(txt), cell.number), v,
                                 f"text {cid} = {c.text}{' (percentage points)' if scale == 100 else ''}; "
                                 "sign as in the table (the text states direction in words)"))
            if v != "consistent":
                bad.append(f"{cid} {c.text} vs {tid} {cell.text}")
    verdict = worst(e.verdict for e in entries)
    return [Check("did_text_vs_tables", "DiD (A10)",
                  "Effects and p-values quoted in the text against Tables A10.6–A10.12",
                  "text did_* and did_a10_*; Tables A10.6–A10.12",
                  "Stars: *p<0.1, **p<0.05, ***p<0.01 (the tables' note); a quoted 'p=0' means p < .0005; "
                  "percentage points = 100 x coefficient.",
                  f"{len(entries) - len(bad)} of {len(entries)} comparisons agree",
                  f"{len(entries)} comparisons", verdict,
                  "Every quoted coefficient rounds to the printed one and every quoted p-value carries "
                  "the stars the table prints (e.g. " + "; ".join(
                      f"p={_q(pid).text} → {_c(t, r, col).text}" for pid, _, t, r, col, _ in
                      [DID_PAIRS[10], DID_PAIRS[13], DID_PAIRS[14]]) + ")."
                  if not bad else "Disagreements: " + "; ".join(bad) + ".", entries)]


def check_did_counterfactuals() -> list[Check]:
    """'From X% to Y%': X = Y + effect (footnote 42: the coefficient added to the pilots' post
    mean)."""
    out = []
    for name, pp_id, frm, to in (("re-referral", "did_a10_rereferral_pp", "did_rereferral_from", "did_rereferral_to"),
                                 ("kinship care", "did_a10_kinship_pp", "did_kinship_from", "did_kinship_to")):
        pp, a, b = _q(pp_id), _q(frm), _q(to)
        central = b.number + pp.number
        lo, hi = b.number - 0.5 + pp.number - half_unit(pp), b.number + 0.5 + pp.number + half_unit(pp)
        v = judge(a, central, lo, hi)
        rel = pp.number / central
        out.append(Check(
            f"did_counterfactual_{_slug(name)}", "DiD (A10)", f"{name}: 'from {a.text}% to {b.text}%'",
            f"text {pp_id}, {frm}, {to}",
            "Footnote 42: the counterfactual is the pilots' post-treatment mean plus the DiD "
            "coefficient; the post mean is the printed 'to' value (rounded).",
            f"{b.text} + {pp.text} = {central:.2f}% (rounding allows {lo:.2f}–{hi:.2f})", f"{a.text}%", v,
            f"{b.text}% + {pp.text} points = {central:.2f}%, which rounds to {round_half_up(central, 0):.0f}%. "
            f"As a relative change that is {100 * rel:.0f}% of the counterfactual.",
            [Entry("text", frm, "counterfactual", a.number, central, v, f"{to} + {pp_id}")]))
    # 'greater than the projected 20 per cent change'
    pp, a = _q("did_a10_rereferral_pp"), _q("did_rereferral_from")
    mtm = _q("did_mtm_projected_change")
    rel = 100 * pp.number / (_q("did_rereferral_to").number + pp.number)
    v = "consistent" if rel > mtm.number else "inconsistent"
    out.append(Check(
        "did_rereferral_vs_mtm", "DiD (A10)",
        f"Re-referral decrease 'greater than the projected {mtm.text} per cent change'",
        "text did_a10_rereferral_pp, did_rereferral_from/to, did_mtm_projected_change",
        f"'{mtm.text} per cent shift' read as a relative change of the outcome.",
        f"relative decrease {rel:.0f}%", f"> {mtm.text}%", v,
        f"{pp.text} points on a counterfactual of about {a.text}% is a {rel:.0f}% relative fall, "
        f"above {mtm.text}%. "
        f"(As an absolute change, {pp.text} points would be below 20 points.)",
        [Entry("text", "did_mtm_projected_change", "relative change", mtm.number, rel, v)]))
    # lagged re-referral effects grow
    lags = [_c("A10.8", f"DiD in year t{s}", "Lagged treatment") for s in ("", "+1", "+2")]
    grows = all(abs(lags[i + 1].number) > abs(lags[i].number) for i in range(len(lags) - 1))
    v = "consistent" if grows else "inconsistent"
    out.append(Check(
        "did_rereferral_grows", "DiD (A10)", "'The magnitude of the effect on re-referral rates increased over time'",
        pub.cite("A10.8"), "", " → ".join(l.text for l in lags), "increasing", v,
        "The lagged DiD coefficients grow in size year by year; only the last is significant.",
        [Entry("A10.8", "DiD in year t+2", "Lagged treatment", lags[-1].number, lags[-1].number, v)]))
    return out


def check_did_samples() -> list[Check]:
    """Ns and pilot counts across Tables A10.1, A10.3, A10.4 and the table notes."""
    out = []
    a101 = pub.wide("A10.1", values="value")
    note_tab = {"EQ3a": ["6", "7"], "EQ3b": ["8", "9"], "EQ3c": ["10"], "EQ3d": ["11", "12"]}
    entries = []
    for eq, tids in note_tab.items():
        ticks = int((a101[eq] == "✓").sum())
        for t in tids:
            ps = _q(f"did_a10_{t}_pilot_sites")
            v = "consistent" if ticks == ps.number else "inconsistent"
            entries.append(Entry("A10.1", "pilots with ✓", eq, ps.number, ticks, v, f"note to Table A10.{t}"))
    comps = [(t, _q(f"did_a10_{t}_pilot_sites").number, _q(f"did_a10_{t}_comparator_sites").number)
             for tids in note_tab.values() for t in tids]
    over = [t for t, p, c in comps if c > 2 * p]
    all_pilots = int((a101 == "✓").any(axis=1).sum())
    wwcsc = _q("did_wwcsc_las")
    entries.append(Entry("text", "did_wwcsc_las", "pilots in any EQ", wwcsc.number, all_pilots,
                         "consistent" if all_pilots == wwcsc.number else "inconsistent"))
    verdict = worst(e.verdict for e in entries)
    if over:
        verdict = "inconsistent"
    out.append(Check(
        "did_pilot_counts", "DiD (A10)", "Pilots per evaluation question: Table A10.1 against the table notes",
        f"{pub.cite('A10.1')}; notes to Tables A10.6–A10.12; WWCSC summary",
        "Each pilot is matched to at most 2 comparator LAs (methods).",
        ", ".join(f"{eq} {int((a101[eq] == '✓').sum())}" for eq in note_tab) + f"; {all_pilots} pilots in all",
        ", ".join(f"A10.{t}: {int(p)} pilot / {int(c)} comparator sites" for t, p, c in comps),
        verdict,
        "The ticks of Table A10.1 give the number of pilot sites in every regression table's note "
        f"({', '.join(str(int((a101[eq] == '✓').sum())) for eq in note_tab)}); every comparator count "
        f"is at most twice the pilots; all {all_pilots} pilots appear in at least one question, the "
        f"{wwcsc.text} local authorities of the WWCSC summary.", entries))
    # N vs all-period observation counts
    allp = "Number of observations of treatment and comparator LAs over all periods"
    pairs = [("A10.3", "EQ3a Pilot sites", "6"), ("A10.3", "EQ3b Pilot sites", "8"),
             ("A10.4", "EQ3c Pilot sites", "10"), ("A10.4", "EQ3d Pilot sites", "11")]
    entries, bad = [], []
    for tid, col, t in pairs:
        obs, n = _c(tid, allp, col), _q(f"did_a10_{t}_n")
        v = "consistent" if obs.number == n.number else "inconsistent"
        entries.append(Entry(tid, allp, col, n.number, obs.number, v, f"N in the note to Table A10.{t}"))
        if v != "consistent":
            bad.append((col, obs.text, n.text, t))
    reasoning = ("For EQ3b, EQ3c and EQ3d the observations 'over all periods' equal the regression N. ")
    for col, o, n, t in bad:
        reasoning += (f"For {col.split()[0]} they do not: Table A10.3 prints {o} but Tables A10.{t}–A10.7 "
                      f"give N = {n}. A10.3 says the main (fixed effects) specification 'determines "
                      f"sample size', so {o} may be the fixed-effects subsample (children observed "
                      f"more than once) and {n} all assessments, but neither table says so.")
    out.append(Check(
        "did_sample_sizes", "DiD (A10)", "Sample sizes: Tables A10.3/A10.4 against the regression tables",
        f"{pub.cite('A10.3')}; {pub.cite('A10.4')}; notes to Tables A10.6–A10.12", "",
        "; ".join(f"{c.split()[0]} {e.reproduced:,.0f}" for (tid, c, t), e in zip(pairs, entries)),
        "; ".join(f"A10.{t} N {e.published:,.0f}" for (tid, c, t), e in zip(pairs, entries)),
        worst(e.verdict for e in entries), reasoning, entries))
    # leads
    a105 = "Number of insignificant leads"
    entries = []
    for eq, qid, insig in (("EQ3a", "did_a10_eq3a_leads_significant", False),
                           ("EQ3b", "did_a10_eq3b_leads_insignificant", True),
                           ("EQ3c", "did_a10_eq3c_leads_insignificant", True),
                           ("EQ3d", "did_a10_eq3d_leads_insignificant", True)):
        cell = _c("A10.5", a105, eq).text
        k_ins, k_all = (int(x) for x in cell.split(" out of ")[0:1] + [cell.split(" out of ")[1].split()[0]])
        q = _q(qid)
        rec = k_ins if insig else k_all - k_ins
        v = "consistent" if rec == q.number else "inconsistent"
        entries.append(Entry("A10.5", a105, eq, q.number, rec, v, f"table: '{cell}'"))
    out.append(Check(
        "did_leads", "DiD (A10)", "Parallel-trend leads: Table A10.5 against the text",
        f"{pub.cite('A10.5')}; text did_a10_eq3*_leads_*", "", "as in Table A10.5", "as in the text",
        worst(e.verdict for e in entries),
        "The text's counts of significant and insignificant leads match the table: "
        + "; ".join(f"{e.column}: text {e.published:g}, table '{e.note[8:-1]}'" for e in entries) + ".",
        entries))
    # baseline re-referral rate
    o_p, o_c = _c("A10.3", "Outcome", "EQ3b Pilot sites"), _c("A10.3", "Outcome", "EQ3b Comparator LAs")
    higher = o_p.number > o_c.number
    out.append(Check(
        "did_rereferral_baseline", "DiD (A10)",
        "Pre-treatment re-referral rate: pilots vs comparators (text says 'much lower')",
        f"{pub.cite('A10.3')} (Outcome, EQ3b)",
        "The Outcome row of A10.3 for EQ3b is the pre-treatment re-referral rate (weighted).",
        f"pilots {o_p.text}% vs comparators {o_c.text}%: pilots {'higher' if higher else 'lower'}",
        "section 3 and Appendix 10 results: 'much lower' / 'lower'; Appendix 10 summary statistics: "
        "'much higher'", "inconsistent" if higher else "consistent",
        (f"Table A10.3 shows a higher pre-treatment rate in pilots ({o_p.text}%) than in comparators "
         f"({o_c.text}%), as Appendix 10's summary-statistics paragraph says ('much higher'); the "
         "results paragraph of Appendix 10 and section 3 of the report say pilots had a (much) "
         "lower rate. The report's text contradicts its own table.") if higher else
        "Pilots lower, as the text says.",
        [Entry("A10.3", "Outcome", "EQ3b Pilot sites", o_p.number, o_p.number,
               "inconsistent" if higher else "consistent",
               f"pilots {o_p.text}% vs comparators {o_c.text}%; text: 'much lower'")]))
    # A10.5 star convention
    bg = {eq: _c("A10.5", "Breusch-Godfrey test", eq) for eq in ("EQ3a", "EQ3b", "EQ3c", "EQ3d")}
    ha = {eq: _c("A10.5", "Hausman test", eq) for eq in ("EQ3a", "EQ3b", "EQ3c", "EQ3d")}
    chi1 = {eq: stats.chi2.sf(v.number, 1) for eq, v in bg.items()}
    agree10 = all(stars_for(p) == bg[eq].marker for eq, p in chi1.items())
    alt = lambda p: "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""  # noqa: E731
    agree_alt = all(alt(p) == bg[eq].marker for eq, p in chi1.items())
    h_min = {eq: stats.chi2.sf(v.number, 1) for eq, v in ha.items()}
    out.append(Check(
        "did_a10_5_stars", "DiD (A10)", "Table A10.5: stars of the Breusch-Godfrey and Hausman statistics",
        pub.cite("A10.5"), "The table states neither the tests' degrees of freedom nor its star convention; "
        "a Breusch-Godfrey test of order 1 is chi-square with 1 df.",
        "BG p (chi-square, 1 df): " + ", ".join(f"{eq} {p:.4f}" for eq, p in chi1.items()),
        "BG: " + ", ".join(v.text for v in bg.values()) + "; Hausman: " + ", ".join(v.text for v in ha.values()),
        "cannot check",
        ("With 1 df the Breusch-Godfrey stars match *p<.05, **p<.01, ***p<.001"
         + (" (not the *p<.1, **p<.05, ***p<.01 used by the regression tables)" if not agree10 else "")
         if agree_alt else "The Breusch-Godfrey stars match neither usual convention with 1 df")
        + f". Read as chi-square statistics, the Hausman values {ha['EQ3c'].text} and {ha['EQ3d'].text} could not carry "
        f"three stars on either convention (with 1 df p = {h_min['EQ3c']:.3f} and {h_min['EQ3d']:.3f}; "
        "more df only raise p), so they must be on another scale (e.g. F statistics with several "
        "numerator df); without the degrees of freedom this cannot be checked. "
        "The text's reading (significant at 5 per cent for EQ3a, EQ3b and EQ3d; not for EQ3c) holds "
        "on either convention.",
        [Entry("A10.5", "Breusch-Godfrey test", eq, v.number, float("nan"), "cannot check",
               f"chi2(1) p = {chi1[eq]:.4f}") for eq, v in bg.items()]))
    # A10.3/A10.4 category sums
    out += _category_sums()
    return out


def _category_sums() -> list[Check]:
    out = []
    for tid in ("A10.3", "A10.4"):
        df = pub.table(tid)
        df = df[df["unit"] == "percent"].copy()
        df = df[df["row"].str.contains(" – ")]
        df["group"] = df["row"].str.split(" – ").str[0].str.split(" (", regex=False).str[0]
        entries, notes = [], []
        for (g, col), d in df.groupby(["group", "column"], sort=False):
            nums = d[d["number"].notna()]
            if nums.empty:
                continue
            dashes = int((d["value"] == "-").sum())
            s = nums["number"].sum()
            lo, hi = s - 0.5 * len(nums), s + 0.5 * len(nums)
            if math.isclose(s, 100):
                v = "consistent"
            elif lo <= 100 <= hi or (dashes and lo <= 100 <= hi + 0.5 * dashes):
                v = "consistent within rounding"
            elif dashes and s < 100:
                v = "cannot check"
                notes.append(f"{col} {g}: printed cells sum to {s:.0f}% (at most {hi:.1f}% before "
                             f"rounding); the {dashes} '-' cell(s) would have to hold at least "
                             f"{100 - hi:.1f}% together, more than 'negligible'")
            else:
                v = "inconsistent"
                notes.append(f"{col} {g}: sum {s:.0f}% outside {lo:.1f}–{hi:.1f}")
            entries.append(Entry(tid, g, col, 100.0, s, v, f"sum of {len(nums)} rounded percentages, "
                                                            f"{dashes} '-' cell(s)"))
        verdict = worst(e.verdict for e in entries)
        out.append(Check(
            f"did_{_slug(tid)}_category_sums", "DiD (A10)", f"{tid}: each characteristic's categories sum to 100%",
            pub.cite(tid), "Each printed percentage is rounded to a whole number (±0.5); '-' cells are "
            "'negligible and/or suppressed'.",
            f"{sum(e.verdict != 'cannot check' and e.verdict != 'inconsistent' for e in entries)} of "
            f"{len(entries)} category groups sum to 100 within rounding", "100% per group", verdict,
            ("Every group sums to 100% within rounding." if not notes else "; ".join(notes) + "."),
            entries))
    return out


# ---------------------------------------------------------------------------- focus groups (A8.1)
FG_QUOTES = {
    # quote id: (Table A8.1 row, time column suffix)
    "fg_commitment_t1": ("Clear commitment to Signs of Safety from management", "T1 N"),
    "fg_commitment_t3": ("Clear commitment to Signs of Safety from management", "T2 N"),
    "fg_safe_t1": ("It feels like a safe organisation in which to work", "T1 N"),
    "fg_safe_t3": ("It feels like a safe organisation in which to work", "T2 N"),
    "fg_children_t1": ("Informing, involving and listening to children", "T1 N"),
    "fg_children_t3": ("Informing, involving and listening to children", "T2 N"),
    "fg_court_t1": ("Family Court engaged in Sigs of Safety approach", "T1 N"),
    "fg_court_t3": ("Family Court engaged in Sigs of Safety approach", "T2 N"),
    "fg_time_t1": ("Having sufficient time to spend with families", "T1 N"),
    "fg_time_t3": ("Having sufficient time to spend with families", "T2 N"),
    "fg_groupsup_t1": ("Group supervision and appreciative inquiry in place", "T1 N"),
    "fg_groupsup_t3": ("Group supervision and appreciative inquiry in place", "T2 N"),
    "fg_partner_t3": ("Partner agency involvement", "T2 N"),
}


def focus_group_means() -> pd.DataFrame:
    """Table A8.1: mean over the five pilots of each item at T1 now, T1 future, T3 now."""
    w = pub.wide("A8.1")
    out = {}
    for suffix in ("T1 N", "T1 F", "T2 N"):
        cols = [c for c in w.columns if c.endswith(suffix)]
        out[suffix] = w[cols].mean(axis=1)
    return pd.DataFrame(out)


def check_focus_groups() -> list[Check]:
    """Section 3's focus-group averages against Table A8.1 (equal weight per pilot)."""
    m = focus_group_means()
    entries, bad = [], []
    for qid, (row, col) in FG_QUOTES.items():
        q = _q(qid)
        c = m.loc[row, col]
        v = judge(q, c, c - 0.05, c + 0.05)
        note = f"mean of the five pilots' '{col}' = {c:.2f}"
        if v == "inconsistent":
            alt = {k: m.loc[row, k] for k in m.columns if k != col}
            match = [k for k, x in alt.items() if judge(q, x, x - 0.05, x + 0.05) != "inconsistent"]
            note += f"; matches the '{match[0]}' column ({alt[match[0]]:.2f})" if match else ""
            bad.append(f"{qid} = {q.text}: {note}")
        entries.append(Entry("A8.1", row, col + " (mean of 5 pilots)", q.number, c, v, note))
    imp = _q("fg_groupsup_improvement")
    row = FG_QUOTES["fg_groupsup_t1"][0]
    d = m.loc[row, "T2 N"] - m.loc[row, "T1 N"]
    v = judge(imp, d, d - 0.1, d + 0.1)
    entries.append(Entry("A8.1", row, "T3 - T1 (mean of 5 pilots)", imp.number, d, v))
    checks = [Check(
        "focus_group_means", "Focus groups (A8.1)", "Averages quoted in section 3 against Table A8.1",
        f"text fg_*; {pub.cite('A8.1')}",
        "The text's 'average' is the unweighted mean of the five pilots' means (group sizes are not "
        "published); the appendix's 'T2' columns are the text's T3; each pilot mean is rounded (±0.05).",
        f"{len(entries) - len(bad)} of {len(entries)} averages reproduced", f"{len(entries)} quoted averages",
        worst(e.verdict for e in entries),
        ("All quoted averages follow from the table." if not bad else
         "Not reproduced: " + "; ".join(bad) + f". The 'T1 average' of {_q('fg_court_t1').text} for the "
         "Family Court item is the mean of the hoped-for future scores, not of the T1 scores "
         f"({m.loc[FG_QUOTES['fg_court_t1'][0], 'T1 N']:.1f}), which are the lowest of "
         "all items."), entries)]
    gap = (m["T1 F"] - m["T2 N"]).sort_values(ascending=False)
    court = FG_QUOTES["fg_court_t1"][0]
    v = "consistent" if gap.index[0] == court else "inconsistent"
    rank = list(gap.index).index(court) + 1
    checks.append(Check(
        "focus_group_largest_gap", "Focus groups (A8.1)",
        "'The largest difference between expected and actual T3 scores was in Family Court engaged'",
        pub.cite("A8.1"), "Expected = mean T1 'future' score; actual = mean T3 score (five pilots, equal weight).",
        f"largest: {gap.index[0]} ({gap.iloc[0]:.2f}); Family Court {gap[court]:.2f} (rank {rank})",
        "Family Court", v,
        (f"Family Court's shortfall ({gap[court]:.2f}) ranks {rank} of {len(gap)}; "
         + ", ".join(f"'{i}' ({gap[i]:.2f})" for i in gap.index[:rank - 1])
         + " fell further short. No rounding of the printed pilot means (±0.05 each, ±0.1 on a gap) "
         "closes a difference of "
         f"{gap.iloc[0] - gap[court]:.2f}.") if v == "inconsistent" else "Family Court has the largest gap.",
        [Entry("A8.1", court, "T1 F - T2 N (largest?)", gap[court], gap.iloc[0], v,
               f"largest gap is '{gap.index[0]}'")]))
    return checks


# ---------------------------------------------------------------------------- other counts
def check_other_counts() -> list[Check]:
    out = []
    t3 = pub.wide("3")
    end = [r for r in t3.index if "end of Round 2" in r]
    a91 = pub.wide("A9.1")
    entries, over = [], []
    for r in end:
        grade = r.split(": ")[-1]
        t = t3.loc[r, "Overall"]
        a = a91.loc[f"Ofsted rating: {grade}", "Pilot sites"] if f"Ofsted rating: {grade}" in a91.index else 0
        t = 0 if pd.isna(t) else t
        v = "consistent" if a <= t else "inconsistent"
        entries.append(Entry("A9.1", f"Ofsted rating: {grade}", "Pilot sites", t, a, v,
                             "A9.1 pilots (8) must be a subset of Table 3's 9 pilots"))
        if v != "consistent":
            over.append(grade)
    diff = {e.row.split(": ")[1]: e.published - e.reproduced for e in entries}
    out.append(Check(
        "ofsted_a91_vs_table3", "LA-level outcomes (A9)",
        "Ofsted grades of the 8 analysed pilots (A9.1) within the 9 pilots' grades (Table 3)",
        f"{pub.cite('A9.1')}; {pub.cite('3')} (end of Round 2, overall)",
        "Both tables use the latest overall judgement (September 2019); A9.1 omits the one pilot "
        "without a comparator.",
        ", ".join(f"{g}: Table 3 {int(e.published)}, A9.1 {int(e.reproduced)}" for g, e in
                  zip(diff, entries)), "8 of 9 pilots", worst(e.verdict for e in entries),
        "A9.1's pilot grades are Table 3's less one pilot (" + ", ".join(
            f"{g} -{int(d)}" for g, d in diff.items() if d) + "), as they should be if the omitted "
        "pilot is counted once." if not over else f"A9.1 has more pilots graded {', '.join(over)} than Table 3.",
        entries))
    sent, rep, pct = _q("la_survey_las"), _q("la_survey_replies"), _q("la_survey_reply_pct")
    c = 100 * rep.number / sent.number
    v = judge(pct, c)
    out.append(Check("la_survey_reply_rate", "LA-level outcomes (A9)",
                     f"Survey of LAs on SofS use: {rep.text} of {sent.text} ({pct.text}%)",
                     "text la_survey_las, la_survey_replies, la_survey_reply_pct", "", f"{c:.2f}%",
                     f"{pct.text}%", v, f"{rep.text}/{sent.text} = {c:.2f}%, printed as {pct.text}%.",
                     [Entry("text", "la_survey_reply_pct", "replies / LAs", pct.number, c, v)]))
    l1 = pub.wide("A10.2")
    cols = list(l1.columns)
    ok = ((l1[cols[1]] <= l1[cols[0]]) & (l1[cols[3]] >= l1[cols[2]])).all()
    out.append(Check("did_a10_2_balance", "DiD (A10)", "Matching improves balance (Table A10.2)",
                     pub.cite("A10.2"), "", "L1 imbalance falls and common support rises for every EQ"
                     if ok else "not for every EQ", "'The matching improves the balance'",
                     "consistent" if ok else "inconsistent",
                     "For all four evaluation questions the L1 score after matching is no higher and "
                     "the local common support no lower than before.",
                     [Entry("A10.2", str(i), cols[1], l1.loc[i, cols[1]], l1.loc[i, cols[0]],
                            "consistent" if ok else "inconsistent", "post vs prior L1")
                      for i in l1.index[:1]]))
    return out


# ---------------------------------------------------------------------------- run and record
def _slug(s: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "_" for ch in s)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")[:48]


def run_all(alpha: float = ALPHA, max_item_nonresponse: int = MAX_ITEM_NONRESPONSE) -> list[Check]:
    """Every check, in the order the appendix shows them."""
    checks: list[Check] = []
    checks += check_anova_additivity()
    checks += check_anova_f_p()
    checks += check_oneway_from_anova()
    checks += check_a93_a94_p_from_f()
    checks += check_text_p_values()
    checks += check_other_counts()
    checks += check_regression_t()
    checks += check_table5()
    checks += check_contrast_tests()
    checks += check_table4(alpha, max_item_nonresponse)
    checks += check_workforce_text()
    checks += check_focus_groups()
    checks += check_cost()
    checks += check_did_text_vs_tables()
    checks += check_did_counterfactuals()
    checks += check_did_samples()
    from sofs_lib.chapters.did import checks as did_checks  # the DiD chapter's audit checks

    checks += did_checks.check_eq3c_logit()
    ids = [c.check_id for c in checks]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate check ids: {sorted(dup)}")
    return checks


def frame(checks: list[Check]) -> pd.DataFrame:
    """The tidy table of checks (one row each)."""
    return pd.DataFrame([{k: getattr(c, k) for k in COLUMNS} for c in checks], columns=COLUMNS)


def record(led, checks: list[Check]) -> None:
    """Write every check's comparisons to a ledger (kind ``derived``)."""
    for c in checks:
        rows = c.entries or [Entry("audit", c.check_id, "check", float("nan"), float("nan"), c.verdict)]
        for e in rows:
            note = f"[{c.check_id}] " + (e.note or c.title)
            led.record(e.table_id, e.row, e.column, published=e.published, reproduced=e.reproduced,
                       kind="derived", status=STATUS[e.verdict], note=note)


def summary(checks: list[Check]) -> pd.DataFrame:
    """Counts of checks by topic and verdict."""
    f = frame(checks)
    return (f.groupby(["topic", "verdict"]).size().unstack(fill_value=0)
            .reindex(columns=list(VERDICTS), fill_value=0))


VERDICT_COLOURS = {"consistent": "#2e7d32", "consistent within rounding": "#9ccc65",
                   "inconsistent": "#c62828", "cannot check": "#9e9e9e"}


def plot_verdicts(summary_df: pd.DataFrame):
    """Stacked bars: the audit's checks by topic and verdict (the table of :func:`summary`)."""
    import matplotlib.pyplot as plt

    from .plotting import finish

    s = summary_df.drop(index=[i for i in summary_df.index if str(i).lower().startswith("all")],
                        errors="ignore")
    cols = [c for c in VERDICT_COLOURS if c in s.columns]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(s) + 1.6))
    left = np.zeros(len(s))
    for c in cols:
        ax.barh(s.index.astype(str), s[c].to_numpy(), left=left, color=VERDICT_COLOURS[c], label=c)
        left += s[c].to_numpy()
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    return finish(fig, "Consistency audit: checks by topic and verdict",
                  "checks recomputed from the report's own published numbers (sofs_lib.audit).",
                  xlabel="Checks (number)", ylabel="")
