"""Validation rejects each kind of bad record with a message naming table, column and example."""

import pandas as pd
import pytest

from sofs_lib.sources import npd
from sofs_lib.sources.npd import NPDValidationError

from test_npd_fixtures import extract


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
    _raises(_mutated(f), "cin_referrals", "CINclosureDate", "closure date before referral date", "CINdetailsID=105")


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
