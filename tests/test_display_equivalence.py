"""The shortcuts of the display functions give what the long way gives: the wrapped lines of a
figure's texts are matplotlib's own, a finished figure's image is the one matplotlib's "tight"
saving makes, and a table's HTML is the one built from ``DataFrame.iterrows``."""

import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sofs_lib.display import plotting, tables

WORDS = (
    "Source: Synthetic NPD extract (sofs_lib.sources.npd), analysed with sofs_lib.chapters.did. Weighted "
    "(CEM) means by financial year; settling-in years left out; years with fewer than 10 children not "
    "shown. A_very_long_identifier_that_cannot_be_broken_anywhere_at_all_in_a_narrow_figure x y"
)


@pytest.mark.parametrize("width", [3, 5, 8, 12])
@pytest.mark.parametrize("ha,x", [("left", 0.01), ("center", 0.5), ("right", 0.99), ("left", 0.6)])
@pytest.mark.parametrize("size", [8, 14])
def test_wrapped_text_is_matplotlibs(width, ha, x, size):
    fig = plt.figure(figsize=(width, 3), dpi=plotting.DPI)
    texts = [
        fig.text(x, 0.5, WORDS, ha=ha, fontsize=size, wrap=True),
        fig.text(x, 0.2, "short", ha=ha, fontsize=size, wrap=True),
        fig.text(x, 0.8, "two  spaces\nand a forced break " * 3, ha=ha, fontsize=size, wrap=True),
    ]
    renderer = fig.canvas.get_renderer()
    for t in texts:
        t._renderer = renderer
        assert plotting.wrapped_text(t) == t._get_wrapped_text()  # matplotlib's word-by-word wrapping
    plt.close(fig)


def _finished(title: str):
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    for ax in axes:
        ax.plot(np.arange(10), np.arange(10) ** 2, marker="o", label="a line")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15))
    return plotting.finish(fig, title, WORDS, xlabel="x (units)", ylabel="y (units)", synthetic=True)


def test_tight_box_is_matplotlibs():
    fig = _finished("A title long enough to be wrapped over two lines of the figure, if not three, in the end")
    png, _ = plotting._png_with_alt(fig)  # the box measured directly
    buf = io.BytesIO()
    fig.canvas.print_figure(
        buf, format="png", dpi=plotting.DPI, bbox_inches="tight", facecolor="white", metadata={"Software": None}
    )
    assert png == buf.getvalue()  # matplotlib's own tight saving
    plt.close(fig)


def test_finished_figure_keeps_its_lines_and_is_not_stale():
    title = "A title long enough to be wrapped over two lines of the figure, if not three, in the end"
    fig = _finished(title)
    assert "\n" in fig._suptitle.get_text() and not fig._suptitle.get_wrap()
    assert fig._suptitle.get_text().replace("\n", " ") == title
    assert not fig.stale
    fig.axes[0].set_title("changed")
    assert fig.stale  # a later change marks it for drawing again
    plt.close(fig)


def _iterrows_html(df: pd.DataFrame, kinds: str, fmt) -> str:
    """The table body the long way: one Series per row (``iterrows``, each column's values as
    objects so that none takes another column's type), one per cell."""
    kf = tables.kinds_frame(df, kinds)
    rows = []
    for i, (idx, row) in enumerate(df.astype(object).iterrows()):
        cells = [f'<th class="sofs-rowhead">{tables.wrap_html(str(idx))}</th>']
        for c in df.columns:
            k = kf.iloc[i][c]
            cells.append(
                f'<td class="sofs-{k}" title="{tables.KINDS[k][0]}" data-label="{c}">'
                f'{tables.wrap_html(tables._fmt_value(row[c], fmt))}<sup class="sofs-k">{tables.KINDS[k][2]}</sup></td>'
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<tbody>" + "".join(rows) + "</tbody>"


@pytest.mark.parametrize("fmt", [None, ".1f", lambda v: f"<{v}>"])
def test_table_cells_as_iterrows_gives_them(fmt):
    df = pd.DataFrame(
        {
            "int": [1, 2, 3],
            "float": [1.25, np.nan, 3.0],
            "text": ["a", None, "c_d/e"],
            "na": pd.array([1, None, 3], dtype="Int64"),
            "obj": pd.Series([1, "x", 2.5], dtype=object),
            "flag": [True, False, True],
        },
        index=["r1", "r2", "r3"],
    )
    for frame in (df, df[["int", "float"]], df[["text", "na"]], df[["int"]]):
        html = tables.to_html(frame, "synthetic", fmt=fmt)
        assert _iterrows_html(frame, "synthetic", fmt) in html


def test_counts_stay_whole_in_a_table_of_numbers_only():
    # df.values (and iterrows) make every cell of an all-number table a float: 4 clusters
    # would show as "4.0"
    df = pd.DataFrame({"clusters": [4, 13], "rate": [0.05, 0.125]})
    cells = re.findall(r"<td[^>]*>([^<]*)<sup", tables.to_html(df, "synthetic", index=False))
    assert cells == ["4", "0.05", "13", "0.125"]
    cells = re.findall(r"<td[^>]*>([^<]*)<sup", tables.to_html(df, "synthetic", fmt={"rate": ".2f"}, index=False))
    assert cells == ["4", "0.05", "13", "0.13"]  # half up, the book's rounding rule


def test_table_with_repeated_columns_refused():
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="repeated column"):
        tables.to_html(df, "synthetic")
