"""The set-up and tear-down every chapter shares: ``start`` at the top, ``finish`` at the end.

>>> run = chapter.start(SPEC, globals())     # validate parameters, theme, output folder, ledger
>>> run.params_box()                         # the collapsible box of effective parameters
>>> ...                                      # the chapter records into run.ledger
>>> run.finish()                             # writes reproduction.csv beside the chapter's tables
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sofs_lib.core import paths
from sofs_lib.core.ledger import Ledger
from sofs_lib.core.params import Spec
from sofs_lib.display import plotting, provenance


@dataclass
class ChapterRun:
    """One execution of a chapter: its validated parameters, output folder and ledger."""

    name: str
    params: dict
    out: Path
    ledger: Ledger

    def params_box(self) -> None:
        provenance.params_box(self.params, self.name)

    def finish(self) -> Path:
        """Write the chapter's ledger (``reproduction.csv``) and return its path."""
        return self.ledger.write(self.out)


def start(spec: Spec, namespace: Mapping[str, Any]) -> ChapterRun:
    """Validate the notebook's parameters against ``spec`` (including names papermill injected),
    set the figure theme and create the chapter's output folder and ledger."""
    p = spec.validate(namespace)
    out = paths.output_dir(spec.chapter, p.get("output_dir"))
    plotting.set_theme()
    return ChapterRun(spec.chapter, p, out, Ledger(spec.chapter))
