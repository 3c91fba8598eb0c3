"""The workforce rows of Tables A9.3 (September 2019) and A9.4 (all years), reproduced from the
national panel, with the basis (FTE or headcount) and release each published number must have
used.

For each published row every candidate series is tried (each basis and each release the data
hold); a candidate "matches" a published mean when its mean, rounded half-up to one decimal,
equals it. The basis chosen for a row is the candidate matching the 2018/19 pilot mean (ties:
the one matching more of the row's other means, then the later release).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sofs_lib.chapters.la_outcomes.analysis import published_a93_a94
from sofs_lib.chapters.workforce.panel import groups
from sofs_lib.core.rounding import round_half_up

#: A9 indicator id -> candidate series (numerator id, denominator id or None)
#: (the A9 id itself is a candidate when the data hold it, as the project's extract does)
CANDIDATES = {
    "cin_per_sw": [("cin_per_sw", None), ("cin_at31", "sw_fte"), ("cin_at31", "sw_headcount")],
    "sw_turnover": [("sw_turnover", None), ("sw_turnover_headcount", None), ("sw_turnover_fte", None)],
    "sw_vacancy": [("sw_vacancy", None), ("sw_vacancy_rate_fte", None)],
    "sw_agency": [("sw_agency", None), ("sw_agency_rate_fte", None), ("sw_agency_rate_headcount", None)],
    "sw_absence": [("sw_absence", None), ("sw_absence_rate_fte", None)],
    "caseload": [("caseload", None), ("sw_caseload_fte", None)],
}
BASIS = {"sw_fte": "FTE", "sw_headcount": "headcount"}
#: basis of the A9 series in the indicator catalogue (data/indicators.csv)
A9_BASIS = {
    "cin_per_sw": "FTE",
    "sw_turnover": "headcount",
    "sw_vacancy": "FTE",
    "sw_agency": "FTE",
    "sw_absence": "FTE",
    "caseload": "FTE",
}
YEAR_A93 = 2019
YEARS_A94 = (2015, 2019)


def _basis(num: str, den: str | None) -> str:
    if den is not None:
        return BASIS[den]
    if num in A9_BASIS:
        return A9_BASIS[num]
    return "headcount" if num.endswith("headcount") else "FTE"


def candidate_series(long: pd.DataFrame, num: str, den: str | None) -> pd.DataFrame:
    """One series per release: ``la_code, year, release, value`` (a ratio when ``den``)."""
    a = long[long["indicator_id"] == num].dropna(subset=["value"])
    if den is None:
        return a[["la_code", "year", "release", "value"]]
    b = long[long["indicator_id"] == den].dropna(subset=["value"])
    m = a[["la_code", "year", "value"]].merge(
        b[["la_code", "year", "release", "value"]], on=["la_code", "year"], suffixes=("_n", "_d")
    )
    m["value"] = m["value_n"] / m["value_d"].replace(0, np.nan)
    return m[["la_code", "year", "release", "value"]]


def _by_release(series: pd.DataFrame):
    """Each release on its own and, when there are several, the chained series (for each LA
    and year the value of the latest release, as the panel uses)."""
    from sofs_lib.chapters.workforce.panel import RELEASE_ORDER

    parts = list(series.groupby("release"))
    if len(parts) > 1:
        rank = {r: i for i, r in enumerate(RELEASE_ORDER)}
        s = series.assign(_r=series["release"].map(rank).fillna(len(rank)))
        s = s.sort_values("_r").drop_duplicates(["la_code", "year"]).drop(columns="_r")
        parts.append(("latest per year", s))
    return parts


def _oneway(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    if len(a) < 2 or len(b) < 2:
        return np.nan, np.nan
    r = stats.f_oneway(a, b)
    return float(r.statistic), float(r.pvalue)


def _stats(s: pd.DataFrame, grp: pd.Series, years) -> dict:
    s = s[s["year"].isin(years)]
    g = grp.reindex(s["la_code"]).to_numpy()
    a = s["value"].to_numpy(float)[g == "Pilot"]
    b = s["value"].to_numpy(float)[g == "Comparator"]
    F, p = _oneway(a, b)
    return dict(
        pilot_mean=a.mean() if len(a) else np.nan,
        snn_mean=b.mean() if len(b) else np.nan,
        F=F,
        p=p,
        n_pilot=len(a),
        n_snn=len(b),
    )


def candidates(long: pd.DataFrame, pilots=None, comparators=None) -> pd.DataFrame:
    """Every candidate series of every workforce row, with its A9.3 and A9.4 statistics beside
    the published ones, whether each mean matches, and the values each mean is over
    (``a93_n_pilot``/``a93_n_snn``: LAs in September 2019; ``a94_n_*``: LA-years pooled)."""
    pub = published_a93_a94().set_index("indicator_id")
    codes = pd.Series(long["la_code"].unique())
    grp = pd.Series(groups(codes, pilots, comparators).to_numpy(), index=codes.to_numpy())
    rows = []
    for iid, cands in CANDIDATES.items():
        for num, den in cands:
            series = candidate_series(long, num, den)
            for rel, s in _by_release(series):
                r93 = _stats(s, grp, [YEAR_A93])
                r94 = _stats(s, grp, range(YEARS_A94[0], YEARS_A94[1] + 1))
                yrs = sorted(set(s["year"]) & set(range(YEARS_A94[0], YEARS_A94[1] + 1)))
                row = dict(
                    indicator_id=iid,
                    series=num + (f" / {den}" if den else ""),
                    basis=_basis(num, den),
                    release=rel,
                    years_a94=f"{yrs[0]}-{yrs[-1]}" if yrs else "",
                )
                for tag, r, pre in (("a93", r93, "a93_"), ("a94", r94, "a94_")):
                    for q, col in (
                        ("pilot_mean", "pilot"),
                        ("snn_mean", "snn"),
                        ("F", "F"),
                        ("p", "p"),
                    ):
                        row[f"{tag}_{q}"] = r[q]
                        row[f"{tag}_{q}_published"] = pub.at[iid, pre + col]
                    for q in ("pilot_mean", "snn_mean"):
                        row[f"{tag}_{q}_match"] = bool(round_half_up(r[q], 1) == row[f"{tag}_{q}_published"])
                    row[f"{tag}_n_pilot"], row[f"{tag}_n_snn"] = r["n_pilot"], r["n_snn"]
                rows.append(row)
    return pd.DataFrame(rows)


def chosen(cands: pd.DataFrame) -> pd.DataFrame:
    """The candidate used for each row (see the module's rule)."""
    c = cands.copy()
    c["score"] = (
        c["a93_pilot_mean_match"].astype(int) * 10
        + c["a94_pilot_mean_match"].astype(int)
        + c["a93_snn_mean_match"].astype(int)
        + c["a94_snn_mean_match"].astype(int)
    )
    c["gap"] = (c["a93_pilot_mean"] - c["a93_pilot_mean_published"]).abs()
    c = c.sort_values(["indicator_id", "score", "gap", "release"], ascending=[True, False, True, False])
    out = c.drop_duplicates("indicator_id").set_index("indicator_id")
    return out.reindex(list(CANDIDATES))


def basis_reasons(cands: pd.DataFrame) -> list[str]:
    """Per workforce row: the series that reproduces the September 2019 pilot mean, and what
    the other bases and releases give instead (why they cannot be the published one)."""
    out = []
    ch = chosen(cands).dropna(subset=["series"])
    for iid, c in ch.iterrows():
        others = cands[
            (cands["indicator_id"] == iid) & ~cands["a93_pilot_mean_match"] & cands["a93_pilot_mean"].notna()
        ]
        pub = c["a93_pilot_mean_published"]
        head = (
            f"{iid}: published pilot mean {pub:.1f} = {c['basis']} basis "
            f"({c['series']}, release {c['release']}, {c['a93_pilot_mean']:.2f})"
            if c["a93_pilot_mean_match"]
            else f"{iid}: no basis gives the published {pub:.1f} (nearest {c['series']}, {c['a93_pilot_mean']:.2f})"
        )
        if len(others):
            head += "; not " + ", ".join(
                f"{r.basis} {r.series} release {r.release} ({r.a93_pilot_mean:.2f})" for r in others.itertuples()
            )
        out.append(head + ".")
    return out
