"""Tables' CSV links and printed rounding, folded columns; figures' legibility floor and alt text;
the glossary's first-use links."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sofs_lib.build import glossary_links
from sofs_lib.core import paths
from sofs_lib.display import plotting, tables


def test_fixed_point_rounds_half_up():
    # binary floats: format(31.25, ".1f") is "31.2", format(0.125, ".2f") is "0.12"
    assert tables.format_number(31.25, ".1f") == "31.3"
    assert tables.format_number(0.125, ".2f") == "0.13"
    assert tables.format_number(-2.5, ".0f") == "-3"
    assert tables.format_number(31.24, ".1f") == "31.2"
    assert tables.format_number(1234.5, ",.0f") == "1,235"
    assert tables.format_number(0.5, ".3g") == "0.5"  # other formats untouched
    html = tables.to_html(pd.DataFrame({"x": [31.25]}), "real", fmt=".1f")
    assert ">31.3<" in html


def test_csv_name():
    assert tables.csv_name("Table 2: % of social workers") == "table-2-of-social-workers.csv"
    assert tables.csv_name("") == "table.csv"
    assert tables.csv_name("Same", 1) == "same-2.csv"
    assert len(tables.csv_name("x" * 200)) == 64


def test_show_writes_csv_and_links_it(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "_current_output", tmp_path / "01_demo")
    (tmp_path / "01_demo").mkdir()
    df = pd.DataFrame({"a": [1.5, 2.25]}, index=["r1", "r2"])
    href = tables.write_table_csv(df, None, "My table")
    href2 = tables.write_table_csv(df, None, "My table")
    assert href == "01_demo/my-table.csv" and href2 == "01_demo/my-table-2.csv"
    text = (tmp_path / "01_demo" / "my-table.csv").read_text()
    assert text == ",a\nr1,1.5\nr2,2.25\n"
    html = tables.to_html(df, "real", caption="My table", source="s", csv_href=href)
    assert '<a class="sofs-csv" href="01_demo/my-table.csv" download>' in html
    monkeypatch.setattr(paths, "_current_output", None)
    assert tables.write_table_csv(df, None, "x") is None  # outside a chapter: no link


def test_staged_output_maps_to_final(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    (root / "book").mkdir(parents=True)
    (root / "_toc.yml").write_text("root: book/intro\n")
    monkeypatch.chdir(root)
    stage = root / "_build" / "staging" / "01_demo" / "outputs"
    monkeypatch.setenv(paths.STAGE_CHAPTER_ENV, "01_demo")
    monkeypatch.setenv(paths.STAGE_DIR_ENV, str(stage))
    out = paths.output_dir("01_demo", None)
    assert out == stage and stage.is_dir()
    assert paths.relative(out / "reproduction.csv") == "book/chapters/01_demo/reproduction.csv"
    assert paths.output_dir("02_other", None) == root / "book" / "chapters" / "02_other"


def test_secondary_columns_folded():
    df = pd.DataFrame({"verdict": ["ok"], "reasoning": ["long text"]}, index=["c1"])
    html = tables.to_html(df, {"verdict": "derived", "reasoning": "published"}, secondary=["reasoning"])
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert "<th>verdict</th>" in head and '<th title="reasoning">details</th>' in head
    assert '<td class="sofs-more" data-label="details"><details><summary>details</summary>' in html
    assert '<dd class="sofs-published">long text<sup class="sofs-k">P</sup></dd>' in html


@pytest.mark.parametrize("width", [6, 8, 13])
def test_figure_text_legible_in_column(width):
    fig, ax = plt.subplots(figsize=(width, 4))
    ax.plot([1, 2], [3, 4], label="a line")
    ax.legend(fontsize=6)
    ax.tick_params(labelsize=5)
    plotting.finish(fig, "A title", "the source.", xlabel="x (units)", ylabel="y (units)")
    scale = min(1.0, plotting.COLUMN_PX / (width * fig.dpi))
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text()]
    # rendered height in px = points * dpi / 72 * scale; by hand for 13 in: 720/1300 scale
    assert min(sizes) * fig.dpi / 72 * scale >= plotting.MIN_TEXT_PX - 1e-9
    assert plotting.alt_text(fig) == "A title. Source: the source."
    data, md = plotting._png_with_alt(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and md == {"alt": "A title. Source: the source."}
    plt.close(fig)


def test_figure_without_title_refused():
    fig, _ = plt.subplots()
    with pytest.raises(ValueError):
        plotting.finish(fig, "", "s")
    plt.close(fig)


def test_glossary_terms_and_first_use_links(root):
    terms = glossary_links.read_terms(root / "book" / "glossary.md")
    for t in ("SNN", "CEM", "ICPC", "s47", "CPP", "SSDA903", "CIN", "LAIT", "SGO", "RI", "CRV1", "MDE"):
        assert t in terms
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    doc = new_document("x", get_default_settings(Parser))
    para = nodes.paragraph("", "")
    para += nodes.Text("The SNN model and CIN-level data; SNN again, not SNNs. CIN census.")
    doc += para
    doc += nodes.title("", "", nodes.Text("SNN in a heading"))
    n = glossary_links.link_first_uses(doc, terms)
    refs = [r for r in doc.findall() if type(r).__name__ == "pending_xref"]
    assert [r["reftarget"] for r in refs] == ["SNN", "CIN"] and n == 2
    # "CIN-level" and "SNNs" are not uses; the heading is left alone
    assert para.astext() == "The SNN model and CIN-level data; SNN again, not SNNs. CIN census."


def test_long_ids_get_break_opportunities():
    assert tables.wrap_html("did_a10_2_balance") == "did_<wbr>a10_<wbr>2_<wbr>balance"
    assert tables.wrap_html("sofs_lib.core.rounding") == "sofs_<wbr>lib.<wbr>core.<wbr>rounding"
    assert tables.wrap_html("0.05 and 31.25") == "0.05 and 31.25"  # numbers stay whole
    assert tables.wrap_html("a<b") == "a&lt;b"
    html = tables.to_html(pd.DataFrame({"v": [1]}, index=["long_check_id"]), "derived")
    assert '<th class="sofs-rowhead">long_<wbr>check_<wbr>id</th>' in html


def test_multiindex_rows_get_one_header_cell_per_level():
    df = pd.DataFrame(
        {"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 2016), ("a", 2017)], names=["line", "year"])
    )
    html = tables.to_html(df, "derived")
    assert "<thead><tr><th>line</th><th>year</th><th>v</th></tr></thead>" in html
    assert '<tr><th class="sofs-rowhead">a</th><th class="sofs-rowhead">2016</th><td' in html
    assert "('a', 2016)" not in html
    one = tables.to_html(pd.DataFrame({"v": [1]}, index=pd.Index(["x"], name="id")), "derived", index_name="check")
    assert "<thead><tr><th>check</th><th>v</th></tr></thead>" in one


def _title_and_stamp(fig):
    """The drawn boxes (px) of the title, the stamp's frame and the plot area."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    stamp = next(t for t in fig.texts if t.get_text() == "SYNTHETIC DATA")
    return fig._suptitle.get_window_extent(renderer), stamp.get_bbox_patch().get_window_extent(renderer), fig.axes[0]


