"""Later releases and damaged files, on small hand-made folders.

Each test writes a few LA rows in the Explore Education Statistics layout; expected values are
worked by hand from those rows.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sofs_lib.sources.dfe import extract as X
from sofs_lib.sources.dfe import load_ees
from sofs_lib.sources.dfe import tables as T
from sofs_lib.sources.dfe.errors import (
    DfeDataError,
    DfeDuplicateError,
    DfeEmptyFileError,
    DfeFormatError,
    DfeLayoutError,
)

CORE = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
        "region_code", "region_name", "old_la_code", "new_la_code", "la_name"]
B1 = ["category", "Anypoint_episodes", "Anypoint_episodes_rate", "Anypoint_child", "Anypoint_child_rate",
      "At31_episodes", "At31_episodes_rate"]
# (la_code, ONS code, name)
LAS = [("303", "E09000004", "Bexley"), ("304", "E09000005", "Brent")]


def la_row(year, code, ons, name, **values):
    return {"time_period": str(year), "time_identifier": "Reporting year", "geographic_level": "Local authority",
            "country_code": "E92000001", "country_name": "England", "region_code": "E12000007",
            "region_name": "London", "old_la_code": code, "new_la_code": ons, "la_name": name, **values}


def b1_rows(years=(2018, 2019), las=LAS, rate=None, drop=()):
    rows = []
    for y in years:
        for i, (code, ons, name) in enumerate(las):
            n = 100 * (i + 1) + (y - 2018)          # episodes: 100, 101, 200, 201
            r = rate if rate is not None else 10.0 * n
            v = {"category": "Children in Need", "Anypoint_episodes": str(n), "Anypoint_episodes_rate": str(r),
                 "Anypoint_child": str(n), "Anypoint_child_rate": str(r), "At31_episodes": str(n // 2),
                 "At31_episodes_rate": str(r / 2)}
            rows.append(la_row(y, code, ons, name, **{k: x for k, x in v.items() if k not in drop}))
    return rows


def write_csv(path, rows, columns=None, bom=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows)
    if columns is not None:
        df = df[columns]
    text = df.to_csv(index=False, lineterminator="\n")
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def population(folder, years=range(2016, 2020), pops=None):
    pops = pops or {"303": 10000.0, "304": 20000.0}
    rows = [la_row(y, c, o, n, age_group="Children aged 0 to 17 years", population_estimate=str(pops[c]))
            for y in years for c, o, n in LAS]
    return write_csv(folder / "population-and-neighbours" / "ons_mid-year_population_estimates_2012_to_2024.csv", rows)


def cin(folder, **kw):
    return load_ees_panel(folder, ["cin_rate"], **kw)


def load_ees_panel(folder, ids, **kw):
    return X.load_panel(folder, indicators=ids, scope="A9", **kw).set_index(["la_code", "year"])


# --------------------------------------------------------------------------------------------
# drift between releases
# --------------------------------------------------------------------------------------------
def test_renamed_file_found_by_table(tmp_path):
    write_csv(tmp_path / "ees" / "b1_children_in_need_2013_to_2024.csv", b1_rows())
    p = cin(tmp_path)
    assert p.at[("303", 2019), "value"] == 1010.0 and p.at[("303", 2019), "release"] == "2024"
    # a name that says nothing: the table is recognised by its columns
    (tmp_path / "ees" / "b1_children_in_need_2013_to_2024.csv").rename(tmp_path / "ees" / "download (3).csv")
    p = cin(tmp_path)
    assert p.at[("304", 2018), "value"] == 2000.0 and p.at[("304", 2018), "file"] == "download (3).csv"


def test_renamed_column_is_mapped(tmp_path):
    rows = [la_row(2019, c, o, n, category="Referrals and Re-referrals", Referrals="50", Referrals_rate="12.5",
                   Re_referrals="5", Re_referrals_percent="10", No_Further_Action="1", No_Further_Action_percent="2",
                   Not_in_Need="3", Not_in_Need_percent="6") for c, o, n in LAS]
    f = write_csv(tmp_path / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2024.csv", rows)
    d = load_ees(f)
    assert d.attrs["renamed_columns"] == {"category": "Category"}
    p = load_ees_panel(tmp_path, ["referral_rate", "rereferrals"])
    assert p.loc[("303", 2019)].set_index("indicator_id").at["rereferrals", "value"] == 10.0


def test_dropped_rate_column_is_computed_from_population(tmp_path):
    write_csv(tmp_path / "ees" / "b1_children_in_need_2013_to_2024.csv", b1_rows(drop=("Anypoint_episodes_rate",)))
    population(tmp_path)
    p = cin(tmp_path)
    # Bexley 2018/19: 101 episodes / 10,000 children (mid-2018) x 10,000 = 101.0
    assert p.at[("303", 2019), "value"] == pytest.approx(101.0)
    # Brent 2017/18: 200 / 20,000 x 10,000 = 100.0
    assert p.at[("304", 2018), "value"] == pytest.approx(100.0)
    assert p["file"].str.endswith("(computed)").all()
    assert "ons_mid-year_population" in p.at[("303", 2019), "file"]


def test_dropped_rate_without_population_names_the_file(tmp_path):
    write_csv(tmp_path / "ees" / "b1_children_in_need_2013_to_2024.csv", b1_rows(drop=("Anypoint_episodes_rate",)))
    with pytest.raises(DfeDataError, match="ons_population|population"):
        cin(tmp_path)


def test_every_suppression_code_is_missing_and_counted(tmp_path):
    rows = b1_rows(years=(2019,), las=LAS + [("305", "E09000006", "Bromley"), ("306", "E09000008", "Croydon")])
    for r, code in zip(rows, ("u", "low", ":", "..")):
        r["Anypoint_episodes_rate"] = code
    f = write_csv(tmp_path / "ees" / "b1_children_in_need_2013_to_2024.csv", rows)
    d = load_ees(f)
    counts = {c: n for col, c, n in d.attrs["suppressed"] if col == "Anypoint_episodes_rate"}
    assert counts == {"u": 1, "low": 1, ":": 1, "..": 1}
    p = cin(tmp_path)
    assert p["value"].isna().all()
    assert sorted(p["suppression"]) == sorted(["u", "low", ":", ".."])


def test_unknown_text_in_a_value_column_names_it(tmp_path):
    rows = b1_rows(years=(2019,))
    rows[0]["Anypoint_episodes_rate"] = "see note 4"
    f = write_csv(tmp_path / "ees" / "b1.csv", rows)
    with pytest.raises(DfeLayoutError, match="Anypoint_episodes_rate.*see note 4"):
        load_ees(f)


def test_split_council_stays_separate(tmp_path):
    las = [("909", "E10000006", "Cumbria"), ("942", "E06000063", "Cumberland"),
           ("943", "E06000064", "Westmorland and Furness")]
    rows = [r for r in b1_rows(years=(2022, 2023, 2024), las=las)
            if (r["old_la_code"] == "909") == (int(r["time_period"]) <= 2023)]
    write_csv(tmp_path / "ees" / "b1_children_in_need_2013_to_2024.csv", rows)
    p = cin(tmp_path).reset_index()
    years = p.groupby("la_code")["year"].apply(list).to_dict()
    assert years == {"909": [2022, 2023], "942": [2024], "943": [2024]}
    assert set(p["la_name"]) == {"Cumbria", "Cumberland", "Westmorland and Furness"}


def test_reissued_code_is_one_series(tmp_path):
    # North Yorkshire: E10000023 to 2022, E06000065 from 2023 (2024 CIN release); one row even
    # lacks the DfE number; Buckinghamshire carries two ONS codes in one file
    rows = []
    for y, ons in ((2022, "E10000023"), (2023, "E06000065"), (2024, "E06000065")):
        rows += b1_rows(years=(y,), las=[("815", ons, "North Yorkshire")])
    rows[-1]["old_la_code"] = ""
    for y, ons in ((2020, "E10000002"), (2021, "E06000060")):
        rows += b1_rows(years=(y,), las=[("825", ons, "Buckinghamshire")])
    write_csv(tmp_path / "ees" / "b1_children_in_need_2013_to_2024.csv", rows)
    p = cin(tmp_path).reset_index()
    assert p.groupby("la_code")["year"].apply(list).to_dict() == {"815": [2022, 2023, 2024], "825": [2020, 2021]}


def test_codes_of_two_councils_in_one_row_stop(tmp_path):
    rows = b1_rows(years=(2019,))
    rows[0]["new_la_code"] = "E09000005"  # Bexley's number with Brent's ONS code
    f = write_csv(tmp_path / "ees" / "b1.csv", rows)
    with pytest.raises(DfeLayoutError, match="different councils.*'303'.*E09000005"):
        load_ees(f)


def test_unknown_council_stops(tmp_path):
    rows = b1_rows(years=(2019,), las=LAS + [("999", "E06009999", "New Shire")])
    f = write_csv(tmp_path / "ees" / "b1.csv", rows)
    with pytest.raises(DfeLayoutError, match="match no council.*New Shire"):
        load_ees(f)


def test_unknown_layout_stops_and_writes_nothing(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "ees" / "b1_children_in_need_2013_to_2024.csv", b1_rows())
    rows = [la_row(2019, c, o, n, widget_count="3", widget_rate="1.5") for c, o, n in LAS]
    write_csv(raw / "ees" / "b9_new_table_2013_to_2024.csv", rows)
    out = tmp_path / "out" / "la_panel.csv.gz"
    with pytest.raises(DfeLayoutError) as e:
        X.write_extract(raw, out)
    msg = str(e.value)
    assert "b9_new_table_2013_to_2024.csv" in msg and "widget_count" in msg and "widget_rate" in msg
    assert "missing columns" in msg
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_two_releases_of_one_table_newer_wins_and_is_reported(tmp_path):
    write_csv(tmp_path / "ees" / "b1_children_in_need_2013_to_2022.csv", b1_rows(rate=1.0))
    write_csv(tmp_path / "new" / "b1_children_in_need_2013_to_2024.csv", b1_rows(rate=2.0))
    p = cin(tmp_path)
    assert (p["value"] == 2.0).all() and set(p["release"]) == {"2024"}
    inv = T.used_files(tmp_path)
    old = inv[inv["path"].str.endswith("2013_to_2022.csv")].iloc[0]
    assert not old["used"] and "superseded by new/b1_children_in_need_2013_to_2024.csv" in old["reason"]
    # the user may choose the older one explicitly
    p = cin(tmp_path, prefer={"b1": "b1_children_in_need_2013_to_2022.csv"})
    assert (p["value"] == 1.0).all()


def test_two_different_files_of_one_release_stop(tmp_path):
    write_csv(tmp_path / "a" / "b1_children_in_need_2013_to_2024.csv", b1_rows(rate=1.0))
    write_csv(tmp_path / "b" / "b1_children_in_need_2013_to_2024.csv", b1_rows(rate=2.0))
    with pytest.raises(DfeDataError, match="two different files of the same release"):
        cin(tmp_path)


# --------------------------------------------------------------------------------------------
# damaged files
# --------------------------------------------------------------------------------------------
def test_truncated_mid_line_stops(tmp_path):
    f = write_csv(tmp_path / "ees" / "b1_children_in_need_2013_to_2022.csv", b1_rows())
    text = f.read_text(encoding="utf-8")
    f.write_text(text[: len(text) - 25], encoding="utf-8")  # cut inside the last row
    with pytest.raises(DfeFormatError, match="b1_children_in_need_2013_to_2022.csv.*(truncated|fields)"):
        load_ees(f)


def test_truncated_last_field_without_line_break_stops(tmp_path):
    f = write_csv(tmp_path / "b1.csv", b1_rows())
    text = f.read_text(encoding="utf-8")
    f.write_text(text.rstrip("\n")[:-1], encoding="utf-8")  # same fields, last value cut
    with pytest.raises(DfeFormatError, match="does not end with a line break.*last row"):
        load_ees(f)


def test_ragged_row_stops_with_example(tmp_path):
    f = write_csv(tmp_path / "b1.csv", b1_rows())
    lines = f.read_text(encoding="utf-8").splitlines()
    lines[2] += ",999"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DfeFormatError, match=r"line 3 has 18 fields, the header has 17.*example row"):
        load_ees(f)


def test_conflicting_duplicate_key_stops(tmp_path):
    rows = b1_rows()
    dup = dict(rows[0], Anypoint_episodes_rate="9999")
    f = write_csv(tmp_path / "b1.csv", rows + [dup])
    with pytest.raises(DfeDuplicateError, match="conflicting values.*'303'.*Anypoint_episodes_rate"):
        load_ees(f)


def test_identical_duplicate_is_dropped_and_counted(tmp_path):
    rows = b1_rows()
    f = write_csv(tmp_path / "b1.csv", rows + [dict(rows[0])])
    d = load_ees(f)
    assert d.attrs["dropped_duplicates"] == 1 and d["la_code"].notna().sum() == 4


def test_empty_and_header_only_files_are_named(tmp_path):
    empty = tmp_path / "ees" / "b1_children_in_need_2013_to_2022.csv"
    empty.parent.mkdir(parents=True)
    empty.write_bytes(b"")
    with pytest.raises(DfeEmptyFileError, match="b1_children_in_need_2013_to_2022.csv.*empty"):
        cin(tmp_path)
    empty.write_text(",".join(CORE + B1) + "\n", encoding="utf-8")
    with pytest.raises(DfeEmptyFileError, match="header only"):
        cin(tmp_path)


def test_mixed_folder_replaces_tables(tmp_path):
    base, newer = tmp_path / "base", tmp_path / "newer"
    write_csv(base / "ees" / "b1_children_in_need_2013_to_2022.csv", b1_rows(rate=1.0))
    population(base)
    write_csv(newer / "ees" / "b1_children_in_need_2013_to_2024.csv", b1_rows(rate=2.0))
    rep = T.mixed_folder(base, newer, tmp_path / "mixed")
    assert rep.to_dict("records") == [{"table_id": "b1", "old_file": "ees/b1_children_in_need_2013_to_2022.csv",
                                       "new_file": "ees/b1_children_in_need_2013_to_2024.csv"}]
    files = sorted(p.relative_to(tmp_path / "mixed").as_posix() for p in (tmp_path / "mixed").rglob("*.csv"))
    assert files == ["ees/b1_children_in_need_2013_to_2024.csv",
                     "population-and-neighbours/ons_mid-year_population_estimates_2012_to_2024.csv"]
