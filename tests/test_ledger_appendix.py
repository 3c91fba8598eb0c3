"""The reproduction-ledger appendix helpers: counts, the offline filter table, the figure."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sofs_lib.chapters.reproduction_ledger import page
from sofs_lib.core import ledger


@pytest.fixture
def chapters(tmp_path):
    """Two fake chapters' reproduction.csv files."""
    a = ledger.Ledger("01_a")
    a.record("2", "x", "Pilot 1", published=82, reproduced=82.2, kind="derived", decimals=0)  # exact
    a.record("2", "y", "Pilot 1", published=82, reproduced=83.4, kind="derived", decimals=0)  # differs
    b = ledger.Ledger("02_b")
    b.record(
        "A9.4", "<rate> & co", "F", published=7.5, reproduced=7.44, kind="real", decimals=1, tolerance=0.1
    )  # within rounding
    b.record("A9.4", "z", "F", published=7.5, reproduced=float("nan"), kind="synthetic")  # not reproducible
    for led in (a, b):
        d = tmp_path / led.chapter
        d.mkdir()
        led.write(d)
    return tmp_path


def test_counts(chapters):
    df = ledger.gather(chapters)
    by_ch = page.ledger_counts(df, "chapter")
    assert by_ch.loc["01_a", "exact"] == 1 and by_ch.loc["01_a", "differs"] == 1
    assert by_ch.loc["02_b", "within rounding"] == 1 and by_ch.loc["02_b", "not reproducible"] == 1
    assert (by_ch["total"] == 2).all()
    assert list(by_ch.columns) == list(ledger.STATUSES) + ["total"]


def test_filter_html_is_offline_and_escaped(chapters):
    df = ledger.gather(chapters)
    html = page.ledger_filter_html(df)
    assert html.count("<tr data-status=") == len(df) == 4
    assert "&lt;rate&gt; &amp; co" in html  # row labels escaped
    assert "http" not in html and "src=" not in html  # nothing fetched from elsewhere
    assert "<script>" in html and 'type="search"' in html
    for s in ledger.STATUSES:
        assert f'<option value="{s}">' in html


def test_empty_ledger(tmp_path):
    df = ledger.gather(tmp_path)
    assert df.empty
    assert page.ledger_counts(df, "chapter").empty
    assert "<tbody></tbody>" in page.ledger_filter_html(df)
    fig = page.plot_ledger_status(df)
    assert fig._suptitle.get_text()


def test_plot(chapters):
    fig = page.plot_ledger_status(ledger.gather(chapters), "chapter")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["01_a", "02_b"]
    widths = sorted(round(p.get_width()) for p in ax.patches if p.get_width() > 0)
    assert widths == [1, 1, 1, 1]
    assert not math.isnan(sum(p.get_width() for p in ax.patches))


def test_filter_html_long_ids_break_at_their_parts():
    """Long row and column ids wrap after "_" and "." (``<wbr>``), not in the middle of a
    word; the text the filter searches is unchanged."""
    import re

    df = pd.DataFrame(
        [
            {
                "chapter": "05_did",
                "table_id": "A10.6",
                "row": "did_eq3c_logit_separation",
                "column": "pilot.main_model",
                "published": 1.0,
                "reproduced": 1.0,
                "kind": "synthetic",
                "status": "exact",
                "note": "plain words stay whole",
            }
        ]
    )
    html = page.ledger_filter_html(df)
    assert "did_<wbr>eq3c_<wbr>logit_<wbr>separation" in html
    assert "pilot.<wbr>main_<wbr>model" in html
    assert "plain words stay whole" in html and "<td>05_did</td>" in html
    row = re.search(r"<tr data-status=.*?</tr>", html).group(0)
    assert "did_eq3c_logit_separation" in re.sub(r"<[^>]+>", "", row)
