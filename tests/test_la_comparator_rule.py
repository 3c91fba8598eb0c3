"""The comparator rule of :func:`sofs_lib.chapters.la_outcomes.groups.select_comparators` on a
hand-made neighbour table: two pilots (Kent, Essex) whose neighbours overlap, so each step of the
rule (minimum total rank, each comparator used once, Table A9.1's SNN profile as a ceiling, the
fall-back when the profile cannot be met, exclusions) decides the answer. The expected choices are
worked out by hand from the table below."""

import pandas as pd
import pytest

from sofs_lib.chapters.la_outcomes.groups import select_comparators

KENT, ESSEX, HAMPSHIRE, SURREY, HERTS = "886", "881", "850", "936", "919"

#: Kent: Hampshire (SN1), Surrey (SN2); Essex: Hampshire (SN1), Hertfordshire (SN2)
SN = pd.DataFrame(
    [
        (KENT, 1, HAMPSHIRE, "Very close", "current"),
        (KENT, 2, SURREY, "Close", "current"),
        (ESSEX, 1, HAMPSHIRE, "Very close", "current"),
        (ESSEX, 2, HERTS, "Close", "current"),
        (ESSEX, 1, SURREY, "Very close", "pre-reorganisation"),  # not the current model: ignored
    ],
    columns=["la_code", "rank", "neighbour_code", "closeness", "section"],
)


def chars(grades: dict) -> pd.DataFrame:
    """Every council a shire county in the East/South East (Table A9.1 allows 4 SNNs of each),
    with the given Ofsted grades (it allows 3 Good and 1 Outstanding)."""
    return pd.DataFrame(
        [(c, "Shire county", "East/South East", g) for c, g in grades.items()],
        columns=["la_code", "authority_type", "region_group", "ofsted"],
    )


def pick(**kw) -> tuple[dict, pd.DataFrame]:
    out = select_comparators(pilots=[KENT, ESSEX], sn=SN, **kw)
    return dict(zip(out["pilot_code"], out["comparator_code"])), out


def test_minimum_total_rank_each_comparator_once():
    # Hampshire cannot serve both; Kent-Hampshire + Essex-Hertfordshire and Kent-Surrey +
    # Essex-Hampshire both total 3: the first found (Kent, listed first, takes its SN1) stays
    got, out = pick(chars=chars({HAMPSHIRE: "Good", SURREY: "Good", HERTS: "Good"}))
    assert got == {KENT: HAMPSHIRE, ESSEX: HERTS}
    assert out["sn_rank"].tolist() == [1, 2] and out.attrs["profile_matched"]
    assert out["comparator_name"].tolist() == ["Hampshire", "Hertfordshire"]


def test_profile_ceiling_changes_the_choice():
    # Hampshire and Hertfordshire Outstanding: both together would be 2 > 1 allowed, so the
    # only total-3 choice within the profile is Kent-Surrey + Essex-Hampshire
    got, out = pick(chars=chars({HAMPSHIRE: "Outstanding", SURREY: "Good", HERTS: "Outstanding"}))
    assert got == {KENT: SURREY, ESSEX: HAMPSHIRE}
    assert out.attrs["profile_matched"]
    assert "subject to reproducing Table A9.1's SNN profile" in out.attrs["rule"]


def test_impossible_profile_falls_back_to_nearest():
    # all three Outstanding: any two break the ceiling of 1, so the rule drops the profile
    got, out = pick(chars=chars({HAMPSHIRE: "Outstanding", SURREY: "Outstanding", HERTS: "Outstanding"}))
    assert got == {KENT: HAMPSHIRE, ESSEX: HERTS}
    assert not out.attrs["profile_matched"]
    assert "profile" not in out.attrs["rule"]


def test_without_profile_and_with_exclusions():
    grades = {HAMPSHIRE: "Outstanding", SURREY: "Good", HERTS: "Outstanding"}
    got, out = pick(chars=chars(grades), match_profile=False)
    assert got == {KENT: HAMPSHIRE, ESSEX: HERTS} and not out.attrs["profile_matched"]
    got, out = pick(chars=chars(grades), exclude=["Hampshire"])
    assert got == {KENT: SURREY, ESSEX: HERTS}
    assert "['Hampshire']" in out.attrs["rule"]


def test_no_eligible_neighbour_names_the_pilot():
    # with max_rank 1 and Hampshire excluded, neither pilot has a neighbour left

    with pytest.raises(ValueError, match=r"no eligible statistical neighbour within rank 1 for Kent, Essex.*max_rank"):
        pick(chars=chars({HAMPSHIRE: "Good", SURREY: "Good", HERTS: "Good"}), max_rank=1, exclude=[HAMPSHIRE])


def test_too_few_distinct_neighbours():
    # within rank 1 both pilots have only Hampshire: no comparator of its own for each
    with pytest.raises(ValueError, match="cannot give each pilot its own comparator"):
        pick(chars=chars({HAMPSHIRE: "Good", SURREY: "Good", HERTS: "Good"}), max_rank=1)
