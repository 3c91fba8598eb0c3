"""Every notebooks/*.py has its .ipynb pair, and the two hold the same cells."""

from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("*.py"))


def _cells(nb):
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", []))) for c in nb.cells]


def test_there_are_notebooks():
    assert SOURCES, "no notebooks/*.py found"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.name)
def test_pair_in_sync(py):
    ipynb = py.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} is missing: run `make sync`"
    a, b = jupytext.read(py), jupytext.read(ipynb)
    assert _cells(a) == _cells(b), (
        f"{py.name} and {ipynb.name} have drifted: run `make sync` (the .py file is the source)"
    )


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.name)
def test_one_parameters_cell(py):
    nb = jupytext.read(py)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{py.name} must have exactly one cell tagged 'parameters'"


def test_sync_check_detects_drift(tmp_path):
    """The check above is not vacuous: an edited .py no longer matches its .ipynb."""
    src = SOURCES[0]
    edited = jupytext.read(src)
    edited.cells[0].source += "\nAn edit made only in the .py file."
    assert _cells(edited) != _cells(jupytext.read(src.with_suffix(".ipynb")))
