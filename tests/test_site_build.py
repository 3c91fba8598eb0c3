"""Finishing the site, the build-status facts, the record of data files read, and byte-identical
rebuilds (issues 11.4, 11.6, 17.7)."""

import hashlib
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, built_book

from sofs_lib.build import reads, site, status


def test_normalise_strips_cache_busting_queries():
    text = (
        '<link href="../_static/sofs.css?v=3c74b3bc" rel="stylesheet">'
        '<script src="_static/scripts/bootstrap.js?digest=55c26ed414f5f8a31ebb"></script>'
        '<a href="https://example.org/page?v=2">x</a><a href="data.csv?v=1">y</a>'
    )
    out = site.normalise_text(text)
    assert '<link href="../_static/sofs.css" rel' in out
    assert 'src="_static/scripts/bootstrap.js"' in out
    assert "page?v=2" in out and "data.csv?v=1" in out  # only static files' checksums go
    assert site.normalise_text(out) == out


def test_prune_and_copy_downloads(tmp_path):
    html = tmp_path / "html"
    (html / "_images").mkdir(parents=True)
    (html / "_images" / "used.png").write_bytes(b"x")
    (html / "_images" / "stale.png").write_bytes(b"x")
    (html / "book" / "chapters").mkdir(parents=True)
    (html / "book" / "chapters" / "01_x.html").write_text('<img src="../../_images/used.png">')
    assert [p.name for p in site.prune_images(html)] == ["stale.png"]
    assert sorted(p.name for p in (html / "_images").iterdir()) == ["used.png"]

    root = tmp_path / "proj"
    out = root / "book" / "chapters" / "01_x"
    out.mkdir(parents=True)
    (out / "t.csv").write_text("a\n1\n")
    (out / "answer.json").write_text("{}")
    (out / "scratch.tmp").write_text("no")
    (root / "book" / "chapters" / "01_x.ipynb").write_text("{}")
    (root / "notebooks").mkdir()
    (root / "notebooks" / "01_x.py").write_text("# source")
    (html / "book" / "chapters" / "01_x").mkdir()
    (html / "book" / "chapters" / "01_x" / "old_run.csv").write_text("stale")
    site.copy_downloads(root, html, ["01_x"])
    dest = html / "book" / "chapters"
    assert sorted(p.name for p in (dest / "01_x").iterdir()) == ["answer.json", "t.csv"]
    assert (dest / "01_x.ipynb").exists() and (dest / "01_x.py").read_text() == "# source"


def test_data_file_rows(tmp_path):
    root = tmp_path / "proj"
    (root / "data" / "published").mkdir(parents=True)
    pub = root / "data" / "published" / "table_1.csv"
    pub.write_text("a,b\n")
    (root / "src").mkdir()
    code = root / "src" / "x.csv"
    code.write_text("not data")
    ext = tmp_path / "dfe" / "ees"
    ext.mkdir(parents=True)
    b1 = ext / "b1.csv"
    b1.write_bytes(b"la,value\n")
    digest = hashlib.sha256(b"la,value\n").hexdigest()
    (root / "data" / "dfe_manifest.csv").write_text(
        f"path,sha256,size,publication,landing_page\nees/b1.csv,{digest},9,CIN 2022,u\nees/c1.csv,00,1,CIN 2022,u\n"
    )
    toc = root / "_toc.yml"
    toc.write_text("root: x\n")
    rows = status.data_file_rows([pub, code, toc, b1, tmp_path / "missing.csv"], root)
    assert [r["file"] for r in rows] == ["DfE/Ofsted folder: ees/b1.csv", "data/published/table_1.csv"]
    assert rows[0]["release"] == "CIN 2022" and rows[0]["matches_manifest"] == "yes"
    assert rows[0]["sha256"] == digest and rows[0]["size"] == 9
    assert "transcribed" in rows[1]["release"]
    b1.write_bytes(b"la,value\nnew release\n")
    assert status.data_file_rows([b1], root)[0]["matches_manifest"].startswith("NO")
    assert "| File | Release |" in status.markdown_rows(rows)[0]


def test_build_facts(tmp_path):
    import datetime as dt

    facts = status.build_facts(ROOT, now=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))
    assert facts["date"] == "2026-01-02 03:04 UTC"
    assert len(facts["commit"]) == 40 or facts["commit"].startswith("unknown")
    assert status.build_facts(tmp_path)["commit"].startswith("unknown")


def test_reads_are_recorded_in_a_fresh_process(tmp_path):
    data = tmp_path / "input.csv"
    data.write_text("x\n")
    log = tmp_path / "reads.txt"
    code = (
        "import sofs_lib, pandas\n"
        f"pandas.read_csv({str(data)!r})\n"
        f"open({str(tmp_path / 'written.txt')!r}, 'w').write('x')\n"
    )
    env = dict(os.environ, SOFS_RECORD_READS=str(log), PYTHONPATH=str(ROOT / "src"))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    files = reads.read_log(log)
    assert data in files
    assert not any(f.name == "written.txt" for f in files)  # writes are not reads
    assert not any(f.suffix == ".py" for f in files)


@pytest.mark.book
@pytest.mark.slow
def test_two_clones_give_identical_notebooks_and_html(tmp_path, monkeypatch):
    """A second copy of the project (another path) executes two chapters and renders the book:
    the executed notebooks and every HTML page but the build-status page are byte-identical."""
    from sofs_lib.build import runner

    html = built_book()
    clone = tmp_path / "clone"
    shutil.copytree(
        ROOT, clone, ignore=shutil.ignore_patterns("_build", ".git", ".venv", "__pycache__", ".pytest_cache")
    )
    monkeypatch.setenv("PYTHONPATH", str(clone / "src"))
    monkeypatch.chdir(clone)
    for name in ("A2_consistency_audit", "01_implementation"):
        ch = runner.load_chapter(clone, name)
        runner.execute(ch, runner.effective_params(ch, {}), clone)
        assert ch.target.read_bytes() == (ROOT / "book" / "chapters" / f"{name}.ipynb").read_bytes(), (
            f"{name}: executed notebook differs between two copies"
        )
    runner.render(clone)
    other = clone / "_build" / "html"
    differ = [
        str(p.relative_to(html))
        for p in site.html_files(html)
        if p.name != "status.html" and (other / p.relative_to(html)).read_bytes() != p.read_bytes()
    ]
    assert not differ, f"pages differ between two copies: {differ}"
