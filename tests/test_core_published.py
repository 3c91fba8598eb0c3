import math

import pytest

from sofs_lib import published
from sofs_lib.published import PublishedDataError, parse_value


@pytest.mark.parametrize(
    "text, number, decimals, marker",
    [
        ("82", 82.0, 0, ""),
        ("0.35***", 0.35, 2, "***"),
        (".115", 0.115, 3, ""),
        ("-12.6", -12.6, 1, ""),
        ("<0.001", 0.001, 3, "<"),
        ("1,234", 1234.0, 0, ""),
        ("7.0", 7.0, 1, ""),
    ],
)
def test_parse_value_numbers(text, number, decimals, marker):
    n, d, m = parse_value(text)
    assert n == pytest.approx(number) and d == decimals and m == marker


@pytest.mark.parametrize("text", ["N/A", "-", "x", "Incomplete", "✓"])
def test_parse_value_markers(text):
    n, d, m = parse_value(text)
    assert math.isnan(n) and d is None and m == text


def test_tables_load_in_printed_order():
    t2 = published.wide("2")
    assert list(t2.columns) == ["Pilot 1", "Pilot 7", "Pilot 8", "Pilot 9"]
    assert t2.index[0] == "Danger statements"
    # read afresh from the report, Table 2: Pilot 8 respondents 118; Family network meetings, Pilot 9: 60%
    assert t2.loc["Number", "Pilot 8"] == 118
    assert t2.loc["Family network meetings", "Pilot 9"] == 60
    v = published.cell("A8.1", "Partner agency involvement", "P1 T2 N")
    assert v.number == pytest.approx(2.8) and v.decimals == 1


def test_quote_and_cite():
    q = published.quote("fg_court_t3")
    assert q.number == pytest.approx(4.4) and q.decimals == 1
    assert published.cite("2") == "Table 2 (report, Section 3 (Meaningful measures))"


def _write(root, name, text):
    (root / "data" / "published" / name).write_text(text)


def test_unknown_table_names_known_ones(fake_root):
    with pytest.raises(PublishedDataError, match="No published table 'Z9'"):
        published.table("Z9", root=fake_root)


def test_missing_column_named(fake_root):
    _write(fake_root, "table_2.csv", "table_id,row,column,value,unit\n2,a,b,1,%\n")
    published.clear_cache()
    with pytest.raises(PublishedDataError, match=r"table_2.csv.*missing column\(s\) \['note'\]"):
        published.table("2", root=fake_root)


def test_duplicate_cell_named(fake_root):
    _write(fake_root, "table_2.csv", "table_id,row,column,value,unit,note\n2,a,b,1,%,\n2,a,b,2,%,\n")
    published.clear_cache()
    with pytest.raises(PublishedDataError, match=r"cell \('a', 'b'\) appears twice"):
        published.table("2", root=fake_root)


def test_wrong_table_id_named(fake_root):
    _write(fake_root, "table_2.csv", "table_id,row,column,value,unit,note\n3,a,b,1,%,\n")
    published.clear_cache()
    with pytest.raises(PublishedDataError, match="table_id '3' is not '2'"):
        published.table("2", root=fake_root)


def test_missing_file_named(fake_root):
    (fake_root / "data" / "published" / "table_2.csv").unlink()
    published.clear_cache()
    with pytest.raises(PublishedDataError, match="table_2.csv is missing"):
        published.table("2", root=fake_root)
