"""The Monte Carlo figure of chapter 07: its legend sits below the panels, clear of every line."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sofs_lib.chapters.beyond_the_report import figures as FG
from sofs_lib.methods.few_clusters import METHODS


def _size_table() -> pd.DataFrame:
    # every method's rejection rate 0.5 in every design: lines through the panels' middle
    rows = [
        {"quantity": "size", "clusters": g, "treated_clusters": k, "method": m, "rejection_rate": 0.5, "mc_se": 0.01}
        for k in range(1, 7)
        for g in (4, 6, 8, 10, 13)
        if g > k
        for m in METHODS
    ]
    return pd.DataFrame(rows)


def test_size_figure_legend_below_the_panels():
    fig = FG.size_figure(_size_table(), "size")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert all(ax.get_legend() is None for ax in fig.axes)  # no legend over a panel
    (leg,) = fig.legends
    assert [t.get_text() for t in leg.get_texts()] == list(METHODS)
    box = leg.get_window_extent(renderer)
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes if ax.get_visible())
    assert box.y1 <= lowest  # below every panel, x labels included
    source = next(t for t in fig.texts if t.get_text().startswith("Source:"))
    assert box.y0 >= source.get_window_extent(renderer).y1  # above the source line
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1  # inside the figure
    plt.close(fig)


@pytest.mark.parametrize("quantity", ["size", "power"])
def test_size_figure_titles(quantity):
    d = _size_table().assign(quantity=quantity)
    fig = FG.size_figure(d, quantity)
    assert fig._suptitle.get_text().startswith("Synthetic Monte Carlo")
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()][:2] == ["1 treated LA", "2 treated LAs"]
    plt.close(fig)


def _events():
    rel = list(range(-5, 7))
    e = pd.DataFrame({"rel": rel, "Estimate": [0.0] * len(rel), "2.5%": -1.0, "97.5%": 1.0})
    names = [
        "Children in need rate",
        "Referral rate",
        "Re-referrals within 12 months",
        "Section 47 enquiry rate",
        "Child protection plan rate",
        "Social worker turnover (FTE)",
    ]
    return {f"i{k}": e for k in range(len(names))}, {f"i{k}": n for k, n in enumerate(names)}


def test_event_figure_panel_titles_do_not_collide():
    events, labels = _events()
    fig = FG.event_figure(events, labels, "real")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 6
    boxes = [ax.title.get_window_extent(renderer) for ax in shown]
    for a, b in zip(boxes, boxes[1:]):  # neighbours in a row (same height) stay apart
        if abs(a.y0 - b.y0) < 1:
            assert a.x1 < b.x0
    # every column's lowest panel says what its x axis is
    assert {ax.get_xlabel() for ax in shown[-4:]} == {"years since adoption"}
    plt.close(fig)
