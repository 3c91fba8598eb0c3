"""Checks of the focus-group scores (Table A8.1) and other counts of the implementation section."""

from __future__ import annotations

import pandas as pd

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit.base import Check, Entry, _q, judge, worst

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
    checks = [
        Check(
            "focus_group_means",
            "Focus groups (A8.1)",
            "Averages quoted in section 3 against Table A8.1",
            f"text fg_*; {pub.cite('A8.1')}",
            "The text's 'average' is the unweighted mean of the five pilots' means (group sizes are not "
            "published); the appendix's 'T2' columns are the text's T3; each pilot mean is rounded (±0.05).",
            f"{len(entries) - len(bad)} of {len(entries)} averages reproduced",
            f"{len(entries)} quoted averages",
            worst(e.verdict for e in entries),
            (
                "All quoted averages follow from the table."
                if not bad
                else "Not reproduced: " + "; ".join(bad) + f". The 'T1 average' of {_q('fg_court_t1').text} for the "
                "Family Court item is the mean of the hoped-for future scores, not of the T1 scores "
                f"({m.loc[FG_QUOTES['fg_court_t1'][0], 'T1 N']:.1f}), which are the lowest of "
                "all items."
            ),
            entries,
        )
    ]
    gap = (m["T1 F"] - m["T2 N"]).sort_values(ascending=False)
    court = FG_QUOTES["fg_court_t1"][0]
    v = "consistent" if gap.index[0] == court else "inconsistent"
    rank = list(gap.index).index(court) + 1
    checks.append(
        Check(
            "focus_group_largest_gap",
            "Focus groups (A8.1)",
            "'The largest difference between expected and actual T3 scores was in Family Court engaged'",
            pub.cite("A8.1"),
            "Expected = mean T1 'future' score; actual = mean T3 score (five pilots, equal weight).",
            f"largest: {gap.index[0]} ({gap.iloc[0]:.2f}); Family Court {gap[court]:.2f} (rank {rank})",
            "Family Court",
            v,
            (
                f"Family Court's shortfall ({gap[court]:.2f}) ranks {rank} of {len(gap)}; "
                + ", ".join(f"'{i}' ({gap[i]:.2f})" for i in gap.index[: rank - 1])
                + " fell further short. No rounding of the printed pilot means (±0.05 each, ±0.1 on a gap) "
                "closes a difference of "
                f"{gap.iloc[0] - gap[court]:.2f}."
            )
            if v == "inconsistent"
            else "Family Court has the largest gap.",
            [
                Entry(
                    "A8.1",
                    court,
                    "T1 F - T2 N (largest?)",
                    gap[court],
                    gap.iloc[0],
                    v,
                    f"largest gap is '{gap.index[0]}'",
                )
            ],
        )
    )
    return checks


# ---------------------------------------------------------------------------- other counts
def check_other_counts() -> list[Check]:
    """Other counts of the report checked against each other: Table A9.1's Ofsted grades within
    Table 3's, the LA survey's reply rate, and Table A10.2's balance claim."""
    return [_ofsted_a91_vs_table3(), _la_survey_reply_rate(), _did_a10_2_balance()]


def _ofsted_a91_vs_table3() -> Check:
    """The 8 analysed pilots' Ofsted grades (A9.1) within the 9 pilots' grades (Table 3)."""
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
        entries.append(
            Entry(
                "A9.1",
                f"Ofsted rating: {grade}",
                "Pilot sites",
                t,
                a,
                v,
                "A9.1 pilots (8) must be a subset of Table 3's 9 pilots",
            )
        )
        if v != "consistent":
            over.append(grade)
    diff = {e.row.split(": ")[1]: e.published - e.reproduced for e in entries}
    return Check(
        "ofsted_a91_vs_table3",
        "LA-level outcomes (A9)",
        "Ofsted grades of the 8 analysed pilots (A9.1) within the 9 pilots' grades (Table 3)",
        f"{pub.cite('A9.1')}; {pub.cite('3')} (end of Round 2, overall)",
        "Both tables use the latest overall judgement (September 2019); A9.1 omits the one pilot without a comparator.",
        ", ".join(f"{g}: Table 3 {int(e.published)}, A9.1 {int(e.reproduced)}" for g, e in zip(diff, entries)),
        "8 of 9 pilots",
        worst(e.verdict for e in entries),
        "A9.1's pilot grades are Table 3's less one pilot ("
        + ", ".join(f"{g} -{int(d)}" for g, d in diff.items() if d)
        + "), as they should be if the omitted "
        "pilot is counted once."
        if not over
        else f"A9.1 has more pilots graded {', '.join(over)} than Table 3.",
        entries,
    )


def _la_survey_reply_rate() -> Check:
    """The survey of LAs on SofS use: replies / LAs against the printed percentage."""
    sent, rep, pct = _q("la_survey_las"), _q("la_survey_replies"), _q("la_survey_reply_pct")
    c = 100 * rep.number / sent.number
    v = judge(pct, c)
    return Check(
        "la_survey_reply_rate",
        "LA-level outcomes (A9)",
        f"Survey of LAs on SofS use: {rep.text} of {sent.text} ({pct.text}%)",
        "text la_survey_las, la_survey_replies, la_survey_reply_pct",
        "",
        f"{c:.2f}%",
        f"{pct.text}%",
        v,
        f"{rep.text}/{sent.text} = {c:.2f}%, printed as {pct.text}%.",
        [Entry("text", "la_survey_reply_pct", "replies / LAs", pct.number, c, v)],
    )


def _did_a10_2_balance() -> Check:
    """Table A10.2: L1 imbalance no higher and common support no lower after matching."""
    l1 = pub.wide("A10.2")
    cols = list(l1.columns)
    ok = ((l1[cols[1]] <= l1[cols[0]]) & (l1[cols[3]] >= l1[cols[2]])).all()
    return Check(
        "did_a10_2_balance",
        "DiD (A10)",
        "Matching improves balance (Table A10.2)",
        pub.cite("A10.2"),
        "",
        "L1 imbalance falls and common support rises for every EQ" if ok else "not for every EQ",
        "'The matching improves the balance'",
        "consistent" if ok else "inconsistent",
        "For all four evaluation questions the L1 score after matching is no higher and "
        "the local common support no lower than before.",
        [
            Entry(
                "A10.2",
                str(i),
                cols[1],
                l1.loc[i, cols[1]],
                l1.loc[i, cols[0]],
                "consistent" if ok else "inconsistent",
                "post vs prior L1",
            )
            for i in l1.index[:1]
        ],
    )
