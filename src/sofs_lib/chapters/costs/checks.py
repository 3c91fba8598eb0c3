"""The cost study's printed numbers checked against each other (rows of the consistency audit).

Every check reads its inputs through :mod:`sofs_lib.published` and returns
:class:`sofs_lib.chapters.consistency_audit.analysis.Check` rows, so the audit appendix shows them with the others
(:func:`cost_checks` is registered in :func:`sofs_lib.chapters.consistency_audit.analysis.run_all`). The arithmetic the
checks share with the costs chapter (counts behind Table A11.1, salary bounds) lives in
:mod:`.recompute`.
"""

from __future__ import annotations

import math

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit import base as audit
from sofs_lib.chapters.costs import recompute as rc

Check, Entry = audit.Check, audit.Entry
TOPIC = "Cost study"
NAN = float("nan")


def _q(i: str) -> pub.Value:
    return pub.quote(i)


def _gbp(x: float) -> str:
    return f"£{x:,.0f}"


def check_training() -> list[Check]:
    """Staff trained and staff-days from the three courses (lengths read from the report)."""
    t = rc.training_totals()
    out = []
    tot = _q("cost_staff_trained")
    v = "consistent" if t["staff"] == tot.number else "inconsistent"
    out.append(
        Check(
            "cost_staff_trained",
            TOPIC,
            "Staff trained by course add up to the total",
            "text cost_trained_5day, cost_trained_family_finding, cost_trained_1day, cost_staff_trained",
            "",
            f"{t['staff']:.0f}",
            tot.text,
            v,
            " + ".join(f"{n:.0f}" for n in t["by_course_staff"]) + f" = {t['staff']:.0f}.",
            [Entry("text", "cost_staff_trained", "sum of courses", tot.number, t["staff"], v)],
        )
    )
    days = _q("cost_training_staff_days")
    v = "consistent" if t["staff_days"] == days.number else "inconsistent"
    lens = t["course_days"]
    out.append(
        Check(
            "cost_staff_days",
            TOPIC,
            f"Training staff-days: {days.text} from the courses",
            "text cost_trained_5day/_family_finding/_1day, cost_long_course_days, cost_ff_course_days, "
            "cost_short_course_days, cost_training_staff_days",
            f"Course lengths as the report prints them: {lens[0]:g}, {lens[1]:g} (the Family Finding "
            f"'5-day boot camps' of section 3, Learning) and {lens[2]:g} day(s) per person.",
            " + ".join(f"{d:g} x {n:.0f}" for d, n in zip(lens, t["by_course_staff"])) + f" = {t['staff_days']:.0f}",
            days.text,
            v,
            (
                "Reproduced exactly from the three courses and their printed lengths."
                if v == "consistent"
                else f"The courses give {t['staff_days']:.0f} staff-days, not {days.text}."
            ),
            [Entry("text", "cost_training_staff_days", "sum of course-days", days.number, t["staff_days"], v)],
        )
    )
    p5 = _q("cost_p5_staff_days")
    opts = rc.pilot_day_splits(p5.number)
    known = t["staff_days_5_and_1"]
    out.append(
        Check(
            "cost_p5_days",
            TOPIC,
            f"Pilot 5 lost {p5.text} staff-days to the 5-day and 1-day courses",
            "text cost_p5_staff_days, cost_trained_5day, cost_trained_1day",
            "Per-pilot attendance is not published.",
            f"{len(opts)} splits (a on the 5-day, b on the 1-day course) fit; all-pilot total {known:.0f} days",
            p5.text,
            "cannot check",
            f"{p5.text} = {lens[0]:g}a + {lens[2]:g}b for {len(opts)} pairs (a from {opts[0][0]} to "
            f"{opts[-1][0]}); one pilot of nine is {100 * p5.number / known:.0f}% of the all-pilot "
            f"{known:.0f} days, which is all that can be checked.",
            [
                Entry(
                    "text",
                    "cost_p5_staff_days",
                    "bound",
                    p5.number,
                    NAN,
                    "cannot check",
                    f"at most {known:.0f} (all pilots)",
                )
            ],
        )
    )
    return out


