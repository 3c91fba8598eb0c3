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

import pandas as pd

from sofs_lib.core import paths, yamlio
from sofs_lib.published.a9 import table_a9_1
from sofs_lib.sources.dfe.loaders import resolve_dfe_data_dir
from sofs_lib.sources.dfe.names import LA_NAMES, LA_REGIONS, code_for_name
from sofs_lib.sources.dfe.ofsted import load_ofsted_inspections, ofsted_rating_at

ROUND1_COUNCILS = [
    "Brent",
    "Bristol, City of",
    "Leicestershire",
    "Lincolnshire",
    "Norfolk",
    "Suffolk",
    "Tower Hamlets",
    "Wakefield",
    "West Sussex",
    "Wokingham",
]
ROUND2_PILOTS = [
    "Bexley",
    "Brent",
    "Bristol, City of",
    "Leicestershire",
    "Lincolnshire",
    "Norfolk",
    "Suffolk",
    "West Sussex",
    "Wokingham",
]
#: every council the report names as a SofS pilot at some point
SOFS_NAMED_COUNCILS = sorted(set(ROUND1_COUNCILS) | {"Bexley"})

#: date of the evaluators' desk research on comparators (January 2020)
DEFAULT_AS_AT = "2020-01-31"

_TYPE_MAP = {
    "Unitary": "English unitary",
    "London Borough": "London borough",
    "Shire County": "Shire county",
    "Metropolitan District": "Metropolitan district",
}
_REGION_MAP = {
    "East of England": "East/South East",
    "South East": "East/South East",
    "London": "London",
    "East Midlands": "East/West Midlands",
    "West Midlands": "East/West Midlands",
    "South West": "South West",
    "North East": "North",
    "North West": "North",
    "Yorkshire and The Humber": "North",
}
_OFSTED_MAP = {"Requires improvement to be good": "Requires improvement"}


def load_groups(path: str | os.PathLike | None = None) -> dict:
    """Default groups from ``data/la_groups.yml`` (names and DfE LA numbers)."""
    p = Path(path) if path is not None else paths.repo_root() / "data" / "la_groups.yml"
    with open(p, encoding="utf-8") as fh:
        g = yamlio.load(fh)
    for key in ("pilots", "comparators", "comparators_sn2021"):
        for item in g.get(key) or []:
            item["la_code"] = str(item["la_code"])
    return g


def default_pilots() -> list[str]:
    return [p["la_code"] for p in load_groups()["pilots"]]


#: ``comparator_rule`` values: the group recovered from the report's tables (default) or the
#: April 2021 statistical-neighbour approximation
COMPARATOR_RULES = {"recovered": "comparators", "sn2021": "comparators_sn2021"}


def default_comparators(rule: str = "recovered") -> list[str]:
    """DfE LA numbers of the default comparators: ``rule="recovered"`` (the eight councils
    recovered from Tables A9.3/A9.4, see ``comparator_search`` in ``data/la_groups.yml``) or
    ``"sn2021"`` (the April 2021 statistical-neighbour rule of ``select_comparators``)."""
    if rule not in COMPARATOR_RULES:
        raise ValueError(f"comparator_rule must be one of {sorted(COMPARATOR_RULES)}, not {rule!r}")
    return [c["la_code"] for c in load_groups()[COMPARATOR_RULES[rule]]]


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


def inspections_table(dfe_data_dir) -> pd.DataFrame:
    """Every Ofsted inspection judgement: from the raw Ofsted file in ``dfe_data_dir``, or with
    ``None`` from the table committed beside the LA extract (``data/dfe_extract``)."""
    from sofs_lib.sources.dfe.extract import load_reference

    if dfe_data_dir is None:
        return load_reference("ofsted_inspections")
    root = resolve_dfe_data_dir(dfe_data_dir)
    return load_ofsted_inspections(root / "ofsted" / "Childrens_social_care_in_England_2023_underlying_data.ods")


def neighbours_table(dfe_data_dir) -> pd.DataFrame:
    """The April 2021 statistical neighbours: raw file, or with ``None`` the committed table."""
    from sofs_lib.sources.dfe.extract import load_reference
    from sofs_lib.sources.dfe.loaders import load_statistical_neighbours

    if dfe_data_dir is None:
        return load_reference("statistical_neighbours")
    root = resolve_dfe_data_dir(dfe_data_dir)
    return load_statistical_neighbours(
        root / "population-and-neighbours" / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    )


def la_characteristics(
    dfe_data_dir=None, as_at: str = DEFAULT_AS_AT, inspections: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Authority type (Ofsted), region group and the latest Ofsted overall grade at ``as_at``
    (``dfe_data_dir=None``: from the tables committed beside the LA extract)."""
    if inspections is None:
        inspections = inspections_table(dfe_data_dir)
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
    a91 = table_a9_1()
    levels = {ch: list(a91.loc[a91.characteristic == ch, "level"]) for ch in ("type", "region", "ofsted")}
    counts = {}
    for ch, col in (("type", "authority_type"), ("region", "region_group"), ("ofsted", "ofsted")):
        vc = c[col].value_counts()
        for lvl in levels[ch]:
            counts[(ch, lvl)] = int(vc.get(lvl, 0))
        counts[(ch, "other")] = int(len(c) - sum(vc.get(l, 0) for l in levels[ch]))
    return pd.Series(counts)
