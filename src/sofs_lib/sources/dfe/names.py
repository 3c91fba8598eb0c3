"""Harmonise local-authority names and codes across DfE, Ofsted, ONS and LAIT publications.

Every loader adds three columns:

``la_code``
    the DfE three-digit LA number (``old_la_code`` in Explore Education Statistics, ``geog_c``
    in the older SFR files, ``LA Number`` in LAIT, ``LA num`` in the statistical neighbour file),
    as a string. It is the stable key: it survives ONS code changes (Gateshead, Northumberland,
    Buckinghamshire, North Yorkshire, Somerset...) and name variants.
``ons_code``
    the ONS GSS code as printed by the file (or, if the file has none, the current one).
``la_name``
    one canonical name per ``la_code`` (the ONS/EES spelling, e.g. ``Bristol, City of``).

Names without codes (Ofsted's ``Bristol``, ``Durham``, ``Kingston Upon Hull``, LAIT's
``Bedford Borough``...) are matched through a normalised key; ``Dorset`` is resolved by date
(the pre-2019 county, 835, or the new unitary, 838).

The reference list (``data/la_codes.csv``) is a geography code list (DfE LA numbers and ONS GSS
codes), not statistics; it is needed so that files without codes can be joined, and so that a
council whose ONS code was reissued stays one series. ``data/la_reorganisations.csv`` lists the
boundary changes.

Reorganisations (see :data:`REORGANISATIONS`): on 1 April 2019 Bournemouth (837), Poole (836)
and Dorset county (835) were replaced by Bournemouth, Christchurch and Poole (839) and Dorset
(838); on 1 April 2021 Northamptonshire (928) was split into North (940) and West (941)
Northamptonshire; on 1 April 2023 Cumbria (909) was split into Cumberland (942) and Westmorland
and Furness (943).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd


def _lookup_path(name: str) -> Path:
    """A committed lookup under the project's ``data/`` folder, found from this package."""
    for parent in Path(__file__).resolve().parents:
        p = parent / "data" / name
        if p.is_file():
            return p
    raise FileNotFoundError(f"data/{name} (the committed LA lookup) not found above {__file__}")


def _read_reference() -> list:
    """``data/la_codes.csv``: one row per DfE LA number and ONS code ever used, with the years
    the code was in use (reissued codes: North Yorkshire, Somerset, Buckinghamshire, Gateshead,
    Northumberland) and the region. Returned as (la_code, name, [(ons, first, last)], region)."""
    t = pd.read_csv(_lookup_path("la_codes.csv"), dtype=str, keep_default_na=False)
    missing = {"la_code", "la_name", "ons_code", "first_year", "last_year", "region"} - set(t.columns)
    if missing:
        raise ValueError(f"data/la_codes.csv lacks columns {sorted(missing)}")
    out: dict = {}
    for r in t.itertuples(index=False):
        entry = out.setdefault(r.la_code, (r.la_code, r.la_name, [], r.region))
        entry[2].append((r.ons_code, int(r.first_year), int(r.last_year)))
    return list(out.values())


_REFERENCE = _read_reference()

#: la_code -> canonical name
LA_NAMES: dict[str, str] = {code: name for code, name, _, _ in _REFERENCE}
#: la_code -> region (ONS region; London not split)
LA_REGIONS: dict[str, str] = {code: region for code, _, _, region in _REFERENCE}
#: ONS code -> la_code (every code ever used)
ONS_TO_LA: dict[str, str] = {ons: code for code, _, codes, _ in _REFERENCE for ons, _, _ in codes}
#: la_code -> the most recent ONS code
LA_TO_ONS: dict[str, str] = {code: max(codes, key=lambda c: c[2])[0] for code, _, codes, _ in _REFERENCE}

#: Boundary changes. ``continuity`` maps a predecessor to the successor whose series is the
#: closest continuation (None when the area was split and no single successor exists).
REORGANISATIONS = pd.read_csv(_lookup_path("la_reorganisations.csv"), dtype=str, keep_default_na=False)

# names that need an explicit alias after normalisation (normalised key -> la_code)
_ALIASES = {
    "bristol": "801",
    "cityofbristol": "801",
    "herefordshire": "884",
    "kingstonuponhull": "810",
    "hull": "810",
    "durham": "840",
    "countydurham": "840",
    "bedfordborough": "822",
    "bedford": "822",
    "sthelens": "342",
    "bournemouthchristchurchandpoole": "839",
    "bcp": "839",
    "dorsetprelg": "835",
    "poolprelg": "836",
    "pooleprelg": "836",
    "bournemouthprelg": "837",
    "englishnationalaverage": None,
}


SYNTHETIC_PREFIX = "Synthetic LA "


def synthetic_name(code) -> str | None:
    """Name of a synthetic LA code ('001'-'099'), else None."""
    if isinstance(code, str) and re.fullmatch(r"0\d\d", code):
        return f"{SYNTHETIC_PREFIX}{int(code):02d}"
    return None


