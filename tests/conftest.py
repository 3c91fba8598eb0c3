"""Shared fixtures. Paths are resolved from the project root, never from a machine path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A minimal project root (``_toc.yml`` and a copy of ``data/published``) in tmp_path."""
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    shutil.copytree(ROOT / "data" / "published", tmp_path / "data" / "published")
    return tmp_path


@pytest.fixture(autouse=True)
def _no_root_override(monkeypatch):
    monkeypatch.delenv("SOFS_ROOT", raising=False)
    yield


@pytest.fixture(scope="session")
def dfe_dir() -> Path:
    """The real DfE/Ofsted folder: ``$SOFS_DFE_DATA_DIR``, else ``../shared/dfe-data`` beside the
    project. Missing: the test is skipped, or fails when ``CI`` is set."""
    import os

    from sofs_lib.sources.dfe.loaders import resolve_dfe_data_dir

    d = resolve_dfe_data_dir()
    if not (d / "ees").is_dir():
        msg = f"DfE data folder not found at {d} (set SOFS_DFE_DATA_DIR; see the README's data section)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return d


def built_book() -> Path:
    html = ROOT / "_build" / "html"
    if not (html / "index.html").exists():
        pytest.fail("The book is not built: run `make book` (or `make test`, which builds it).")
    return html


def pytest_collection_modifyitems(config, items):
    """Tests that read the raw DfE/Ofsted downloads (the ``dfe_dir`` fixture) are marked
    ``raw_data``: ``make test`` leaves them out, ``make check-raw`` runs them."""
    for item in items:
        if "dfe_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.raw_data)
