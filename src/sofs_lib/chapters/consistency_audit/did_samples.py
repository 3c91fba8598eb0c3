"""The steps of :func:`sofs_lib.chapters.consistency_audit.did.check_did_samples`: one check per
published claim about the DiD samples (pilot counts, Ns, leads, the baseline re-referral rate,
the stars of Table A10.5 and the category sums of Tables A10.3/A10.4)."""

from __future__ import annotations

import math

from scipy import stats

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit.base import (
    Check,
    Entry,
    _c,
    _q,
    _slug,
    worst,
)
from sofs_lib.core.stars import stars as stars_for


def check_pilot_counts() -> Check:
    """Pilots per question: the ticks of Table A10.1 against the table notes and the WWCSC summary."""
    a101 = pub.wide("A10.1", values="value")
    note_tab = {"EQ3a": ["6", "7"], "EQ3b": ["8", "9"], "EQ3c": ["10"], "EQ3d": ["11", "12"]}
    entries = []
    for eq, tids in note_tab.items():
        ticks = int((a101[eq] == "✓").sum())
        for t in tids:
            ps = _q(f"did_a10_{t}_pilot_sites")
            v = "consistent" if ticks == ps.number else "inconsistent"
            entries.append(Entry("A10.1", "pilots with ✓", eq, ps.number, ticks, v, f"note to Table A10.{t}"))
    comps = [
        (t, _q(f"did_a10_{t}_pilot_sites").number, _q(f"did_a10_{t}_comparator_sites").number)
        for tids in note_tab.values()
        for t in tids
    ]
    over = [t for t, p, c in comps if c > 2 * p]
    all_pilots = int((a101 == "✓").any(axis=1).sum())
    wwcsc = _q("did_wwcsc_las")
    entries.append(
        Entry(
            "text",
            "did_wwcsc_las",
            "pilots in any EQ",
            wwcsc.number,
            all_pilots,
            "consistent" if all_pilots == wwcsc.number else "inconsistent",
        )
    )
    verdict = worst(e.verdict for e in entries)
    if over:
        verdict = "inconsistent"
    return Check(
        "did_pilot_counts",
        "DiD (A10)",
        "Pilots per evaluation question: Table A10.1 against the table notes",
        f"{pub.cite('A10.1')}; notes to Tables A10.6–A10.12; WWCSC summary",
        "Each pilot is matched to at most 2 comparator LAs (methods).",
        ", ".join(f"{eq} {int((a101[eq] == '✓').sum())}" for eq in note_tab) + f"; {all_pilots} pilots in all",
        ", ".join(f"A10.{t}: {int(p)} pilot / {int(c)} comparator sites" for t, p, c in comps),
        verdict,
        "The ticks of Table A10.1 give the number of pilot sites in every regression table's note "
        f"({', '.join(str(int((a101[eq] == '✓').sum())) for eq in note_tab)}); every comparator count "
        f"is at most twice the pilots; all {all_pilots} pilots appear in at least one question, the "
        f"{wwcsc.text} local authorities of the WWCSC summary.",
        entries,
    )


def check_sample_sizes() -> Check:
    """Observations 'over all periods' in Tables A10.3/A10.4 against the N under the regression tables."""
    allp = "Number of observations of treatment and comparator LAs over all periods"
    pairs = [
        ("A10.3", "EQ3a Pilot sites", "6"),
        ("A10.3", "EQ3b Pilot sites", "8"),
        ("A10.4", "EQ3c Pilot sites", "10"),
        ("A10.4", "EQ3d Pilot sites", "11"),
    ]
    entries, bad = [], []
    for tid, col, t in pairs:
        obs, n = _c(tid, allp, col), _q(f"did_a10_{t}_n")
        v = "consistent" if obs.number == n.number else "inconsistent"
        entries.append(Entry(tid, allp, col, n.number, obs.number, v, f"N in the note to Table A10.{t}"))
        if v != "consistent":
            bad.append((col, obs.text, n.text, t))
    reasoning = "For EQ3b, EQ3c and EQ3d the observations 'over all periods' equal the regression N. "
    for col, o, n, t in bad:
        reasoning += (
            f"For {col.split()[0]} they do not: Table A10.3 prints {o} but Tables A10.{t}–A10.7 "
            f"give N = {n}. A10.3 says the main (fixed effects) specification 'determines "
            f"sample size', so {o} may be the fixed-effects subsample (children observed "
            f"more than once) and {n} all assessments, but neither table says so."
        )
    return Check(
        "did_sample_sizes",
        "DiD (A10)",
        "Sample sizes: Tables A10.3/A10.4 against the regression tables",
        f"{pub.cite('A10.3')}; {pub.cite('A10.4')}; notes to Tables A10.6–A10.12",
        "",
        "; ".join(f"{c.split()[0]} {e.reproduced:,.0f}" for (tid, c, t), e in zip(pairs, entries)),
        "; ".join(f"A10.{t} N {e.published:,.0f}" for (tid, c, t), e in zip(pairs, entries)),
        worst(e.verdict for e in entries),
        reasoning,
        entries,
    )


