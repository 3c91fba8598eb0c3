"""Which Round 2 pilot the report left out, and the comparators: found from the data.

The report drops one of the nine Round 2 pilots "due to lack of a suitable comparator" without
naming it; :func:`identify_dropped_pilot` shows which one reproduces Table A9.1's profile and the
published pilot means. :func:`select_comparators` applies the documented comparator rule to the
April 2021 statistical neighbours (the evaluators' pre-2021 model is not published).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.chapters.la_outcomes.analysis import published_a93_a94
from sofs_lib.core.rounding import round_half_up
from sofs_lib.published.a9 import table_a9_1
from sofs_lib.sources.dfe.groups import (
    DEFAULT_AS_AT,
    ROUND2_PILOTS,
    SOFS_NAMED_COUNCILS,
    _codes,
    default_pilots,
    la_characteristics,
    neighbours_table,
    profile,
)
from sofs_lib.sources.dfe.loaders import resolve_dfe_data_dir
from sofs_lib.sources.dfe.names import LA_NAMES


def _published_profile(which: str) -> pd.Series:
    s = table_a9_1().set_index(["characteristic", "level"])[which]
    for ch in ("type", "region", "ofsted"):
        s.loc[(ch, "other")] = 0
    return s


def identify_dropped_pilot(
    dfe_data_dir=None,
    published_means: pd.DataFrame | None = None,
    as_at: str = DEFAULT_AS_AT,
    years: tuple[int, int] = (2015, 2019),
    panel: pd.DataFrame | None = None,
    chars: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Reasoning table: for each Round 2 pilot, what follows if it is the one left out.

    Columns: candidate (the pilot left out), its type/region/Ofsted grade, whether the other 8
    reproduce Table A9.1's pilot type, region and Ofsted counts, and how many of the published
    pilot means of Table A9.3 (2018/19) and A9.4 (all years) the other 8 reproduce to the printed
    decimal. ``published_means``: DataFrame with indicator_id, a93_pilot, a94_pilot (default:
    the values transcribed in :func:`sofs_lib.chapters.la_outcomes.analysis.published_a93_a94`).
    """

    chars = chars if chars is not None else la_characteristics(dfe_data_dir, as_at)
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
        rows.append(
            {
                "candidate_dropped": LA_NAMES[cand],
                "la_code": cand,
                "authority_type": c.authority_type,
                "region_group": c.region_group,
                "ofsted_at_" + as_at: c.ofsted,
                "A9.1_type_match": bool((prof.loc["type"] == want.loc["type"]).all()),
                "A9.1_region_match": bool((prof.loc["region"] == want.loc["region"]).all()),
                "A9.1_ofsted_match": bool((prof.loc["ofsted"] == want.loc["ofsted"]).all()),
                "A9.3_pilot_means_matched": int(ok3),
                "A9.4_pilot_means_matched": int(ok4),
                "n_indicators": len(p),
            }
        )
    out = pd.DataFrame(rows)
    out["consistent_with_report"] = out["A9.1_type_match"] & out["A9.1_region_match"] & out["A9.1_ofsted_match"]
    out = out.sort_values(
        ["consistent_with_report", "A9.3_pilot_means_matched", "A9.4_pilot_means_matched"], ascending=False
    ).reset_index(drop=True)
    return out


def _candidate_options(sn: pd.DataFrame, pilots: list[str], banned: set, max_rank: int) -> list[list]:
    """Each pilot's eligible neighbours (code, rank, closeness) in rank order, up to ``max_rank``."""
    options = []
    for p in pilots:
        o = sn[(sn["la_code"] == p) & (sn["rank"] <= max_rank) & ~sn["neighbour_code"].isin(banned)]
        options.append(list(o.sort_values("rank")[["neighbour_code", "rank", "closeness"]].itertuples(index=False)))
    return options


