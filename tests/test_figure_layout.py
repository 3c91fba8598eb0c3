"""Figures of chapters 01 and 03 whose texts used to collide: the focus-group heatmap's printed
scores, the element-use legend, the contrast-study timeline's late-site label."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from sofs_lib.chapters.contrast_study import design, figures
from sofs_lib.chapters.implementation import analysis, focus_groups
from sofs_lib.display import plotting


@pytest.fixture(autouse=True)
def _theme():
    plotting.set_theme()
    yield
    plt.close("all")


def _boxes(fig, texts):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts]


def test_heatmap_scores_fit_their_cells():
    fig = focus_groups.plot_focus_groups()
    ax = fig.axes[0]
    scores = [t for t in ax.texts if t.get_text()]
    assert len(scores) == 12 * 15  # twelve items, five pilots at three times
    boxes = _boxes(fig, scores)
    by_row: dict[float, list] = {}
    for b in boxes:
        by_row.setdefault(round(b.y0), []).append(b)
    for row in by_row.values():  # neighbours in a row do not touch
        row.sort(key=lambda b: b.x0)
        assert all(p.x1 < q.x0 for p, q in zip(row, row[1:]))
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    assert not any("…" in t.get_text() for t in labels)  # whole item names
    lb = _boxes(fig, labels)
    lb.sort(key=lambda b: b.y0)
    assert all(p.y1 < q.y0 for p, q in zip(lb, lb[1:]))  # and they do not run into each other


def test_element_use_legend_below_the_x_label():
    fig = analysis.plot_element_use()
    ax = fig.axes[0]
    legend, xlabel = _boxes(fig, [ax.get_legend(), ax.xaxis.label])
    assert legend.y1 <= xlabel.y0


def test_design_timeline_labels_inside_their_bars():
    fig = figures.design_diagram(design.sites())
    ax = fig.axes[0]
    bars = _boxes(fig, ax.patches)
    names = {"T1", "T2", "T3", "T2-T3"}
    labels = [t for t in ax.texts if t.get_text() in names]
    assert {t.get_text() for t in labels} == names
    for box in _boxes(fig, labels):  # each wave label inside a bar
        assert any(b.x0 <= box.x0 and box.x1 <= b.x1 and b.y0 <= box.y0 + 1 for b in bars)
    assert any("fieldwork Aug 2019-Feb 2020" in t.get_text() for t in ax.texts)


def _below(fig, ax):
    legend, xlabel = _boxes(fig, [ax.get_legend(), ax.xaxis.label])
    plot = ax.get_window_extent()
    return legend.y1 <= min(plot.y0, xlabel.y0 if ax.get_xlabel() else plot.y0)


def test_contrast_legends_below_the_plots():
    import pandas as pd

    from sofs_lib.sources import contrast as cs

    means = pd.DataFrame(
        [
            {"score": s, "arm": a, "mean": 5.0, "low": 4.0, "high": 6.0, "suppressed": False}
            for s in ("WAI worker", "WAI family")
            for a in cs.ARMS
        ]
    )
    fig = figures.arm_profiles(means, ["WAI worker", "WAI family"], "Synthetic: a title", "mean (1-7)", "s.")
    assert _below(fig, fig.axes[0])
    long = pd.DataFrame(
        [
            {"wave": w, "site": f"Site {k}", "arm": cs.ARMS[k % 2], "dimension": d, "t_score": 50.0}
            for w in ("T1", "T2")
            for k in range(1, 5)
            for d in cs.OSC_DIMENSIONS
        ]
    )
    fig = figures.osc_profiles(long, synthetic=True)
    (legend,) = _boxes(fig, [fig.axes[-1].get_legend()])
    fig.canvas.draw()
    assert legend.x0 >= fig.axes[-1].get_window_extent().x1  # beside the panel
    assert legend.x1 <= fig.bbox.x1


def test_reachable_p_tick_labels_apart():
    import pandas as pd

    # p from 1 down to 1e-6 over answers 20-120: six decades
    rows = [
        {
            "item": it,
            "test": "Fisher two-sided",
            "within_families": n <= 60,
            "n1": n // 2,
            "n2": n - n // 2,
            "p": 10 ** (-6 * (n - 20) / 100),
            "hit": n == 40,
        }  # fmt: skip
        for it in ("a", "b", "c", "d")
        for n in range(20, 121)
    ]
    fig = figures.reachable_p(
        pd.DataFrame(rows), dict(zip("abcd", "ABCD")), dict.fromkeys("abcd", (0.01, 0.02)), 32, 28
    )
    for ax in fig.axes:
        boxes = sorted(_boxes(fig, [t for t in ax.get_yticklabels() if t.get_text()]), key=lambda b: b.y0)
        assert len(boxes) >= 3 and all(p.y1 < q.y0 for p, q in zip(boxes, boxes[1:]))
