"""A small streaming reader for one sheet of an OpenDocument (.ods) or Office Open XML (.xlsx)
spreadsheet.

``pandas.read_excel(engine='odf')`` builds the whole document tree (the 40 MB ``content.xml`` of
Ofsted's underlying-data workbook takes ~20 s); here we stream ``content.xml`` with
``xml.etree.ElementTree.iterparse`` and keep only the requested sheet (about 1 s).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from sofs_lib.sources.dfe.errors import DfeDataError, DfeEmptyFileError, DfeFormatError

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_X = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_MAX_REPEAT = 2000


def _cell_value(cell):
    vt = cell.get(_O + "value-type")
    if vt in ("float", "percentage", "currency"):
        return cell.get(_O + "value")
    if vt == "date":
        return cell.get(_O + "date-value")
    if vt == "time":
        return cell.get(_O + "time-value")
    if vt == "boolean":
        return cell.get(_O + "boolean-value")
    paras = ["".join(p.itertext()) for p in cell.iter(_X + "p")]
    return "\n".join(paras) if paras else None


def sheet_names(path: str | Path) -> list[str]:
    """Sheet names of an .ods or .xlsx file."""
    path = Path(path)
    with _open_zip(path) as z:
        if "content.xml" in z.namelist():
            names = []
            with z.open("content.xml") as fh:
                for _ev, el in ET.iterparse(fh, events=("start",)):
                    if el.tag == _T + "table":
                        names.append(el.get(_T + "name"))
            return names
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if path.stat().st_size == 0:
        raise DfeEmptyFileError(f"{path.name}: file is empty (0 bytes) (file: {path})", path)
    if not zipfile.is_zipfile(path):
        raise DfeFormatError(
            f"{path.name}: expected an OpenDocument/Excel spreadsheet but the file is not one "
            f"(it may be a CSV or a damaged download) (file: {path})",
            path,
        )
    return zipfile.ZipFile(path)


def read_sheet(path: str | Path, sheet: str) -> list[list]:
    """Return the rows of ``sheet`` as lists of strings/None (trailing empty cells removed).

    Empty rows are kept (as ``[]``) so row numbers match the spreadsheet. Raises
    :class:`DfeDataError` naming the file if the sheet does not exist.
    """
    path = Path(path)
    with _open_zip(path) as z:
        names = z.namelist()
        if "content.xml" in names:
            rows = _read_ods_sheet(z, sheet)
            if rows is None:
                raise DfeDataError(
                    f"{path.name}: no sheet named {sheet!r}; sheets are {sheet_names(path)} (file: {path})",
                    path,
                )
            return rows
        if "xl/workbook.xml" not in names:
            raise DfeFormatError(f"{path.name}: zip file is neither .ods nor .xlsx (file: {path})", path)
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet not in wb.sheetnames:
            raise DfeDataError(
                f"{path.name}: no sheet named {sheet!r}; sheets are {wb.sheetnames} (file: {path})", path
            )
        rows = []
        for r in wb[sheet].iter_rows(values_only=True):
            vals = [None if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in r]
            while vals and vals[-1] is None:
                vals.pop()
            rows.append(vals)
        return rows
    finally:
        wb.close()


def _read_ods_sheet(z: zipfile.ZipFile, sheet: str):
    rows: list[list] = []
    found = False
    with z.open("content.xml") as fh:
        for ev, el in ET.iterparse(fh, events=("start", "end")):
            if ev == "start":
                if el.tag == _T + "table" and el.get(_T + "name") == sheet:
                    found = True
                continue
            if el.tag == _T + "table":
                if found:
                    break
                el.clear()
                continue
            if el.tag == _T + "table-row":
                if found:
                    row: list = []
                    for c in el:
                        if c.tag not in (_T + "table-cell", _T + "covered-table-cell"):
                            continue
                        n = min(int(c.get(_T + "number-columns-repeated", "1")), _MAX_REPEAT)
                        row.extend([_cell_value(c)] * n)
                    while row and row[-1] is None:
                        row.pop()
                    n = int(el.get(_T + "number-rows-repeated", "1"))
                    if row:
                        rows.extend([list(row) for _ in range(min(n, _MAX_REPEAT))])
                    elif n < _MAX_REPEAT:
                        rows.extend([[] for _ in range(n)])
                el.clear()
    return rows if found else None
