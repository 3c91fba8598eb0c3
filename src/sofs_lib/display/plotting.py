"""One figure style for the whole book.

Every figure: the seaborn theme set by :func:`set_theme`, a title, axis labels with units, and a
source line (:func:`finish`), which also says when the data are synthetic. :func:`finish` also

* makes every text of the figure at least :data:`MIN_TEXT_PX` pixels high once the figure is
  scaled to the book's text column (:data:`COLUMN_PX` wide), and re-lays the figure out so no
  title or label is cut;
* gives the figure its alt text, "<title>. <source line>", which :func:`set_theme`'s PNG
  formatter puts in the output's metadata and the executor hands to the renderer.
"""

from __future__ import annotations

import io

import seaborn as sns

PALETTE = {
    "pilot": "#1b6ca8",
    "comparator": "#c05a00",
    "published": "#1f4e79",
    "real": "#2e7d32",
    "synthetic": "#b35900",
    "derived": "#5e35b1",
}
#: width (px) a figure is assumed scaled into (the rendered column is about 690 px at desktop
#: width; a "tight" PNG can be wider than the figure), and the smallest text height (px) there.
COLUMN_PX = 640
MIN_TEXT_PX = 10.5
DPI = 100
ALT_ATTR = "_sofs_alt"


def min_fontsize(fig, column_px: float = COLUMN_PX, min_px: float = MIN_TEXT_PX) -> float:
    """Smallest font size (points) that renders at ``min_px`` once ``fig`` is scaled to fit
    ``column_px`` (figures narrower than the column are not enlarged)."""
    width_px = fig.get_figwidth() * fig.dpi
    scale = min(1.0, column_px / width_px)
    return min_px / scale * 72 / fig.dpi


def enforce_min_text(fig, column_px: float = COLUMN_PX, min_px: float = MIN_TEXT_PX) -> float:
    """Raise every text of ``fig`` (titles, labels, ticks, legends, annotations) to at least
    :func:`min_fontsize`; returns that size in points."""
    from matplotlib.text import Text

    floor = min_fontsize(fig, column_px, min_px)
    for ax in fig.axes:  # tick labels are re-created on drawing: set the axis' own size
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels(which="both")
            if labels and min(t.get_fontsize() for t in labels) < floor:
                axis.set_tick_params(which="both", labelsize=floor)
    for t in fig.findobj(Text):
        if t.get_text() and t.get_fontsize() < floor:
            t.set_fontsize(floor)
    return floor


def alt_text(fig) -> str | None:
    return getattr(fig, ALT_ATTR, None)


def _png_with_alt(fig):
    """PNG formatter: the figure's bytes plus ``{"alt": ...}`` metadata when it has alt text."""
    buf = io.BytesIO()
    fig.canvas.print_figure(
        buf, format="png", dpi=DPI, bbox_inches=_tight_box(fig), facecolor="white", metadata={"Software": None}
    )
    data = buf.getvalue()
    alt = alt_text(fig)
    return (data, {"alt": alt}) if alt else data


def _tight_box(fig):
    """The "tight" box of a figure laid out by :func:`finish` (at :data:`DPI`), or ``"tight"``.

    Saving with ``bbox_inches="tight"`` first draws the whole figure (without rendering) so a
    layout engine can run, then measures it. A figure :func:`finish` laid out has no engine left
    to run (its tight layout is done), so its box is measured directly: the same box, one pass of
    laying out every text fewer. Figures with an active layout engine, axes placed by a locator
    (insets, some colorbars) or another dpi keep matplotlib's own route."""
    import matplotlib as mpl
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = fig.get_layout_engine()
    if (
        not getattr(fig, ALT_ATTR, None)
        or mpl.rcParams["figure.autolayout"]
        or mpl.rcParams["figure.constrained_layout.use"]
        or not (engine is None or isinstance(engine, PlaceHolderLayoutEngine))
        or fig.dpi != DPI
        or not hasattr(fig.canvas, "get_renderer")
        or any(ax.get_axes_locator() is not None for ax in fig.axes)
    ):
        return "tight"
    fig.set_layout_engine(None)  # nothing left to lay out (see above)
    pad = mpl.rcParams["savefig.pad_inches"]
    return fig.get_tightbbox(fig.canvas.get_renderer()).padded(pad, pad)


