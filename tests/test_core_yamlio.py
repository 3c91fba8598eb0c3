"""The one YAML loader (sofs_lib.core.yamlio) reads every YAML file of the project as
``yaml.safe_load`` does, and refuses what safe_load refuses."""

from pathlib import Path

import pytest
import yaml

from sofs_lib.core import yamlio

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in ROOT.rglob("*.yml") if not any(part.startswith(".") for part in p.relative_to(ROOT).parts))


def test_project_has_yaml_files():
    assert any(p.name == "calibration.yml" for p in FILES) and any(p.name == "_toc.yml" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_as_safe_load(path):
    text = path.read_text(encoding="utf-8")
    assert yamlio.load(text) == yaml.safe_load(text)
    with open(path, encoding="utf-8") as fh:
        assert yamlio.load(fh) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["3", "0.5", "true", "null", "[1, 2]", "text", "a: {b: [1, x]}", "2019-04-01"])
def test_scalars_as_safe_load(text):
    assert yamlio.load(text) == yaml.safe_load(text)


def test_unsafe_tags_refused():
    with pytest.raises(yaml.YAMLError):
        yamlio.load("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError):
        yamlio.load("a: [1, 2")
