"""Where the project, its data and its outputs live.

Every path the book uses is resolved from the project root (the folder holding ``_toc.yml``),
so notebooks, tests and the executor agree wherever they are started from, and nothing in the
project names a path of a particular machine.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = "_toc.yml"
#: set by the executor while a chapter runs: the chapter's name and the staging folder its
#: outputs go to until it succeeds (see :func:`output_dir`).
STAGE_CHAPTER_ENV = "SOFS_STAGE_CHAPTER"
STAGE_DIR_ENV = "SOFS_STAGE_DIR"

_current_output: Path | None = None


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
        f"No {MARKER} found in {here} or any folder above it; run from inside the project or set SOFS_ROOT."
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
    taken relative to the project root when not absolute. While the executor runs the chapter
    (``SOFS_STAGE_CHAPTER`` names it), the default is the executor's staging folder
    (``SOFS_STAGE_DIR``): the outputs are moved to ``book/chapters/<chapter>/`` only when the
    whole chapter succeeds. The folder returned is remembered as the current chapter's (see
    :func:`current_output_dir`).
    """
    global _current_output
    if override:
        p = Path(override)
        path = p if p.is_absolute() else repo_root() / p
    elif os.environ.get(STAGE_CHAPTER_ENV) == chapter and os.environ.get(STAGE_DIR_ENV):
        path = Path(os.environ[STAGE_DIR_ENV])
    else:
        path = chapters_dir() / chapter
    if create:
        path.mkdir(parents=True, exist_ok=True)
    _current_output = path
    return path


def current_output_dir() -> Path | None:
    """The output folder last returned by :func:`output_dir` in this process (the running
    chapter's), or None."""
    return _current_output


def final_output_dir(path: str | os.PathLike) -> Path:
    """Where a (possibly staged) output folder ends up: the staging folder of the running
    chapter maps to ``book/chapters/<chapter>/``; any other folder to itself."""
    stage, chapter = os.environ.get(STAGE_DIR_ENV), os.environ.get(STAGE_CHAPTER_ENV)
    p = Path(path)
    if stage and chapter:
        try:
            rest = p.resolve().relative_to(Path(stage).resolve())
        except ValueError:
            return p
        return chapters_dir() / chapter / rest
    return p


def relative(path: str | os.PathLike, root: Path | None = None) -> str:
    """``path`` relative to the project root when it lies inside it (for display), else as given.
    A staged output is shown where it will live (:func:`final_output_dir`)."""
    p = final_output_dir(path).resolve()
    try:
        return str(p.relative_to(root or repo_root()))
    except (ValueError, ProjectRootNotFound):
        return str(path)
