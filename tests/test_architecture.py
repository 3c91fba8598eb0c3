"""The package's layers and the chapter contract (CONTRIBUTING.md).

Imports flow one way: ``core`` <- ``published`` <- ``sources`` <- ``synthetic``; ``methods`` and
``display`` build on ``core`` (and the report's numbers); ``chapters`` use everything below them;
``build`` (the executor) sits on top. Imports inside functions count too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from sofs_lib.build.registry import chapter_package, spec_for, toc_chapters
from sofs_lib.core import paths

ROOT = paths.repo_root()
PKG = ROOT / "src" / "sofs_lib"

#: layer -> the layers it may import (besides itself)
ALLOWED = {
    "core": set(),
    "published": {"core"},
    "sources": {"core", "published"},
    "synthetic": {"core", "published", "sources"},
    "methods": {"core", "published"},
    "display": {"core"},
    "chapters": {"core", "published", "sources", "synthetic", "methods", "display"},
    "build": {"core", "published", "sources", "synthetic", "methods", "display", "chapters"},
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every sofs_lib module ``path`` imports (resolved absolute), with its line."""
    tree = ast.parse(path.read_text())
    me = _module_name(path).split(".")
    pkg = me if path.name == "__init__.py" else me[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("sofs_lib")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("sofs_lib"):
                if mod == "sofs_lib":
                    out += [(node.lineno, f"sofs_lib.{a.name}") for a in node.names]
                else:
                    out.append((node.lineno, mod))
    return out


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def violations(files) -> list[str]:
    bad = []
    for f in files:
        src_layer = layer_of(_module_name(f))
        if src_layer is None:
            continue
        for line, target in imports_of(f):
            tgt = layer_of(target)
            if tgt is None or tgt == src_layer:
                continue
            if tgt not in ALLOWED.get(src_layer, set()):
                bad.append(f"{f.relative_to(ROOT)}:{line} ({src_layer}) imports {target} ({tgt})")
    return bad


def test_every_module_is_in_a_layer():
    stray = [p.name for p in PKG.glob("*.py") if p.name not in ("__init__.py",)]
    assert not stray, f"modules outside the layers: {stray}"
    assert {p.name for p in PKG.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(ALLOWED)


def test_imports_flow_one_way():
    assert violations(sorted(PKG.rglob("*.py"))) == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    # a data reader that imports a chapter inside a function is caught
    f = PKG / "sources" / "_probe_for_test.py"
    f.write_text("def f():\n    from sofs_lib.chapters.did import data\n    from ..chapters import did\n")
    try:
        bad = violations([f])
    finally:
        f.unlink()
    assert len(bad) == 2 and all("(chapters)" in b for b in bad)


@pytest.mark.parametrize("name", toc_chapters(ROOT))
def test_chapter_lives_in_its_folder(name):
    folder = ROOT / "src" / Path(*chapter_package(name).split("."))
    assert (folder / "__init__.py").exists(), f"{name}: no package {folder.relative_to(ROOT)}"
    assert (folder / "params.py").exists(), f"{name}: no params.py"
    assert (ROOT / "notebooks" / f"{name}.py").exists()


def _parameters_cell(name: str) -> dict:
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{name}: expected one cell tagged 'parameters'"
    values = {}
    for node in ast.parse(cells[0].source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, (
            f"{name}: the parameters cell may only assign names"
        )
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


@pytest.mark.parametrize("name", toc_chapters(ROOT))
def test_parameters_cell_agrees_with_spec(name):
    """The notebook's parameters cell lists exactly the Spec's names, with its defaults."""
    assert _parameters_cell(name) == spec_for(name).defaults()


def test_parameter_agreement_check_can_fail(monkeypatch):
    name = toc_chapters(ROOT)[0]
    spec = spec_for(name)
    changed = {**spec.defaults(), spec.names[0]: "a different default"}
    assert _parameters_cell(name) != changed


def test_no_parameter_files_beside_the_spec():
    assert not list((ROOT / "notebooks").glob("params/*.yml")), (
        "chapter defaults live only in their Spec (sofs_lib.chapters.<folder>.params)"
    )


def test_no_chapter_list_but_the_toc():
    """Nothing in the package lists chapters by name but _toc.yml (read by the registry)."""
    names = toc_chapters(ROOT)
    pattern = re.compile(r"\[\s*\"(\d\d|A\d)_[a-z_]+\"\s*,\s*\"(\d\d|A\d)_[a-z_]+\"")
    hits = [str(p.relative_to(ROOT)) for p in (ROOT / "src").rglob("*.py") if pattern.search(p.read_text())]
    assert names and not hits, f"chapter lists outside _toc.yml: {hits}"
