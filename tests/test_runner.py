"""The executor on a tiny fake project: success, a failing chapter, bad overrides."""

import json
from pathlib import Path

import nbformat
import pytest

from sofs_lib.build import executor, runner, staging
from sofs_lib.core.params import Param, ParameterError, Spec

#: the fake chapters' declared parameters (a real chapter's live in sofs_lib.chapters.<folder>.params)
SPECS = {
    "98_ok": Spec(
        "98_ok", (Param("x", (int,), 5, "a number"), Param("output_dir", (str, type(None)), None, "outputs"))
    ),
    "99_fail": Spec(
        "99_fail",
        (Param("y", (int,), 1, "a number"), Param("output_dir", (str, type(None)), None, "outputs")),
    ),
    "97_out": Spec(
        "97_out",
        (
            Param("mode", (str,), "a", "which table to write"),
            Param("output_dir", (str, type(None)), None, "outputs"),
        ),
    ),
}


@pytest.fixture(autouse=True)
def _fake_specs(monkeypatch):
    """The fake chapters' Specs, beside the real registry."""
    monkeypatch.setattr(
        runner, "spec_for", lambda name: SPECS[name] if name in SPECS else runner.registry_spec_for(name)
    )


def _nb(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for src, tags in cells:
        c = nbformat.v4.new_code_cell(src)
        if tags:
            c.metadata["tags"] = tags
        nb.cells.append(c)
    nbformat.write(nb, path)


@pytest.fixture(autouse=True)
def _kernel_imports_this_tree(monkeypatch):
    """Chapters of a fake project run in its folder: their kernel imports this tree's library."""
    import os
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[1] / "src")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))


@pytest.fixture
def project(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/chapters/98_ok\n  - file: book/chapters/99_fail\n"
    )
    (tmp_path / "book").mkdir()
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir(parents=True)
    _nb(nbdir / "98_ok.ipynb", [("x = 1", ["parameters"]), ("print(x * 2)", None)])
    _nb(
        nbdir / "99_fail.ipynb",
        [
            ("y = 1", ["parameters"]),
            (
                "from sofs_lib.core import paths\n(paths.output_dir('99_fail') / 'part.csv').write_text('half')",
                None,
            ),
            ("raise ValueError('boom in cell three')", None),
        ],
    )
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
    assert (chapters / "98_ok.ipynb").exists()  # the earlier chapter succeeded
    assert not (chapters / "99_fail.ipynb").exists()  # no half-written notebook
    assert not (chapters / "99_fail").exists()  # no partial outputs
    assert not list(chapters.glob(".*"))  # no temporary files
    assert not (project / staging.STAGING).exists()  # staging cleared
    out = capsys.readouterr().out
    assert "[1/2] 98_ok ... done in" in out and "[2/2] 99_fail ... FAILED" in out
    # the executed chapter carries the Spec's default, its parameter cells are hidden
    nb = nbformat.read(chapters / "98_ok.ipynb", as_version=4)
    assert nb.cells[2].outputs[0]["text"].strip() == "10"
    assert all("remove-cell" in c.metadata.get("tags", []) for c in nb.cells[:2])
    assert nb.cells[1]["id"] == "injected-parameters"  # not papermill's random id
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


# ---------------------------------------------------------------- atomic outputs (issue 17.5)


def _staged_project(tmp_path, body):
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/chapters/97_out\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "notebooks").mkdir(parents=True)
    _nb(tmp_path / "notebooks" / "97_out.ipynb", [("mode = 'a'", ["parameters"]), (body, None)])
    return tmp_path


BODY = (
    "from sofs_lib.core import paths\n"
    "out = paths.output_dir('97_out')\n"
    "(out / f'table_{mode}.csv').write_text(mode)\n"
    "if mode == 'fail':\n    raise RuntimeError('stop')\n"
    "print(paths.relative(out / 'x.csv'))"
)


