"""The chapter's inputs: its year spans and LA lists as parameters (with the checks its Spec
runs), its data source, and the long panel it analyses (real or synthetic)."""

from __future__ import annotations

from sofs_lib.chapters.la_outcomes.analysis import _year_list
from sofs_lib.sources.dfe.groups import _codes


def parse_years(text: str) -> tuple[int, int]:
    """``"2014/15-2018/19"`` -> (2015, 2019): the years in which the first and last reporting
    years end (31 March)."""
    import re

    m = re.fullmatch(r"\s*(\d{4})/(\d{2})\s*-\s*(\d{4})/(\d{2})\s*", str(text))
    if not m:
        raise ValueError(f"years must look like '2014/15-2018/19', not {text!r}")
    a0, a1, b0, b1 = (int(g) for g in m.groups())
    if (a0 + 1) % 100 != a1 or (b0 + 1) % 100 != b1:
        raise ValueError(f"{text!r}: each year must be a reporting year such as 2018/19")
    if b0 < a0:
        raise ValueError(f"{text!r}: the span ends before it starts")
    return a0 + 1, b0 + 1


def _check_years(v):
    try:
        first, last = parse_years(v)
    except ValueError as exc:
        return f"is not a span of reporting years: {exc}"
    if first < 2014 or last > 2025:
        return "must lie within 2013/14-2024/25, the years the DfE releases read here cover"
    return None


def _check_la_list(v):
    if not all(isinstance(x, str) for x in v):
        return "must be a list of LA names or DfE LA numbers (text)"
    try:
        _codes(v)
    except Exception as exc:  # noqa: BLE001 - report the lookup error in the parameter's words
        return f"names an unknown LA ({exc})"
    return None


def data_source(value):
    """The chapter's data source from the ``dfe_data_dir`` parameter: ``None`` = the committed
    extract of the real DfE files (``data/dfe_extract``), ``"synthetic"`` = the synthetic panel,
    otherwise a folder of raw downloads, relative to the project root (it must exist)."""
    from pathlib import Path

    from sofs_lib.core import paths

    if value is None or str(value) == SYNTHETIC:
        return value
    folder = paths.repo_root() / Path(value)
    if not folder.is_dir():
        raise ValueError(f"dfe_data_dir: folder {value!r} does not exist (relative to the project root)")
    return folder


SYNTHETIC = "synthetic"


def chapter_panel(dfe_data_dir, out_dir, years):
    """The long panel the chapter analyses and its kind.

    ``dfe_data_dir``: ``None`` reads the committed extract (real data), a folder reads the raw
    files in it with the project's loaders (:func:`sofs_lib.sources.dfe.extract.load_panel`),
    ``"synthetic"`` writes the synthetic panel in the EES layout to
    ``out_dir/synthetic_ees.csv`` and reads it back through the same loader.
    Returns ``(panel, kind, pilots, comparators)`` (pilots/comparators None = defaults).
    """
    from sofs_lib.sources.dfe.extract import load_panel
    from sofs_lib.synthetic.la_panel import (
        load_synthetic_panel,
        synthetic_groups,
        write_synthetic_ees,
    )

    if dfe_data_dir is not None and str(dfe_data_dir) == SYNTHETIC:
        path = write_synthetic_ees(out_dir)
        panel = load_synthetic_panel(path)
        pil, com = synthetic_groups()
        return panel, "synthetic", pil, com
    ys = _year_list(years)
    full = load_panel(dfe_data_dir, scope="A9")
    panel = full[full["year"].isin(ys)].reset_index(drop=True)
    panel.attrs.update(full.attrs, kind="real")
    return panel, "real", None, None