@pytest.mark.parametrize("margins", [None, {"left": 0.1, "right": 0.97, "bottom": 0.2, "top": 0.8}])
def test_long_title_moves_below_the_synthetic_stamp(margins):
    # a centred title nearly as wide as the figure reaches the stamp's corner: it must end below
    # the stamp's frame, and the plot area below the title
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot([1, 2], [3, 4])
    title = "A long synthetic title that runs across nearly the whole width of the figure here"
    plotting.finish(fig, title, "the source.", xlabel="x (units)", ylabel="y (units)", synthetic=True, margins=margins)
    head, box, ax = _title_and_stamp(fig)
    assert head.x1 > box.x0  # the two overlap horizontally, so only height keeps them apart
    assert head.y1 <= box.y0
    assert ax.get_window_extent().y1 <= head.y0
    if margins is not None:  # the plots lowered by as much as the title
        assert fig.subplotpars.top < margins["top"]
    plt.close(fig)


def test_short_title_stays_beside_the_synthetic_stamp():
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot([1, 2], [3, 4])
    plotting.finish(
        fig,
        "Short",
        "the source.",
        xlabel="x (units)",
        ylabel="y (units)",
        synthetic=True,
        margins={"left": 0.1, "right": 0.97, "bottom": 0.2, "top": 0.8},
    )
    head, box, _ = _title_and_stamp(fig)
    assert head.x1 < box.x0  # no clash: nothing moves
    assert fig._suptitle.get_position()[1] == pytest.approx(0.98)
    assert fig.subplotpars.top == pytest.approx(0.8)
    plt.close(fig)