@pytest.mark.slow
def test_outputs_are_atomic_and_replaced_whole(tmp_path):
    root = _staged_project(tmp_path, BODY)
    chapters = root / "book" / "chapters"
    runner.run_chapters(None, ["97_out.mode=a"], root)
    assert sorted(p.name for p in (chapters / "97_out").iterdir()) == ["table_a.csv"]
    nb_a = (chapters / "97_out.ipynb").read_bytes()
    # the page shows where the outputs live, not the staging folder
    nb = nbformat.reads(nb_a.decode(), as_version=4)
    assert nb.cells[2].outputs[0]["text"].strip() == "book/chapters/97_out/x.csv"
    # a run with other settings replaces the folder whole: table_a.csv goes
    runner.run_chapters(None, ["97_out.mode=b"], root)
    assert sorted(p.name for p in (chapters / "97_out").iterdir()) == ["table_b.csv"]
    # a failing run leaves the previous complete outputs untouched
    with pytest.raises(SystemExit, match="RuntimeError: stop"):
        runner.run_chapters(None, ["97_out.mode=fail"], root)
    assert sorted(p.name for p in (chapters / "97_out").iterdir()) == ["table_b.csv"]
    assert (chapters / "97_out.ipynb").exists() and not (root / staging.STAGING).exists()
    # the same parameters give the same bytes
    runner.run_chapters(None, ["97_out.mode=a"], root)
    assert (chapters / "97_out.ipynb").read_bytes() == nb_a


def test_recover_after_a_killed_run(tmp_path):
    root = tmp_path
    (root / "_toc.yml").write_text("root: book/intro\n")
    chapters = root / "book" / "chapters"
    (root / staging.STAGING / "05_did" / "outputs").mkdir(parents=True)  # killed mid-run
    chapters.mkdir(parents=True)
    (chapters / ".05_did.abc123.ipynb").write_text("{}")  # an older executor's temp
    (chapters / ".04_la.previous").mkdir()  # killed mid-swap
    (chapters / ".04_la.previous" / "t.csv").write_text("old complete")
    (chapters / "01_x").mkdir()
    (chapters / ".01_x.previous").mkdir()  # swap had finished
    cleared = runner.recover(root)
    assert not (root / staging.STAGING).exists() and not list(chapters.glob(".*"))
    assert (chapters / "04_la" / "t.csv").read_text() == "old complete"  # restored
    assert (chapters / "01_x").is_dir()
    assert len(cleared) == 4
    (root / staging.STAGING / "01_x.baselines").mkdir(parents=True)  # a refresh running
    runner.recover(root)
    assert (root / staging.STAGING / "01_x.baselines").is_dir()


def test_gathering_pages_run_last_and_with_any_chapter(monkeypatch, tmp_path):
    toc = ["00_findings", "01_a", "A2_b", "A1_ledger"]
    stages = {"00_findings": 2, "A1_ledger": 1}
    monkeypatch.setattr(runner, "stage_of", lambda n: stages.get(n, 0))
    monkeypatch.setattr(runner, "toc_chapters", lambda root: toc)
    assert runner.execution_order(toc, toc) == ["01_a", "A2_b", "A1_ledger", "00_findings"]
    assert runner.plan_run(["01_a"], tmp_path) == ["01_a", "A1_ledger", "00_findings"]
    assert runner.plan_run(["00_findings"], tmp_path) == ["00_findings"]
    assert runner.plan_run(None, tmp_path) == ["01_a", "A2_b", "A1_ledger", "00_findings"]


def test_registered_stages():
    assert runner.stage_of("01_implementation") == 0
    assert runner.stage_of("A1_reproduction_ledger") == 1
    assert runner.stage_of("00_findings") == 2


def test_postprocess_is_deterministic_and_carries_alt_text(tmp_path):
    nb = nbformat.v4.new_notebook()
    c0 = nbformat.v4.new_code_cell("x = 1")
    c0.metadata["tags"] = ["injected-parameters"]
    c0.metadata["papermill"] = {"start_time": "2026-01-01", "duration": 1.0}
    c1 = nbformat.v4.new_code_cell("fig")
    c1.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"image/png": "iVBO"}, metadata={"image/png": {"alt": "T. Source: s."}}
        )
    ]
    nb.cells = [c0, c1]
    nb.metadata["papermill"] = {"input_path": "/somewhere/x.ipynb", "parameters": {"x": 1}}
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    executor._postprocess(path)
    out = nbformat.read(path, as_version=4)
    assert out.cells[0]["id"] == "injected-parameters" and "remove-cell" in out.cells[0].metadata.tags
    assert "start_time" not in out.cells[0].metadata["papermill"]
    assert out.cells[1].metadata["mystnb"]["image"]["alt"] == "T. Source: s."
    assert "input_path" not in out.metadata["papermill"]


