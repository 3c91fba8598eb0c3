"""The chapter's answer box: every sentence generated from computed results (tested)."""

from __future__ import annotations

import pandas as pd

from sofs_lib import published as pub


def gbp(x: float) -> str:
    """Pounds for sentences: £1.69 million; £613,000 (to the thousand from £100,000); £78,750."""
    sign = "−" if x < 0 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}£{x / 1e6:.2f} million"
    if x >= 1e5:
        return f"{sign}£{round(x, -3):,.0f}"
    return f"{sign}£{x:,.0f}"


def money(x: float) -> str:
    """Pounds for tables: £1,234 / −£78,867 (blank for missing)."""
    if pd.isna(x):
        return ""
    return f"{'−' if x < 0 else ''}£{abs(x):,.0f}"


def times(a: float, b: float) -> str:
    """'3.2 times' / 'about the same as' / 'a fraction (0.4) of' comparing a with b."""
    r = a / b
    if 0.95 <= r <= 1.05:
        return "about the same as"
    if r > 1:
        return f"{r:.1f} times"
    return f"a fraction ({r:.2f}) of"


def checks_sentence(checks) -> str:
    ok = [c for c in checks if c.verdict == "consistent"]
    bad = [c for c in checks if c.verdict == "inconsistent"]
    cc = [c for c in checks if c.verdict == "cannot check"]
    return (
        f"{len(ok)} of {len(checks)} checks of the cost study's printed numbers are consistent, "
        f"{len(bad)} inconsistent and {len(cc)} cannot be checked from what is printed."
    )


def spending_sentence(anova: pd.DataFrame | None, events: pd.DataFrame | None, alpha: float = 0.05) -> str:
    """The report's 'no significant changes over time' tested on the real finance lines."""
    if anova is None or events is None:
        return (
            "The test of 'no significant changes over time' on real council spending was not run: "
            "no public LA data were given (parameter dfe_data_dir)."
        )
    n = len(anova)
    sig = anova[anova["p (year x status)"] < alpha]
    post = events[(events["event_time"] >= 0) & (events["p_randomisation"] < alpha)]
    lines = sorted(set(post["indicator_id"]))
    s = (
        f"On the {n} LAIT finance lines the two-factor ANOVA finds {len(sig)} significant "
        f"year x pilot-status interaction(s) at {alpha:g}"
    )
    s += ", as the report says" if sig.empty else ", unlike the report's 'no significant changes'"
    if lines:
        s += (
            f"; the event study finds pilots' spending diverging from comparators' in at least one year "
            f"after Round 2 began on {len(lines)} line(s) (randomisation p < {alpha:g}; "
            "uncorrected for the many years and lines tested)"
        )
    else:
        s += "; the event study finds no year after Round 2 with randomisation p below that level"
    return s + "."


def cost_sentence(r: dict) -> str:
    iv = r["interval"]
    c = iv.columns
    f = r["central"]["facts"]
    impl = iv.loc["implementation"]
    return (
        f"A bottom-up cost per pilot (average) over Round 2 of {gbp(impl['mean'])} "
        f"({c[1]}–{c[2]}: {gbp(impl[c[1]])}–{gbp(impl[c[2]])}; {r['price_year']} prices), "
        f"{times(impl['mean'], f['grant'])} the grant of {gbp(f['grant'])}, and "
        f"{gbp(iv.loc['ongoing per year', 'mean'])} a year after it "
        f"({gbp(iv.loc['ongoing (present value)', 'mean'])} over {r['p']['horizon_years']} years "
        f"discounted at {100 * r['costs']['discount_rate'].value:.1f}%)."
    )


def foster_sentence(pssru: float, lait: float, n_la: int, price_year: str, year_label: str) -> str:
    """The PSSRU foster-care cost used beside the councils' own S251 weekly unit cost."""
    gap = 100 * (pssru / lait - 1)
    return (
        f"The foster-care cost used ({gbp(pssru)} a week at {price_year} prices, PSSRU) is "
        f"{abs(gap):.0f}% {'above' if gap >= 0 else 'below'} the mean S251 weekly fostering unit cost "
        f"of {n_la} English councils in {year_label} ({gbp(lait)}, real data, cash terms), which "
        "excludes some support costs the PSSRU figure includes."
    )


def tornado_sentence(t: pd.DataFrame) -> str:
    """Which inputs move the total most (from the tornado table)."""
    top = t.head(2)
    parts = [
        f"{row['label'].lower()} ({'an assumption' if row['assumption'] else 'sourced'}; "
        f"{gbp(min(row['at low'], row['at high']))} to {gbp(max(row['at low'], row['at high']))})"
        for _, row in top.iterrows()
    ]
    n_ass = int(t["assumption"].sum())
    return (
        f"The total moves most with {parts[0]} and {parts[1]}; {n_ass} of the {len(t)} uncertain "
        "inputs are this edition's assumptions, so the interval is as much about what the report "
        "did not measure as about sampling."
    )


def sentences(r: dict) -> dict:
    """The four parts of the answer box."""
    q = pub.quote
    bad = [c for c in r["checks"] if c.verdict == "inconsistent"]
    rc = r["returns_check"]
    posts = next(c for c in r["checks"] if c.check_id == "cost_posts_vs_funding")
    b = r["believe"]
    return {
        "report": [
            (
                f"Around {q('cost_staffing_share').text}% of reported SofS spend was on staffing and training "
                f"was the other large cost (between {q('cost_training_share_min').text}% and "
                f"{q('cost_training_share_max').text}% of spend); the Round 2 grant was "
                f"£{q('cost_grant_per_pilot').text} per pilot, and costs showed 'no significant changes over "
                "time' against comparators. No unit cost, price year or uncertainty was printed."
            )
        ],
        "reproduced": [
            checks_sentence(r["checks"]),
            (
                f"The {r['returns_kind']} cost returns reproduce {int(rc['agrees'].sum())} of "
                f"{len(rc)} printed aggregates"
                + (
                    " (synthetic records built for this: they show the method, not evidence)."
                    if r["returns_kind"] == "synthetic"
                    else "."
                )
            ),
        ],
        "not_reproduced": [c.reasoning for c in bad]
        + ["No cost per pilot, unit cost or saving can be compared with the report: it prints none."],
        "new": [
            cost_sentence(r),
            posts.reasoning.split(". ")[0] + ".",
            spending_sentence(r.get("anova"), r.get("events")),
        ]
        + list(b["sentence"]),
    }
