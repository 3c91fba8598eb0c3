"""The reproduction ledger: every published number beside the number this book computes.

Each chapter, when executed, records its comparisons in a :class:`Ledger` and writes them to
``reproduction.csv`` in its output folder. The appendix "Reproduction ledger" gathers all
chapters' files (:func:`gather`).

Columns of ``reproduction.csv``:

``chapter, table_id, row, column, published, reproduced, kind, status, note``

``kind`` says what the reproduced value was computed from:

* ``real`` -- public DfE/Ofsted files;
* ``synthetic`` -- generated data (a demonstration of the method, never evidence);
* ``derived`` -- the report's own published numbers (e.g. a mean of a published table).

``status`` is one of :data:`STATUSES`:

* ``exact`` -- the reproduced value, rounded to the decimals the report prints, equals it;
* ``within rounding`` -- not equal after rounding, but inside the tolerance that rounding of the
  inputs allows (``tolerance`` argument, stated in the note);
* ``differs`` -- outside that tolerance;
* ``not reproducible`` -- no value can be computed from available data (``reproduced`` is empty).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sofs_lib.core import paths
from sofs_lib.core.kinds import LEDGER_KINDS, STATUSES
from sofs_lib.core.rounding import half_unit, round_half_up

COLUMNS = ["chapter", "table_id", "row", "column", "published", "reproduced", "kind", "status", "note"]
KINDS = LEDGER_KINDS
FILENAME = "reproduction.csv"


class LedgerError(ValueError):
    """A ledger entry or file is malformed."""


def classify(published: float, reproduced: float | None, decimals: int | None, tolerance: float = 0.0) -> str:
    """Status of one comparison.

    ``decimals`` is how many decimals the report prints (None: compare exactly). ``tolerance`` is
    the largest absolute gap that rounding of the *inputs* can explain (0 when the inputs are
    exact); a value within half a printed unit plus that tolerance is ``within rounding``.
    """
    if reproduced is None or (isinstance(reproduced, float) and math.isnan(reproduced)):
        return "not reproducible"
    if published is None or (isinstance(published, float) and math.isnan(published)):
        raise LedgerError("published value is missing: record it as text in the note instead")
    if decimals is None:
        return (
            "exact"
            if reproduced == published
            else ("within rounding" if abs(reproduced - published) <= tolerance else "differs")
        )
    if math.isclose(round_half_up(reproduced, decimals), published, abs_tol=1e-12):
        return "exact"
    if abs(reproduced - published) <= half_unit(decimals) + tolerance + 1e-12:
        return "within rounding"
    return "differs"


class Ledger:
    """Comparisons recorded by one chapter.

    >>> led = Ledger("01_implementation")
    >>> led.record("A8.1", "Clear commitment", "T3 mean", published=7.6, reproduced=7.64,
    ...            decimals=1, kind="derived")
    'exact'
    """

    def __init__(self, chapter: str):
        self.chapter = chapter
        self._rows: list[dict] = []

    def record(
        self,
        table_id: str,
        row: str,
        column: str,
        *,
        published,
        reproduced,
        kind: str,
        decimals: int | None = None,
        tolerance: float = 0.0,
        status: str | None = None,
        note: str = "",
    ) -> str:
        """Add one comparison; returns its status (computed by :func:`classify` unless given)."""
        if kind not in KINDS:
            raise LedgerError(f"kind must be one of {KINDS}, not {kind!r}")
        if status is None:
            status = classify(published, reproduced, decimals, tolerance)
        elif status not in STATUSES:
            raise LedgerError(f"status must be one of {STATUSES}, not {status!r}")
        if tolerance and "rounding" not in note:
            note = (note + "; " if note else "") + f"input rounding allows ±{tolerance:g}"
        self._rows.append(
            dict(
                chapter=self.chapter,
                table_id=str(table_id),
                row=str(row),
                column=str(column),
                published=published,
                reproduced=reproduced,
                kind=kind,
                status=status,
                note=note,
            )
        )
        return status

    def record_value(
        self,
        value,
        reproduced,
        *,
        kind: str,
        tolerance: float = 0.0,
        note: str = "",
        row: str | None = None,
        column: str | None = None,
    ) -> str:
        """Record against a :class:`sofs_lib.published.Value` (its table, row, column, decimals)."""
        return self.record(
            value.table_id,
            row or value.row,
            column or value.column,
            published=value.number,
            reproduced=reproduced,
            kind=kind,
            decimals=value.decimals,
            tolerance=tolerance,
            note=note,
        )

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows, columns=COLUMNS)

    def summary(self) -> pd.DataFrame:
        """Counts by status."""
        f = self.frame
        return f.groupby("status").size().reindex(STATUSES, fill_value=0).rename("comparisons").to_frame()

    def write(self, output_dir: str | Path) -> Path:
        """Write ``reproduction.csv`` (atomically) into ``output_dir``; returns its path."""
        out = Path(output_dir) / FILENAME
        tmp = out.with_suffix(".csv.tmp")
        self.frame.to_csv(tmp, index=False, lineterminator="\n", float_format="%.6g")
        tmp.replace(out)
        return out


def read(path: str | Path) -> pd.DataFrame:
    """Read one ``reproduction.csv``, checking its columns and codes."""
    path = Path(path)
    df = pd.read_csv(
        path,
        dtype={"table_id": str, "row": str, "column": str, "note": str},
        keep_default_na=False,
        na_values={"reproduced": [""], "published": [""]},
    )
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise LedgerError(f"{paths.relative(path)} lacks column(s) {', '.join(missing)}")
    bad = df.loc[~df["status"].isin(STATUSES), "status"].unique().tolist()
    if bad:
        raise LedgerError(f"{paths.relative(path)}: unknown status value(s) {bad}")
    bad = df.loc[~df["kind"].isin(KINDS), "kind"].unique().tolist()
    if bad:
        raise LedgerError(f"{paths.relative(path)}: unknown kind value(s) {bad}")
    return df[COLUMNS]


def gather(chapters_dir: str | Path | None = None) -> pd.DataFrame:
    """All chapters' ledgers: every ``*/reproduction.csv`` under the chapters folder."""
    base = Path(chapters_dir) if chapters_dir else paths.chapters_dir()
    files = sorted(base.glob(f"*/{FILENAME}"))
    if not files:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat([read(f) for f in files], ignore_index=True)