# ---------------------------------------------------------------- make chapter P=... (17.6)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("alpha=0.01 profiles_seed=7", ["alpha=0.01", "profiles_seed=7"]),
        ('exclude_las=["West Sussex"]', ['exclude_las=["West Sussex"]']),
        ('exclude_las=["938"]  alpha=0.01', ['exclude_las=["938"]', "alpha=0.01"]),
        ("name='a b' x={k: [1, 2]}", ["name='a b'", "x={k: [1, 2]}"]),
        ("", []),
    ],
)
def test_split_assignments(text, expected):
    assert runner.split_assignments(text) == expected


def test_split_assignments_values_read_as_written():
    from sofs_lib.core.params import parse_override

    vals = dict(parse_override(a) for a in runner.split_assignments('a=["938"] b=["West Sussex"]'))
    assert vals == {"a": ["938"], "b": ["West Sussex"]}  # "938" stays text


def test_split_assignments_unclosed():
    with pytest.raises(ParameterError, match="unclosed"):
        runner.split_assignments('a=["x')


def test_make_passes_P_exactly(tmp_path, root):
    """`make chapter` with a stand-in Python that records its arguments (no environment built)."""
    import shutil
    import subprocess

    if not shutil.which("make"):
        pytest.skip("make is not installed")
    log = tmp_path / "argv.json"
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nprintf '%s\\n' \"$@\" >> " + str(log) + "\necho --- >> " + str(log) + "\n")
    fake.chmod(0o755)
    P = 'exclude_las=["West Sussex", "938"] alpha=0.01'
    res = subprocess.run(
        ["make", "-s", "-C", str(root), "chapter", "CH=04_la_outcomes", f"P={P}", f"PY={fake}", "STAMP="],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    first = log.read_text().split("---\n")[0].splitlines()
    assert first == ["-m", "sofs_lib.build.runner", "run", "04_la_outcomes", "--params", P]
    assert runner.split_assignments(first[-1]) == ['exclude_las=["West Sussex", "938"]', "alpha=0.01"]


#: the executor in a child process, with the fake chapter's Spec (as the fixture gives in-process)
KILLED_RUN = (
    "from sofs_lib.build import runner\n"
    "from sofs_lib.core.params import Param, Spec\n"
    "runner.spec_for = lambda n: Spec(n, (Param('mode', (str,), 'a', 'm'),\n"
    "                                     Param('output_dir', (str, type(None)), None, 'o')))\n"
    "runner.main(['run', '--params', '97_out.mode=slow'])\n"
)


@pytest.mark.slow
def test_killed_run_then_run_succeeds(tmp_path):
    """Kill the executor (SIGKILL) while a chapter runs: the previous complete outputs survive,
    and the next run clears what the killed one left and succeeds."""
    import os
    import signal
    import subprocess
    import sys
    import time

    body = BODY.replace("if mode == 'fail'", "import time\nif mode == 'slow':\n    time.sleep(60)\nif mode == 'fail'")
    root = _staged_project(tmp_path, body)
    chapters = root / "book" / "chapters"
    runner.run_chapters(None, ["97_out.mode=a"], root)
    before = (chapters / "97_out.ipynb").read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN],
        cwd=root,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    staged = root / staging.STAGING / "97_out" / "outputs" / "table_slow.csv"
    for _ in range(600):
        if staged.exists():
            break
        time.sleep(0.1)
    assert staged.exists(), "the chapter never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (chapters / "97_out.ipynb").read_bytes() == before  # untouched
    assert sorted(p.name for p in (chapters / "97_out").iterdir()) == ["table_a.csv"]
    runner.run_chapters(None, ["97_out.mode=b"], root)  # the next run succeeds
    assert sorted(p.name for p in (chapters / "97_out").iterdir()) == ["table_b.csv"]
    assert not (root / staging.STAGING).exists()


@pytest.mark.slow
def test_notebook_written_once_not_after_every_cell(project, monkeypatch):
    """The executor's engine does not write the notebook between cells (papermill's own does,
    twice a cell); the executed notebook is still complete."""
    import papermill.engines
    import papermill.execute

    writes = {"engine": 0, "final": 0}
    between, final = papermill.engines.write_ipynb, papermill.execute.write_ipynb

    def count(key, fn):
        def w(nb, path):
            writes[key] += 1
            return fn(nb, path)

        return w

    monkeypatch.setattr(papermill.engines, "write_ipynb", count("engine", between))
    monkeypatch.setattr(papermill.execute, "write_ipynb", count("final", final))
    runner.run_chapters(["98_ok"], [], project)
    assert writes["engine"] == 0 and writes["final"] >= 1
    nb = nbformat.read(project / "book" / "chapters" / "98_ok.ipynb", as_version=4)
    assert nb.cells[2].outputs[0]["text"].strip() == "10"


