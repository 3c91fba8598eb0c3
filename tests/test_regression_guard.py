"""The nbval regression baselines catch a changed published number.

A copy of the project's data and of a chapter's baseline is made in a temporary folder; one
published number is changed; nbval re-executes the baseline there and must fail. The same run on
an unchanged copy must pass, so the failure is caused by the change.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "baselines" / "01_implementation.ipynb"


def _copy_project(dest: Path) -> Path:
    shutil.copy(ROOT / "_toc.yml", dest / "_toc.yml")
    shutil.copytree(ROOT / "data", dest / "data")
    (dest / "baselines").mkdir()
    nb = dest / "baselines" / BASELINE.name
    shutil.copy(BASELINE, nb)
    return nb


def _nbval(nb: Path, cwd: Path) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--rootdir",
        str(cwd),
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval_sanitize.cfg"),
        str(nb),
    ]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.slow
def test_unchanged_copy_passes(tmp_path):
    nb = _copy_project(tmp_path)
    res = _nbval(nb, tmp_path)
    assert res.returncode == 0, res.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize(
    "file, old, new",
    [
        ("table_2.csv", "2,Family network meetings,Pilot 9,60,", "2,Family network meetings,Pilot 9,66,"),
        (
            "table_A8.1.csv",
            "A8.1,Partner agency involvement,P1 T2 N,2.8,",
            "A8.1,Partner agency involvement,P1 T2 N,3.8,",
        ),
        (
            "text_numbers.csv",
            "fg_court_t3,Section 3 (Pilots' assessment of their progress),4.4,",
            "fg_court_t3,Section 3 (Pilots' assessment of their progress),4.9,",
        ),
        (
            "table_3.csv",
            "Ofsted judgement at end of Round 2 (September 2019): Good,Overall,1,",
            "Ofsted judgement at end of Round 2 (September 2019): Good,Overall,2,",
        ),
    ],
    ids=["table2", "tableA8.1", "text-number", "table3"],
)
def test_changed_published_number_fails(tmp_path, file, old, new):
    nb = _copy_project(tmp_path)
    _edit(tmp_path / "data" / "published" / file, old, new)
    res = _nbval(nb, tmp_path)
    assert res.returncode != 0, "nbval passed although a published number changed"
    assert "mismatch" in res.stdout.lower() or "failed" in res.stdout.lower()
