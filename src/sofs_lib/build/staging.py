"""Atomic outputs: a chapter runs into a staging folder (``_build/staging/<chapter>/``) and its
notebook and output folder replace the book's only when it succeeds (:func:`publish`);
:func:`recover` clears what a killed run left behind."""

from __future__ import annotations

import shutil
from pathlib import Path

from sofs_lib.core import paths

STAGING = Path("_build") / "staging"


def recover(root: Path) -> list[str]:
    """Clear what an interrupted run left behind: the staging folder, hidden temporary notebooks
    of older executors in ``book/chapters/``, and half-swapped output folders (restored when the
    new one never arrived). Returns what was cleared."""
    cleared = []
    staging = root / STAGING
    if staging.is_dir():  # book chapters' folders (baseline refreshes use "<name>.<folder>")
        for d in sorted(staging.iterdir()):
            if "." not in d.name:
                shutil.rmtree(d) if d.is_dir() else d.unlink()
                cleared.append(f"{STAGING}/{d.name}")
        try:
            staging.rmdir()
        except OSError:
            pass
    cdir = paths.chapters_dir(root)
    if cdir.is_dir():
        for f in sorted(cdir.glob(".*.ipynb")):
            f.unlink()
            cleared.append(f.name)
        for old in sorted(cdir.glob(".*.previous")):
            name = old.name[1:].removesuffix(".previous")
            if (cdir / name).exists():
                shutil.rmtree(old)
            else:
                old.rename(cdir / name)
            cleared.append(old.name)
    return cleared


def publish(staged_nb: Path, staged_out: Path | None, ch) -> None:
    """Move a succeeded chapter's staged outputs into place (the output folder whole)."""
    if staged_out is not None:
        final = ch.target.with_suffix("")
        previous = final.with_name(f".{final.name}.previous")
        if previous.exists():
            shutil.rmtree(previous)
        if final.exists():
            final.rename(previous)
        staged_out.rename(final)
        staged_nb.replace(ch.target)
        if previous.exists():
            shutil.rmtree(previous)
    else:
        staged_nb.replace(ch.target)