def check_funding() -> list[Check]:
    """Grant, internal funding and the counts of authorities answering."""
    f = rc.funding()
    out = [
        Check(
            "cost_grant_total",
            TOPIC,
            "Round 2 grant totals and internal funding as a share of the grant",
            "text cost_grant_per_pilot, cost_grant_pilots, cost_grant_years, cost_internal_funding_min/max_pct",
            "The same grant for each of the 10 authorities.",
            f"total {_gbp(f['grant_total'])} ({_gbp(f['grant_total_per_year'])} a year); internal funding "
            f"{_gbp(f['internal_min'])}–{_gbp(f['internal_max'])} per pilot, so SofS-specific money of "
            f"{_gbp(f['funding_min'])}–{_gbp(f['funding_max'])} per pilot over the 2 years",
            f"£{_q('cost_grant_per_pilot').text} per pilot; no total printed",
            "cannot check",
            "The report prints only the per-pilot grant, so the derived totals have nothing to be "
            "compared with; they are the scale every other cost is set against.",
            [
                Entry(
                    "text",
                    "cost_grant_per_pilot",
                    "x pilots",
                    NAN,
                    f["grant_total"],
                    "cannot check",
                    "no published total",
                )
            ],
        )
    ]
    n5, n2, n8 = (
        _q("cost_internal_funding_pilots"),
        _q("cost_no_internal_funding_pilots"),
        _q("cost_survey_2018_replies"),
    )
    s = n5.number + n2.number
    v = "consistent" if s <= n8.number else "inconsistent"
    out.append(
        Check(
            "cost_funding_answers",
            TOPIC,
            "Pilots reporting internal funding or none, within the replies",
            "text cost_internal_funding_pilots, cost_no_internal_funding_pilots, cost_survey_2018_replies",
            "Funding was asked in the December 2018 survey.",
            f"{s:.0f} authorities",
            f"at most {n8.text}",
            v,
            f"{n5.text} with and {n2.text} without internal funding make {s:.0f} of the {n8.text} replies"
            + (f"; {n8.number - s:.0f} did not say." if s < n8.number else "."),
            [Entry("text", "cost_internal_funding_pilots", "+ none <= replies", n8.number, s, v)],
        )
    )
    return out


def _salary_context() -> dict:
    """What the salary checks share: bounds, post count and the six authorities' grant and funding."""
    b = rc.salary_bounds()
    f = rc.funding()
    return {
        "b": b,
        "n": _q("cost_staff_employed"),
        "lo6": b["total_min"],
        "hi6": b["total_max"],
        "grant6": 6 * f["grant_total_per_year"] / _q("cost_grant_pilots").number,
        "fund6": 6 * f["funding_max"] / _q("cost_grant_years").number,
    }


def _check_salary_bounds(x: dict) -> Check:
    """The salary bill 21 posts with the printed minimum, median and maximum must have."""
    b, n, lo6, hi6, grant6 = x["b"], x["n"], x["lo6"], x["hi6"], x["grant6"]
    return Check(
        "cost_salary_bounds",
        TOPIC,
        f"{n.text} posts with salaries {_gbp(b['min'])}–{_gbp(b['max'])}, median {_gbp(b['median'])}",
        "text cost_staff_employed, cost_salary_min, cost_salary_median, cost_salary_max",
        "The median of 21 is the 11th salary; 10 lie at or below it and 10 at or above it.",
        f"salary bill {_gbp(lo6)}–{_gbp(hi6)} a year (mean salary {_gbp(b['mean_min'])}–{_gbp(b['mean_max'])})",
        "no total printed",
        "consistent" if b["feasible"] else "inconsistent",
        f"Least: {b['k']} at {_gbp(b['min'])}, {b['n'] - b['k'] - 1} at the median and one at "
        f"{_gbp(b['max'])}; most: one at {_gbp(b['min'])}, {b['k']} at the median and "
        f"{b['n'] - b['k'] - 1} at {_gbp(b['max'])}. The bill is "
        f"{lo6 / grant6:.1f}–{hi6 / grant6:.1f} times the grant of the six authorities "
        f"({_gbp(grant6)} a year).",
        [
            Entry(
                "text",
                "cost_staff_employed",
                "salary bill per year (bounds)",
                NAN,
                lo6,
                "cannot check",
                f"{_gbp(lo6)}–{_gbp(hi6)}",
            )
        ],
    )


