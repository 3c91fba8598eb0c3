"""Validation rejects each kind of bad record with a message naming table, column and example."""

import pandas as pd
import pytest
from test_npd_fixtures import extract

from sofs_lib.sources import npd
from sofs_lib.sources.npd import NPDValidationError


def test_fixture_is_valid():
    npd.validate_extract(extract())


def _mutated(fn):
    ex = extract()
    fn(ex)
    return ex


def _raises(ex, *fragments):
    with pytest.raises(NPDValidationError) as err:
        npd.validate_extract(ex)
    msg = str(err.value)
    for f in fragments:
        assert f in msg, msg
    return err.value


def test_missing_field():
    ex = _mutated(lambda e: setattr(e, "la_episodes", e.la_episodes.drop(columns=["REC"])))
    _raises(ex, "la_episodes", "'REC'", "required column missing")


def test_unknown_code():
    def f(e):
        e.la_episodes["REC"] = e.la_episodes["REC"].cat.add_categories(["E99"])
        e.la_episodes.loc[2, "REC"] = "E99"

    err = _raises(_mutated(f), "la_episodes", "'REC'", "unknown code", "E99", "CHILD=20")
    assert err.table == "la_episodes" and err.column == "REC"


def test_unknown_referral_source():
    def f(e):
        e.cin_referrals["ReferralSource"] = e.cin_referrals["ReferralSource"].cat.add_categories(["11"])
        e.cin_referrals.loc[0, "ReferralSource"] = "11"

    _raises(_mutated(f), "cin_referrals", "ReferralSource", "unknown code", "'11'")


def test_missing_required_value():
    def f(e):
        e.la_episodes.loc[0, "PL"] = None

    _raises(_mutated(f), "la_episodes", "'PL'", "missing value in a required column")


def test_episode_ends_before_it_starts():
    def f(e):
        e.la_episodes.loc[1, "DEC"] = pd.Timestamp("2015-12-31")

    _raises(_mutated(f), "la_episodes", "DEC", "before it commenced", "CHILD=20", "2015-12-31")


def test_authorisation_before_start():
    def f(e):
        e.assessments.loc[0, "AssessmentAuthorisationDate"] = pd.Timestamp("2017-12-21")

    _raises(_mutated(f), "assessments", "AssessmentAuthorisationDate", "AssessmentID=1")


def test_closure_before_referral():
    def f(e):
        e.cin_referrals.loc[4, "CINclosureDate"] = pd.Timestamp("2017-03-01")

    _raises(
        _mutated(f),
        "cin_referrals",
        "CINclosureDate",
        "closure date before referral date",
        "CINdetailsID=105",
    )


def test_plan_end_before_start():
    def f(e):
        e.cp_plans.loc[0, "CPPendDate"] = pd.Timestamp("2017-08-01")

    _raises(_mutated(f), "cp_plans", "CPPendDate", "CPPID=1")


def test_birth_after_referral():
    def f(e):
        e.children.loc[e.children["child_id"] == 10, "PersonBirthDate"] = pd.Timestamp("2018-09-01")

    _raises(_mutated(f), "cin_referrals", "born after the referral", "CINdetailsID=101")
    ex = _mutated(f)
    npd.validate_extract(ex, allow_birth_after_referral=True)


def test_birth_after_episode_start():
    def f(e):
        e.la_header.loc[e.la_header["CHILD"] == 26, "DOB"] = pd.Timestamp("2015-06-01")

    _raises(_mutated(f), "la_episodes", "DOB > DECOM", "CHILD=26")


def test_duplicate_key():
    def f(e):
        e.cin_referrals.loc[1, "CINdetailsID"] = 101

    _raises(_mutated(f), "cin_referrals", "duplicate key", "CINdetailsID")


def test_duplicate_episode():
    def f(e):
        e.la_episodes = pd.concat([e.la_episodes, e.la_episodes.iloc[[0]]], ignore_index=True)

    _raises(_mutated(f), "la_episodes", "duplicate key")


def test_nfa_without_closure():
    def f(e):
        e.cin_referrals.loc[0, "CINclosureDate"] = pd.NaT
        e.cin_referrals.loc[0, "ReasonForClosure"] = None

    _raises(_mutated(f), "cin_referrals", "ReferralNFA = 1 but no CINclosureDate", "CINdetailsID=101")


def test_unknown_child_and_episode():
    def f(e):
        e.assessments.loc[0, "LAchildID"] = 999

    _raises(_mutated(f), "assessments", "child not in the children table", "AssessmentID=1")

    def g(e):
        e.section47.loc[0, "CINdetailsID"] = 999

    _raises(_mutated(g), "section47", "CIN episode not in cin_referrals")


def test_read_extract_round_trip(tmp_path):
    ex = extract()
    ex.write_csv(tmp_path)
    back = npd.read_extract(tmp_path)
    assert back.digest() == ex.digest()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(npd.FILE_NAMES.values())


def test_read_extract_missing_file(tmp_path):
    extract().write_csv(tmp_path)
    (tmp_path / "cp_plans.csv").unlink()
    with pytest.raises(NPDValidationError, match="cp_plans.csv"):
        npd.read_extract(tmp_path)