def name_key(name: str) -> str:
    """Normalise an LA name: case, '&'/'and', 'City of'/'County of' qualifiers, punctuation."""
    s = str(name).lower().replace("\ufeff", "").strip()
    s = s.replace("&", " and ")
    s = re.sub(r",\s*(city|county) of$", "", s)
    if s not in ("city of london",):
        s = re.sub(r"^(city|county) of ", "", s)
    s = s.replace("st.", "st")
    s = re.sub(r"[^a-z]", "", s)
    return s


_KEY_TO_CODE: dict[str, str] = {}
for _code, _name, _, _ in _REFERENCE:
    _KEY_TO_CODE.setdefault(name_key(_name), _code)
_KEY_TO_CODE.update({k: v for k, v in _ALIASES.items() if v is not None})


def code_for_name(name: str, year: int | None = None, date_basis: str = "march") -> str | None:
    """Return the DfE LA number for a name (None if unknown).

    ``Dorset`` is ambiguous: it means the pre-2019 county (835) for reporting years ending
    31 March 2019 or earlier (``date_basis='march'``), or for 30 September 2018 or earlier
    (``date_basis='september'``); otherwise the new unitary Dorset (838).
    """
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return None
    key = name_key(name)
    if key == "dorset":
        if year is None:
            return "838"
        cutoff = 2019 if date_basis == "march" else 2018
        return "835" if int(year) <= cutoff else "838"
    if key == "northamptonshire":
        return "928"
    return _KEY_TO_CODE.get(key)


def harmonise(
    df: pd.DataFrame,
    name_col: str | None = None,
    code_col: str | None = None,
    ons_col: str | None = None,
    year_col: str | None = None,
    date_basis: str = "march",
    drop_unmatched: bool = False,
) -> pd.DataFrame:
    """Add ``la_code``, ``ons_code`` and canonical ``la_name`` columns to ``df``.

    Priority: DfE LA number in ``code_col`` -> ONS code in ``ons_col`` -> ``name_col``.
    Rows that cannot be matched keep ``la_code`` = NA (or are dropped with
    ``drop_unmatched``); ``df.attrs['unmatched_la']`` lists their names.
    """
    out = df.copy()
    code = pd.Series(pd.NA, index=out.index, dtype="object")
    if code_col is not None and code_col in out:
        raw = out[code_col].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        code = raw.where(raw.isin(list(LA_NAMES)), pd.NA).astype("object")
    if ons_col is not None and ons_col in out:
        from_ons = out[ons_col].astype("string").str.strip().map(ONS_TO_LA)
        code = code.where(code.notna(), from_ons)
    if name_col is not None and name_col in out:
        years = out[year_col] if (year_col and year_col in out) else pd.Series(None, index=out.index)
        need = code.isna()
        if need.any():
            from_name = [
                code_for_name(n, None if pd.isna(y) else int(y), date_basis)
                for n, y in zip(out.loc[need, name_col], years[need])
            ]
            code.loc[need] = from_name
    orig_name = out[name_col].copy() if (name_col and name_col in out) else None
    if code_col is not None and code_col in out and name_col is not None and name_col in out:
        # synthetic LAs (sofs_lib.synthetic.la_panel): codes 001-099 named "Synthetic LA nn"
        raw = out[code_col].astype("string").str.strip()
        syn = raw.str.fullmatch(r"0\d\d").fillna(False) & out[name_col].astype("string").str.startswith(
            SYNTHETIC_PREFIX
        ).fillna(False)
        code = code.where(~syn, raw)
    out["la_code"] = code.astype("string")
    if ons_col is not None and ons_col in out:
        ons = out[ons_col].astype("string").str.strip()
        out["ons_code"] = ons.where(ons.str.match(r"^E\d{8}$", na=False), out["la_code"].map(LA_TO_ONS))
    else:
        out["ons_code"] = out["la_code"].map(LA_TO_ONS).astype("string")
    unmatched = []
    if orig_name is not None:
        unmatched = sorted(set(orig_name[out["la_code"].isna()].dropna().astype(str)))
    out["la_name"] = (
        out["la_code"]
        .map(lambda c: LA_NAMES.get(c, synthetic_name(c)) if isinstance(c, str) else pd.NA)
        .astype("string")
    )
    if orig_name is not None:
        out["source_la_name"] = orig_name.astype("string")
    if drop_unmatched:
        out = out[out["la_code"].notna()].copy()
    out.attrs.update(df.attrs)
    out.attrs["unmatched_la"] = unmatched
    return out


def la_table() -> pd.DataFrame:
    """The reference list: la_code, la_name, ons_code (latest), region."""
    return pd.DataFrame(
        {
            "la_code": list(LA_NAMES),
            "la_name": [LA_NAMES[c] for c in LA_NAMES],
            "ons_code": [LA_TO_ONS[c] for c in LA_NAMES],
            "region": [LA_REGIONS[c] for c in LA_NAMES],
        }
    )
