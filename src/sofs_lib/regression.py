"""Regression baselines for nbval.

``tests/baselines/<chapter>.ipynb`` are executed copies of the chapters run with their default
parameters, committed. ``pytest --nbval`` re-executes each baseline and compares every output
(text and HTML; images are not compared) with the stored one, after the substitutions in
``tests/nbval_sanitize.cfg``. A change in any number a chapter shows therefore fails the tests.

``python -m sofs_lib.regression refresh`` copies the current executed chapters over the baselines
(after a deliberate change: review the diff before committing).
"""

from __future__ import annotations

import shutil
import sys

from . import paths
from .runner import toc_chapters

#: chapters whose outputs are compared by nbval (the ones that run on embedded defaults).
REGRESSION_CHAPTERS = ["01_implementation", "A2_consistency_audit", "A1_reproduction_ledger"]


def refresh() -> None:
    root = paths.repo_root()
    dest = root / "tests" / "baselines"
    dest.mkdir(parents=True, exist_ok=True)
    for name in REGRESSION_CHAPTERS:
        if name not in toc_chapters(root):
            continue
        src = paths.chapters_dir(root) / f"{name}.ipynb"
        if not src.exists():
            raise SystemExit(f"{paths.relative(src, root)} not found: run `make book` first.")
        shutil.copyfile(src, dest / f"{name}.ipynb")
        print(f"baseline refreshed: tests/baselines/{name}.ipynb")


if __name__ == "__main__":
    if sys.argv[1:] != ["refresh"]:
        raise SystemExit("usage: python -m sofs_lib.regression refresh")
    refresh()
