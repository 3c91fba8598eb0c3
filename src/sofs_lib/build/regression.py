"""Regression baselines for nbval.

``tests/baselines/<chapter>.ipynb`` are the chapters executed with their default parameters
(embedded data only, so they need nothing outside the project), committed. ``pytest --nbval``
re-executes each baseline and compares every output (text and HTML; images are not compared)
with the stored one, after the substitutions in ``tests/nbval_sanitize.cfg``. A change in any
number a chapter shows therefore fails the tests.

Baselines write their outputs to ``_build/regression/<chapter>/`` (their ``output_dir``), never
over the book's own outputs.

``python -m sofs_lib.build.regression refresh`` re-executes the chapters into the baselines (after a
deliberate change: review the diff before committing).
"""

from __future__ import annotations

import sys

from sofs_lib.build.registry import is_gathering, toc_chapters
from sofs_lib.build.runner import execute, load_chapter
from sofs_lib.core import paths


def regression_chapters(root=None) -> list[str]:
    """Chapters whose outputs nbval compares: every chapter of ``_toc.yml`` but the gathering
    pages (they only gather the other chapters' records, which are compared here)."""
    return [n for n in toc_chapters(root or paths.repo_root()) if not is_gathering(n)]


def output_dir_for(name: str) -> str:
    """Where a baseline writes its outputs (relative to the project root)."""
    return f"_build/regression/{name}"


def refresh(names: list[str] | None = None) -> None:
    root = paths.repo_root()
    dest = root / "tests" / "baselines"
    dest.mkdir(parents=True, exist_ok=True)
    for name in names or regression_chapters(root):
        if name not in toc_chapters(root):
            raise SystemExit(f"{name} is not in _toc.yml")
        ch = load_chapter(root, name)
        ch.target = dest / f"{name}.ipynb"
        params = dict(ch.params, output_dir=output_dir_for(name))
        secs = execute(ch, params, root)
        print(f"baseline refreshed: tests/baselines/{name}.ipynb ({secs:.1f} s)")


if __name__ == "__main__":
    if not sys.argv[1:] or sys.argv[1] != "refresh":
        raise SystemExit("usage: python -m sofs_lib.build.regression refresh [CHAPTER ...]")
    refresh(sys.argv[2:] or None)