def check_leads() -> Check:
    """Counts of significant and insignificant leads: Table A10.5 against the text."""
    a105 = "Number of insignificant leads"
    entries = []
    for eq, qid, insig in (
        ("EQ3a", "did_a10_eq3a_leads_significant", False),
        ("EQ3b", "did_a10_eq3b_leads_insignificant", True),
        ("EQ3c", "did_a10_eq3c_leads_insignificant", True),
        ("EQ3d", "did_a10_eq3d_leads_insignificant", True),
    ):
        cell = _c("A10.5", a105, eq).text
        k_ins, k_all = (int(x) for x in cell.split(" out of ")[0:1] + [cell.split(" out of ")[1].split()[0]])
        q = _q(qid)
        rec = k_ins if insig else k_all - k_ins
        v = "consistent" if rec == q.number else "inconsistent"
        entries.append(Entry("A10.5", a105, eq, q.number, rec, v, f"table: '{cell}'"))
    return Check(
        "did_leads",
        "DiD (A10)",
        "Parallel-trend leads: Table A10.5 against the text",
        f"{pub.cite('A10.5')}; text did_a10_eq3*_leads_*",
        "",
        "as in Table A10.5",
        "as in the text",
        worst(e.verdict for e in entries),
        "The text's counts of significant and insignificant leads match the table: "
        + "; ".join(f"{e.column}: text {e.published:g}, table '{e.note[8:-1]}'" for e in entries)
        + ".",
        entries,
    )


def check_rereferral_baseline() -> Check:
    """EQ3b's pre-treatment re-referral rate: pilots against comparators (Table A10.3) and the text."""
    o_p, o_c = _c("A10.3", "Outcome", "EQ3b Pilot sites"), _c("A10.3", "Outcome", "EQ3b Comparator LAs")
    higher = o_p.number > o_c.number
    return Check(
        "did_rereferral_baseline",
        "DiD (A10)",
        "Pre-treatment re-referral rate: pilots vs comparators (text says 'much lower')",
        f"{pub.cite('A10.3')} (Outcome, EQ3b)",
        "The Outcome row of A10.3 for EQ3b is the pre-treatment re-referral rate (weighted).",
        f"pilots {o_p.text}% vs comparators {o_c.text}%: pilots {'higher' if higher else 'lower'}",
        "section 3 and Appendix 10 results: 'much lower' / 'lower'; Appendix 10 summary statistics: 'much higher'",
        "inconsistent" if higher else "consistent",
        (
            f"Table A10.3 shows a higher pre-treatment rate in pilots ({o_p.text}%) than in comparators "
            f"({o_c.text}%), as Appendix 10's summary-statistics paragraph says ('much higher'); the "
            "results paragraph of Appendix 10 and section 3 of the report say pilots had a (much) "
            "lower rate. The report's text contradicts its own table."
        )
        if higher
        else "Pilots lower, as the text says.",
        [
            Entry(
                "A10.3",
                "Outcome",
                "EQ3b Pilot sites",
                o_p.number,
                o_p.number,
                "inconsistent" if higher else "consistent",
                f"pilots {o_p.text}% vs comparators {o_c.text}%; text: 'much lower'",
            )
        ],
    )


