"""What the report measured, recomputed from its own printed numbers.

Every input is read through :mod:`sofs_lib.published`; nothing here is typed in from the report.
The functions return plain numbers and small tables that the audit checks (:mod:`.checks`) and
the chapter share.
"""

from __future__ import annotations

import pandas as pd

from sofs_lib import published as pub
from sofs_lib.published import recon


def _n(i: str) -> float:
    return pub.quote(i).number


COURSES = (
    ("5-day training", "cost_trained_5day", "cost_long_course_days"),
    ("Family Finding (5-day boot camps)", "cost_trained_family_finding", "cost_ff_course_days"),
    ("Targeted 1-day training", "cost_trained_1day", "cost_short_course_days"),
)


def training_totals() -> dict:
    """Staff and staff-days by course, from the printed attendance and course lengths."""
    staff = [_n(s) for _, s, _ in COURSES]
    days = [_n(d) for _, _, d in COURSES]
    sd = [s * d for s, d in zip(staff, days)]
    return {
        "courses": [c for c, _, _ in COURSES],
        "by_course_staff": staff,
        "course_days": days,
        "by_course_days": sd,
        "staff": sum(staff),
        "staff_days": sum(sd),
        "staff_days_5_and_1": sd[0] + sd[2],
    }


def training_table() -> pd.DataFrame:
    """One row per course: staff, days per course, staff-days (and the total)."""
    t = training_totals()
    df = pd.DataFrame(
        {
            "course": t["courses"],
            "staff": t["by_course_staff"],
            "days per person": t["course_days"],
            "staff-days": t["by_course_days"],
        }
    )
    total = pd.DataFrame(
        [
            {
                "course": "Total",
                "staff": t["staff"],
                "days per person": float("nan"),
                "staff-days": t["staff_days"],
            }
        ]
    )
    return pd.concat([df, total], ignore_index=True).set_index("course")


def pilot_day_splits(days: float) -> list[tuple[int, int]]:
    """Every (a, b) with a people on the 5-day and b on the 1-day course giving ``days``
    staff-days, within the all-pilot attendance."""
    la, lb = _n("cost_long_course_days"), _n("cost_short_course_days")
    amax, bmax = int(_n("cost_trained_5day")), int(_n("cost_trained_1day"))
    out = []
    for a in range(amax + 1):
        b = (days - la * a) / lb
        if 0 <= b <= bmax and float(b).is_integer():
            out.append((a, int(b)))
    return out


def funding() -> dict:
    """Grant totals and internal funding (as a share of the grant) per pilot, in pounds."""
    g, n, yrs = _n("cost_grant_per_pilot"), _n("cost_grant_pilots"), _n("cost_grant_years")
    lo, hi = _n("cost_internal_funding_min_pct") / 100, _n("cost_internal_funding_max_pct") / 100
    k = _n("cost_internal_funding_pilots")
    return {
        "grant": g,
        "grant_total": g * n,
        "grant_total_per_year": g * n / yrs,
        "internal_total_min": g * (hi + (k - 1) * lo),
        "internal_total_max": g * (lo + (k - 1) * hi),
        "grant_per_year": g / yrs,
        "internal_min": g * lo,
        "internal_max": g * hi,
        "funding_min": g * (1 + lo),
        "funding_max": g * (1 + hi),
    }


def salary_bounds() -> dict:
    """Least and most a year that n posts with the printed minimum, median and maximum salaries
    can cost (n odd: the median is the middle post), and the same for the continuing posts."""
    n = int(_n("cost_staff_employed"))
    mn, md, mx = _n("cost_salary_min"), _n("cost_salary_median"), _n("cost_salary_max")
    k = (n - 1) // 2
    low = [mn] * k + [md] * (n - k - 1) + [mx]  # ascending, least total
    high = [mn] + [md] * k + [mx] * (n - k - 1)  # ascending, most total
    c = int(_n("cost_staff_continuing"))
    feasible = n % 2 == 1 and mn <= md <= mx and n >= 3
    return {
        "n": n,
        "min": mn,
        "median": md,
        "max": mx,
        "total_min": sum(low),
        "total_max": sum(high),
        "mean_min": sum(low) / n,
        "mean_max": sum(high) / n,
        "continuing": c,
        "continuing_min": sum(low[:c]),
        "continuing_max": sum(high[-c:]),
        "feasible": feasible,
        "low": low,
        "high": high,
        "k": k,
    }


def management_bounds() -> dict:
    """What a mean (rounded to a whole day), a range and a number of sites force on the sites."""
    k = int(_n("cost_mgmt_sites"))
    m, a, b = _n("cost_mgmt_days_mean"), _n("cost_mgmt_days_min"), _n("cost_mgmt_days_max")
    hi_sum = (m + 0.5) * k
    min_mean = (b + (k - 1) * a) / k
    others_max = hi_sum - a - b
    each_max = others_max - (k - 3) * a
    # largest median: the sites from the median position up share what is left
    upper = k // 2 if k % 2 == 0 else (k - 1) // 2
    below = (k - 2) - upper
    median_max = (others_max - below * a) / upper
    return {
        "k": k,
        "mean": m,
        "min": a,
        "max": b,
        "min_mean": min_mean,
        "others_max": others_max,
        "other_each_max": each_max,
        "median_max": median_max,
        "feasible": min_mean <= m + 0.5,
        "total_min": (m - 0.5) * k,
        "total_max": hi_sum,
    }


