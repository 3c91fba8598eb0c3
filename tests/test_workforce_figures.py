"""The workforce chapter's event-study figure: year labels apart, every column's x axis named."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from sofs_lib.chapters.workforce import figures as FG


def test_event_figure_year_labels_apart():
    years = list(range(2015, 2026))  # eleven years, as the 2024 release gives
    d = pd.DataFrame({"year": years, "estimate": 0.0, "ci_low": -1.0, "ci_high": 1.0})
    ids = ["sw_turnover_fte", "sw_vacancy_rate_fte", "sw_agency_rate_fte", "sw_absence_rate_fte",
           "sw_caseload_fte", "sw_per_10k"]  # fmt: skip
    fig = FG.event_figure({i: d for i in ids}, "real", 2016)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    shown = [ax for ax in fig.axes if ax.get_visible()]
    for ax in shown:
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        assert len(boxes) >= 3
        assert all(p.x1 < q.x0 for p, q in zip(boxes, boxes[1:]))  # no two year labels touch
    assert [ax.get_xlabel() for ax in shown[-2:]] == ["September of year"] * 2
    plt.close(fig)
