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

The reference list below is a geography code list (DfE LA numbers and ONS GSS codes), not
statistics; it is needed so that files without codes can be joined.

Reorganisations (see :data:`REORGANISATIONS`): on 1 April 2019 Bournemouth (837), Poole (836)
and Dorset county (835) were replaced by Bournemouth, Christchurch and Poole (839) and Dorset
(838); on 1 April 2021 Northamptonshire (928) was split into North (940) and West (941)
Northamptonshire; on 1 April 2023 Cumbria (909) was split into Cumberland (942) and Westmorland
and Furness (943).
"""

from __future__ import annotations

import re

import pandas as pd

# (la_code, canonical name, [(ons_code, first_year_seen, last_year_seen)], region)
_REFERENCE = [
    ('201', 'City of London', [('E09000001', 2012, 2025)], 'London'),
    ('202', 'Camden', [('E09000007', 2012, 2025)], 'London'),
    ('203', 'Greenwich', [('E09000011', 2012, 2025)], 'London'),
    ('204', 'Hackney', [('E09000012', 2012, 2025)], 'London'),
    ('205', 'Hammersmith and Fulham', [('E09000013', 2012, 2025)], 'London'),
    ('206', 'Islington', [('E09000019', 2012, 2025)], 'London'),
    ('207', 'Kensington and Chelsea', [('E09000020', 2012, 2025)], 'London'),
    ('208', 'Lambeth', [('E09000022', 2012, 2025)], 'London'),
    ('209', 'Lewisham', [('E09000023', 2012, 2025)], 'London'),
    ('210', 'Southwark', [('E09000028', 2012, 2025)], 'London'),
    ('211', 'Tower Hamlets', [('E09000030', 2012, 2025)], 'London'),
    ('212', 'Wandsworth', [('E09000032', 2012, 2025)], 'London'),
    ('213', 'Westminster', [('E09000033', 2012, 2025)], 'London'),
    ('301', 'Barking and Dagenham', [('E09000002', 2012, 2025)], 'London'),
    ('302', 'Barnet', [('E09000003', 2012, 2025)], 'London'),
    ('303', 'Bexley', [('E09000004', 2012, 2025)], 'London'),
    ('304', 'Brent', [('E09000005', 2012, 2025)], 'London'),
    ('305', 'Bromley', [('E09000006', 2012, 2025)], 'London'),
    ('306', 'Croydon', [('E09000008', 2012, 2025)], 'London'),
    ('307', 'Ealing', [('E09000009', 2012, 2025)], 'London'),
    ('308', 'Enfield', [('E09000010', 2012, 2025)], 'London'),
    ('309', 'Haringey', [('E09000014', 2012, 2025)], 'London'),
    ('310', 'Harrow', [('E09000015', 2012, 2025)], 'London'),
    ('311', 'Havering', [('E09000016', 2012, 2025)], 'London'),
    ('312', 'Hillingdon', [('E09000017', 2012, 2025)], 'London'),
    ('313', 'Hounslow', [('E09000018', 2012, 2025)], 'London'),
    ('314', 'Kingston upon Thames', [('E09000021', 2012, 2024)], 'London'),
    ('315', 'Merton', [('E09000024', 2012, 2025)], 'London'),
    ('316', 'Newham', [('E09000025', 2012, 2025)], 'London'),
    ('317', 'Redbridge', [('E09000026', 2012, 2025)], 'London'),
    ('318', 'Richmond upon Thames', [('E09000027', 2012, 2024)], 'London'),
    ('319', 'Sutton', [('E09000029', 2012, 2025)], 'London'),
    ('320', 'Waltham Forest', [('E09000031', 2012, 2025)], 'London'),
    ('330', 'Birmingham', [('E08000025', 2012, 2025)], 'West Midlands'),
    ('331', 'Coventry', [('E08000026', 2012, 2025)], 'West Midlands'),
    ('332', 'Dudley', [('E08000027', 2012, 2025)], 'West Midlands'),
    ('333', 'Sandwell', [('E08000028', 2012, 2025)], 'West Midlands'),
    ('334', 'Solihull', [('E08000029', 2012, 2025)], 'West Midlands'),
    ('335', 'Walsall', [('E08000030', 2012, 2025)], 'West Midlands'),
    ('336', 'Wolverhampton', [('E08000031', 2012, 2025)], 'West Midlands'),
    ('340', 'Knowsley', [('E08000011', 2012, 2025)], 'North West'),
    ('341', 'Liverpool', [('E08000012', 2012, 2025)], 'North West'),
    ('342', 'St. Helens', [('E08000013', 2012, 2025)], 'North West'),
    ('343', 'Sefton', [('E08000014', 2012, 2025)], 'North West'),
    ('344', 'Wirral', [('E08000015', 2012, 2025)], 'North West'),
    ('350', 'Bolton', [('E08000001', 2012, 2025)], 'North West'),
    ('351', 'Bury', [('E08000002', 2012, 2025)], 'North West'),
    ('352', 'Manchester', [('E08000003', 2012, 2025)], 'North West'),
    ('353', 'Oldham', [('E08000004', 2012, 2025)], 'North West'),
    ('354', 'Rochdale', [('E08000005', 2012, 2025)], 'North West'),
    ('355', 'Salford', [('E08000006', 2012, 2025)], 'North West'),
    ('356', 'Stockport', [('E08000007', 2012, 2025)], 'North West'),
    ('357', 'Tameside', [('E08000008', 2012, 2025)], 'North West'),
    ('358', 'Trafford', [('E08000009', 2012, 2025)], 'North West'),
    ('359', 'Wigan', [('E08000010', 2012, 2025)], 'North West'),
    ('370', 'Barnsley', [('E08000016', 2012, 2024), ('E08000038', 2025, 2025)], 'Yorkshire and The Humber'),
    ('371', 'Doncaster', [('E08000017', 2012, 2025)], 'Yorkshire and The Humber'),
    ('372', 'Rotherham', [('E08000018', 2012, 2025)], 'Yorkshire and The Humber'),
    ('373', 'Sheffield', [('E08000019', 2012, 2024), ('E08000039', 2025, 2025)], 'Yorkshire and The Humber'),
    ('380', 'Bradford', [('E08000032', 2012, 2025)], 'Yorkshire and The Humber'),
    ('381', 'Calderdale', [('E08000033', 2012, 2025)], 'Yorkshire and The Humber'),
    ('382', 'Kirklees', [('E08000034', 2012, 2025)], 'Yorkshire and The Humber'),
    ('383', 'Leeds', [('E08000035', 2012, 2025)], 'Yorkshire and The Humber'),
    ('384', 'Wakefield', [('E08000036', 2012, 2025)], 'Yorkshire and The Humber'),
    ('390', 'Gateshead', [('E08000037', 2012, 2025), ('E08000020', 2013, 2019)], 'North East'),
    ('391', 'Newcastle upon Tyne', [('E08000021', 2012, 2025)], 'North East'),
    ('392', 'North Tyneside', [('E08000022', 2012, 2025)], 'North East'),
    ('393', 'South Tyneside', [('E08000023', 2012, 2025)], 'North East'),
    ('394', 'Sunderland', [('E08000024', 2012, 2025)], 'North East'),
    ('420', 'Isles of Scilly', [('E06000053', 2012, 2025)], 'South West'),
    ('800', 'Bath and North East Somerset', [('E06000022', 2012, 2025)], 'South West'),
    ('801', 'Bristol, City of', [('E06000023', 2012, 2025)], 'South West'),
    ('802', 'North Somerset', [('E06000024', 2012, 2025)], 'South West'),
    ('803', 'South Gloucestershire', [('E06000025', 2012, 2025)], 'South West'),
    ('805', 'Hartlepool', [('E06000001', 2012, 2025)], 'North East'),
    ('806', 'Middlesbrough', [('E06000002', 2012, 2025)], 'North East'),
    ('807', 'Redcar and Cleveland', [('E06000003', 2012, 2025)], 'North East'),
    ('808', 'Stockton-on-Tees', [('E06000004', 2012, 2025)], 'North East'),
    ('810', 'Kingston upon Hull, City of', [('E06000010', 2012, 2025)], 'Yorkshire and The Humber'),
    ('811', 'East Riding of Yorkshire', [('E06000011', 2012, 2025)], 'Yorkshire and The Humber'),
    ('812', 'North East Lincolnshire', [('E06000012', 2012, 2025)], 'Yorkshire and The Humber'),
    ('813', 'North Lincolnshire', [('E06000013', 2012, 2025)], 'Yorkshire and The Humber'),
    ('815', 'North Yorkshire', [('E10000023', 2012, 2022), ('E06000065', 2023, 2025)], 'Yorkshire and The Humber'),
    ('816', 'York', [('E06000014', 2012, 2025)], 'Yorkshire and The Humber'),
    ('821', 'Luton', [('E06000032', 2012, 2025)], 'East of England'),
    ('822', 'Bedford', [('E06000055', 2012, 2025)], 'East of England'),
    ('823', 'Central Bedfordshire', [('E06000056', 2012, 2025)], 'East of England'),
    ('825', 'Buckinghamshire', [('E10000002', 2012, 2020), ('E06000060', 2013, 2025)], 'South East'),
    ('826', 'Milton Keynes', [('E06000042', 2012, 2025)], 'South East'),
    ('830', 'Derbyshire', [('E10000007', 2012, 2025)], 'East Midlands'),
    ('831', 'Derby', [('E06000015', 2012, 2025)], 'East Midlands'),
    ('835', 'Dorset', [('E10000009', 2012, 2022)], 'South West'),
    ('836', 'Poole', [('E06000029', 2012, 2022)], 'South West'),
    ('837', 'Bournemouth', [('E06000028', 2012, 2022)], 'South West'),
    ('838', 'Dorset', [('E06000059', 2018, 2025)], 'South West'),
    ('839', 'Bournemouth, Christchurch and Poole', [('E06000058', 2018, 2025)], 'South West'),
    ('840', 'County Durham', [('E06000047', 2012, 2025)], 'North East'),
    ('841', 'Darlington', [('E06000005', 2012, 2025)], 'North East'),
    ('845', 'East Sussex', [('E10000011', 2012, 2025)], 'South East'),
    ('846', 'Brighton and Hove', [('E06000043', 2012, 2025)], 'South East'),
    ('850', 'Hampshire', [('E10000014', 2012, 2025)], 'South East'),
    ('851', 'Portsmouth', [('E06000044', 2012, 2025)], 'South East'),
    ('852', 'Southampton', [('E06000045', 2012, 2025)], 'South East'),
    ('855', 'Leicestershire', [('E10000018', 2012, 2025)], 'East Midlands'),
    ('856', 'Leicester', [('E06000016', 2012, 2025)], 'East Midlands'),
    ('857', 'Rutland', [('E06000017', 2012, 2025)], 'East Midlands'),
    ('860', 'Staffordshire', [('E10000028', 2012, 2025)], 'West Midlands'),
    ('861', 'Stoke-on-Trent', [('E06000021', 2012, 2025)], 'West Midlands'),
    ('865', 'Wiltshire', [('E06000054', 2012, 2025)], 'South West'),
    ('866', 'Swindon', [('E06000030', 2012, 2025)], 'South West'),
    ('867', 'Bracknell Forest', [('E06000036', 2012, 2025)], 'South East'),
    ('868', 'Windsor and Maidenhead', [('E06000040', 2012, 2025)], 'South East'),
    ('869', 'West Berkshire', [('E06000037', 2012, 2025)], 'South East'),
    ('870', 'Reading', [('E06000038', 2012, 2025)], 'South East'),
    ('871', 'Slough', [('E06000039', 2012, 2025)], 'South East'),
    ('872', 'Wokingham', [('E06000041', 2012, 2025)], 'South East'),
    ('873', 'Cambridgeshire', [('E10000003', 2012, 2025)], 'East of England'),
    ('874', 'Peterborough', [('E06000031', 2012, 2025)], 'East of England'),
    ('876', 'Halton', [('E06000006', 2012, 2025)], 'North West'),
    ('877', 'Warrington', [('E06000007', 2012, 2025)], 'North West'),
    ('878', 'Devon', [('E10000008', 2012, 2025)], 'South West'),
    ('879', 'Plymouth', [('E06000026', 2012, 2025)], 'South West'),
    ('880', 'Torbay', [('E06000027', 2012, 2025)], 'South West'),
    ('881', 'Essex', [('E10000012', 2012, 2025)], 'East of England'),
    ('882', 'Southend-on-Sea', [('E06000033', 2012, 2025)], 'East of England'),
    ('883', 'Thurrock', [('E06000034', 2012, 2025)], 'East of England'),
    ('884', 'Herefordshire, County of', [('E06000019', 2012, 2025)], 'West Midlands'),
    ('885', 'Worcestershire', [('E10000034', 2012, 2025)], 'West Midlands'),
    ('886', 'Kent', [('E10000016', 2012, 2025)], 'South East'),
    ('887', 'Medway', [('E06000035', 2012, 2025)], 'South East'),
    ('888', 'Lancashire', [('E10000017', 2012, 2025)], 'North West'),
    ('889', 'Blackburn with Darwen', [('E06000008', 2012, 2025)], 'North West'),
    ('890', 'Blackpool', [('E06000009', 2012, 2025)], 'North West'),
    ('891', 'Nottinghamshire', [('E10000024', 2012, 2025)], 'East Midlands'),
    ('892', 'Nottingham', [('E06000018', 2012, 2025)], 'East Midlands'),
    ('893', 'Shropshire', [('E06000051', 2012, 2025)], 'West Midlands'),
    ('894', 'Telford and Wrekin', [('E06000020', 2012, 2025)], 'West Midlands'),
    ('895', 'Cheshire East', [('E06000049', 2012, 2025)], 'North West'),
    ('896', 'Cheshire West and Chester', [('E06000050', 2012, 2025)], 'North West'),
    ('908', 'Cornwall', [('E06000052', 2012, 2025)], 'South West'),
    ('909', 'Cumbria', [('E10000006', 2012, 2022)], 'North West'),
    ('916', 'Gloucestershire', [('E10000013', 2012, 2025)], 'South West'),
    ('919', 'Hertfordshire', [('E10000015', 2012, 2025)], 'East of England'),
    ('921', 'Isle of Wight', [('E06000046', 2012, 2025)], 'South East'),
    ('925', 'Lincolnshire', [('E10000019', 2012, 2025)], 'East Midlands'),
    ('926', 'Norfolk', [('E10000020', 2012, 2025)], 'East of England'),
    ('928', 'Northamptonshire', [('E10000021', 2012, 2022)], 'East Midlands'),
    ('929', 'Northumberland', [('E06000057', 2012, 2025), ('E06000048', 2013, 2019)], 'North East'),
    ('931', 'Oxfordshire', [('E10000025', 2012, 2025)], 'South East'),
    ('933', 'Somerset', [('E10000027', 2012, 2022), ('E06000066', 2023, 2025)], 'South West'),
    ('935', 'Suffolk', [('E10000029', 2012, 2025)], 'East of England'),
    ('936', 'Surrey', [('E10000030', 2012, 2025)], 'South East'),
    ('937', 'Warwickshire', [('E10000031', 2012, 2025)], 'West Midlands'),
    ('938', 'West Sussex', [('E10000032', 2012, 2025)], 'South East'),
    ('940', 'North Northamptonshire', [('E06000061', 2018, 2024)], 'East Midlands'),
    ('941', 'West Northamptonshire', [('E06000062', 2018, 2024)], 'East Midlands'),
    ('942', 'Cumberland', [('E06000063', 2023, 2025)], 'North West'),
    ('943', 'Westmorland and Furness', [('E06000064', 2023, 2025)], 'North West'),
    ('942', 'Cumberland', [('E06000063', 2023, 2099)], 'North West'),
    ('943', 'Westmorland and Furness', [('E06000064', 2023, 2099)], 'North West'),
]

#: la_code -> canonical name
LA_NAMES: dict[str, str] = {code: name for code, name, _, _ in _REFERENCE}
#: la_code -> region (ONS region; London not split)
LA_REGIONS: dict[str, str] = {code: region for code, _, _, region in _REFERENCE}
#: ONS code -> la_code (every code ever used)
ONS_TO_LA: dict[str, str] = {ons: code for code, _, codes, _ in _REFERENCE for ons, _, _ in codes}
#: la_code -> the most recent ONS code
LA_TO_ONS: dict[str, str] = {
    code: max(codes, key=lambda c: c[2])[0] for code, _, codes, _ in _REFERENCE
}

#: Boundary changes. ``continuity`` maps a predecessor to the successor whose series is the
#: closest continuation (None when the area was split and no single successor exists).
REORGANISATIONS = pd.DataFrame(
    [
        ("2019-04-01", "835", "Dorset (county, pre-2019)", "838", "Dorset", "successor (minus Christchurch)"),
        ("2019-04-01", "836", "Poole", "839", "Bournemouth, Christchurch and Poole", "merged"),
        ("2019-04-01", "837", "Bournemouth", "839", "Bournemouth, Christchurch and Poole", "merged"),
        ("2021-04-01", "928", "Northamptonshire", "940", "North Northamptonshire", "split"),
        ("2021-04-01", "928", "Northamptonshire", "941", "West Northamptonshire", "split"),
        ("2023-04-01", "909", "Cumbria", "942", "Cumberland", "split"),
        ("2023-04-01", "909", "Cumbria", "943", "Westmorland and Furness", "split"),
    ],
    columns=["date", "old_la_code", "old_name", "new_la_code", "new_name", "relation"],
)

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
        syn = raw.str.fullmatch(r"0\d\d").fillna(False) & out[name_col].astype("string").str.startswith(SYNTHETIC_PREFIX).fillna(False)
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
    out["la_name"] = out["la_code"].map(lambda c: LA_NAMES.get(c, synthetic_name(c)) if isinstance(c, str) else pd.NA).astype("string")
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
