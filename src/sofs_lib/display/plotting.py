"""One figure style for the whole book.

Every figure: the seaborn theme set by :func:`set_theme`, a title, axis labels with units, and a
source line (:func:`finish`), which also says when the data are synthetic.
"""

from __future__ import annotations




import seaborn as sns

PALETTE = {"pilot": "#1b6ca8", "comparator": "#c05a00", "published": "#1f4e79",
           "real": "#2e7d32", "synthetic": "#b35900", "derived": "#5e35b1"}


def set_theme() -> None:
    """Apply the book's seaborn theme (call once at the top of a chapter)."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind",
                  rc={"figure.dpi": 100, "savefig.dpi": 100, "figure.figsize": (8, 4.5),
                      "axes.titleweight": "bold", "axes.titlesize": 12,
                      "svg.hashsalt": "sofs", "figure.autolayout": False})


def finish(fig, title: str, source: str, *, xlabel: str | None = None,
           ylabel: str | None = None, ax=None, synthetic: bool = False):
    """Give a figure its title, axis labels and source line; returns the figure.

    ``synthetic=True`` appends "Synthetic data: illustrates the method, not evidence." to the
    source line.
    """
    if not title or not source:
        raise ValueError("every figure needs a title and a source line")
    ax = ax or (fig.axes[0] if fig.axes else None)
    if ax is not None:
        if xlabel is not None:
            ax.set_xlabel(xlabel)
        if ylabel is not None:
            ax.set_ylabel(ylabel)
    fig.suptitle(title, fontweight="bold", fontsize=12)
    line = f"Source: {source}"
    if synthetic:
        line += " Synthetic data: illustrates the method, not evidence."
    fig.text(0.01, 0.005, line, ha="left", va="bottom", fontsize=8, color="#444444", wrap=True)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return fig
