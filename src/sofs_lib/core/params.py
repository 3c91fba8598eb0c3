"""Declared chapter parameters and their validation.

Each chapter declares its parameters once, as ``SPEC`` in ``sofs_lib.chapters.<folder>.params``
(the folder is the chapter's name without its number: ``04_la_outcomes`` -> ``la_outcomes``). The
Spec holds the defaults; there is no other copy. The same declaration is used twice:

* by the executor (:mod:`sofs_lib.build.runner`) before a chapter runs, so that an override given on
  the command line is checked before any work starts; and
* at the top of the chapter itself (``SPEC.validate(globals())``), so that a chapter executed
  directly with papermill is checked too.

A bad value stops with one :class:`ParameterError` sentence naming the chapter, the parameter and
what is allowed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class ParameterError(ValueError):
    """A chapter parameter is unknown, of the wrong type, or out of range."""


_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true/false",
    type(None): "null",
    list: "a list",
    dict: "a mapping",
}


def _type_name(types: tuple[type, ...]) -> str:
    return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)


@dataclass(frozen=True)
class Param:
    """One parameter: its name, allowed types, default, and optional constraints.

    ``choices`` restricts values to a set; ``minimum``/``maximum`` bound numbers (inclusive);
    ``check`` is a callable returning an error message (str) or None for anything else.
    """

    name: str
    types: tuple[type, ...]
    default: Any
    doc: str
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], str | None] | None = None

    def allowed(self) -> str:
        """A phrase saying what values are allowed."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        parts = [_type_name(self.types)]
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"from {self.minimum} to {self.maximum}")
        elif self.minimum is not None:
            parts.append(f"at least {self.minimum}")
        elif self.maximum is not None:
            parts.append(f"at most {self.maximum}")
        return " ".join(parts)

    def coerce(self, value: Any, chapter: str) -> Any:
        """Return ``value`` checked (ints accepted where floats are); raise ParameterError."""
        where = f"Parameter '{self.name}' of chapter {chapter}"
        if float in self.types and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in self.types:
            raise ParameterError(f"{where} must be {self.allowed()}, not {value!r}.")
        if not isinstance(value, self.types):
            raise ParameterError(f"{where} must be {self.allowed()}, not {type(value).__name__} {value!r}.")
        if self.choices is not None and value not in self.choices:
            raise ParameterError(f"{where} must be {self.allowed()}, not {value!r}.")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise ParameterError(f"{where} must be {self.allowed()}, not {value!r}.")
        if self.check is not None and value is not None:
            msg = self.check(value)
            if msg:
                raise ParameterError(f"{where} {msg} (got {value!r}).")
        return value


@dataclass(frozen=True)
class Spec:
    """The parameters of one chapter.

    ``stage`` orders execution: 0 for an ordinary chapter; a *gathering* page, which reads other
    chapters' outputs (the reproduction ledger, the findings page), has a stage above 0 and is
    executed after every chapter of a lower stage, wherever ``_toc.yml`` shows it.
    """

    chapter: str
    params: tuple[Param, ...]
    common: tuple[str, ...] = field(default=("output_dir",))
    stage: int = 0

    def __post_init__(self):
        names = [p.name for p in self.params]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate parameter names in spec for {self.chapter}")

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def check_names(self, names: Iterable[str]) -> None:
        """Raise ParameterError for any name the chapter does not declare."""
        unknown = [n for n in names if n not in self.names]
        if unknown:
            raise ParameterError(
                f"Unknown parameter {', '.join(repr(u) for u in unknown)} for chapter "
                f"{self.chapter}; it takes {', '.join(self.names)}."
            )

    def resolve(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Check names and values; return the effective parameters (defaults filled in)."""
        self.check_names(values.keys())
        out = self.defaults()
        out.update(values)
        return {p.name: p.coerce(out[p.name], self.chapter) for p in self.params}

    def validate(self, namespace: Mapping[str, Any]) -> dict[str, Any]:
        """Validate the parameters as they stand in a notebook's namespace (``globals()``).

        Names injected by papermill that the chapter does not declare are detected from the
        kernel's input history (papermill's "# Parameters" cell) and rejected.
        """
        injected = _injected_names(namespace)
        self.check_names(injected)
        missing = [n for n in self.names if n not in namespace]
        if missing:
            raise ParameterError(
                f"Chapter {self.chapter} has no value for parameter(s) {', '.join(missing)}; "
                "the parameters cell must define them."
            )
        return self.resolve({n: namespace[n] for n in self.names})


def _injected_names(namespace: Mapping[str, Any]) -> list[str]:
    """Names assigned in papermill's injected parameters cell, if any (from IPython's ``In``)."""
    history = namespace.get("In")
    if not isinstance(history, list):
        return []
    names: list[str] = []
    for src in history:
        if isinstance(src, str) and src.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign):
                    names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``name=value`` from the command line; the value is read as YAML (``3``, ``0.5``,
    ``true``, ``null``, ``[1, 2]``, text)."""
    import yaml

    from sofs_lib.core import yamlio

    if "=" not in text:
        raise ParameterError(f"Override {text!r} must look like name=value.")
    name, raw = text.split("=", 1)
    name = name.strip()
    if not name.isidentifier():
        raise ParameterError(f"Override {text!r}: {name!r} is not a parameter name.")
    try:
        value = yamlio.load(raw)
    except yaml.YAMLError as exc:
        raise ParameterError(f"Override {text!r}: value is not valid YAML ({exc}).") from None
    return name, value