def _profile_attributes(chars_i: pd.DataFrame, options: list[list]) -> dict:
    """Each candidate's (type, region, Ofsted grade), the attributes Table A9.1 counts."""

    def attrs_of(code):
        r = chars_i.loc[code]
        return (("type", r.authority_type), ("region", r.region_group), ("ofsted", r.ofsted))

    return {o.neighbour_code: attrs_of(o.neighbour_code) for opts in options for o in opts}


def _min_rank_choice(options: list[list], attr: dict, target: dict, match_profile: bool) -> dict | None:
    """Depth-first search for one distinct comparator per pilot with the smallest total rank,
    within the ``target`` counts of each attribute when ``match_profile``; ``None`` if there is
    no such choice. Returns {pilot index: chosen option}."""
    best = None
    order = sorted(range(len(options)), key=lambda i: len(options[i]))
    min_rank = [min((o.rank for o in options[i]), default=99) for i in range(len(options))]

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
    return None if best is None else best[1]


def _comparator_rows(pilots: list[str], chosen, chars_i: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for i, p in enumerate(pilots):
        o = chosen[i]
        rows.append(
            {
                "pilot_code": p,
                "pilot_name": LA_NAMES[p],
                "comparator_code": o.neighbour_code,
                "comparator_name": LA_NAMES.get(o.neighbour_code),
                "sn_rank": int(o.rank),
                "closeness": o.closeness,
                "comparator_type": chars_i.at[o.neighbour_code, "authority_type"],
                "comparator_region": chars_i.at[o.neighbour_code, "region_group"],
                "comparator_ofsted": chars_i.at[o.neighbour_code, "ofsted"],
            }
        )
    return pd.DataFrame(rows)


def _no_choice_message(pilots: list[str], options: list[list], max_rank: int) -> str:
    """Why no comparator set exists: the pilots without an eligible neighbour, or too few distinct
    neighbours for the pilots."""
    empty = [LA_NAMES.get(p, p) for p, o in zip(pilots, options) if not o]
    if empty:
        why = "no eligible statistical neighbour within rank %d for %s" % (max_rank, ", ".join(empty))
    else:
        why = "the pilots' eligible neighbours within rank %d cannot give each pilot its own comparator" % max_rank
    return "select_comparators: " + why + " (raise max_rank, or exclude fewer councils)."


def _rule_text(max_rank: int, exclude, match_profile: bool, as_at: str) -> str:
    return (
        "April 2021 statistical neighbours in rank order (up to SN%d), skipping councils named as SofS pilots "
        "and %s; one comparator per pilot, each used once; minimum total rank%s."
        % (
            max_rank,
            sorted(exclude) or "no other exclusions",
            " subject to reproducing Table A9.1's SNN profile (type, region, Ofsted grade at %s)" % as_at
            if match_profile
            else "",
        )
    )


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
        sn = neighbours_table(dfe_data_dir)
    sn = sn[sn["section"] == "current"]
    if chars is None:
        chars = chars if chars is not None else la_characteristics(dfe_data_dir, as_at)
    banned = set(_codes(SOFS_NAMED_COUNCILS)) | set(pilots) | set(_codes(exclude))
    options = _candidate_options(sn, pilots, banned, max_rank)
    want = _published_profile("snns")
    chars_i = chars.set_index("la_code")
    target = {k: int(v) for k, v in want.items() if k[1] != "other"}
    attr = _profile_attributes(chars_i, options)
    chosen = _min_rank_choice(options, attr, target, match_profile)
    matched = chosen is not None and match_profile
    if chosen is None:  # profile impossible within max_rank: fall back to nearest available
        match_profile = False
        chosen = _min_rank_choice(options, attr, target, match_profile)
    if chosen is None:
        raise ValueError(_no_choice_message(pilots, options, max_rank))
    out = _comparator_rows(pilots, chosen, chars_i)
    out.attrs["rule"] = _rule_text(max_rank, exclude, match_profile, as_at)
    out.attrs["profile_matched"] = matched
    return out
