"""The built book in a real browser: headless Debian Chromium driven by Playwright.

Visits every page of the table of contents and checks that it loads, that every figure image
has loaded (non-zero natural size), that tables render, that the sidebar navigation works, and
that the console shows no errors. Then, in light and dark colour-scheme preference and at desktop
and phone width: text contrast of the provenance banner, answer box and captions (>= 4.5:1), no
table wider than the text column, every image with real alt text, every CSV / notebook / source
link resolving, and every chapter opening with its answer box. Needs `make book` first (`make test` does it) and Debian's
chromium (`apt-get install chromium`); Playwright's own browser download is never used.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, built_book

from sofs_lib.build import runner

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return [f + ".html" for f in files]


@pytest.fixture(scope="module")
def server():
    html = built_book()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is not installed: `apt-get install chromium` (make test installs it when run as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, url, **context):
    page = browser.new_context(**context).new_page() if context else browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    resp = page.goto(url, wait_until="networkidle")
    return page, resp, errors


@pytest.mark.book
@pytest.mark.parametrize("path", toc_pages())
def test_page_loads_cleanly(browser, server, path):
    page, resp, errors = _open(browser, f"{server}/{path}")
    try:
        assert resp is not None and resp.status == 200, f"{path}: HTTP {resp and resp.status}"
        assert page.locator("article h1").count() >= 1, f"{path}: no title"
        # every image has loaded
        broken = page.evaluate("""() => Array.from(document.images)
            .filter(i => !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0))
            .map(i => i.src)""")
        assert not broken, f"{path}: images not loaded: {broken}"
        if "/chapters/" in path:
            if runner.stage_of(Path(path).stem) == 0:  # gathering pages need no figure
                assert page.locator("main img").count() >= 1, f"{path}: chapter has no figure"
            assert page.locator("main table.sofs-table").count() >= 1, f"{path}: no table"
            shown = page.locator("main table.sofs-table:visible")  # folded tables aside
            assert shown.count() >= 1 and shown.first.locator("tbody tr").count() >= 1
            assert page.locator(".sofs-provenance").count() == 1, f"{path}: no provenance banner"
        assert not errors, f"{path}: " + "; ".join(errors)
    finally:
        page.close()


@pytest.mark.book
def test_sidebar_navigation(browser, server):
    page, _, errors = _open(browser, f"{server}/{toc_pages()[0]}")
    try:
        links = page.locator("nav.bd-docs-nav a.reference.internal")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        expected = toc_pages()[1:]
        for path in expected:
            assert any(h and h.split("#")[0].endswith(Path(path).name) for h in hrefs), (
                f"sidebar lacks a link to {path}"
            )
        target = next(p for p in expected if "/chapters/" in p)
        page.locator(f"nav.bd-docs-nav a.reference.internal[href$='{Path(target).name}']").first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(target), page.url
        assert page.locator("article h1").first.is_visible()
        assert not errors, "; ".join(errors)
    finally:
        page.close()


# ---------------------------------------------------------------- legibility and links (issue 11)

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MODES = ["light", "dark"]

CONTRAST_JS = """(sel) => {
  function rgb(c) { const m = c.match(/[\\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; }
  function lum(c) { const a = c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2]; }
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const st = getComputedStyle(e), c = rgb(st.backgroundColor);
      if ((c.length < 4 || c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  }
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    const fg = rgb(getComputedStyle(el).color), bg = background(el);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) out.push([el.className || el.tagName, el.textContent.trim().slice(0, 40),
                               ratio.toFixed(2)]);
  }
  return out;
}"""
TEXT_SELECTORS = (
    ".sofs-provenance li, .sofs-provenance p, .sofs-synthetic-warning, "
    ".sofs-answer li, .sofs-answer dt, .admonition-title, table.sofs-table caption, "
    ".sofs-source, .sofs-legend, .sofs-legend-line, sup.sofs-k, "
    "table.sofs-table td, article p"
)

OVERFLOW_JS = """() => {
  const art = document.querySelector('article.bd-article') || document.querySelector('article');
  const box = art.getBoundingClientRect();
  return Array.from(art.querySelectorAll('table')).filter(t => t.offsetParent !== null)
    .map(t => [t.getBoundingClientRect(), (t.caption && t.caption.textContent) || t.id || t.className])
    .filter(([r, _]) => r.right > box.right + 1 || r.left < box.left - 1)
    .map(([r, name]) => [String(name).slice(0, 50), Math.round(r.width), Math.round(box.width)]);
}"""


def _chapter_pages():
    return [p for p in toc_pages() if "/chapters/" in p]


@pytest.mark.book
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("path", toc_pages())
def test_legible_in_every_mode(browser, server, path, size, mode):
    page, _, errors = _open(browser, f"{server}/{path}", viewport=VIEWPORTS[size], color_scheme=mode)
    try:
        # the book is light-only whatever the reader's preference
        assert page.evaluate("document.documentElement.dataset.mode") == "light"
        low = page.evaluate(CONTRAST_JS, TEXT_SELECTORS)
        assert not low, f"{path} ({size}, {mode}): contrast below 4.5:1: {low[:5]}"
        wide = page.evaluate(OVERFLOW_JS)
        assert not wide, f"{path} ({size}): tables wider than the column: {wide[:5]}"
        alts = page.evaluate(
            "() => Array.from(document.querySelectorAll('main img')).map(i => i.getAttribute('alt') || '')"
        )
        bad = [a for a in alts if len(a) < 15 or "_images/" in a or a.endswith((".png", ".svg"))]
        assert not bad, f"{path}: images without real alt text: {bad[:3]}"
    finally:
        page.close()


@pytest.mark.book
@pytest.mark.parametrize("path", _chapter_pages())
def test_downloads_resolve(browser, server, path):
    page, _, _ = _open(browser, f"{server}/{path}")
    try:
        hrefs = page.evaluate("""() => Array.from(document.querySelectorAll(
            'a.sofs-csv, a.sofs-notebook, a.sofs-source-file, a[href$=".csv"]')).map(a => a.href)""")
        name = Path(path).stem
        assert any(h.endswith(f"{name}.ipynb") for h in hrefs), f"{path}: no notebook link"
        assert any(h.endswith(f"{name}.py") for h in hrefs), f"{path}: no source link"
        if page.locator("main table.sofs-table").count():
            assert any(h.endswith(".csv") for h in hrefs), f"{path}: no CSV link"
        for h in sorted(set(hrefs)):
            r = page.request.get(h)
            assert r.status == 200 and r.body(), f"{path}: {h} gives HTTP {r.status}"
            if h.endswith(".ipynb"):
                assert r.json()["cells"], h
    finally:
        page.close()


@pytest.mark.book
@pytest.mark.parametrize("path", _chapter_pages())
def test_chapter_opens_with_answer_box(browser, server, path):
    name = Path(path).stem
    page, _, _ = _open(browser, f"{server}/{path}", viewport=VIEWPORTS["phone"])
    try:
        boxes = page.locator("main .sofs-answer")
        assert boxes.count() >= 1, f"{path}: no answer box"
        first = boxes.first
        assert first.is_visible()
        for part in ("What the report concluded", "What this edition reproduced"):
            assert part in first.inner_text(), f"{path}: answer box lacks '{part}'"
        banner = page.locator("main .sofs-provenance")
        if banner.count() and runner.stage_of(name) != 2:
            assert first.bounding_box()["y"] < banner.first.bounding_box()["y"], (
                f"{path}: the answer box does not come before the provenance banner"
            )
    finally:
        page.close()


@pytest.mark.book
def test_no_unreferenced_images():
    html = built_book()
    from sofs_lib.build import site

    used = set()
    for page in site.html_files(html):
        used |= set(site._IMAGE_REF.findall(page.read_text(encoding="utf-8", errors="replace")))
    shipped = {p.name for p in (html / "_images").iterdir()} if (html / "_images").is_dir() else set()
    assert shipped <= used, f"unreferenced images shipped: {sorted(shipped - used)[:5]}"


@pytest.mark.book
def test_intro_and_status_links_resolve(browser, server):
    for path, selector in (
        (toc_pages()[0], "a.sofs-archive"),
        ("book/status.html", "a[href$='build_data_files.csv']"),
    ):
        page, _, _ = _open(browser, f"{server}/{path}")
        try:
            hrefs = page.evaluate(f'() => Array.from(document.querySelectorAll("{selector}")).map(a => a.href)')
            assert hrefs, f"{path}: no link {selector}"
            for h in hrefs:
                assert page.request.get(h).status == 200, f"{path}: {h} does not resolve"
        finally:
            page.close()


# ---------------------------------------------------------------- words whole in table cells

# Every word of a visible table cell that is no longer than SHORT_WORD characters lies on one
# line (its Range has one line box). Words are runs of non-space characters, cut after hyphens
# (where browsers may break); code (identifiers, paths, hashes) may break anywhere by design, and
# the contents of closed <details> are not laid out.
SHORT_WORD = 12
SPLIT_WORDS_JS = r"""(maxlen) => {
  const art = document.querySelector('article.bd-article') || document.querySelector('article');
  const word = /[^\s\-‐–—]+[\-‐–—]?/g, out = [];
  for (const cell of art.querySelectorAll('table td, table th')) {
    if (!cell.offsetParent) continue;
    const clipped = (e) => { const st = getComputedStyle(e);
      return st.clip !== 'auto' && st.clip !== '' || e.getBoundingClientRect().width <= 1; };
    let hidden = false;
    for (let e = cell; e && e !== art; e = e.parentElement) if (clipped(e)) { hidden = true; break; }
    if (hidden) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (el.closest('code, span.pre')) continue;
      if (el.closest('details:not([open])') && !el.closest('summary')) continue;
      for (const m of n.data.matchAll(word)) {
        if (m[0].length > maxlen) continue;
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const tops = [...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top));
        if (tops.length && Math.max(...tops) - Math.min(...tops) > 2)
          out.push([m[0], cell.textContent.trim().slice(0, 40), Math.round(cell.getBoundingClientRect().width)]);
      }
    }
  }
  return out;
}"""
PAGE_OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.book
@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("path", toc_pages())
def test_table_words_stay_whole(browser, server, path, size):
    """No short word of a table cell is broken across lines (narrow columns once showed
    "deriv" / "ed"), and no page scrolls sideways: a table too wide for the column scrolls
    inside its own box."""
    page, _, _ = _open(browser, f"{server}/{path}", viewport=VIEWPORTS[size])
    try:
        split = page.evaluate(SPLIT_WORDS_JS, SHORT_WORD)
        assert not split, f"{path} ({size}): {len(split)} words broken inside table cells: {split[:5]}"
        assert page.evaluate(PAGE_OVERFLOW_JS) <= 1, f"{path} ({size}): the page scrolls sideways"
    finally:
        page.close()
