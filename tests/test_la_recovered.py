"""The comparator search on the real DfE files: the committed group in data/la_groups.yml is
what the search finds, and the evidence printed in the book holds (skipped without the data
folder, failing under CI; see conftest)."""

from __future__ import annotations

import pandas as pd
import pytest

from sofs_lib.chapters.la_outcomes import comparators as C
from sofs_lib.chapters.la_outcomes import recovered as R
from sofs_lib.sources.dfe import groups as G

# Table A9.1, SNN column, worked by hand from the report: (type, region, Ofsted) counts
A91_SNN = {
    "English unitary": 3,
    "London borough": 1,
    "Shire county": 4,
    "East/South East": 4,
    "London": 1,
    "East/West Midlands": 1,
    "South West": 2,
    "Inadequate": 2,
    "Requires improvement": 2,
    "Good": 3,
    "Outstanding": 1,
}


@pytest.fixture(scope="module")
def real(dfe_dir):
    return R.real_inputs(dfe_dir)


def test_cached_group_is_loaded_by_default():
    rec = G.default_comparators()
    assert rec == G.default_comparators("recovered") and len(set(rec)) == 8
    assert not set(rec) & set(G._codes(G.ROUND2_PILOTS))
    assert rec != G.default_comparators("sn2021")
    with pytest.raises(ValueError, match="comparator_rule"):
        G.default_comparators("nearest")
    assert sorted(rec) == R.cached_search()["members"]


@pytest.mark.parametrize("with_profile", [False, True])
def test_search_finds_the_committed_group(real, with_profile):
    panel, chars = real
    rows = R.build_rows(panel, chars if with_profile else None)
    assert len(rows.candidates) == 145 and len(rows.labels) == 58
    found = C.polish(rows, C.search(rows, 8, time_limit=20)["members"])
    assert found == R.cached_search()["members"]
    hit = C.reproduced(rows, rows.index(found))
    lab = rows.labels.assign(hit=hit)
    assert lab.groupby("table")["hit"].sum().to_dict() == {"A9.3": 22, "A9.4": 22}


def test_recovered_group_has_the_a91_profile(real):
    _, chars = real
    c = chars.set_index("la_code").loc[G.default_comparators()]
    counts = pd.concat([c[k].value_counts() for k in ("authority_type", "region_group", "ofsted")])
    assert counts.to_dict() == A91_SNN


def test_evidence_and_stored_runners_up(real):
    panel, chars = real
    s = R.cached_search()
    for key, ch in (("runner_up_without_profile", None), ("runner_up_with_profile", chars)):
        ev = R.evidence(panel, s["members"], ch, rivals=[s[key]["members"]])
        assert ev["score"] == 44 and ev["rival_scores"] == [s[key]["rows_reproduced"]]
        assert ev["swap1"]["score"].iloc[0] < 12 and ev["swap2"]["score"].iloc[0] < 12
        assert ev["stability"]["stays_best"].all()


def test_pairing_is_one_to_one(dfe_dir):
    pil, com = G.default_pilots(), G.default_comparators()
    pr = R.pairing(dfe_dir, pil, com)
    assert sorted(pr["pilot_code"]) == sorted(pil) and sorted(pr["comparator_code"]) == sorted(com)
    yml = {c["la_code"]: c["pilot"] for c in G.load_groups()["comparators"]}
    assert dict(zip(pr["comparator_code"], pr["pilot"])) == yml
    # Bristol's first statistical neighbour (April 2021) is Portsmouth
    assert pr.set_index("pilot").at["Bristol, City of", "sn_rank_2021"] == 1
