import pandas as pd
import pytest

from sofs_lib.display import provenance, tables
from sofs_lib.methods import disclosure


def test_primary_and_secondary_suppression():
    counts = pd.DataFrame({"a": [50, 4, 30], "b": [40, 60, 25], "c": [35, 45, 70]}, index=["x", "y", "z"])
    prot, mask = disclosure.suppress_counts(counts)
    # 4 < 10 is suppressed; row y and column a then have one suppressed cell each, so the
    # smallest other cell in each is suppressed too: row y -> b=45? no: row y min other = 45 (c)
    # vs 60 (b) -> c; column a min other = 30 (z). Then row z has a lone suppressed cell (a) ->
    # its smallest other, b=25; column c has one (y) -> smallest other 35 (x); and so on until
    # every row and column has 0 or >= 2 suppressed cells.
    assert mask.loc["y", "a"]
    for axis in (0, 1):
        assert not (mask.sum(axis=axis) == 1).any()
    assert prot.isna().sum().sum() == mask.sum().sum()


def test_no_suppression_when_all_large():
    counts = pd.DataFrame({"a": [10, 20], "b": [30, 40]})
    _, mask = disclosure.suppress_counts(counts)
    assert not mask.to_numpy().any()


def test_zero_suppressed_unless_kept():
    counts = pd.DataFrame({"a": [0, 20, 30], "b": [30, 40, 50]})
    _, m1 = disclosure.suppress_counts(counts)
    _, m2 = disclosure.suppress_counts(counts, keep_zeros=True)
    assert m1.loc[0, "a"] and not m2.to_numpy().any()


def test_rates_rejected():
    with pytest.raises(disclosure.DisclosureError, match="non-integer"):
        disclosure.suppress_counts(pd.DataFrame({"a": [0.5, 12.0]}))


def test_suppress_groups_with_complement():
    t = pd.DataFrame({"la": ["A", "A", "A", "B"], "n": [5, 40, 50, 100], "mean": [1.0, 2.0, 3.0, 4.0]})
    out = disclosure.suppress_groups(t, "n", ["mean"], by="la")
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out.loc[0, "mean"] == disclosure.MARK and out.loc[1, "n"] == disclosure.MARK


def test_table_html_marks_kinds_and_is_deterministic():
    df = pd.DataFrame({"pub": [1.0, 2.0], "syn": [3.0, float("nan")]}, index=["r1", "r2"])
    h1 = tables.to_html(df, {"pub": "published", "syn": "synthetic"}, caption="c", source="s", fmt=".1f")
    h2 = tables.to_html(df, {"pub": "published", "syn": "synthetic"}, caption="c", source="s", fmt=".1f")
    assert h1 == h2
    assert h1.count('class="sofs-published"') == 2 and h1.count('class="sofs-synthetic"') == 2
    assert "1.0<sup" in h1 and "–<sup" in h1 and "Source: s" in h1
    with pytest.raises(ValueError, match="no kind given"):
        tables.to_html(df, {"pub": "published"})
    with pytest.raises(provenance.ProvenanceError):
        tables.to_html(df, "made-up")


def test_banner_warns_when_synthetic():
    html = provenance.banner_html(published=["Table 2"], synthetic=["profiles"])
    assert "Synthetic numbers in this chapter demonstrate the method only" in html
    assert "demonstrate the method only" not in provenance.banner_html(published=["Table 2"])
    with pytest.raises(provenance.ProvenanceError):
        provenance.banner_html()
