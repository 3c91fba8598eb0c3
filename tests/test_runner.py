"""The executor on a tiny fake project: success, a failing chapter, bad overrides."""

import json

import nbformat
import pytest

from sofs_lib.build import runner
from sofs_lib.core.params import Param, ParameterError, Spec

#: the fake chapters' declared parameters (a real chapter's live in sofs_lib.chapters.<folder>.params)
SPECS = {
    "98_ok": Spec("98_ok", (Param("x", (int,), 5, "a number"),
                            Param("output_dir", (str, type(None)), None, "outputs"))),
    "99_fail": Spec("99_fail", (Param("y", (int,), 1, "a number"),
                                Param("output_dir", (str, type(None)), None, "outputs"))),
}


def _nb(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for src, tags in cells:
        c = nbformat.v4.new_code_cell(src)
        if tags:
            c.metadata["tags"] = tags
        nb.cells.append(c)
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "spec_for", lambda name: SPECS[name] if name in SPECS
                        else runner.registry_spec_for(name))
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n"
        "  - file: book/chapters/98_ok\n  - file: book/chapters/99_fail\n")
    (tmp_path / "book").mkdir()
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir(parents=True)
    _nb(nbdir / "98_ok.ipynb", [("x = 1", ["parameters"]), ("print(x * 2)", None)])
    _nb(nbdir / "99_fail.ipynb", [("y = 1", ["parameters"]), ("import os\nos.makedirs('book/chapters/99_fail', exist_ok=True)", None),
                                   ("raise ValueError('boom in cell three')", None)])
    return tmp_path


def test_toc_chapters(project):
    assert runner.toc_chapters(project) == ["98_ok", "99_fail"]


@pytest.mark.slow
def test_failing_chapter_named_and_cleaned(project, capsys):
    with pytest.raises(SystemExit) as exc:
        runner.run_chapters(None, [], project)
    msg = str(exc.value)
    assert "Chapter 99_fail failed in cell" in msg and "ValueError: boom in cell three" in msg
    chapters = project / "book" / "chapters"
    assert (chapters / "98_ok.ipynb").exists()             # the earlier chapter succeeded
    assert not (chapters / "99_fail.ipynb").exists()        # no half-written notebook
    assert not (chapters / "99_fail").exists()              # no partial outputs
    assert not list(chapters.glob(".*.ipynb"))              # no temporary files
    out = capsys.readouterr().out
    assert "[1/2] 98_ok ... done in" in out and "[2/2] 99_fail ... FAILED" in out
    # the executed chapter carries the Spec's default, its parameter cells are hidden
    nb = nbformat.read(chapters / "98_ok.ipynb", as_version=4)
    assert nb.cells[2].outputs[0]["text"].strip() == "10"
    assert all("remove-cell" in c.metadata.get("tags", []) for c in nb.cells[:2])
    log = json.loads((chapters / "run_log.json").read_text())
    assert log["98_ok"]["params"] == {"x": 5, "output_dir": None}
    assert "98_ok" in (project / "book" / "status.md").read_text()


def test_unknown_override_stops_before_running(project):
    with pytest.raises(ParameterError, match="Unknown parameter 'bogus'"):
        runner.run_chapters(["98_ok"], ["bogus=1"], project)
    assert not (project / "book" / "chapters" / "98_ok.ipynb").exists()


def test_unknown_chapter(project):
    with pytest.raises(SystemExit, match="Unknown chapter"):
        runner.run_chapters(["00_nope"], [], project)


def test_override_for_other_chapter_rejected(project):
    with pytest.raises(ParameterError, match="names chapter 'zz'"):
        runner.split_overrides(["zz.alpha=1"], ["98_ok"])


def test_registered_chapter_override_validated(tmp_path):
    ch = runner.Chapter("01_implementation", tmp_path, tmp_path, {"alpha": 0.05})
    with pytest.raises(ParameterError, match="'alpha'.*from 0.001 to 0.2"):
        runner.effective_params(ch, {"01_implementation": {"alpha": 0.9}})
    assert runner.effective_params(ch, {"*": {"alpha": 0.01}})["alpha"] == 0.01