def set_theme() -> None:
    """Apply the book's seaborn theme (call once at the top of a chapter), and, inside a
    notebook, display figures with their alt text."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette="colorblind",
        rc={
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.figsize": (8, 4.5),
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "svg.hashsalt": "sofs",
            "figure.autolayout": False,
        },
    )
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return
    import matplotlib

    if "inline" in str(matplotlib.get_backend()):
        import matplotlib_inline.backend_inline  # noqa: F401 (configures its formatter first)
    _register_png(ip)
    if not getattr(ip, "_sofs_png_hook", False):
        # the inline backend may re-register its own formatter later: ours wins every cell
        ip.events.register("pre_run_cell", lambda *a: _register_png(ip))
        ip._sofs_png_hook = True


def _register_png(ip) -> None:
    from matplotlib.figure import Figure

    ip.display_formatter.formatters["image/png"].for_type(Figure, _png_with_alt)


def _break_lines(fig) -> None:
    """Break the figure's own wrapping texts (title, source line) into lines once, where
    matplotlib's wrapping would, and stop wrapping them: the layout and the image then use the
    same lines, and each drawing of the figure does not measure every line again word by word
    (saving the image with a tight box would otherwise wrap to that box rather than to the
    figure the layout was made for)."""
    texts = [t for t in dict.fromkeys([*fig.texts, getattr(fig, "_suptitle", None)]) if t is not None and t.get_wrap()]
    if not texts or fig.dpi != DPI or not hasattr(fig.canvas, "get_renderer"):
        return
    renderer = fig.canvas.get_renderer()
    for t in texts:
        if not t.get_text() or t.get_usetex() or "$" in t.get_text():
            continue
        if not all(hasattr(t, m) for m in ("_get_wrap_line_width", "_get_rendered_text_width")):
            continue
        t._renderer = renderer  # what matplotlib measures the words with
        key = (t.get_text(), t._get_wrap_line_width(), t.get_fontproperties().copy(), fig.dpi, type(renderer))
        if key not in _WRAPPED:  # the same source line under several figures of a chapter
            if len(_WRAPPED) > 256:
                _WRAPPED.clear()
            _WRAPPED[key] = wrapped_text(t)
        t.set_text(_WRAPPED[key])
        t.set_wrap(False)


#: wrapped lines by (text, line width, font, dpi, renderer type): the lines depend on nothing else
_WRAPPED: dict[tuple, str] = {}


def wrapped_text(t) -> str:
    """``t``'s text broken into lines as matplotlib wraps it (``Text._get_wrapped_text``: each
    line the most words that fit the width from the text's anchor to the figure's edge, a word
    too long for a line on a line of its own), found by doubling then halving the number of
    words measured instead of adding one word at a time: a line's width grows with its words,
    so the first number that does not fit is the same, after a handful of measurements rather
    than one per word."""
    width = t._get_wrap_line_width()

    def too_wide(words: list[str], n: int) -> bool:
        return t._get_rendered_text_width(" ".join(words[:n])) > width

    lines = []
    for unwrapped in t.get_text().split("\n"):
        words = unwrapped.split(" ")
        while words:
            if len(words) == 1:
                lines.append(words.pop(0))
                continue
            # the smallest n >= 2 whose first n words are too wide (matplotlib's first failure)
            lo, hi = 2, 2
            while hi < len(words) and not too_wide(words, hi):
                lo, hi = hi + 1, min(2 * hi, len(words))
            if not too_wide(words, hi):  # every word fits
                lines.append(" ".join(words))
                break
            while lo < hi:  # too_wide(words, hi) holds; lo is the smallest n not yet ruled out
                mid = (lo + hi) // 2
                if too_wide(words, mid):
                    hi = mid
                else:
                    lo = mid + 1
            lines.append(" ".join(words[: hi - 1]))
            words = words[hi - 1 :]
    return "\n".join(lines)


#: gap between the "SYNTHETIC DATA" stamp and a title moved below it, in points
STAMP_GAP_PT = 4.0


def _clear_stamp(fig, stamp) -> float:
    """Move the title below the "SYNTHETIC DATA" stamp where its widest line would run into
    the stamp (the title is centred, the stamp in the top-right corner); returns how far it
    moved, as a fraction of the figure's height (0 where it did not), so the layout can lower
    the plots by as much."""
    title = getattr(fig, "_suptitle", None)
    if stamp is None or title is None or not title.get_text() or not hasattr(fig.canvas, "get_renderer"):
        return 0.0
    renderer = fig.canvas.get_renderer()
    stamp.update_bbox_position_size(renderer)
    box = stamp.get_bbox_patch().get_window_extent(renderer)
    head = title.get_window_extent(renderer)
    if head.x1 <= box.x0 or head.y1 <= box.y0:  # beside it or below it already
        return 0.0
    drop = (head.y1 - box.y0 + STAMP_GAP_PT * fig.dpi / 72) / (fig.get_figheight() * fig.dpi)
    title.set_y(title.get_position()[1] - drop)
    return drop


def finish(
    fig,
    title: str,
    source: str,
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax=None,
    synthetic: bool = False,
    margins: dict | None = None,
):
    """Give a figure its title, axis labels, source line and alt text, with every text legible
    in the book's column; returns the figure.

    ``synthetic=True`` appends "Synthetic data: illustrates the method, not evidence." to the
    source line and stamps "SYNTHETIC DATA" in the figure's top-right corner; a title whose
    widest line would run into the stamp is moved below it, and the plots with it.

    The figure is laid out tight (every label measured) unless ``margins`` gives its subplot
    parameters (``left``, ``bottom``, ... as for ``Figure.subplots_adjust``): for a figure whose
    layout is known in advance, one measuring pass fewer. The saved image is cropped to what is
    drawn either way.
    """
    if not title or not source:
        raise ValueError("every figure needs a title and a source line")
    ax = ax or (fig.axes[0] if fig.axes else None)
    if ax is not None:
        if xlabel is not None:
            ax.set_xlabel(xlabel)
        if ylabel is not None:
            ax.set_ylabel(ylabel)
    line = f"Source: {source}"
    if synthetic:
        line += " Synthetic data: illustrates the method, not evidence."
    fig.suptitle(title, fontweight="bold", fontsize=12, wrap=True)
    fig.text(0.01, 0.005, line, ha="left", va="bottom", fontsize=8, color="#444444", wrap=True)
    stamp = None
    if synthetic:  # a mark on the image itself, not only in the small print
        stamp = fig.text(
            0.995,
            0.995,
            "SYNTHETIC DATA",
            ha="right",
            va="top",
            fontsize=10,
            fontweight="bold",
            color="#6b3500",
            bbox=dict(boxstyle="round,pad=0.3", fc="#fff1e0", ec="#8a4500", ls="--"),
        )
    enforce_min_text(fig)
    _break_lines(fig)
    drop = _clear_stamp(fig, stamp)
    if margins is not None:
        m = dict(margins)
        if "top" in m:  # the plots lowered as far as the title was
            m["top"] -= drop
        fig.subplots_adjust(**m)
    else:
        h = fig.get_figheight()  # margins for the title and the source line, in inches
        fig.tight_layout(rect=(0, min(0.07, 0.6 / h), 1, 1 - min(0.05, 0.55 / h) - drop))
    setattr(fig, ALT_ATTR, f"{title.rstrip('.')}. {line}")
    # Finished: in interactive mode (a notebook kernel) pyplot redraws every figure marked
    # stale after each cell, then the inline backend draws it again for its image. The image is
    # all that is shown, so the figure is not marked for that extra drawing; any later change
    # marks it again.
    fig.stale = False
    return fig