def test_read_extract_bad_date_and_code(tmp_path):
    extract().write_csv(tmp_path)
    p = tmp_path / "la_episodes.csv"
    df = pd.read_csv(p, dtype=str)
    df.loc[0, "DECOM"] = "02/09/2017"
    df.to_csv(p, index=False)
    with pytest.raises(NPDValidationError, match=r"la_episodes.*DECOM.*cannot be read as date.*02/09/2017"):
        npd.read_extract(tmp_path)
    df.loc[0, "DECOM"] = "2017-09-02"
    df.loc[0, "LS"] = "XX"
    df.to_csv(p, index=False)
    with pytest.raises(NPDValidationError, match=r"la_episodes.*'LS'.*unknown code.*XX"):
        npd.read_extract(tmp_path)


def test_read_extract_missing_column(tmp_path):
    extract().write_csv(tmp_path)
    p = tmp_path / "assessments.csv"
    pd.read_csv(p, dtype=str).drop(columns=["AssessmentAuthorisationDate"]).to_csv(p, index=False)
    with pytest.raises(NPDValidationError, match=r"assessments.*AssessmentAuthorisationDate.*missing"):
        npd.read_extract(tmp_path)


def _add_referral(e, cin_id, child, ref, closure=None):
    row = e.cin_referrals.iloc[[0]].copy()
    row["CINdetailsID"], row["LAchildID"] = cin_id, child
    row["CINreferralDate"] = pd.Timestamp(ref)
    row["CINclosureDate"] = pd.Timestamp(closure) if closure else pd.NaT
    row["ReferralNFA"] = 0
    row["ReasonForClosure"] = pd.Categorical([None], categories=e.cin_referrals["ReasonForClosure"].cat.categories)
    e.cin_referrals = pd.concat([e.cin_referrals, row], ignore_index=True)


def test_overlapping_cin_episodes_name_child_and_records():
    # child 14: episode 108 runs 2016-02-01 to 2016-09-01; a second one referred 2016-05-01 overlaps
    err = _raises(
        _mutated(lambda e: _add_referral(e, 901, 14, "2016-05-01", "2016-06-01")),
        "cin_referrals",
        "overlapping CIN episodes of child 14",
        "episode 901",
        "episode 108",
        "closed 2016-09-01",
    )
    assert err.n == 1
    # child 10: episode 102 (2019-02-28) is still open when another is referred on 2019-03-10
    _raises(_mutated(lambda e: _add_referral(e, 902, 10, "2019-03-10")), "child 10", "still open")
    # a referral on the day the previous episode closed is not an overlap (child 12 in the fixture)
    npd.validate_extract(extract())


def test_non_contiguous_episodes_name_child_and_records():
    def gap(e):  # child 20's placement change (RNE P) starts 5 days after the previous episode ceased
        i = e.la_episodes.index[(e.la_episodes["CHILD"] == 20) & (e.la_episodes["RNE"] == "P")][0]
        e.la_episodes.loc[i, "DECOM"] = pd.Timestamp("2017-01-05")

    _raises(
        _mutated(gap),
        "la_episodes",
        "non-contiguous episodes of child 20",
        "does not start the day",
        "2016-01-01 to 2016-12-31",
    )

    def overlap(e):  # child 26's second period starts before the first ceased
        i = e.la_episodes.index[(e.la_episodes["CHILD"] == 26) & (e.la_episodes["PL"] == "K2")][0]
        e.la_episodes.loc[i, "DECOM"] = pd.Timestamp("2015-08-01")

    _raises(_mutated(overlap), "non-contiguous episodes of child 26", "starts before the previous episode ceased")


def test_dates_outside_the_collection_window():
    window = ("2008-04-01", "2019-03-31")
    npd.validate_extract(extract(), window=window)

    def future(e):
        e.assessments.loc[0, "AssessmentAuthorisationDate"] = pd.Timestamp("2031-01-10")

    ex = _mutated(future)
    with pytest.raises(
        NPDValidationError,
        match=r"assessments.*AssessmentAuthorisationDate.*after the end of the "
        r"collection window \(2019-03-31\).*AssessmentID=1.*2031-01-10",
    ):
        npd.validate_extract(ex, window=window)

    def early(e):  # a referral may precede the window (open at its start), an assessment may not
        e.cin_referrals.loc[e.cin_referrals["CINdetailsID"] == 201, "CINreferralDate"] = pd.Timestamp("2007-01-01")
        e.assessments.loc[0, "AssessmentActualStartDate"] = pd.Timestamp("2007-01-10")

    with pytest.raises(NPDValidationError, match="before the start of the collection window"):
        npd.validate_extract(_mutated(early), window=window, allow_birth_after_referral=True)


def test_empty_tables_are_named(tmp_path):
    extract().write_csv(tmp_path)
    (tmp_path / npd.FILE_NAMES["section47"]).write_text("")
    with pytest.raises(NPDValidationError, match=r"section47.*is empty"):
        npd.read_extract(tmp_path)
    extract().write_csv(tmp_path)
    p = tmp_path / npd.FILE_NAMES["cin_referrals"]
    p.write_text(p.read_text().splitlines()[0] + "\n")
    with pytest.raises(NPDValidationError, match=r"cin_referrals.*holds no records"):
        npd.read_extract(tmp_path)
