"""The contrast-study extract: its layout, and a reader that validates it.

A family-level extract of the contrast study (synthetic, from
:mod:`sofs_lib.synthetic.contrast_families`, or real, in the same layout) is a folder of CSV
files, one per instrument (:data:`SCHEMA`). Every problem is reported as one
:class:`ExtractError` naming the file and column; nothing is returned from a bad extract.

Item names and response scales are this project's reading of the instruments (appendix 5):

* ``checklist.csv`` -- the competence checklist (CCBC), one observed visit per family: four
  categories and the added overall score, each 1 (low) to 5 (high);
* ``yatchmenoff.csv`` -- client engagement, 19 items on 1 (strongly agree) to 5 (strongly
  disagree): receptivity ``r1-r4``, buy-in ``b1-b8``, working relationship ``w1-w4``, mistrust
  ``m1-m3`` (as worded, agreeing = mistrust);
* ``wai_worker.csv``, ``wai_family.csv`` -- Working Alliance Inventory short forms, 12 items on
  1 (never) to 7 (always);
* ``hcsff.csv`` -- family feedback, 12 yes (1) / no (0) items;
* ``family_chart.csv`` -- two statements on 1 (strongly disagree) to 5 (strongly agree);
* ``osc.csv`` -- team Organisational Social Context T-scores on six dimensions, per site and wave.

Empty cells are item non-response (allowed in the instruments, not in the keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ARMS = ("SofS", "Contrast")
WAVES = ("T1", "T2", "T3")
YAT_SUBSCALES = {
    "Buy-in": [f"yat_b{i}" for i in range(1, 9)],
    "Receptivity": [f"yat_r{i}" for i in range(1, 5)],
    "Working relation": [f"yat_w{i}" for i in range(1, 5)],
    "Mistrust": [f"yat_m{i}" for i in range(1, 4)],
}
YAT_ITEMS = [c for cols in YAT_SUBSCALES.values() for c in cols]
WAI_ITEMS = [f"wai_{i:02d}" for i in range(1, 13)]
CCBC_ITEMS = [
    "ccbc_interviewing",
    "ccbc_cultural",
    "ccbc_intervention",
    "ccbc_evaluation",
    "ccbc_overall",
]
HCSFF_ITEMS = {
    "hcsff_same_worker": "saw the same social worker",
    "hcsff_understand_asked": "understood what they had been asked to do",
    "hcsff_understand_support": "understood what was being done to support them",
    "hcsff_involved_decisions": "were involved in decisions that affected them",
    "hcsff_know_whom": "knew whom to ask if they had questions",
    "hcsff_questions_answered": "had their questions answered",
    "hcsff_listened": "felt listened to",
    "hcsff_understood": "felt understood",
    "hcsff_difference": "believed the support was making a difference",
    "hcsff_plan_important": "thought being involved in creating a plan important",
    "hcsff_aware_plan": "were aware of a plan in place",
    "hcsff_plan_views": "said the plan represents their family's views",
}
CHART_ITEMS = {
    "chart_changes": "agreed with their social worker about the changes needed",
    "chart_goals": "agreed their social worker understood the goals important to them",
}
OSC_DIMENSIONS = ["proficiency", "rigidity", "resistance", "engagement", "functionality", "stress"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "key", "text", "int"
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    optional: bool = False  # may be empty


def _items(names, low, high):
    return [Column(n, "int", low, high, optional=True) for n in names]


SCHEMA: dict[str, list[Column]] = {
    "families.csv": [
        Column("family_id", "key"),
        Column("worker_id", "text"),
        Column("site", "text"),
        Column("arm", "text", choices=ARMS),
        Column("wave", "text", choices=WAVES),
    ],
    "workers.csv": [
        Column("worker_id", "key"),
        Column("site", "text"),
        Column("sofs_use", "int", 1, 5, optional=True),
    ],
    "checklist.csv": [Column("family_id", "key")] + _items(CCBC_ITEMS, 1, 5),
    "yatchmenoff.csv": [Column("family_id", "key")] + _items(YAT_ITEMS, 1, 5),
    "wai_worker.csv": [Column("family_id", "key")] + _items(WAI_ITEMS, 1, 7),
    "wai_family.csv": [Column("family_id", "key")] + _items(WAI_ITEMS, 1, 7),
    "hcsff.csv": [Column("family_id", "key")] + _items(HCSFF_ITEMS, 0, 1),
    "family_chart.csv": [Column("family_id", "key")] + _items(CHART_ITEMS, 1, 5),
    "osc.csv": [Column("site", "text"), Column("wave", "text", choices=WAVES)]
    + [Column(d, "int", 0, 120) for d in OSC_DIMENSIONS],
}


class ExtractError(ValueError):
    """A contrast-study extract is missing, malformed or inconsistent."""


def _check_frame(name: str, df: pd.DataFrame) -> pd.DataFrame:
    cols = SCHEMA[name]
    want = [c.name for c in cols]
    missing = [c for c in want if c not in df.columns]
    unknown = [c for c in df.columns if c not in want]
    if missing or unknown:
        raise ExtractError(
            f"{name}: missing column(s) {missing or 'none'}, unknown column(s) "
            f"{unknown or 'none'}; expected {want}."
        )
    out = pd.DataFrame(index=df.index)
    for c in cols:
        s = df[c.name]
        empty = s.isna() | (s.astype(str).str.strip() == "")
        if empty.any() and not c.optional:
            raise ExtractError(
                f"{name}, column {c.name}: {int(empty.sum())} empty value(s) "
                f"(first at data row {int(empty.to_numpy().argmax()) + 1})."
            )
        if c.kind == "int":
            num = pd.to_numeric(s.where(~empty), errors="coerce")
            bad = num.isna() & ~empty
            if not bad.any():
                bad = ~empty & ((num % 1 != 0) | (num < c.low) | (num > c.high))
            if bad.any():
                i = int(bad.to_numpy().argmax())
                raise ExtractError(
                    f"{name}, column {c.name}: {int(bad.sum())} value(s) not whole "
                    f"numbers from {c.low:g} to {c.high:g} (first: {s.iloc[i]!r} at "
                    f"data row {i + 1})."
                )
            out[c.name] = num.astype("Int64")
        else:
            t = s.astype(str).str.strip()
            if c.choices is not None and (~t.isin(c.choices)).any():
                v = t[~t.isin(c.choices)].iloc[0]
                raise ExtractError(
                    f"{name}, column {c.name}: value {v!r} is not one of {', '.join(c.choices)}."
                )
            out[c.name] = t
        if c.kind == "key" and out[c.name].duplicated().any():
            raise ExtractError(
                f"{name}, column {c.name}: duplicated id "
                f"{out[c.name][out[c.name].duplicated()].iloc[0]!r}."
            )
    return out


def validate(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Check a dict ``file name -> frame`` against :data:`SCHEMA` and across files; returns
    clean typed frames. Raises :class:`ExtractError` naming the file and column."""
    missing = [f for f in SCHEMA if f not in tables]
    if missing:
        raise ExtractError(f"extract lacks file(s) {', '.join(missing)}")
    out = {f: _check_frame(f, tables[f]) for f in SCHEMA}
    fam, wk = out["families.csv"], out["workers.csv"]
    arms = fam.groupby("site")["arm"].nunique()
    if (arms > 1).any():
        raise ExtractError(
            f"families.csv, column arm: site {arms[arms > 1].index[0]!r} has families in both arms."
        )
    if set(fam["arm"]) != set(ARMS):
        raise ExtractError("families.csv, column arm: both arms (SofS, Contrast) are needed.")
    unknown = sorted(set(fam["worker_id"]) - set(wk["worker_id"]))
    if unknown:
        raise ExtractError(
            f"families.csv, column worker_id: {len(unknown)} id(s) not in "
            f"workers.csv (first {unknown[0]!r})."
        )
    site_of = dict(zip(wk["worker_id"], wk["site"]))
    clash = fam[fam["worker_id"].map(site_of) != fam["site"]]
    if len(clash):
        raise ExtractError(
            f"families.csv, column site: family {clash['family_id'].iloc[0]!r} "
            "is at a different site from its worker in workers.csv."
        )
    for f in SCHEMA:
        if "family_id" in out[f].columns and f != "families.csv":
            extra = sorted(set(out[f]["family_id"]) - set(fam["family_id"]))
            if extra:
                raise ExtractError(
                    f"{f}, column family_id: {len(extra)} id(s) not in "
                    f"families.csv (first {extra[0]!r})."
                )
    osc = out["osc.csv"]
    bad = sorted(set(osc["site"]) - set(fam["site"]))
    if bad:
        raise ExtractError(f"osc.csv, column site: site {bad[0]!r} has no families.")
    if osc.duplicated(["site", "wave"]).any():
        raise ExtractError("osc.csv, columns site and wave: a site-wave pair appears twice.")
    return out


def read_extract(data_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Read and validate the extract in ``data_dir`` (see :data:`SCHEMA`)."""
    d = Path(data_dir)
    if not d.is_dir():
        raise ExtractError(f"data_dir {str(d)!r} is not a folder")
    tables = {}
    for f in SCHEMA:
        p = d / f
        if not p.exists():
            raise ExtractError(f"{f}: file missing from the extract folder")
        try:
            tables[f] = pd.read_csv(p, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise ExtractError(f"{f}: not a readable CSV file ({exc})") from None
    return validate(tables)


def write_extract(tables: dict[str, pd.DataFrame], data_dir: str | Path) -> Path:
    """Write an extract (e.g. a synthetic one) in the layout :func:`read_extract` reads."""
    d = Path(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    for f in SCHEMA:
        tables[f].to_csv(d / f, index=False, lineterminator="\n")
    return d