def test_library_compiled_even_when_bytecode_writing_is_off(tmp_path, monkeypatch):
    """compile_library writes every module's bytecode although Python itself would not
    (``sys.dont_write_bytecode``, as under PYTHONDONTWRITEBYTECODE), and only once."""
    import importlib.util
    import sys

    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    for f in (pkg / "__init__.py", pkg / "a.py", pkg / "sub" / "__init__.py", pkg / "sub" / "b.py"):
        f.write_text("X = 1\n")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    executor.compile_library(pkg)
    for f in (pkg / "a.py", pkg / "sub" / "b.py"):
        assert (f.parent / "__pycache__" / Path(importlib.util.cache_from_source(str(f))).name).exists()
    before = {p: p.stat().st_mtime_ns for p in pkg.rglob("*.pyc")}
    executor.compile_library(pkg)  # up to date: nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in pkg.rglob("*.pyc")} == before


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (a killed process whose parent has
    not collected it yet)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("fails", [False, True])
def test_kernel_stopped_with_what_it_started(project, tmp_path, fails):
    """Once a chapter's last cell has run (or one has failed), its kernel is stopped at once,
    without the interpreter's teardown (about 1 s for chapter 05's loaded process): an exit
    handler a cell registers does not run, so a chapter writes everything in its cells. Any
    process the chapter started and left running is stopped with it (chapter 05's second
    process, when a cell fails before its result is read); the executed notebook is complete."""
    import time

    pid_file, exit_file = tmp_path / "child.pid", tmp_path / "at_exit.txt"
    start = (
        "import atexit, subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        f"atexit.register(lambda: open({str(exit_file)!r}, 'w').write('ran'))"
    )
    last = "raise ValueError('after the child started')" if fails else "print(x * 3)"
    _nb(project / "notebooks" / "98_ok.ipynb", [("x = 1", ["parameters"]), (start, None), (last, None)])
    if fails:
        with pytest.raises(SystemExit, match="after the child started"):
            runner.run_chapters(["98_ok"], [], project)
    else:
        runner.run_chapters(["98_ok"], [], project)
        nb = nbformat.read(project / "book" / "chapters" / "98_ok.ipynb", as_version=4)
        assert nb.cells[-1].outputs[0]["text"].strip() == "15"
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pid)
    assert not exit_file.exists()


@pytest.mark.slow
def test_processor_time_counts_the_kernel_and_what_it_waited_for(project):
    """The status page gives each chapter's processor time beside its run time: its kernel's
    and that of the processes the kernel waited for. A chapter whose cell waits for a child
    that computes for 1 s of processor time uses at least that much."""
    burn = (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', "
        "'import time\\nwhile time.process_time() < 1.0: pass'], check=True)"
    )
    _nb(project / "notebooks" / "98_ok.ipynb", [("x = 1", ["parameters"]), (burn, None)])
    (rec,) = runner.run_chapters(["98_ok"], [], project)
    assert rec["cpu_seconds"] >= 1.0
    log = json.loads((project / "book" / "chapters" / "run_log.json").read_text())
    assert log["98_ok"]["cpu_seconds"] == rec["cpu_seconds"]
    status = (project / "book" / "status.md").read_text()
    assert "| Chapter | Run time (s) | Processor time (s) | Status |" in status
    assert f"| 98_ok | {rec['seconds']:.1f} | {rec['cpu_seconds']:.1f} | ok |" in status
    assert "| 99_fail | – | – | not run | – |" in status
    # a total processor time only when every chapter run has one
    assert f"Total execution time: {rec['seconds']:.1f} s; processor time {rec['cpu_seconds']:.1f} s." in status
    log["98_ok"].pop("cpu_seconds")  # a record written before processor time was recorded
    (project / "book" / "chapters" / "run_log.json").write_text(json.dumps(log))
    from sofs_lib.build import status_page

    status = status_page.write_status(project, []).read_text()
    assert f"| 98_ok | {rec['seconds']:.1f} | – | ok |" in status
    assert f"Total execution time: {rec['seconds']:.1f} s." in status


def test_processor_time_of_an_older_record_shown_as_missing():
    from sofs_lib.build import status_page

    assert status_page._cpu({"seconds": 3.0}) == "–"
    assert status_page._cpu({"cpu_seconds": float("nan")}) == "–"
    assert status_page._cpu({"cpu_seconds": 12.34}) == "12.3"
