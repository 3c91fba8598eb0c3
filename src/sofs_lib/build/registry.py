"""The chapter list and each chapter's Spec.

``_toc.yml`` is the one list of chapters: the executor, the regression baselines and the tests
read it here. A chapter ``NN_name`` lives in ``sofs_lib.chapters.name`` and declares its
parameters as ``SPEC`` in that package's ``params`` module.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from sofs_lib.core import yamlio
from sofs_lib.core.params import Spec


class ChapterNotFound(LookupError):
    """A chapter name that _toc.yml does not list, or whose package declares no Spec."""


def toc_chapters(root: Path) -> list[str]:
    """Chapter names listed in ``_toc.yml`` under ``book/chapters/``, in order."""
    toc = yamlio.load((root / "_toc.yml").read_text())
    names: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            f = node.get("file")
            if isinstance(f, str) and f.startswith("book/chapters/"):
                names.append(f.split("/")[-1].removesuffix(".ipynb"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc)
    return names


def is_gathering(name: str) -> bool:
    """A gathering page (its Spec has ``stage`` > 0) reads other chapters' outputs: it is
    executed after them and has no regression baseline of its own."""
    return spec_for(name).stage > 0


def chapter_package(name: str) -> str:
    """``04_la_outcomes`` -> ``sofs_lib.chapters.la_outcomes``."""
    head, sep, folder = name.partition("_")
    if not sep or not folder:
        raise ChapterNotFound(f"Chapter name {name!r} must look like NN_name.")
    return f"sofs_lib.chapters.{folder}"


def spec_for(name: str) -> Spec:
    """The chapter's declared parameters (``sofs_lib.chapters.<folder>.params.SPEC``)."""
    module = chapter_package(name) + ".params"
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name in (module, chapter_package(name)):
            raise ChapterNotFound(f"Chapter {name}: no parameters module {module}.") from None
        raise
    spec = getattr(mod, "SPEC", None)
    if not isinstance(spec, Spec):
        raise ChapterNotFound(f"Chapter {name}: {module} defines no SPEC.")
    if spec.chapter != name:
        raise ChapterNotFound(f"Chapter {name}: {module}.SPEC is declared for {spec.chapter!r}.")
    return spec