def mean_totals() -> tuple[float, float]:
    """Totals implied by the venue-hire and IT means and their numbers of authorities."""
    return (_n("cost_venue_hire_mean") * _n("cost_venue_hire_las"), _n("cost_it_mean") * _n("cost_it_las"))


def a11_counts() -> pd.DataFrame:
    """Table A11.1 as counts of the responding authorities (k of n for every cell)."""
    n = int(_n("cost_survey_2019_replies"))
    rows = []
    for r in pub.table("A11.1").itertuples():
        try:
            lo, hi = recon.count_bounds(r.number, n)
            whole = lo == hi
        except recon.ReconstructionError:
            lo = hi = -1
            whole = False
        rows.append(
            {
                "row": r.row,
                "column": r.column,
                "published": r.number,
                "count": lo,
                "of": n,
                "reproduced": 100 * lo / n if lo >= 0 else float("nan"),
                "whole": whole,
            }
        )
    return pd.DataFrame(rows)


def a11_count_table() -> pd.DataFrame:
    """Table A11.1 as printed beside its counts (one row per type of expenditure)."""
    a = a11_counts()
    n = int(a["of"].iloc[0])
    out = a.pivot(index="row", columns="column", values="count")
    out = out.reindex(index=list(dict.fromkeys(a["row"])), columns=list(dict.fromkeys(a["column"])))
    pct = a.pivot(index="row", columns="column", values="published").reindex_like(out)
    res = pd.DataFrame(index=out.index)
    for c in out.columns:
        res[f"{c} (%)"] = pct[c]
        res[f"{c} (of {n})"] = out[c]
        res[f"{c} (recomputed %)"] = 100 * out[c] / n
    res[f"stopping after Round 2 (of {n})"] = out.iloc[:, 0] - out.iloc[:, 1]
    res.index.name = None
    return res


def table1_cost_column() -> dict:
    """Counts of Table 1's cost column: pilots at T1, at T2, at neither."""
    t = pub.table("1")
    c = t[t["column"] == "Cost"]["value"]
    t1 = int(c.isin(["✓", "T1 only"]).sum())
    t2 = int(c.isin(["✓", "T2 only"]).sum())
    none = int((c == "x").sum())
    withdrawn = int(_n("cost_survey_2018_sent") - _n("la_pilots_remaining"))
    return {"t1": t1, "t2": t2, "none": none, "both": int((c == "✓").sum()), "withdrawn": withdrawn}


def safety_support() -> dict:
    """Safety-planning support days offered and used."""
    offered = _n("cost_safety_days_offered") * _n("la_pilots_remaining")
    p5, d5 = _n("cost_safety_5day_pilots"), _n("cost_safety_5day_days")
    p1, d1 = _n("cost_safety_1day_pilots"), _n("cost_safety_1day_days")
    return {
        "offered": offered,
        "used": p5 * d5 + p1 * d1,
        "pilots": p5 + p1,
        "split": f"{p5:.0f} x {d5:.0f} + {p1:.0f} x {d1:.0f}",
    }


def totals_table() -> pd.DataFrame:
    """Every stated total rebuilt from its parts, and the bounds the summaries imply."""
    f, b, m = funding(), salary_bounds(), management_bounds()
    t, sp = training_totals(), safety_support()
    ven, it = mean_totals()
    rows = [
        ("Round 2 grant, all pilots (2 years)", f["grant_total"], "grant x pilots", "derived"),
        ("Internal funding per pilot, least", f["internal_min"], "37% of grant", "derived"),
        ("Internal funding per pilot, most", f["internal_max"], "108% of grant", "derived"),
        (
            "Internal funding of the 5 pilots together, least",
            f["internal_total_min"],
            "one at 108%, four at 37%",
            "derived",
        ),
        (
            "Internal funding of the 5 pilots together, most",
            f["internal_total_max"],
            "one at 37%, four at 108%",
            "derived",
        ),
        ("Staff trained", t["staff"], "176 + 245 + 445", "derived"),
        ("Training staff-days", t["staff_days"], "5 x 176 + 5 x 245 + 1 x 445", "derived"),
        ("Salary bill of the 21 posts a year, least", b["total_min"], "summaries force", "derived"),
        ("Salary bill of the 21 posts a year, most", b["total_max"], "summaries force", "derived"),
        ("Salary bill of the 17 continuing posts a year, least", b["continuing_min"], "", "derived"),
        ("Salary bill of the 17 continuing posts a year, most", b["continuing_max"], "", "derived"),
        ("Management days, all 6 sites (2 years), least", m["total_min"], "mean x sites", "derived"),
        ("Management days, median site, most", m["median_max"], "range and mean force", "derived"),
        ("Venue hire, 4 authorities, 2018/19 (below)", ven, "mean x 4", "derived"),
        ("IT development, 3 authorities (above)", it, "mean x 3", "derived"),
        ("Safety-planning support days used", sp["used"], sp["split"], "derived"),
        ("Safety-planning support days offered", sp["offered"], "10 x 9 pilots", "derived"),
    ]
    return pd.DataFrame(rows, columns=["quantity", "value", "how", "kind"]).set_index("quantity")
