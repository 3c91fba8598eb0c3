"""Synthetic cost-survey and training records (Appendix 11) that reproduce every printed aggregate.

The evaluation's two cost surveys (December 2018, November 2019) and MTM's training records are
not published. :func:`write_cost_returns` writes records in a simple layout (one CSV per return)
built to give exactly the aggregates the report prints; :func:`read_cost_returns` reads that
layout (the same code reads real returns put in a folder with the same files) and
:func:`aggregates` recomputes every printed aggregate from the records.

Everything written here is **synthetic**: authorities are "Authority A".. and pilots "Pilot 1"..9
only because the report's training figures are by anonymised pilot; no record is any council's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib import published as pub

FILES = {
    "survey_2018.csv": [
        "authority",
        "replied",
        "internal_funding_pct",
        "venue_hire_2018_19",
        "it_development",
        "training_share_pct",
        "staffing_share_pct",
        "mgmt_days",
        "mgmt_sl_psw_pct",
        "mgmt_ad_pct",
    ],
    "survey_2019.csv": ["authority", "item", "used_round2", "ongoing"],
    "ratings_2019.csv": ["authority", "factor", "stage", "rating"],
    "staff_2019.csv": ["authority", "post", "salary", "continuing", "temporary"],
    "training.csv": ["session", "course", "pilot", "attendees", "days_per_person"],
    "practice_leader_sessions.csv": ["session", "pilot"],
    "safety_support.csv": ["pilot", "days"],
}
A11_ITEMS = [
    "Training",
    "Venue/room hire",
    "Administration",
    "Updating guidance/forms",
    "Marketing, promotion and communications",
    "IT development",
    "Travel and accommodation expenses",
]


class CostReturnsError(ValueError):
    """A cost-return file is missing or malformed."""


def _q(i: str) -> float:
    return pub.quote(i).number


def _spread(total: int, k: int, rng, low: int = 1) -> list[int]:
    """k positive integers (each >= low) summing to total, seeded."""
    w = rng.dirichlet(np.ones(k))
    base = np.full(k, low) + np.floor(w * (total - low * k)).astype(int)
    base[: total - base.sum()] += 1
    return [int(x) for x in base]


def _survey_2018(rng) -> pd.DataFrame:
    sent, replies = int(_q("cost_survey_2018_sent")), int(_q("cost_survey_2018_replies"))
    auth = [f"Authority {chr(65 + i)}" for i in range(sent)]
    lo, hi = _q("cost_internal_funding_min_pct"), _q("cost_internal_funding_max_pct")
    n_int, n_none = int(_q("cost_internal_funding_pilots")), int(_q("cost_no_internal_funding_pilots"))
    internal = [lo, hi] + sorted(rng.uniform(lo, hi, n_int - 2).round(0)) + [0.0] * n_none
    internal += [np.nan] * (replies - len(internal))
    # venue: mean of 4 'nearly' 15,000, one of them 'nearly' 10,000; another authority reported none
    vmean, vn = _q("cost_venue_hire_mean"), int(_q("cost_venue_hire_las"))
    one = _q("cost_venue_hire_one_la") - 200
    rest = vmean * vn - 150 - one
    venue = [one, rest / 3 - 1500, rest / 3, rest / 3 + 1500] + [0.0] + [np.nan] * (replies - vn - 1)
    imean, inn = _q("cost_it_mean"), int(_q("cost_it_las"))
    it = [imean - 11000, imean + 1500, imean + 10000] + [np.nan] * (replies - inn)
    tmin, tmax, staff = (
        _q("cost_training_share_min"),
        _q("cost_training_share_max"),
        _q("cost_staffing_share"),
    )
    k = int(_q("cost_mgmt_sites"))
    train = [tmin, tmax] + list(rng.integers(tmin + 1, tmax, k - 2)) + [np.nan] * (replies - k)
    staffing = [staff - 4, staff + 3, staff - 1, staff + 2, staff, staff][:k] + [np.nan] * (replies - k)
    m, mn, mx = _q("cost_mgmt_days_mean"), _q("cost_mgmt_days_min"), _q("cost_mgmt_days_max")
    others = m * k - mn - mx
    extra = others - (k - 2) * mn
    mg = [mx, mn] + [mn + (1 if i < extra else 0) for i in range(k - 2)] + [np.nan] * (replies - k)
    slo, shi = _q("cost_mgmt_share_min"), _q("cost_mgmt_share_max")
    sl = [slo, shi] + list(rng.integers(slo + 1, shi, k - 2)) + [np.nan] * (replies - k)
    alo, ahi, an = _q("cost_ad_share_min"), _q("cost_ad_share_max"), int(_q("cost_ad_sites"))
    ad = [alo, ahi] + list(rng.integers(alo + 1, ahi, an - 2)) + [0.0] * (k - an) + [np.nan] * (replies - k)
    df = pd.DataFrame(
        {
            "authority": auth[:replies],
            "replied": True,
            "internal_funding_pct": internal,
            "venue_hire_2018_19": venue,
            "it_development": it,
            "training_share_pct": train,
            "staffing_share_pct": staffing,
            "mgmt_days": mg,
            "mgmt_sl_psw_pct": sl,
            "mgmt_ad_pct": ad,
        }
    )
    none = pd.DataFrame({"authority": auth[replies:], "replied": False})
    return pd.concat([df, none], ignore_index=True)


def _survey_2019(rng) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n = int(_q("cost_survey_2019_replies"))
    auth = [f"Authority {chr(65 + i)}" for i in range(n)]
    a11 = pub.wide("A11.1")
    rows = []
    for item in A11_ITEMS:
        used = round(a11.loc[item, "Used during Round 2"] * n / 100)
        ong = round(a11.loc[item, "Ongoing in future"] * n / 100)
        order = rng.permutation(n)
        for j, a in enumerate(order):
            rows.append({"authority": auth[a], "item": item, "used_round2": j < used, "ongoing": j < ong})
    items = pd.DataFrame(rows).sort_values(["item", "authority"]).reset_index(drop=True)
    imp, sus, low = (
        int(_q("cost_consultants_implementation")),
        int(_q("cost_consultants_sustainability")),
        int(_q("cost_consultants_low")),
    )
    ded = int(_q("cost_dedicated_staff_important"))
    rat = []
    for i, a in enumerate(auth):
        rat.append((a, "external consultants", "implementation", "high" if i < imp else "medium"))
        rat.append(
            (
                a,
                "external consultants",
                "sustainability",
                "high" if i < sus else ("low" if i < sus + low else "medium"),
            )
        )
        for stage in ("implementation", "sustainability"):
            rat.append((a, "dedicated SofS staff", stage, "high" if i < ded else "medium"))
    ratings = pd.DataFrame(rat, columns=FILES["ratings_2019.csv"])
    nst, mn, md, mx = (
        int(_q("cost_staff_employed")),
        _q("cost_salary_min"),
        _q("cost_salary_median"),
        _q("cost_salary_max"),
    )
    k = (nst - 1) // 2
    below = [mn] + sorted((rng.integers(int(mn) // 500 + 1, int(md) // 500, k - 1) * 500).tolist())
    above = sorted((rng.integers(int(md) // 500 + 1, int(mx) // 500, nst - k - 2) * 500).tolist()) + [mx]
    sal = below + [md] + above
    per = _spread(nst, n, rng, low=2)
    owner = [auth[i] for i, c in enumerate(per) for _ in range(c)]
    order = rng.permutation(nst)
    cont_n, temp_n = int(_q("cost_staff_continuing")), int(_q("cost_staff_continuing_temporary"))
    cont = np.zeros(nst, bool)
    cont[order[:cont_n]] = True
    temp = np.zeros(nst, bool)
    temp[order[:temp_n]] = True
    staff = pd.DataFrame(
        {
            "authority": owner,
            "post": [f"post {i + 1}" for i in range(nst)],
            "salary": [sal[i] for i in rng.permutation(nst)],
            "continuing": cont,
            "temporary": temp,
        }
    )
    return items, ratings, staff


def _training(rng) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    pilots = int(_q("cost_training_pilots"))
    sessions = int(_q("cost_training_sessions"))
    n5, nff, n1 = (
        int(_q("cost_trained_5day")),
        int(_q("cost_trained_family_finding")),
        int(_q("cost_trained_1day")),
    )
    d5, dff, d1 = _q("cost_long_course_days"), _q("cost_ff_course_days"), _q("cost_short_course_days")
    p5 = int(_q("cost_p5_staff_days"))
    nboot = int(_q("cost_ff_bootcamps"))
    # Pilot 5: a on the long course, b on the short one, 5a + b = p5
    a = min(n5 // pilots + 20, (p5 - 1) // int(d5))
    b = p5 - int(d5) * a
    others = [f"Pilot {i}" for i in range(1, pilots + 1) if i != 5]
    long_rest = _spread(n5 - a, len(others), rng)
    short_rest = _spread(n1 - b, len(others), rng)
    rows = [("5-day training", "Pilot 5", a, d5), ("Targeted 1-day training", "Pilot 5", b, d1)]
    rows += [("5-day training", p, c, d5) for p, c in zip(others, long_rest)]
    rows += [("Targeted 1-day training", p, c, d1) for p, c in zip(others, short_rest)]
    left = sessions - nboot - len(rows)
    while left > 0:  # split the largest 1-day sessions until the session count is reached
        i = max(range(len(rows)), key=lambda j: rows[j][2] if rows[j][0].endswith("1-day training") else -1)
        c, p = rows[i][2], rows[i][1]
        rows[i] = (rows[i][0], p, c - c // 2, d1)
        rows.append(("Targeted 1-day training", p, c // 2, d1))
        left -= 1
    ff = _spread(nff, nboot, rng, low=nff // (2 * nboot))
    rows += [("Family Finding boot camp", "", c, dff) for c in ff]
    tr = pd.DataFrame(rows, columns=["course", "pilot", "attendees", "days_per_person"])
    tr.insert(0, "session", [f"S{i + 1:02d}" for i in range(len(tr))])
    pl = _spread(int(_q("cost_practice_leader_sessions")), pilots, rng)
    pls = pd.DataFrame({"pilot": [f"Pilot {i + 1}" for i, c in enumerate(pl) for _ in range(c)]})
    pls.insert(0, "session", [f"PL{i + 1:03d}" for i in range(len(pls))])
    n5p, n1p = int(_q("cost_safety_5day_pilots")), int(_q("cost_safety_1day_pilots"))
    who = rng.permutation(pilots)
    days = [_q("cost_safety_5day_days")] * n5p + [_q("cost_safety_1day_days")] * n1p
    days += [0.0] * (pilots - len(days))
    safety = pd.DataFrame({"pilot": [f"Pilot {i + 1}" for i in who], "days": days}).sort_values("pilot")
    return tr, pls, safety.reset_index(drop=True)


def generate(seed: int = 2019) -> dict[str, pd.DataFrame]:
    """All synthetic returns, keyed by file name."""
    rng = np.random.default_rng(seed)
    s18 = _survey_2018(rng)
    items, ratings, staff = _survey_2019(rng)
    tr, pl, sp = _training(rng)
    return {
        "survey_2018.csv": s18,
        "survey_2019.csv": items,
        "ratings_2019.csv": ratings,
        "staff_2019.csv": staff,
        "training.csv": tr,
        "practice_leader_sessions.csv": pl,
        "safety_support.csv": sp,
    }


def write_cost_returns(folder, seed: int = 2019) -> Path:
    """Write the synthetic returns into ``folder`` (one CSV per file of :data:`FILES`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in generate(seed).items():
        tmp = folder / (name + ".tmp")
        df.to_csv(tmp, index=False, lineterminator="\n", float_format="%.6g")
        tmp.replace(folder / name)
    return folder


def read_cost_returns(folder) -> dict[str, pd.DataFrame]:
    """Read returns in the layout of :data:`FILES`; a missing file or column is an error naming it."""
    folder = Path(folder)
    out = {}
    for name, cols in FILES.items():
        p = folder / name
        if not p.exists():
            raise CostReturnsError(f"cost returns: file {name} is missing in {folder.name}/")
        df = pd.read_csv(p)
        miss = [c for c in cols if c not in df.columns]
        if miss:
            raise CostReturnsError(f"cost returns: {name} lacks column(s) {', '.join(miss)}")
        extra = [c for c in df.columns if c not in cols]
        if extra:
            raise CostReturnsError(f"cost returns: {name} has unknown column(s) {', '.join(extra)}")
        out[name] = df
    return out


def aggregates(r: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Every printed aggregate, recomputed from the records (keys are the quoted-number ids)."""
    s18 = r["survey_2018.csv"]
    rep = s18[s18["replied"].astype(bool)]
    intl = rep["internal_funding_pct"]
    venue = rep["venue_hire_2018_19"]
    it = rep["it_development"].dropna()
    mg = rep["mgmt_days"].dropna()
    ad = rep["mgmt_ad_pct"].dropna()
    staff = r["staff_2019.csv"]
    items = r["survey_2019.csv"]
    rat = r["ratings_2019.csv"]
    cons = rat[rat["factor"] == "external consultants"]
    ded = rat[rat["factor"] == "dedicated SofS staff"]
    tr = r["training.csv"]
    by = tr.groupby("course")["attendees"].sum()
    p5 = tr[(tr["pilot"] == "Pilot 5") & (tr["course"] != "Family Finding boot camp")]
    sp = r["safety_support.csv"]
    n19 = items["authority"].nunique()
    out = {
        "cost_survey_2018_sent": float(len(s18)),
        "cost_survey_2018_replies": float(len(rep)),
        "cost_internal_funding_pilots": float((intl > 0).sum()),
        "cost_no_internal_funding_pilots": float((intl == 0).sum()),
        "cost_internal_funding_min_pct": float(intl[intl > 0].min()),
        "cost_internal_funding_max_pct": float(intl[intl > 0].max()),
        "cost_venue_hire_las": float((venue > 0).sum()),
        "cost_venue_hire_mean": float(venue[venue > 0].mean()),
        "cost_it_las": float(len(it)),
        "cost_it_mean": float(it.mean()),
        "cost_training_share_min": float(rep["training_share_pct"].min()),
        "cost_training_share_max": float(rep["training_share_pct"].max()),
        "cost_staffing_share": float(rep["staffing_share_pct"].mean()),
        "cost_mgmt_sites": float(len(mg)),
        "cost_mgmt_days_mean": float(mg.mean()),
        "cost_mgmt_days_min": float(mg.min()),
        "cost_mgmt_days_max": float(mg.max()),
        "cost_mgmt_share_min": float(rep["mgmt_sl_psw_pct"].min()),
        "cost_mgmt_share_max": float(rep["mgmt_sl_psw_pct"].max()),
        "cost_ad_sites": float((ad > 0).sum()),
        "cost_ad_share_min": float(ad[ad > 0].min()),
        "cost_ad_share_max": float(ad.max()),
        "cost_survey_2019_replies": float(n19),
        "cost_staffing_las": float(staff["authority"].nunique()),
        "cost_staff_employed": float(len(staff)),
        "cost_salary_min": float(staff["salary"].min()),
        "cost_salary_max": float(staff["salary"].max()),
        "cost_salary_median": float(staff["salary"].median()),
        "cost_staff_continuing": float(staff["continuing"].astype(bool).sum()),
        "cost_staff_continuing_temporary": float(
            (staff["continuing"].astype(bool) & staff["temporary"].astype(bool)).sum()
        ),
        "cost_consultants_implementation": float(
            ((cons["stage"] == "implementation") & (cons["rating"] == "high")).sum()
        ),
        "cost_consultants_sustainability": float(
            ((cons["stage"] == "sustainability") & (cons["rating"] == "high")).sum()
        ),
        "cost_consultants_low": float(((cons["stage"] == "sustainability") & (cons["rating"] == "low")).sum()),
        "cost_dedicated_staff_important": float(
            ded.groupby("authority")["rating"].apply(lambda s: (s == "high").all()).sum()
        ),
        "cost_training_sessions": float(len(tr)),
        "cost_staff_trained": float(tr["attendees"].sum()),
        "cost_trained_5day": float(by.get("5-day training", 0)),
        "cost_trained_family_finding": float(by.get("Family Finding boot camp", 0)),
        "cost_trained_1day": float(by.get("Targeted 1-day training", 0)),
        "cost_training_staff_days": float((tr["attendees"] * tr["days_per_person"]).sum()),
        "cost_training_pilots": float(tr["pilot"].replace("", np.nan).dropna().nunique()),
        "cost_p5_staff_days": float((p5["attendees"] * p5["days_per_person"]).sum()),
        "cost_practice_leader_sessions": float(len(r["practice_leader_sessions.csv"])),
        "cost_safety_pilots": float((sp["days"] > 0).sum()),
    }
    for item in A11_ITEMS:
        d = items[items["item"] == item]
        out[f"A11.1|{item}|Used during Round 2"] = 100 * d["used_round2"].astype(bool).sum() / n19
        out[f"A11.1|{item}|Ongoing in future"] = 100 * d["ongoing"].astype(bool).sum() / n19
    return out
