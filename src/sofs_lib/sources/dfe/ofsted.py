"""Loaders for the Ofsted workbooks used in Appendix 9: every LA inspection (*Children's social care
in England* underlying data) and the outcomes as at 31 March, with the judgement in force at a date.

Like the DfE loaders (:mod:`sofs_lib.sources.dfe.loaders`) they check the declared layout,
harmonise LA names and codes and validate the output; errors name the file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib.sources.dfe import schemas as S
from sofs_lib.sources.dfe._io import attach_report, sniff, validate_schema
from sofs_lib.sources.dfe.errors import DfeEmptyFileError, DfeFormatError, DfeLayoutError
from sofs_lib.sources.dfe.names import harmonise
from sofs_lib.sources.dfe.ods import read_sheet


def _sheet_tables(path: Path, sheet: str, header_marker: str, required) -> list[pd.DataFrame]:
    if sniff(path) == "text":
        raise DfeFormatError(
            f"{path.name}: expected an OpenDocument spreadsheet (.ods) but this is a text/CSV file (file: {path})",
            path,
        )
    rows = read_sheet(path, sheet)
    headers = [i for i, r in enumerate(rows) if r and header_marker in [str(x).strip() if x else x for x in r]]
    if not headers:
        raise DfeLayoutError(
            path,
            missing=list(required),
            detail=f"sheet {sheet!r}: no header row containing {header_marker!r}",
        )
    tables = []
    for k, h in enumerate(headers):
        header = [str(x).strip() if x is not None else f"col{j}" for j, x in enumerate(rows[h])]
        # Ofsted header cells contain a line break before '(OE)'; keep it but normalise spaces
        header = [re.sub(r"[ \t]+", " ", x).replace(" \n", "\n") for x in header]
        end = headers[k + 1] if k + 1 < len(headers) else len(rows)
        body = []
        for r in rows[h + 1 : end]:
            if not r or all(v is None for v in r):
                if body:
                    break
                continue
            body.append((r + [None] * len(header))[: len(header)])
        tables.append(pd.DataFrame(body, columns=header, dtype=object))
    missing = [c for c in required if c not in tables[0].columns]
    if missing:
        raise DfeLayoutError(path, missing=missing, unexpected=[c for c in tables[0].columns if c not in required][:10])
    return tables


_FRAMEWORKS = [
    (
        "SLAC safeguarding",
        "Safeguarding & Looked After Children (SLAC) Inspection publication date",
        "SLAC Safeguarding Overall effectiveness (OE)",
    ),
    (
        "SLAC re-inspection safeguarding",
        "SLAC re-inspection of Safeguarding publication date",
        "SLAC re-inspection Safeguarding OE",
    ),
    ("CPI", "Child Protection Inspections (CPI) publication date", "CPI Overall Effectiveness (OE)"),
    ("CPRI", "Child Protection Re-Inspection (CPRI) publication date", "CPRI Overall Effectiveness (OE)"),
    (
        "SIF",
        "Single Inspection of LA Children's Services (SIF) First SIF publication date",
        "First SIF Overall Judgement\n(OE)",
    ),
    (
        "SIF re-inspection",
        "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date",
        "SIF Re-inspection Overall Judgement\n(OE)",
    ),
    ("ILACS 1", "First ILACS framework publication date", "First ILACS framework overall effectiveness"),
    ("ILACS 2", "Second ILACS framework publication date", "Second ILACS framework overall effectiveness"),
]


def load_ofsted_inspections(path: str | os.PathLike, sheet: str = "LA_inspections_2009-2023") -> pd.DataFrame:
    """Ofsted *Children's social care in England* underlying data, sheet of every LA inspection.

    Returns a long table: one row per LA and inspection (``framework``, ``published``,
    ``judgement`` = overall effectiveness), with ``la_name``/``la_code``, ``authority_type``,
    ``ofsted_region`` and ``table`` ('current' or 'pre-restructure', the second table on the
    sheet listing LAs that no longer exist).
    """
    path = Path(path)
    tables = _sheet_tables(path, sheet, "Local authority name", S.OFSTED_INSPECTIONS_REQUIRED)
    recs = []
    wides = []
    for t_i, wide in enumerate(tables):
        wide = wide.copy()
        wide["table"] = "current" if t_i == 0 else "pre-restructure"
        wides.append(wide)
        for _, r in wide.iterrows():
            for fw, dcol, jcol in _FRAMEWORKS:
                if dcol not in wide.columns or jcol not in wide.columns:
                    continue
                d, j = r[dcol], r[jcol]
                if (d is None or pd.isna(d)) and (j is None or pd.isna(j)):
                    continue
                recs.append(
                    {
                        "source_la_name": r["Local authority name"],
                        "ofsted_region": r["LA region"],
                        "authority_type": r["LA Authority Type"],
                        "table": wide["table"].iat[0],
                        "framework": fw,
                        "published": d,
                        "judgement": j,
                    }
                )
    out = pd.DataFrame(recs)
    if out.empty:
        raise DfeEmptyFileError(f"{path.name}: sheet {sheet!r} has no inspection rows (file: {path})", path)
    out["published"] = pd.to_datetime(out["published"], errors="coerce")
    out["judgement"] = out["judgement"].astype("string").str.strip()
    # pre-restructure table: Dorset there is the old county
    out["year"] = out["published"].dt.year
    out["year"] = np.where(out["table"].eq("pre-restructure") & out["source_la_name"].eq("Dorset"), 2000, out["year"])
    out = harmonise(out, name_col="source_la_name", year_col="year")
    out["la_name"] = out["la_name"].astype("string")
    out = out.drop(columns=["year"])
    out = validate_schema(S.OFSTED_OUTPUT, out, path)
    return attach_report(out, path, pd.DataFrame(columns=["column", "code", "count"]))


def load_ofsted_outcomes(path: str | os.PathLike, sheet: str = "Inspections_as_at_31_March") -> pd.DataFrame:
    """Ofsted *LA inspection outcomes as at 31 March* (latest ILACS judgement per LA)."""
    path = Path(path)
    t = _sheet_tables(path, sheet, "Local authority name", S.OFSTED_OUTCOMES_REQUIRED)[0]
    for c in ("Inspection date", "Publication date"):
        t[c] = pd.to_datetime(t[c], errors="coerce")
    t = harmonise(t, name_col="Local authority name", ons_col="Local authority area code")
    return attach_report(t, path, pd.DataFrame(columns=["column", "code", "count"]))


def ofsted_rating_at(
    inspections: pd.DataFrame, date, frameworks=("SIF", "SIF re-inspection", "ILACS 1", "ILACS 2")
) -> pd.DataFrame:
    """Latest overall judgement published on or before ``date`` per LA (SIF/ILACS frameworks)."""
    date = pd.Timestamp(date)
    d = inspections[
        inspections["framework"].isin(frameworks) & inspections["published"].le(date) & inspections["judgement"].notna()
    ]
    d = d.sort_values("published").groupby("la_code", as_index=False).tail(1)
    return d[["la_code", "la_name", "authority_type", "framework", "published", "judgement"]].reset_index(drop=True)
