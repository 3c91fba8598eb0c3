"""The built book in a real browser: headless Debian Chromium driven by Playwright.

Visits every page of the table of contents and checks that it loads, that every figure image
has loaded (non-zero natural size), that tables render, that the sidebar navigation works, and
that the console shows no errors. Needs `make book` first (`make test` does it) and Debian's
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

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
        pytest.fail("Debian's chromium is not installed: `apt-get install chromium` "
                    "(make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, url):
    page = browser.new_page()
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
            assert page.locator("main img").count() >= 1, f"{path}: chapter has no figure"
            assert page.locator("main table.sofs-table").count() >= 1, f"{path}: no table"
            first = page.locator("main table.sofs-table").first
            assert first.is_visible() and first.locator("tbody tr").count() >= 1
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
            assert any(h and h.split("#")[0].endswith(Path(path).name) for h in hrefs), \
                f"sidebar lacks a link to {path}"
        target = next(p for p in expected if "/chapters/" in p)
        page.locator(f"nav.bd-docs-nav a.reference.internal[href$='{Path(target).name}']").first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(target), page.url
        assert page.locator("article h1").first.is_visible()
        assert not errors, "; ".join(errors)
    finally:
        page.close()
