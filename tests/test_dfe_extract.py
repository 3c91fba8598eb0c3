"""The committed LA-level extract: contract, checksum, equality with a rebuild from the raw files."""

from __future__ import annotations

import gzip
import hashlib

import pandas as pd
import pytest

from sofs_lib.chapters.la_outcomes import analysis as lo
from sofs_lib.chapters.la_outcomes import inputs
from sofs_lib.sources.dfe import extract as X
from sofs_lib.sources.dfe.errors import DfeDataError
from sofs_lib.sources.dfe.indicators import load_indicator_catalogue

CONTRACT = [
    "la_code",
    "la_name",
    "year",
    "indicator_id",
    "value",
    "suppression",
    "publication",
    "release",
    "file",
]


@pytest.fixture(scope="module")
def extract():
    return X.load_panel()


def test_contract_columns_and_kind(extract):
    assert list(extract.columns) == CONTRACT
    assert extract.attrs["kind"] == "real"
    assert "committed extract" in extract.attrs["source"]
    assert not extract.duplicated(["indicator_id", "la_code", "year"]).any()
    assert extract["la_code"].str.fullmatch(r"\d{3}").all()


def test_every_catalogue_indicator_present(extract):
    cat = load_indicator_catalogue(scope=None)
    assert set(cat["indicator_id"]) == set(extract["indicator_id"])
    a9 = load_indicator_catalogue()
    assert len(a9) == 29 and a9["scope"].eq("A9").all()
    # the 29 keep the order of Tables A9.3/A9.4
    assert a9["indicator_id"].iloc[0] == "cin_rate" and a9["indicator_id"].iloc[-1] == "sgo"
    extra = set(load_indicator_catalogue(scope="extra")["indicator_id"])
    for must in (
        "sw_fte",
        "sw_headcount",
        "sw_turnover_fte",
        "sw_vacancy_rate_fte",
        "sw_per_10k",
        "pop_0_17",
        "ofsted_overall_grade",
        "fin_social_work_unit_cost",
    ):
        assert must in extra


def test_scope_and_indicator_filters(extract):
    a9 = X.load_panel(scope="A9")
    assert a9["indicator_id"].nunique() == 29
    one = X.load_panel(indicators=["sw_fte"], scope="extra")
    assert set(one["indicator_id"]) == {"sw_fte"}
    with pytest.raises(KeyError, match="unknown indicators"):
        X.load_panel(indicators=["cin_rate"], scope="extra")


def test_size_and_checksum_recorded():
    path = X.default_extract_path()
    assert path.stat().st_size < 3_000_000
    raw = gzip.decompress(path.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == X.recorded_checksum()
    sums = (path.parent / X.SUMS_NAME).read_text()
    assert hashlib.sha256(path.read_bytes()).hexdigest() in sums


def test_damaged_extract_is_refused(tmp_path):
    src = X.default_extract_path()
    (tmp_path / X.SUMS_NAME).write_bytes((src.parent / X.SUMS_NAME).read_bytes())
    raw = gzip.decompress(src.read_bytes()).replace(b",2019,cin_rate,", b",2019,cin_rate,1", 1)
    (tmp_path / X.EXTRACT_NAME).write_bytes(gzip.compress(raw))
    with pytest.raises(DfeDataError, match="checksum differs"):
        X.read_extract(tmp_path / X.EXTRACT_NAME)


def test_spot_values_worked_by_hand(extract):
    """Values read off the raw files by eye (2022 release), not from the code's output."""
    v = extract.set_index(["indicator_id", "la_code", "year"])["value"]
    # Cumberland, 30 September 2023: 162.9 FTE in post (csww_indicators_2017_to_2025.csv)
    assert v[("sw_fte", "942", 2023)] == pytest.approx(162.9)
    # Kingston upon Thames / Richmond upon Thames joint return: the rate goes to both councils,
    # the count to neither
    s = extract.set_index(["indicator_id", "la_code", "year"])
    assert pd.isna(s.at[("sw_fte", "318", 2019), "value"])
    assert s.at[("sw_fte", "318", 2019), "suppression"] == "joint"
    assert v[("sw_turnover_fte", "314", 2019)] == v[("sw_turnover_fte", "318", 2019)]
    # LAIT Social work unit cost, Bexley 2018-19 outturn: 160
    assert v[("fin_social_work_unit_cost", "303", 2019)] == 160


def test_chapter_default_is_real_and_matches(tmp_path):
    panel, kind, _, _ = inputs.chapter_panel(None, tmp_path, (2015, 2019))
    assert kind == "real"
    res = lo.analyse(None, None, None, (2015, 2019), panel=panel)
    score = lo.match_score(lo.compare_with_published(res)).set_index("table")["matched"]
    assert score["A9.3"] >= 27


def test_synthetic_is_explicit(tmp_path):
    import sofs_lib.synthetic.la_panel  # noqa: F401 - registers load_panel("synthetic")

    syn = X.load_panel("synthetic")
    assert syn.attrs["kind"] == "synthetic" and list(syn.columns) == CONTRACT
    assert set(syn["publication"]) == {"synthetic"}
    _panel, kind, pil, _ = inputs.chapter_panel("synthetic", tmp_path, (2015, 2019))
    assert kind == "synthetic" and pil


def test_rebuild_equals_committed(dfe_dir, tmp_path):
    """Rebuild from the raw 2022-release folder: byte-identical decompressed CSV."""
    out = tmp_path / X.EXTRACT_NAME
    res = X.write_extract(dfe_dir, out)
    assert res["csv_sha256"] == X.recorded_checksum()
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(X.default_extract_path().read_bytes())
    assert (tmp_path / X.LOG_NAME).read_bytes() == (X.extract_dir() / X.LOG_NAME).read_bytes()


def test_group_choices_run_without_a_raw_folder():
    """The dropped pilot and the comparators from the committed reference tables alone."""
    from sofs_lib.chapters.la_outcomes import groups as G
    from sofs_lib.sources.dfe.groups import default_comparators

    t = G.identify_dropped_pilot(None)
    assert t.iloc[0]["candidate_dropped"] == "Lincolnshire" and t["consistent_with_report"].sum() == 1
    c = G.select_comparators(None)
    assert c.attrs["profile_matched"] and list(c["comparator_code"]) == default_comparators("sn2021")


def test_reference_tables_rebuilt_from_raw(dfe_dir):
    for name in X.REFERENCE_TABLES:
        built = X.load_reference(name, source=dfe_dir)
        committed = X.load_reference(name)
        pd.testing.assert_frame_equal(built.reset_index(drop=True), committed.reset_index(drop=True), check_dtype=False)


def test_extra_indicators_cover_the_catalogue_years(extract):
    cat = load_indicator_catalogue(scope="extra").set_index("indicator_id")
    span = extract.groupby("indicator_id")["year"].agg(["min", "max"])
    for iid, row in cat.iterrows():
        assert (span.at[iid, "min"], span.at[iid, "max"]) == (row.first_year, row.last_year), iid
        assert row.definition and row.unit and row.source_publication and row.year_convention, iid
    # computed values say so
    per = extract[extract["indicator_id"] == "sw_per_10k"]
    assert per["file"].str.contains("(computed)", regex=False).all()
