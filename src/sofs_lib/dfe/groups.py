"""Pilot and comparator groups for the LA-level analysis (Appendix 9).

Pilot identities come only from the report's named list of councils (footnote): Round 1 =
Brent, Bristol, Leicestershire, Lincolnshire, Norfolk, Suffolk, Tower Hamlets, Wakefield, West
Sussex, Wokingham; Tower Hamlets left before Round 2 and was replaced by Bexley; Wakefield left
in January 2019. That leaves the 9 Round 2 pilots below. They are never linked to the report's
anonymised "Pilot N" labels.

The report dropped one of the 9 for want of a statistical neighbour that did not use Signs of
Safety. :func:`identify_dropped_pilot` shows which one, from the data: Table A9.1's profile of
the 8 analysed pilots (authority type, region, Ofsted grade) and the published pilot means of
Tables A9.3/A9.4 are reproduced only when Lincolnshire is the one left out.

Comparators (:func:`select_comparators`): the evaluators used the statistical-neighbour model in
force before 2021 and excluded LAs that told a 2018 survey they used SofS ("pure" or "some
form") or mentioned it in their plans. Neither the old model nor the survey is public here, so
the rule is: for each pilot take statistical neighbours from the April 2021 model in rank order,
skipping every council named as a SofS pilot (Rounds 1 and 2) and any LA listed in
``exclude``; each comparator is used once; among such choices take the one with the smallest
total rank whose profile (authority type, region group, Ofsted grade at ``as_at``) equals the
SNN column of Table A9.1 (set ``profile=None`` for plain nearest-available). Limitation: about
two thirds of LAs used SofS in some form (the report's survey), so some chosen comparators may
well have used it, and the 2021 model differs from the one the evaluators used.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import paths
from .loaders import load_ofsted_inspections, load_statistical_neighbours, ofsted_rating_at, resolve_dfe_data_dir
from .names import LA_NAMES, LA_REGIONS, code_for_name

ROUND1_COUNCILS = ["Brent", "Bristol, City of", "Leicestershire", "Lincolnshire", "Norfolk", "Suffolk",
                   "Tower Hamlets", "Wakefield", "West Sussex", "Wokingham"]
ROUND2_PILOTS = ["Bexley", "Brent", "Bristol, City of", "Leicestershire", "Lincolnshire", "Norfolk",
                 "Suffolk", "West Sussex", "Wokingham"]
#: every council the report names as a SofS pilot at some point
SOFS_NAMED_COUNCILS = sorted(set(ROUND1_COUNCILS) | {"Bexley"})

#: Table A9.1: characteristics of the 8 pilots analysed and of their 8 SNNs
TABLE_A9_1 = pd.DataFrame(
    [
        ("type", "English unitary", 2, 3), ("type", "London borough", 2, 1), ("type", "Shire county", 4, 4),
        ("region", "East/South East", 4, 4), ("region", "London", 2, 1),
        ("region", "East/West Midlands", 1, 1), ("region", "South West", 1, 2),
        ("ofsted", "Inadequate", 1, 2), ("ofsted", "Requires improvement", 4, 2), ("ofsted", "Good", 1, 3),
        ("ofsted", "Outstanding", 2, 1),
    ],
    columns=["characteristic", "level", "pilots", "snns"],
)

#: date of the evaluators' desk research on comparators (January 2020)
DEFAULT_AS_AT = "2020-01-31"

_TYPE_MAP = {"Unitary": "English unitary", "London Borough": "London borough", "Shire County": "Shire county",
             "Metropolitan District": "Metropolitan district"}
_REGION_MAP = {"East of England": "East/South East", "South East": "East/South East", "London": "London",
               "East Midlands": "East/West Midlands", "West Midlands": "East/West Midlands",
               "South West": "South West", "North East": "North", "North West": "North",
               "Yorkshire and The Humber": "North"}
_OFSTED_MAP = {"Requires improvement to be good": "Requires improvement"}




def load_groups(path: str | os.PathLike | None = None) -> dict:
    """Default groups from ``data/la_groups.yml`` (names and DfE LA numbers)."""
    p = Path(path) if path is not None else paths.repo_root() / "data" / "la_groups.yml"
    with open(p, encoding="utf-8") as fh:
        g = yaml.safe_load(fh)
    for key in ("pilots", "comparators"):
        for item in g[key]:
            item["la_code"] = str(item["la_code"])
    return g


def default_pilots() -> list[str]:
    return [p["la_code"] for p in load_groups()["pilots"]]


def default_comparators() -> list[str]:
    return [c["la_code"] for c in load_groups()["comparators"]]


def _codes(names_or_codes) -> list[str]:
    out = []
    for x in names_or_codes:
        x = str(x)
        if x in LA_NAMES or re.fullmatch(r"0\d\d", x):
            out.append(x)
        elif x.startswith("Synthetic LA "):
            out.append(f"{int(x.split()[-1]):03d}")
        else:
            out.append(code_for_name(x))
    if any(c is None for c in out):
        bad = [n for n, c in zip(names_or_codes, out) if c is None]
        raise KeyError(f"unknown local authorities {bad}")
    return out


def _inspections(dfe_data_dir) -> pd.DataFrame:
    """Every Ofsted inspection judgement: from the raw Ofsted file in ``dfe_data_dir``, or with
    ``None`` from the table committed beside the LA extract (``data/dfe_extract``)."""
    from sofs_lib.sources.dfe.extract import load_reference

    if dfe_data_dir is None:
        return load_reference("ofsted_inspections")
    root = resolve_dfe_data_dir(dfe_data_dir)
    return load_ofsted_inspections(root / "ofsted" / "Childrens_social_care_in_England_2023_underlying_data.ods")


def _neighbours(dfe_data_dir) -> pd.DataFrame:
    """The April 2021 statistical neighbours: raw file, or with ``None`` the committed table."""
    from sofs_lib.sources.dfe.extract import load_reference

    if dfe_data_dir is None:
        return load_reference("statistical_neighbours")
    root = resolve_dfe_data_dir(dfe_data_dir)
    return load_statistical_neighbours(root / "population-and-neighbours" / "New_Statistical_Neighbour_Groupings_April_2021.csv")


def la_characteristics(dfe_data_dir=None, as_at: str = DEFAULT_AS_AT, inspections: pd.DataFrame | None = None) -> pd.DataFrame:
    """Authority type (Ofsted), region group and the latest Ofsted overall grade at ``as_at``."""
    if inspections is None:
        inspections = _inspections(dfe_data_dir)
    r = ofsted_rating_at(inspections, as_at)
    types = inspections.dropna(subset=["la_code"]).groupby("la_code")["authority_type"].last()
    out = pd.DataFrame({"la_code": list(LA_NAMES)})
    out["la_name"] = out["la_code"].map(LA_NAMES)
    out["authority_type"] = out["la_code"].map(types).map(lambda t: _TYPE_MAP.get(t, t))
    out["region_group"] = out["la_code"].map(LA_REGIONS).map(lambda r_: _REGION_MAP.get(r_, r_))
    grade = r.set_index("la_code")["judgement"]
    out["ofsted"] = out["la_code"].map(grade).map(lambda j: _OFSTED_MAP.get(j, j) if isinstance(j, str) else j)
    out["ofsted_published"] = out["la_code"].map(r.set_index("la_code")["published"])
    return out


def profile(chars: pd.DataFrame, codes: list[str]) -> pd.Series:
    """Counts of type/region/Ofsted levels among ``codes`` in the layout of Table A9.1."""
    c = chars.set_index("la_code").loc[list(codes)]
    counts = {}
    for ch, col in (("type", "authority_type"), ("region", "region_group"), ("ofsted", "ofsted")):
        vc = c[col].value_counts()
        for lvl in TABLE_A9_1.loc[TABLE_A9_1.characteristic == ch, "level"]:
            counts[(ch, lvl)] = int(vc.get(lvl, 0))
        counts[(ch, "other")] = int(len(c) - sum(vc.get(l, 0) for l in TABLE_A9_1.loc[TABLE_A9_1.characteristic == ch, "level"]))
    return pd.Series(counts)


def _published_profile(which: str) -> pd.Series:
    s = TABLE_A9_1.set_index(["characteristic", "level"])[which]
    for ch in ("type", "region", "ofsted"):
        s.loc[(ch, "other")] = 0
    return s


def identify_dropped_pilot(
    dfe_data_dir=None,
    published_means: pd.DataFrame | None = None,
    as_at: str = DEFAULT_AS_AT,
    years: tuple[int, int] = (2015, 2019),
    panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Reasoning table: for each Round 2 pilot, what follows if it is the one left out.

    Columns: candidate (the pilot left out), its type/region/Ofsted grade, whether the other 8
    reproduce Table A9.1's pilot type, region and Ofsted counts, and how many of the published
    pilot means of Table A9.3 (2018/19) and A9.4 (all years) the other 8 reproduce to the printed
    decimal. ``published_means``: DataFrame with indicator_id, a93_pilot, a94_pilot (default:
    the values transcribed in :mod:`sofs_lib.la_outcomes`).
    """
    from ..la_outcomes import published_a93_a94, round_half_up

    chars = la_characteristics(dfe_data_dir, as_at)
    pub = published_means if published_means is not None else published_a93_a94()
    nine = _codes(ROUND2_PILOTS)
    if panel is None:
        from sofs_lib.sources.dfe.extract import load_panel

        panel = load_panel(None if dfe_data_dir is None else resolve_dfe_data_dir(dfe_data_dir), scope="A9")
        panel = panel[panel["la_code"].isin(nine) & panel["year"].between(years[0], years[1])]
    rows = []
    want = _published_profile("pilots")
    for cand in nine:
        eight = [c for c in nine if c != cand]
        prof = profile(chars, eight)
        d = panel[panel["la_code"].isin(eight)]
        m19 = d[d["year"] == years[1]].groupby("indicator_id")["value"].mean()
        mall = d.groupby("indicator_id")["value"].mean()
        p = pub.set_index("indicator_id")
        ok3 = sum(round_half_up(m19.get(i, np.nan), 1) == p.at[i, "a93_pilot"] for i in p.index)
        ok4 = sum(round_half_up(mall.get(i, np.nan), 1) == p.at[i, "a94_pilot"] for i in p.index)
        c = chars.set_index("la_code").loc[cand]
        rows.append({
            "candidate_dropped": LA_NAMES[cand], "la_code": cand, "authority_type": c.authority_type,
            "region_group": c.region_group, "ofsted_at_" + as_at: c.ofsted,
            "A9.1_type_match": bool((prof.loc["type"] == want.loc["type"]).all()),
            "A9.1_region_match": bool((prof.loc["region"] == want.loc["region"]).all()),
            "A9.1_ofsted_match": bool((prof.loc["ofsted"] == want.loc["ofsted"]).all()),
            "A9.3_pilot_means_matched": int(ok3), "A9.4_pilot_means_matched": int(ok4),
            "n_indicators": len(p),
        })
    out = pd.DataFrame(rows)
    out["consistent_with_report"] = (out["A9.1_type_match"] & out["A9.1_region_match"] & out["A9.1_ofsted_match"])
    out = out.sort_values(["consistent_with_report", "A9.3_pilot_means_matched", "A9.4_pilot_means_matched"],
                          ascending=False).reset_index(drop=True)
    return out


