"""Where the project, its data and its outputs live.

Every path the book uses is resolved from the project root (the folder holding ``_toc.yml``),
so notebooks, tests and the executor agree wherever they are started from, and nothing in the
project names a path of a particular machine.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = "_toc.yml"


class ProjectRootNotFound(RuntimeError):
    """Raised when no folder above the working directory holds ``_toc.yml``."""


def repo_root(start: str | os.PathLike | None = None) -> Path:
    """Return the project root: the nearest folder at or above ``start`` holding ``_toc.yml``.

    ``start`` defaults to the working directory; when no folder above it is the project, the
    checkout holding this package (an editable install) is used. The environment variable ``SOFS_ROOT`` overrides
    the search (useful when a notebook is executed from outside the project).
    """
    env = os.environ.get("SOFS_ROOT")
    if env:
        root = Path(env).resolve()
        if not (root / MARKER).exists():
            raise ProjectRootNotFound(f"SOFS_ROOT={env!r} does not hold {MARKER}")
        return root
    here = Path(start or os.getcwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / MARKER).exists():
            return candidate
    if start is None:
        # Outside the project (e.g. a script run elsewhere): the checkout this package lives in.
        for candidate in Path(__file__).resolve().parents:
            if (candidate / MARKER).exists():
                return candidate
    raise ProjectRootNotFound(
        f"No {MARKER} found in {here} or any folder above it; run from inside the project "
        "or set SOFS_ROOT."
    )


def data_dir(root: Path | None = None) -> Path:
    """The project's committed data folder (``data/``)."""
    return (root or repo_root()) / "data"


def published_dir(root: Path | None = None) -> Path:
    """The transcribed published tables (``data/published/``)."""
    return data_dir(root) / "published"


def chapters_dir(root: Path | None = None) -> Path:
    """Where the executor writes executed chapters (``book/chapters/``)."""
    return (root or repo_root()) / "book" / "chapters"


def output_dir(chapter: str, override: str | os.PathLike | None = None, *, create: bool = True) -> Path:
    """The folder for a chapter's outputs (tables, ``reproduction.csv``).

    Default ``book/chapters/<chapter>/``; ``override`` (a chapter's ``output_dir`` parameter) is
    taken relative to the project root when not absolute.
    """
    if override:
        p = Path(override)
        path = p if p.is_absolute() else repo_root() / p
    else:
        path = chapters_dir() / chapter
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def relative(path: str | os.PathLike, root: Path | None = None) -> str:
    """``path`` relative to the project root when it lies inside it (for display), else as given."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(root or repo_root()))
    except (ValueError, ProjectRootNotFound):
        return str(path)
