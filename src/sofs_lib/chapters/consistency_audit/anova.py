"""Checks of the ANOVA tables of appendix 9 (A9.3-A9.5) and the p-values the text quotes from them."""

from __future__ import annotations

import pandas as pd
from scipy import stats

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit.base import (
    Check,
    Entry,
    _c,
    _q,
    _slug,
    fmt,
    half_unit,
    interval,
    judge,
    p_interval,
    worst,
)


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
            entries += [
                Entry(
                    "A9.5",
                    f"{dv}: {src}",
                    "F",
                    F_pub.number,
                    f_c,
                    v_f,
                    f"F = (SS/df)/(SS_error/df_error); rounding of SS allows {fmt(f_lo)}–{fmt(f_hi)}",
                ),
                Entry(
                    "A9.5",
                    f"{dv}: {src}",
                    "Sig.",
                    p_pub.number,
                    p_c,
                    v_p,
                    f"p = P(F({dfv.number:g},{err_df.number:g}) > printed F)",
                ),
            ]
            rec.append(f"{src}: F {f_c:.3f}, p {p_c:.3f}")
            pubs.append(f"{src}: F {F_pub.text}, p {p_pub.text}")
            if v_f != "consistent":
                notes.append(f"{src} F {v_f} (inputs allow {fmt(f_lo)}–{fmt(f_hi)})")
            if v_p != "consistent":
                notes.append(f"{src} p {v_p}")
        verdict = worst(e.verdict for e in entries)
        reasoning = (
            "Every F equals its mean square over the error mean square and every p is the "
            "upper tail of F with the printed degrees of freedom"
            + ("." if not notes else "; " + "; ".join(notes) + ".")
        )
        out.append(
            Check(
                f"anova_{_slug(dv)}",
                "LA-level outcomes (A9)",
                f"2-factor ANOVA: {dv}",
                f"{pub.cite('A9.5')}: sums of squares, df",
                "Type III sums of squares printed to 3 decimals (±0.0005).",
                "; ".join(rec),
                "; ".join(pubs),
                verdict,
                reasoning,
                entries,
            )
        )
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
        entries += [
            Entry(
                "A9.5",
                f"{dv}: Corrected total",
                "Type III sum of squares",
                tot.number,
                ss,
                v,
                "sum of the four sources (balanced design: Type III SS add up)",
            ),
            Entry("A9.5", f"{dv}: Corrected total", "df", dtot.number, dfs, vd, "sum of df"),
        ]
        if v == "inconsistent" or vd == "inconsistent":
            bad.append(dv)
    a91 = pub.wide("A9.1")
    n_la = a91[a91.index.str.startswith("Authority type")].sum().sum()
    years = 5
    dtot = pub.cell("A9.5", next(iter(anova_blocks())) + ": Corrected total", "df")
    v_n = "consistent" if n_la * years - 1 == dtot.number else "inconsistent"
    entries.append(
        Entry(
            "A9.1",
            "all authorities",
            "Pilot sites + SNNs",
            dtot.number + 1,
            n_la * years,
            v_n,
            "authorities in Table A9.1 x 5 years = observations in A9.5",
        )
    )
    verdict = worst(e.verdict for e in entries)
    return [
        Check(
            "anova_additivity",
            "LA-level outcomes (A9)",
            "A9.5 sums of squares and df add up; observations match Table A9.1",
            f"{pub.cite('A9.5')}; {pub.cite('A9.1')}",
            "Balanced design (equal cells), so Type III sums of squares are additive; 5 years (2014/15–2018/19).",
            f"{len(anova_blocks()) - len(bad)} of {len(anova_blocks())} blocks add up; "
            f"{int(n_la)} authorities x {years} years = {int(n_la * years)} observations",
            f"corrected total df {dtot.text} (= {int(dtot.number) + 1} observations)",
            verdict,
            "In every block the four sources add up to the corrected total within the "
            "rounding of the printed sums of squares, and the degrees of freedom to 79. Eighty "
            "observations are the 16 authorities of Table A9.1 (8 pilots, 8 SNNs) over five "
            "years."
            if verdict == "consistent" or verdict.endswith("rounding")
            else f"Blocks that do not add up: {', '.join(bad)}.",
            entries,
        )
    ]


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
        if row94 is not None:
            out.append(_oneway_check(dv, b, row94))
    return out