def select_comparators(
    dfe_data_dir=None,
    pilots=None,
    exclude=(),
    max_rank: int = 10,
    match_profile: bool = True,
    as_at: str = DEFAULT_AS_AT,
    sn: pd.DataFrame | None = None,
    chars: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One comparator per pilot from the April 2021 statistical-neighbour groups (rule in the
    module docstring). Returns pilot, comparator, rank, closeness and the comparator's profile;
    ``attrs['rule']`` describes the rule and ``attrs['profile_matched']`` whether Table A9.1's
    SNN profile could be met within ``max_rank``."""
    pilots = _codes(pilots if pilots is not None else default_pilots())
    if sn is None:
        sn = _neighbours(dfe_data_dir)
    sn = sn[sn["section"] == "current"]
    if chars is None:
        chars = la_characteristics(dfe_data_dir, as_at)
    banned = set(_codes(SOFS_NAMED_COUNCILS)) | set(pilots) | set(_codes(exclude))
    options = []
    for p in pilots:
        o = sn[(sn["la_code"] == p) & (sn["rank"] <= max_rank) & ~sn["neighbour_code"].isin(banned)]
        options.append(list(o.sort_values("rank")[["neighbour_code", "rank", "closeness"]].itertuples(index=False)))
    want = _published_profile("snns")
    chars_i = chars.set_index("la_code")
    target = {k: int(v) for k, v in want.items() if k[1] != "other"}

    def attrs_of(code):
        r = chars_i.loc[code]
        return (("type", r.authority_type), ("region", r.region_group), ("ofsted", r.ofsted))

    attr = {o.neighbour_code: attrs_of(o.neighbour_code) for opts in options for o in opts}
    best = None
    order = sorted(range(len(pilots)), key=lambda i: len(options[i]))
    min_rank = [min((o.rank for o in options[i]), default=99) for i in range(len(pilots))]

    def dfs(k, chosen, total, counts):
        nonlocal best
        # lower bound: remaining pilots need at least their best rank
        bound = total + sum(min_rank[order[j]] for j in range(k, len(order)))
        if best is not None and bound >= best[0]:
            return
        if k == len(order):
            best = (total, dict(chosen))
            return
        i = order[k]
        used = {c.neighbour_code for c in chosen.values()}
        for opt in options[i]:
            if opt.neighbour_code in used:
                continue
            a = attr[opt.neighbour_code]
            if match_profile:
                if any(counts.get(x, 0) + 1 > target.get(x, 0) for x in a):
                    continue
                for x in a:
                    counts[x] = counts.get(x, 0) + 1
            chosen[i] = opt
            dfs(k + 1, chosen, total + opt.rank, counts)
            del chosen[i]
            if match_profile:
                for x in a:
                    counts[x] -= 1

    dfs(0, {}, 0, {})
    matched = best is not None and match_profile
    if best is None:  # profile impossible within max_rank: fall back to nearest available
        match_profile = False
        dfs(0, {}, 0, {})
    rows = []
    for i, p in enumerate(pilots):
        o = best[1][i]
        rows.append({
            "pilot_code": p, "pilot_name": LA_NAMES[p], "comparator_code": o.neighbour_code,
            "comparator_name": LA_NAMES.get(o.neighbour_code), "sn_rank": int(o.rank), "closeness": o.closeness,
            "comparator_type": chars_i.at[o.neighbour_code, "authority_type"],
            "comparator_region": chars_i.at[o.neighbour_code, "region_group"],
            "comparator_ofsted": chars_i.at[o.neighbour_code, "ofsted"],
        })
    out = pd.DataFrame(rows)
    out.attrs["rule"] = (
        "April 2021 statistical neighbours in rank order (up to SN%d), skipping councils named as SofS pilots "
        "and %s; one comparator per pilot, each used once; minimum total rank%s." % (
            max_rank, sorted(exclude) or "no other exclusions",
            " subject to reproducing Table A9.1's SNN profile (type, region, Ofsted grade at %s)" % as_at
            if match_profile else ""))
    out.attrs["profile_matched"] = matched
    return out
