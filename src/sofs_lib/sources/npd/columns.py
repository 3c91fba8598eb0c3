"""Working with the columns of large tables: integer codes of coded columns, string columns built from
codes, date parts as integers and positional look-ups by key.

They do with numpy (on codes, not on millions of strings) what the pandas expressions in their
docstrings do, and give the same values and dtypes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.core.arrays.string_arrow import ArrowStringArray

#: ``str`` (missing = NaN) and ``string`` (missing = ``pd.NA``), the two pandas string dtypes.
STR = pd.StringDtype("pyarrow", na_value=np.nan)
STRING = pd.StringDtype("pyarrow")


def codes_of(col: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``(codes, values)``: ``values[codes]`` is ``col`` (code -1 = missing); a categorical
    column's own codes and categories, otherwise ``pd.factorize``."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), pd.Index(col.cat.categories)
    codes, values = pd.factorize(col)
    return codes, pd.Index(values)


def as_strings(values: pd.Index) -> list:
    """``values.astype("string")`` as a list (``None`` for missing)."""
    return [None if v is pd.NA else v for v in pd.Index(values).astype("string")]


def gather(values: np.ndarray, pos: np.ndarray, fill) -> np.ndarray:
    """``values[pos]`` with ``fill`` where ``pos`` is -1 (no row)."""
    if len(values) == 0:
        return np.full(len(pos), fill, dtype=np.asarray(values).dtype)
    out = values[np.maximum(pos, 0)]
    out[pos < 0] = fill
    return out


def take(codes: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``codes[pos]`` with -1 where ``pos`` is -1 (no row)."""
    return gather(codes, pos, -1)


def recode(codes: np.ndarray, values, mapping: dict, default) -> tuple[np.ndarray, list]:
    """Codes into a label list: each value's ``mapping`` entry (``default`` when it has none,
    and for missing codes). Returns ``(new codes, labels)``."""
    labels = list(dict.fromkeys([*mapping.values(), default]))
    lab_pos = {lab: i for i, lab in enumerate(labels)}
    per_value = np.array([lab_pos[mapping.get(v, default)] for v in values] + [lab_pos[default]], dtype=np.int64)
    return per_value[np.where(codes < 0, len(values), codes)], labels


def string_array(codes: np.ndarray, labels, dtype: pd.StringDtype = STR) -> ArrowStringArray:
    """A pandas string array of ``labels[codes]`` (missing where a code is -1), as
    ``pd.array(np.array(labels, object)[codes], dtype=dtype)`` would give."""
    codes = np.asarray(codes)
    idx = pa.array(codes.astype(np.int32, copy=False), mask=codes < 0)
    dictionary = pa.array([None if v is None else str(v) for v in labels], type=pa.large_string())
    arr = pa.DictionaryArray.from_arrays(idx, dictionary).dictionary_decode()
    return ArrowStringArray(arr, dtype=dtype)


def positions(keys: pd.Series | np.ndarray, wanted) -> np.ndarray:
    """Position of each ``wanted`` in the unique ``keys`` (-1 if absent), as
    ``pd.Index(keys).get_indexer(wanted)``; dense integer keys use an array look-up."""
    k = np.asarray(keys)
    w = np.asarray(wanted)
    if k.dtype.kind in "iu" and w.dtype.kind in "iu" and len(k):
        lo, hi = int(k.min()), int(k.max())
        if lo >= 0 and hi - lo < 4 * len(k) + 1024:
            table = np.full(hi - lo + 1, -1, dtype=np.int64)
            table[k - lo] = np.arange(len(k))
            if (table >= 0).sum() != len(k):  # duplicated keys: let pandas raise as reindex would
                return pd.Index(k).get_indexer(w)
            inside = (w >= lo) & (w <= hi)
            out = np.full(len(w), -1, dtype=np.int64)
            out[inside] = table[w[inside] - lo]
            return out
    return pd.Index(k).get_indexer(w)


def days(values) -> np.ndarray:
    """Dates as ``datetime64[D]`` (NaT kept), from a datetime Series, array or index."""
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    return np.asarray(values).astype("datetime64[D]")


def year_month(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar year and month (1-12) of ``datetime64`` values (NaT gives meaningless numbers:
    mask them)."""
    m = d.astype("datetime64[M]").astype(np.int64)
    return m // 12 + 1970, m % 12 + 1


def sort_rank(col: pd.Series) -> np.ndarray:
    """Integers that order ``col`` as ``sort_values`` orders its values (missing last); a
    categorical by its values as strings, as after ``astype("string")``, not its category order."""
    numpy_kind = col.dtype.kind if isinstance(col.dtype, np.dtype) else ""
    values = col.to_numpy() if numpy_kind in ("i", "u", "M") else None
    if numpy_kind in ("i", "u"):
        return values
    if numpy_kind == "M":
        na = np.isnat(values)
        return np.where(na, np.iinfo(np.int64).max, values.view(np.int64))
    if isinstance(col.dtype, pd.CategoricalDtype):  # by the categories' values, not their order
        code, cats = codes_of(col)
        rank = pd.factorize(pd.Index(cats).astype("string"), sort=True)[0]
        return np.append(rank, len(cats))[np.where(code < 0, len(cats), code)]
    code = pd.factorize(col, sort=True)[0]
    return np.where(code < 0, code.max(initial=-1) + 1, code)