def _oneway_f(b: pd.DataFrame, row94: str) -> tuple[pub.Value, float, float, float, Entry]:
    """A9.4's F from A9.5's sums of squares: the printed F, the recomputed one and the range the
    rounding of the sums of squares allows, and its ledger entry."""
    ssp, sst = _av(b, "Pilot status", "Type III sum of squares"), _av(b, "Corrected total", "Type III sum of squares")
    n = _av(b, "Corrected total", "df").number + 1
    F94 = _c("A9.4", row94, "F Statistic")
    f_c = ssp.number / ((sst.number - ssp.number) / (n - 2))
    (pl, ph), (tl, th) = interval(ssp), interval(sst)
    f_lo, f_hi = pl / ((th - pl) / (n - 2)), ph / ((tl - ph) / (n - 2))
    note = "one-way F from A9.5: SS_pilot / ((SS_total - SS_pilot)/78)"
    return F94, f_c, f_lo, f_hi, Entry("A9.4", row94, "F Statistic", F94.number, f_c, judge(F94, f_c, f_lo, f_hi), note)


def _oneway_ss(dv: str, b: pd.DataFrame, row94: str) -> tuple[pub.Value, float, float, float, float, Entry]:
    """A9.5's pilot-status sum of squares from A9.4's two means: the printed value, the scale of
    the A9.5 block (0.01 when it is on a 0-1 scale and A9.4 in percent), the recomputed value and
    its range from the rounding of the means, and its ledger entry."""
    ssp = _av(b, "Pilot status", "Type III sum of squares")
    n = _av(b, "Corrected total", "df").number + 1
    m1, m2 = _c("A9.4", row94, "Pilot mean"), _c("A9.4", row94, "SNN mean")
    diff = abs(m2.number - m1.number)
    dlo, dhi = max(diff - 2 * half_unit(m1), 0), diff + 2 * half_unit(m1)
    # the A9.5 block may be on a 0-1 scale while A9.4 prints percentages
    scale = 1.0
    if (n / 4) * diff**2 > 1000 * max(ssp.number, 1e-9):
        scale = 0.01
    ss_c = (n / 4) * (diff * scale) ** 2
    ss_lo, ss_hi = (n / 4) * (dlo * scale) ** 2, (n / 4) * (dhi * scale) ** 2
    note = (
        f"20 x (A9.4 SNN mean - pilot mean)^2{' on a 0-1 scale' if scale != 1 else ''}; "
        f"rounding of the means allows {ss_lo:.4g}–{ss_hi:.4g}"
    )
    entry = Entry(
        "A9.5", f"{dv}: Pilot status", "Type III sum of squares", ssp.number, ss_c, judge(ssp, ss_c, ss_lo, ss_hi), note
    )
    return ssp, scale, ss_c, ss_lo, ss_hi, entry


def _oneway_check(dv: str, b: pd.DataFrame, row94: str) -> Check:
    """The check of one dependent variable: A9.4's F and means against its A9.5 block."""
    F94, f_c, f_lo, f_hi, e_f = _oneway_f(b, row94)
    ssp, scale, ss_c, ss_lo, ss_hi, e_ss = _oneway_ss(dv, b, row94)
    entries = [e_f, e_ss]
    verdict = worst(e.verdict for e in entries)
    return Check(
        f"oneway_{_slug(dv)}",
        "LA-level outcomes (A9)",
        f"A9.4 against A9.5: {dv}",
        f"{pub.cite('A9.4')}: means, F; {pub.cite('A9.5')}: sums of squares",
        "Two groups of 40 observations (8 authorities x 5 years each); the one-way ANOVA of "
        "A9.4 uses the same 80 observations as A9.5"
        + ("; the A9.5 block is on a 0–1 scale (its sums of squares are tiny), A9.4 in percent" if scale != 1 else "")
        + ".",
        f"F {f_c:.2f} (inputs allow {f_lo:.2f}–{f_hi:.2f}); SS_pilot {ss_c:.4g} ({ss_lo:.4g}–{ss_hi:.4g})",
        f"F {F94.text}; SS_pilot {ssp.text}",
        verdict,
        "The all-years one-way F of Table A9.4 follows from A9.5's sums of squares, and the "
        "difference of A9.4's means reproduces A9.5's pilot-status sum of squares."
        if verdict != "inconsistent"
        else "The printed means or F of A9.4 cannot be reconciled with A9.5's sums of squares under the stated design.",
        entries,
    )


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
        entries.append(
            Entry(
                tid,
                row,
                "P-value",
                p.number,
                pc,
                v,
                f"p = P(F(1,{d_lo}{'' if d_lo == d_hi else f'–{d_hi}'}) > F); "
                f"rounding of F allows {p_lo:.3f}–{p_hi:.3f}",
            )
        )
        if v == "inconsistent":
            bad.append(f"{row} (F {F.text}, p {p.text}; F allows p {p_lo:.3f}–{p_hi:.3f})")
    verdict = worst(e.verdict for e in entries)
    n_ok = sum(e.verdict != "inconsistent" for e in entries)
    return Check(
        f"p_from_f_{_slug(tid)}",
        "LA-level outcomes (A9)",
        f"{tid}: p-values from the F statistics",
        f"{pub.cite(tid)}: F, p",
        "",
        f"{n_ok} of {len(entries)} p-values reproduced",
        f"{len(entries)} printed p-values",
        verdict,
        (
            "Every printed p-value is the upper tail of the printed F (one-way ANOVA, 1 numerator "
            "degree of freedom) within the rounding of F."
            if not bad
            else "Not reproduced: " + "; ".join(bad) + "."
        ),
        entries,
    )