def _check_posts_vs_funding(x: dict) -> Check:
    """The least salary bill against the most money allocated specifically to SofS."""
    lo6, fund6 = x["lo6"], x["fund6"]
    share = _q("cost_staffing_share")
    implied = lo6 / (share.number / 100)
    return Check(
        "cost_posts_vs_funding",
        TOPIC,
        f"Posts against the money allocated specifically to SofS ('around {share.text} per cent on staffing')",
        "text cost_salary_*, cost_staff_employed, cost_staffing_share, cost_grant_per_pilot, "
        "cost_internal_funding_max_pct",
        "Salaries without on-costs; the six authorities each at the highest internal funding.",
        f"least salary bill {_gbp(lo6)} a year; with staffing {share.text}% of spend, spend of at least "
        f"{_gbp(implied)} a year",
        f"SofS-specific money at most {_gbp(fund6)} a year for six",
        "cannot check",
        f"Even at the lowest salaries the printed summaries allow, the 21 posts cost "
        f"{lo6 / fund6:.1f} times the most the six authorities could have allocated specifically "
        "to SofS (grant plus 108%). Either most posts were part-time on SofS or were paid from "
        "mainstream budgets; the report does not say which, so the staffing share cannot be "
        "turned into a cost.",
        [
            Entry(
                "text",
                "cost_staffing_share",
                "posts / specific funding",
                NAN,
                lo6 / fund6,
                "cannot check",
                "ratio of least salary bill to most specific funding",
            )
        ],
    )


def _check_continuing_posts(x: dict) -> Check:
    """Posts continuing (and temporary) within those employed, and what they cost."""
    b, n, grant6 = x["b"], x["n"], x["grant6"]
    c, t = _q("cost_staff_continuing"), _q("cost_staff_continuing_temporary")
    v = "consistent" if t.number <= c.number <= n.number else "inconsistent"
    return Check(
        "cost_continuing_posts",
        TOPIC,
        f"{c.text} of {n.text} posts continue, {t.text} temporary",
        "text cost_staff_continuing, cost_staff_continuing_temporary, cost_staff_employed",
        "",
        f"continuing salary bill {_gbp(b['continuing_min'])}–{_gbp(b['continuing_max'])} a year",
        f"{c.text} of {n.text}",
        v,
        f"{c.number / n.number:.0%} of posts continue; whichever 4 end, the 17 continuing posts cost "
        f"between {_gbp(b['continuing_min'])} and {_gbp(b['continuing_max'])} a year, "
        f"{b['continuing_min'] / grant6:.1f} times or more the grant's yearly value for six.",
        [Entry("text", "cost_staff_continuing", "<= employed", n.number, c.number, v)],
    )


def check_salaries() -> list[Check]:
    """What 21 posts with the printed minimum, median and maximum salaries must cost."""
    x = _salary_context()
    return [_check_salary_bounds(x), _check_posts_vs_funding(x), _check_continuing_posts(x)]