def check_a10_5_stars() -> Check:
    """Table A10.5: the stars of the Breusch-Godfrey and Hausman statistics against the usual conventions."""
    bg = {eq: _c("A10.5", "Breusch-Godfrey test", eq) for eq in ("EQ3a", "EQ3b", "EQ3c", "EQ3d")}
    ha = {eq: _c("A10.5", "Hausman test", eq) for eq in ("EQ3a", "EQ3b", "EQ3c", "EQ3d")}
    chi1 = {eq: stats.chi2.sf(v.number, 1) for eq, v in bg.items()}
    agree10 = all(stars_for(p) == bg[eq].marker for eq, p in chi1.items())
    alt = lambda p: "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""  # noqa: E731
    agree_alt = all(alt(p) == bg[eq].marker for eq, p in chi1.items())
    h_min = {eq: stats.chi2.sf(v.number, 1) for eq, v in ha.items()}
    return Check(
        "did_a10_5_stars",
        "DiD (A10)",
        "Table A10.5: stars of the Breusch-Godfrey and Hausman statistics",
        pub.cite("A10.5"),
        "The table states neither the tests' degrees of freedom nor its star convention; "
        "a Breusch-Godfrey test of order 1 is chi-square with 1 df.",
        "BG p (chi-square, 1 df): " + ", ".join(f"{eq} {p:.4f}" for eq, p in chi1.items()),
        "BG: " + ", ".join(v.text for v in bg.values()) + "; Hausman: " + ", ".join(v.text for v in ha.values()),
        "cannot check",
        (
            "With 1 df the Breusch-Godfrey stars match *p<.05, **p<.01, ***p<.001"
            + (" (not the *p<.1, **p<.05, ***p<.01 used by the regression tables)" if not agree10 else "")
            if agree_alt
            else "The Breusch-Godfrey stars match neither usual convention with 1 df"
        )
        + f". Read as chi-square statistics, the Hausman values {ha['EQ3c'].text} and {ha['EQ3d'].text} could not carry "
        f"three stars on either convention (with 1 df p = {h_min['EQ3c']:.3f} and {h_min['EQ3d']:.3f}; "
        "more df only raise p), so they must be on another scale (e.g. F statistics with several "
        "numerator df); without the degrees of freedom this cannot be checked. "
        "The text's reading (significant at 5 per cent for EQ3a, EQ3b and EQ3d; not for EQ3c) holds "
        "on either convention.",
        [
            Entry(
                "A10.5",
                "Breusch-Godfrey test",
                eq,
                v.number,
                float("nan"),
                "cannot check",
                f"chi2(1) p = {chi1[eq]:.4f}",
            )
            for eq, v in bg.items()
        ],
    )


def check_category_sums() -> list[Check]:
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
                notes.append(
                    f"{col} {g}: printed cells sum to {s:.0f}% (at most {hi:.1f}% before "
                    f"rounding); the {dashes} '-' cell(s) would have to hold at least "
                    f"{100 - hi:.1f}% together, more than 'negligible'"
                )
            else:
                v = "inconsistent"
                notes.append(f"{col} {g}: sum {s:.0f}% outside {lo:.1f}–{hi:.1f}")
            entries.append(
                Entry(tid, g, col, 100.0, s, v, f"sum of {len(nums)} rounded percentages, {dashes} '-' cell(s)")
            )
        verdict = worst(e.verdict for e in entries)
        out.append(
            Check(
                f"did_{_slug(tid)}_category_sums",
                "DiD (A10)",
                f"{tid}: each characteristic's categories sum to 100%",
                pub.cite(tid),
                "Each printed percentage is rounded to a whole number (±0.5); '-' cells are "
                "'negligible and/or suppressed'.",
                f"{sum(e.verdict != 'cannot check' and e.verdict != 'inconsistent' for e in entries)} of "
                f"{len(entries)} category groups sum to 100 within rounding",
                "100% per group",
                verdict,
                ("Every group sums to 100% within rounding." if not notes else "; ".join(notes) + "."),
                entries,
            )
        )
    return out
