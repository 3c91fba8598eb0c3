"""Loaders for the real DfE/Ofsted/ONS files, and their behaviour on damaged copies.

The real files are found through $SOFS_DFE_DATA_DIR (default ../shared/dfe-data relative to the
repository root). If absent, these tests are skipped -- unless $CI is set, then they fail.
Damaged copies are made on the fly in tmp_path from the real files; nothing is committed.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sofs_lib.sources import dfe
from sofs_lib.sources.dfe import (
    DfeChecksumWarning,
    DfeEmptyFileError,
    DfeFormatError,
    DfeLayoutError,
    DfeLayoutWarning,
    DfeManifestError,
)
from sofs_lib.sources.dfe.manifest import check_dfe_data, load_manifest, sha256_file

REPO = Path(__file__).resolve().parents[1]


B1 = "ees/b1_children_in_need_2013_to_2022.csv"
C2 = "ees/c2_children_in_need_assessments_duration_2014_to_2022.csv"
CEASED = "ees/la_children_who_ceased_during_the_year_sgo_adoption.csv"
LAIT = "lait/lait_bds_long_2024-11-21.parquet"
OFSTED = "ofsted/Childrens_social_care_in_England_2023_underlying_data.ods"
OUTCOMES = "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
SN_CSV = "population-and-neighbours/New_Statistical_Neighbour_Groupings_April_2021.csv"
SN_XLSX = "population-and-neighbours/sn_april_2021.xlsx"
POP = "population-and-neighbours/ons_mid-year_population_estimates_2012_to_2024.csv"


@pytest.fixture(scope="session")
def b1(dfe_dir):
    return dfe.load_ees(dfe_dir / B1)


@pytest.fixture(scope="session")
def lait(dfe_dir):
    return dfe.load_lait(dfe_dir / LAIT)


@pytest.fixture(scope="session")
def ofsted(dfe_dir):
    return dfe.load_ofsted_inspections(dfe_dir / OFSTED)


def _subset_csv(src: Path, dst: Path, n_lines: int = 400, transform=None) -> Path:
    """Copy the header and the first n data lines of a real CSV (optionally transformed)."""
    raw = src.read_bytes().decode("utf-8-sig" if src.read_bytes()[:3] == b"\xef\xbb\xbf" else "latin-1")
    lines = raw.splitlines()[: n_lines + 1]
    if transform is not None:
        lines = transform(lines)
    dst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dst


# ------------------------------------------------------------------------------------------ real
def test_ees_real_b1(b1):
    assert b1.attrs["layout"] == "b1_children_in_need"
    assert set(b1["year"]) == set(range(2013, 2023))
    la = b1[b1["geographic_level"] == "Local authority"]
    assert la["la_code"].notna().all() and not b1.attrs["unmatched_la"]
    assert b1["Anypoint_episodes_rate"].dtype == float
    # suppression codes counted and mapped to missing
    sup = dfe.suppression_summary(b1)
    assert {"x", "c"} <= set(sup["code"]) and b1.attrs["n_suppressed"] == sup["count"].sum() > 0
    bristol = la[la["la_code"] == "801"]
    assert set(bristol["la_name"]) == {"Bristol, City of"} and len(bristol) == 10


def test_ees_reorganisations(b1):
    la = b1[b1["geographic_level"] == "Local authority"]
    dorset = la[la["source_la_name"] == "Dorset"].set_index("year")["la_code"]
    assert dorset.loc[2019] == "835" and dorset.loc[2020] == "838"
    assert set(la.loc[la["year"] <= 2019, "la_code"]) >= {"836", "837"}  # Poole, Bournemouth
    assert "839" in set(la.loc[la["year"] == 2020, "la_code"])  # BCP
    assert "928" in set(la.loc[la["year"] == 2021, "la_code"])  # Northamptonshire
    assert {"940", "941"} <= set(la.loc[la["year"] == 2022, "la_code"])


@pytest.mark.parametrize(
    "rel",
    [
        "ees/a1_cin_assessments_episodes_referrals_2013_to_2022.csv",
        C2,
        "ees/d5_cpps_at31march_by_duration_2013_to_2022.csv",
        "ees/cla_number_and_rate_per_10k_children.csv",
    ],
)
def test_ees_real_other(dfe_dir, rel):
    d = dfe.load_ees(dfe_dir / rel)
    assert len(d) > 100 and d["year"].between(2013, 2022).all()


def test_workforce_and_population_real(dfe_dir):
    w = dfe.load_workforce(dfe_dir / "workforce/csww_indicators_2017_to_2025.csv")
    assert w.attrs["year_basis"] == "30 September"
    assert set(w["year"]) == set(range(2017, 2026))
    # merged-area rows ("940 / 941") have no single LA code and stay unmatched
    assert w.loc[w["old_la_code"].str.contains("/", na=False), "la_code"].isna().all()
    h = dfe.load_workforce(dfe_dir / "workforce/csww_headline_measures_2017_to_2022.csv")
    assert "turnover_rate_headcount_%" in h.attrs["value_columns"]
    p = dfe.load_population(dfe_dir / POP)
    assert p["population_estimate"].dropna().gt(0).all() and p.attrs["year_basis"].startswith("mid-year")


def test_cla_legacy_real(dfe_dir):
    files = dfe.cla_legacy_files(dfe_dir)
    assert len(files) == 18 and set(files["table"]) == {"CLA", "ADM", "CEA"}
    for p in files["path"]:
        d = dfe.load_cla_legacy(p)
        assert d["la_code"].notna().all(), p
        assert d.attrs["n_suppressed"] > 0
    c19 = dfe.load_cla_legacy(dfe_dir / "cla-legacy/cla_2019/CLA2019.csv")
    assert c19.set_index("la_code").at["801", "CLA_Rate2019"] == 66


def test_lait_real(lait):
    assert {"value", "year", "la_code"} <= set(lait.columns)
    care = lait[(lait["Short Desc"] == "CareApplications") & lait["la_code"].notna()]
    assert care["year"].min() == 2015 and care["value"].notna().mean() > 0.9
    sup = dfe.suppression_summary(lait)
    assert sup.set_index("code").at["-", "count"] > 1000
    assert lait.loc[lait["LA and Regions"] == "Bedford Borough", "la_code"].eq("822").all()
    ot = lait[lait["Short Desc"] == "SWFinance"]["year"].dropna()
    assert ot.min() == 2016  # '2015-16 (OT)' -> 2016


def test_statistical_neighbours_real(dfe_dir):
    s = dfe.load_statistical_neighbours(dfe_dir / SN_CSV)
    x = dfe.load_statistical_neighbours(dfe_dir / SN_XLSX)
    assert s["rank"].between(1, 10).all()
    assert set(s["section"]) == {"current", "pre-reorganisation"}
    m = s.merge(x, on=["la_code", "rank", "section"])
    assert len(m) == len(s) and (m["neighbour_code_x"] == m["neighbour_code_y"]).all()
    bexley = s[(s["la_code"] == "303")].sort_values("rank")
    assert bexley["neighbour_name"].iloc[0] == "Havering" and bexley["closeness"].iloc[0] == "Very Close"


def test_ofsted_real(ofsted, dfe_dir):
    assert not ofsted.attrs["unmatched_la"]
    assert set(ofsted["table"]) == {"current", "pre-restructure"}
    assert ofsted.loc[ofsted["source_la_name"] == "Bristol", "la_code"].eq("801").all()
    r = dfe.ofsted_rating_at(ofsted, "2020-01-31").set_index("la_code")
    assert r.at["938", "judgement"] == "Inadequate"  # West Sussex, published May 2019
    assert r.at["303", "judgement"] == "Outstanding"  # Bexley
    o = dfe.load_ofsted_outcomes(dfe_dir / OUTCOMES)
    assert o["la_code"].notna().all() and len(o) > 140


# --------------------------------------------------------------------------------------- damaged
def test_bom_and_shuffle(dfe_dir, tmp_path):
    src = dfe_dir / B1
    plain = _subset_csv(src, tmp_path / "b1_children_in_need_plain.csv")
    # with a byte-order mark
    bom = tmp_path / "b1_children_in_need_bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    a, b = dfe.load_ees(plain), dfe.load_ees(bom)
    pd.testing.assert_frame_equal(a, b)
    # shuffled rows and columns
    raw = pd.read_csv(plain, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(1)
    shuf = raw.sample(frac=1, random_state=2)[list(rng.permutation(raw.columns))]
    sp = tmp_path / "b1_children_in_need_shuffled.csv"
    shuf.to_csv(sp, index=False)
    c = dfe.load_ees(sp)
    key = ["year", "geographic_level", "region_code", "la_code"]
    cols = ["Anypoint_episodes_rate", "At31_episodes", "la_name"]
    left = a.sort_values(key)[key + cols].reset_index(drop=True)
    right = c.sort_values(key)[key + cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_missing_and_extra_columns(dfe_dir, tmp_path):
    raw = pd.read_csv(_subset_csv(dfe_dir / B1, tmp_path / "tmp.csv"), dtype=str, keep_default_na=False)
    p = tmp_path / "b1_children_in_need_missing.csv"
    raw.drop(columns=["Anypoint_episodes", "la_name"]).to_csv(p, index=False)
    with pytest.raises(DfeLayoutError) as e:
        dfe.load_ees(p)
    assert "Anypoint_episodes" in str(e.value) and "la_name" in str(e.value)
    assert p.name in str(e.value) and e.value.missing == ["Anypoint_episodes", "la_name"]
    # a dropped RATE whose count is there is accepted (the panel builder computes it)
    raw.drop(columns=["Anypoint_episodes_rate"]).to_csv(p, index=False)
    assert dfe.load_ees(p).attrs["missing_rates"] == {"Anypoint_episodes_rate": "Anypoint_episodes"}
    q = tmp_path / "b1_children_in_need_extra.csv"
    raw.assign(mystery_col="1").to_csv(q, index=False)
    with pytest.warns(DfeLayoutWarning, match="mystery_col"):
        d = dfe.load_ees(q)
    assert d.attrs["extra_columns"] == ["mystery_col"]
    with pytest.raises(DfeLayoutError, match="unexpected columns.*mystery_col"):
        dfe.load_ees(q, strict=True)
    # a value column holding text that is not a suppression code
    r = tmp_path / "b1_children_in_need_text.csv"
    raw.assign(Anypoint_episodes_rate="lots").to_csv(r, index=False)
    with pytest.raises(DfeLayoutError, match="Anypoint_episodes_rate"):
        dfe.load_ees(r)


def test_suppression_codes(dfe_dir, tmp_path):
    raw = pd.read_csv(_subset_csv(dfe_dir / B1, tmp_path / "tmp.csv"), dtype=str, keep_default_na=False)
    codes = ["x", "c", "z", "u", "..", ":", "~", "k"]
    raw = raw.copy()
    raw["Anypoint_child"] = [codes[i % len(codes)] for i in range(len(raw))]
    p = tmp_path / "b1_children_in_need_codes.csv"
    raw.to_csv(p, index=False)
    d = dfe.load_ees(p)
    assert d["Anypoint_child"].isna().all()
    s = dfe.suppression_summary(d)
    s = s[s["column"] == "Anypoint_child"].set_index("code")["count"]
    assert s.sum() == len(raw) and set(s.index) == set(codes)


def test_renamed_las(dfe_dir, tmp_path):
    raw = pd.read_csv(_subset_csv(dfe_dir / B1, tmp_path / "tmp.csv", n_lines=1638), dtype=str, keep_default_na=False)
    raw = raw[raw["geographic_level"] == "Local authority"].copy()
    ren = {
        "Bristol, City of": "Bristol",
        "Kingston upon Hull, City of": "Kingston Upon Hull",
        "Herefordshire, County of": "Herefordshire",
        "St. Helens": "St Helens",
        "County Durham": "Durham",
        "Bournemouth, Christchurch and Poole": "Bournemouth, Christchurch & Poole",
        "Bedford": "Bedford Borough",
    }
    raw["la_name"] = raw["la_name"].replace(ren)
    raw[["old_la_code", "new_la_code"]] = ""  # force matching by name
    p = tmp_path / "b1_children_in_need_renamed.csv"
    raw.to_csv(p, index=False)
    d = dfe.load_ees(p)
    assert not d.attrs["unmatched_la"] and d["la_code"].notna().all()
    assert d.loc[d["source_la_name"] == "Bristol", "la_code"].eq("801").all()
    assert d.loc[d["source_la_name"] == "Durham", "la_name"].eq("County Durham").all()
    dorset = d[d["source_la_name"] == "Dorset"].set_index("year")["la_code"]
    assert dorset.loc[2019] == "835" and dorset.loc[2020] == "838"


def test_empty_and_wrong_format(dfe_dir, tmp_path):
    e = tmp_path / "b1_children_in_need_empty.csv"
    e.write_bytes(b"")
    with pytest.raises(DfeEmptyFileError, match=e.name):
        dfe.load_ees(e)
    h = tmp_path / "b1_children_in_need_header.csv"
    h.write_text((dfe_dir / B1).read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    with pytest.raises(DfeEmptyFileError, match="no data rows"):
        dfe.load_ees(h)
    for sheet in (SN_XLSX, OUTCOMES):
        fake = tmp_path / ("b1_children_in_need" + Path(sheet).suffix + ".csv")
        shutil.copy(dfe_dir / sheet, fake)
        with pytest.raises(DfeFormatError, match="spreadsheet") as err:
            dfe.load_ees(fake)
        assert fake.name in str(err.value)
    with pytest.raises(DfeFormatError, match="text/CSV"):
        dfe.load_ofsted_inspections(dfe_dir / SN_CSV)
    with pytest.raises(DfeFormatError):
        dfe.load_lait(dfe_dir / SN_XLSX)
    with pytest.raises(dfe.DfeDataError, match="no sheet named"):
        dfe.load_ofsted_inspections(dfe_dir / OUTCOMES)


def test_cla_legacy_damaged(dfe_dir, tmp_path):
    src = dfe_dir / "cla-legacy/cla_2019/CLA2019.csv"
    raw = pd.read_csv(src, dtype=str, keep_default_na=False, encoding="latin-1")
    p = tmp_path / "CLA2019.csv"
    raw.drop(columns=[c for c in raw.columns if c.startswith("CLA_Mar")] + ["geog_c"]).to_csv(p, index=False)
    with pytest.raises(DfeLayoutError) as e:
        dfe.load_cla_legacy(p)
    assert "geog_c" in e.value.missing and "CLA2019.csv" in str(e.value)
    q = tmp_path / "CLA2019_shuffled.csv"
    raw.sample(frac=1, random_state=3)[raw.columns[::-1]].to_csv(q, index=False)
    d = dfe.load_cla_legacy(q)
    assert d.set_index("la_code").at["801", "CLA_Rate2019"] == 66
    bad = tmp_path / "notes.csv"
    raw.to_csv(bad, index=False)
    with pytest.raises(DfeLayoutError, match="CLA/ADM/CEA"):
        dfe.load_cla_legacy(bad)


def test_lait_damaged(lait, dfe_dir, tmp_path):
    sub = pd.read_parquet(dfe_dir / LAIT).head(3000)
    p = tmp_path / "lait_small.parquet"
    sub.drop(columns=["Values"]).to_parquet(p)
    with pytest.raises(DfeLayoutError, match="Values"):
        dfe.load_lait(p)
    q = tmp_path / "lait_shuffled.parquet"
    sub.sample(frac=1, random_state=4)[sub.columns[::-1]].to_parquet(q)
    d = dfe.load_lait(q)
    assert len(d) == 3000 and d["value"].notna().sum() > 0
    e = tmp_path / "lait_empty.parquet"
    e.write_bytes(b"")
    with pytest.raises(DfeEmptyFileError):
        dfe.load_lait(e)


def test_sn_damaged(dfe_dir, tmp_path):
    lines = (dfe_dir / SN_CSV).read_text(encoding="utf-8-sig").splitlines()
    hdr = lines[0].split(",")
    hdr[5] = "Neighbour1"
    p = tmp_path / "sn.csv"
    p.write_text("\n".join([",".join(hdr)] + lines[1:]) + "\n")
    with pytest.raises(DfeLayoutError, match="SN1"):
        dfe.load_statistical_neighbours(p)


# -------------------------------------------------------------------------------------- manifest
def test_manifest_real(dfe_dir):
    m = load_manifest()
    assert len(m) == 41 and m["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert not m["path"].str.startswith("/").any()
    # hash the small files only (fast); the full check is the same code
    small = m[m["size"] < 400_000]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DfeChecksumWarning)
        st = check_dfe_data(dfe_dir, manifest=small)
    assert (st["status"] == "ok").all()


def test_manifest_missing_and_changed(dfe_dir, tmp_path):
    m = load_manifest()
    rows = m[m["path"].isin([SN_CSV, POP, B1])].copy()
    for rel in (SN_CSV, POP):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(dfe_dir / rel, tmp_path / rel)
    with open(tmp_path / POP, "a") as fh:
        fh.write("\n")
    with pytest.warns(DfeChecksumWarning, match="ons_mid-year"):
        with pytest.raises(DfeManifestError) as e:
            check_dfe_data(tmp_path, manifest=rows)
    assert e.value.missing == [B1] and B1 in str(e.value)
    with pytest.warns(DfeChecksumWarning):
        st = check_dfe_data(tmp_path, manifest=rows, require=False)
    assert dict(zip(st["path"], st["status"])) == {SN_CSV: "ok", POP: "changed", B1: "missing"}
    assert sha256_file(tmp_path / SN_CSV) == rows.set_index("path").at[SN_CSV, "sha256"]