def check_site_summaries() -> list[Check]:
    """Means, ranges and counts of sites: what they force on the individual sites."""
    out = []
    m = rc.management_bounds()
    mean = _q("cost_mgmt_days_mean")
    v = "consistent" if m["feasible"] else "inconsistent"
    out.append(
        Check(
            "cost_mgmt_days",
            TOPIC,
            f"Management input: average {mean.text} days, range {m['min']:.0f}–{m['max']:.0f}, {m['k']} sites",
            "text cost_mgmt_sites, cost_mgmt_days_mean, cost_mgmt_days_min, cost_mgmt_days_max",
            "'Average' = arithmetic mean over the sites; the mean is rounded to a whole day.",
            f"smallest possible mean {m['min_mean']:.2f} (one site at the maximum, the rest at the minimum)",
            f"mean {mean.text}",
            v,
            (
                f"Possible, but only just: the other {m['k'] - 2} sites must together report at most "
                f"{m['others_max']:.0f} days, each between {m['min']:.0f} and {m['other_each_max']:.0f}. "
                f"{m['k'] - 1} of the {m['k']} sites are then at or near the minimum; the median (at most "
                f"{m['median_max']:.1f} days) describes them better than the mean."
                if v == "consistent"
                else "The mean is below the smallest value the range allows."
            ),
            [
                Entry(
                    "text",
                    "cost_mgmt_days_mean",
                    "min feasible mean",
                    mean.number,
                    m["min_mean"],
                    v,
                    "one site at the maximum, the rest at the minimum",
                )
            ],
        )
    )
    ven, it = rc.mean_totals()
    out.append(
        Check(
            "cost_venue_it_totals",
            TOPIC,
            "Venue hire and IT development: totals the means imply",
            "text cost_venue_hire_mean, cost_venue_hire_las, cost_it_mean, cost_it_las, cost_venue_hire_one_la",
            "'Nearly' = below, 'over' = above the printed value.",
            f"venue: 4 authorities together below {_gbp(ven)}; IT: 3 together above {_gbp(it)}",
            "means only",
            "cannot check",
            "The section 3 example (one authority 'nearly £10,000', another none) cannot be placed "
            "among the four behind the appendix's mean; if both were, the other two would average "
            f"about {_gbp((ven - 10000) / 2)}.",
            [Entry("text", "cost_venue_hire_mean", "x authorities", NAN, ven, "cannot check", "upper bound")],
        )
    )
    lo, hi, staff = _q("cost_training_share_min"), _q("cost_training_share_max"), _q("cost_staffing_share")
    v = "consistent" if lo.number <= hi.number and staff.number + lo.number <= 100 else "inconsistent"
    out.append(
        Check(
            "cost_spend_shares",
            TOPIC,
            "Staffing ~75% and training 5–31% of spend",
            "text cost_staffing_share, cost_training_share_min, cost_training_share_max",
            "The 75% is an overall share; the training range is across authorities.",
            f"staffing + training = {staff.number + lo.number:.0f}%–{staff.number + hi.number:.0f}%",
            "shares of spend",
            v,
            f"An authority at {hi.text}% training and {staff.text}% staffing would spend "
            f"{staff.number + hi.number:.0f}% of its total, so either the two overlap (training time "
            "counted as staffing) or the authorities with high training shares had low staffing shares.",
            [Entry("text", "cost_training_share_max", "+ staffing share", 100.0, staff.number + hi.number, v)],
        )
    )
    return out


def _check_a11_sixths() -> Check:
    """Table A11.1 percentages as whole counts of the authorities that replied in 2019."""
    a = rc.a11_counts()
    n6 = int(_q("cost_survey_2019_replies").number)
    bad = a[~a["whole"]]
    v = "consistent" if bad.empty else "inconsistent"
    return Check(
        "cost_a11_sixths",
        TOPIC,
        f"Table A11.1 percentages are whole numbers of the {n6} authorities",
        f"{pub.cite('A11.1')}; text cost_survey_2019_replies",
        "Every authority answered every item.",
        f"{int(a['whole'].sum())} of {len(a)} cells are k/{n6}",
        f"{len(a)} percentages",
        v,
        "Counts: " + "; ".join(f"{r.row} {r.column.lower()} {r.count} of {n6}" for r in a.itertuples())
        if bad.empty
        else "Not a whole count: " + "; ".join(f"{r.row}/{r.column}" for r in bad.itertuples()),
        [
            Entry(
                "A11.1",
                r.row,
                r.column,
                r.published,
                r.reproduced,
                "consistent" if r.whole else "inconsistent",
                f"{r.count} of {n6}",
            )
            for r in a.itertuples()
        ],
    )


def _check_table1_responses() -> Check:
    """Survey replies against Table 1's cost column."""
    t1 = rc.table1_cost_column()
    r18, r19 = _q("cost_survey_2018_replies"), _q("cost_survey_2019_replies")
    v19 = "consistent" if t1["t2"] == r19.number else "inconsistent"
    v18 = "consistent" if t1["t1"] + t1["withdrawn"] >= r18.number else "inconsistent"
    return Check(
        "cost_table1_responses",
        TOPIC,
        "Survey replies against Table 1's cost column",
        "Table 1 (report) cost column; text cost_survey_2018_replies, cost_survey_2019_replies, "
        "cost_survey_2018_sent, la_pilots_remaining",
        "Table 1's 'T1' is the December 2018 survey and 'T2' the November 2019 one; the pilot that "
        "left in January 2019 is not in Table 1 but may have replied in 2018.",
        f"Table 1: {t1['t1']} pilots at T1, {t1['t2']} at T2, {t1['none']} neither",
        f"{r18.text} replies (2018), {r19.text} (2019)",
        audit.worst([v18, v19]),
        f"November 2019: Table 1's {t1['t2']} = the {r19.text} replies ({v19}). December 2018: Table 1 "
        f"shows {t1['t1']} of the 9 remaining pilots; with the pilot that later left at most "
        f"{t1['t1'] + t1['withdrawn']} could have replied, not {r18.text} ({v18})."
        + (
            " Table 1's cost column and the appendix's reply count cannot both be right."
            if v18 == "inconsistent"
            else ""
        ),
        [
            Entry("1", "Cost", "T2 pilots = 2019 replies", r19.number, t1["t2"], v19),
            Entry(
                "1",
                "Cost",
                "T1 pilots + withdrawn >= 2018 replies",
                r18.number,
                t1["t1"] + t1["withdrawn"],
                v18,
            ),
        ],
    )


