"""Checks of the cost study (appendix 11 and the cost paragraphs)."""

from __future__ import annotations

import math

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit.base import Check, Entry, _q
from sofs_lib.core.rounding import round_half_up


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