def check_a93_a94_p_from_f() -> list[Check]:
    """A9.3 (one year: 16 authorities, df 1 and 14) and A9.4 (five years: df 1 and 78; the
    workforce rows have fewer years, df from 1 and 46)."""
    c3 = _p_from_f_table("A9.3", 14, {})
    c3.assumptions = (
        "16 authorities (Table A9.1) in 2018/19 (workforce: September 2019), so F has 1 and 14 degrees of freedom."
    )
    a94 = pub.table("A9.4")
    wf = [r for r in dict.fromkeys(a94["row"]) if r.endswith("2019")]
    c4 = _p_from_f_table("A9.4", 78, {r: (46, 78) for r in wf})
    c4.assumptions = (
        "80 observations (16 authorities x 5 years), F with 1 and 78 degrees of "
        "freedom; the workforce rows ('… 2019') may cover only 3–5 years (caseload "
        "data are missing for 2014/15 and 2015/16), so 1 and 46 to 78."
    )
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
    (
        "la_a9_icpc_duration_p_all_years",
        "A9.4",
        "duration between start of section 47 enquiries and initial cp conference",
    ),
    (
        "la_icpc_duration_p_pilot_status",
        "A9.5",
        "duration between start of section 47 enquiries and initial cp conference",
    ),
    (
        "la_a9_icpc_duration_p_pilot_status",
        "A9.5",
        "duration between start of section 47 enquiries and initial cp conference",
    ),
    (
        "la_a9_cpp3m_p_all_years",
        "A9.4",
        "child protection plans at march with case duration of 3 months or less",
    ),
    (
        "la_a9_cpp3m_p_pilot_status",
        "A9.5",
        "child protection plans at march with case duration of 3 months or less",
    ),
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
            v = "consistent" if agrees_table and agrees_f else ("cannot check" if agrees_table else "inconsistent")
            rec = pc
            how = (
                f"{tid} p {tp.text}; from F {F.text} with 1 and {d2} df: {pc:.4f} "
                f"(rounding of F allows {p_lo:.4f}–{p_hi:.4f})"
            )
            ref = (tid, row, "P-value")
        entries.append(Entry(ref[0], ref[1], ref[2] + " (text p)", q.number, rec, v, f"text {qid} = {q.text}; {how}"))
        cc.append(f"{qid} {q.text} ~ {how}")
        if v != "consistent":
            bad.append(f"{qid} ({q.text}): {how}")
    verdict = worst(e.verdict for e in entries)
    return [
        Check(
            "text_p_values_a9",
            "LA-level outcomes (A9)",
            "p-values quoted in section 3 and Appendix 9 against Tables A9.3–A9.5",
            "text_numbers la_*; " + ", ".join(pub.cite(t) for t in ("A9.3", "A9.4", "A9.5")),
            "'Across all years' = Table A9.4 (one-way, 1 and 78 df); '2-factor analysis' = "
            "the pilot-status row of Table A9.5; 'in 2018/19' = Table A9.3 (1 and 14 df).",
            f"{len(entries) - len(bad)} of {len(entries)} quoted p-values reproduced",
            f"{len(entries)} quoted p-values",
            verdict,
            "Every quoted p-value agrees with its table after rounding, and the three-decimal "
            "values quoted in the text are what the printed F gives: the text had the "
            "unrounded p-values that Tables A9.3 and A9.4 round to 2 decimals."
            if not bad
            else "Not reproduced: " + "; ".join(bad) + ".",
            entries,
        )
    ]