def _check_pilot_counts() -> Check:
    """Numbers of pilots across the cost study."""
    s18, g_n, s19, left = (
        _q("cost_survey_2018_sent"),
        _q("cost_grant_pilots"),
        _q("cost_survey_2019_pilots"),
        _q("la_pilots_remaining"),
    )
    v = "consistent" if s18.number == g_n.number and s19.number == left.number else "inconsistent"
    return Check(
        "cost_pilot_counts",
        TOPIC,
        "Numbers of pilots across the cost study",
        "text cost_survey_2018_sent, cost_grant_pilots, cost_survey_2019_pilots, la_pilots_remaining",
        "One pilot left in January 2019.",
        f"{s18.text} in Dec 2018 = {g_n.text} funded; {s19.text} in Nov 2019 = {left.text} remaining",
        "as printed",
        v,
        "The December 2018 survey went to all 10 funded pilots and the November 2019 survey to the 9 "
        "left after one withdrew.",
        [Entry("text", "cost_survey_2019_pilots", "= pilots remaining", s19.number, left.number, v)],
    )


def _check_safety_days() -> Check:
    """Safety-planning support: days used against days offered."""
    sp = rc.safety_support()
    v = "consistent" if sp["used"] < sp["offered"] else "inconsistent"
    return Check(
        "cost_safety_days",
        TOPIC,
        "Safety-planning support: 'far fewer days were used'",
        "text cost_safety_days_offered, cost_safety_pilots, cost_safety_5day_*, cost_safety_1day_*",
        "9 pilots each offered the same 10 days.",
        f"{sp['used']:.0f} of {sp['offered']:.0f} days used ({sp['used'] / sp['offered']:.0%})",
        "far fewer",
        v,
        f"{sp['split']} = {sp['used']:.0f} days by {sp['pilots']:.0f} pilots, against {sp['offered']:.0f} offered.",
        [Entry("text", "cost_safety_days_offered", "days used", sp["offered"], sp["used"], v)],
    )


def _check_consultant_ratings() -> Check:
    """External consultants' ratings: counts within the authorities that replied."""
    n6 = int(_q("cost_survey_2019_replies").number)
    imp, sus, low = (
        _q("cost_consultants_implementation"),
        _q("cost_consultants_sustainability"),
        _q("cost_consultants_low"),
    )
    v = "consistent" if sus.number + low.number <= n6 and imp.number <= n6 else "inconsistent"
    return Check(
        "cost_consultant_ratings",
        TOPIC,
        "External consultants' importance: counts within the 6",
        "text cost_consultants_implementation, cost_consultants_sustainability, cost_consultants_low",
        "Each authority gave one rating.",
        f"{sus.number + low.number:.0f} of {n6} rated for sustainability",
        f"{sus.text} important, {low.text} low",
        v,
        f"{sus.text} + {low.text} = {sus.number + low.number:.0f}, leaving "
        f"{n6 - sus.number - low.number:.0f} at a middle rating or unanswered.",
        [Entry("text", "cost_consultants_low", "+ important <= 6", n6, sus.number + low.number, v)],
    )


def check_surveys() -> list[Check]:
    """Table A11.1 as counts, survey replies against Table 1's cost column, other counts."""
    return [
        _check_a11_sixths(),
        _check_table1_responses(),
        _check_pilot_counts(),
        _check_safety_days(),
        _check_consultant_ratings(),
    ]


def cost_checks() -> list[Check]:
    """Every cost-study check, in the order the audit shows them."""
    out = check_training() + check_funding() + check_salaries() + check_site_summaries()
    out += check_surveys()
    for c in out:
        for e in c.entries:
            if isinstance(e.published, float) and math.isnan(e.published):
                e.verdict = "cannot check"
    return out
