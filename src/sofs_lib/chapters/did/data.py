"""From an NPD extract to the analysis frames of the DiD chapter.

Steps (each a function, so tests can call them on small constructed data):

1. :func:`load_extract` -- a synthetic extract (:func:`sofs_lib.synthetic.synth_npd.generate`) or a real one
   (:func:`sofs_lib.sources.npd.read_extract`), and the study design (the report's, or a YAML file for
   a real extract, :func:`load_design`).
2. :func:`wide_populations` -- the four populations derived once for *every* LA of the
   extract (each LA its own group), so that the LA-level matching can compare each pilot with
   every candidate comparator before the matched design is fixed.
3. :func:`la_attributes` -- LA-level characteristics the report uses but does not publish:
   the Ofsted rating of each LA in each year (synthetic by default, real from the Ofsted
   file in a real run), the quality-of-delivery and embeddedness scores of the pilots
   (synthetic) and whether a comparator uses a practice model similar to SofS (synthetic).
4. :func:`analysis_frame` -- the rows of one question under a matched design: the pre-SofS
   and post settling-in periods only (the settling-in period is left out, Appendix 10
   "Defining pre- and post-treatment"), with the regressors of equation [1] and of the
   event-study, secondary and Ofsted specifications (in :mod:`sofs_lib.chapters.did.frame`,
   with the functions it uses; its names are re-exported here).

Synthetic LA attributes (documented assumptions, seeded by the chapter's ``seed``)
---------------------------------------------------------------------------------
* **Ofsted.** Each LA is first inspected in a financial year drawn from 2010-2012 and then
  every 3 or 4 years; each judgement is "high" (Good or Outstanding) with probability 0.4.
  An LA-year is "high" when its most recent judgement at the end of the financial year is
  high (before the first inspection: the first judgement). The outcomes are generated
  without any Ofsted effect, so Ofsted coefficients are zero in expectation.
* **Quality of delivery** (MTM's scoring) and **embeddedness** (self-reported profiling):
  one score per pilot drawn uniformly from 1-4 and 3-9 respectively; the dose is the score
  divided by the highest pilot score (Appendix 10: "scaled by the highest score"), 0 for
  comparators. The outcomes are generated with one effect for all pilots, so dose
  interactions only rescale the DiD.
* **Practice model.** Each comparator uses a model similar to SofS (Restorative Practice or
  Reclaiming Social Work) with probability 0.5; where all comparators of a question fall in one
  category, the first in label order is moved to the other, so both categories exist.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sofs_lib.chapters.did.frame import CATEGORICAL_COVARIATES as CATEGORICAL_COVARIATES
from sofs_lib.chapters.did.frame import PM_ALT, PM_NEITHER
from sofs_lib.chapters.did.frame import PM_SOFS as PM_SOFS
from sofs_lib.chapters.did.frame import analysis_frame as analysis_frame
from sofs_lib.chapters.did.frame import lag_cols as lag_cols
from sofs_lib.chapters.did.frame import lead_cols as lead_cols
from sofs_lib.core import yamlio
from sofs_lib.sources import npd
from sofs_lib.sources.npd.columns import as_strings, codes_of
from sofs_lib.sources.npd.design import StudyDesign
from sofs_lib.synthetic import npd as synth_npd

#: Outcome columns per question (the first is the primary outcome).
OUTCOMES = {
    "eq3a": ["duration_wd", "same_day"],
    "eq3b": ["rereferral_6m"],
    "eq3c": ["rereferral_escalation_6m"],
    "eq3d": ["kinship_12m"],
}


class DidDataError(ValueError):
    """The extract, design or Ofsted file cannot be used for the DiD chapter."""


# --------------------------------------------------------------------------------------------
# extract and design
# --------------------------------------------------------------------------------------------


def load_design(path: str | Path) -> StudyDesign:
    """A study design for a real extract, from YAML::

        sofs_start: {"<pilot LA label>": "2014-10-01", ...}
        settling_in_years: {"<pilot LA label>": 2.5, ...}
        groups:                      # comparators per question (the report's matches)
          eq3a: {"<pilot LA label>": ["<comparator LA label>", ...], ...}
          ...
        data_window: {start: "2008-04-01", end: "2019-03-31"}   # optional

    Labels are the values of the extract's ``la`` columns.
    """
    name = Path(path).name
    if not Path(path).is_file():
        raise DidDataError(f"design file {path} not found")
    try:
        with open(path, encoding="utf-8") as fh:
            cfg = yamlio.load(fh)
    except yaml.YAMLError as exc:
        raise DidDataError(f"design file {name} is not valid YAML ({exc})") from None
    if not isinstance(cfg, dict):
        raise DidDataError(f"design file {name} must be a mapping with sofs_start, settling_in_years and groups")
    for key in ("sofs_start", "settling_in_years", "groups"):
        if key not in cfg:
            raise DidDataError(f"design file {name} lacks '{key}'")
    key = "data_window"
    try:
        win = cfg.get(key) or {}
        kw = {"data_start": pd.Timestamp(win["start"]), "data_end": pd.Timestamp(win["end"])} if win else {}
        key = "groups"
        groups = {eq: {p: list(c) for p, c in g.items()} for eq, g in cfg[key].items()}
        key = "sofs_start"
        start = {p: pd.Timestamp(v) for p, v in cfg[key].items()}
        key = "settling_in_years"
        settle = {p: float(v) for p, v in cfg[key].items()}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise DidDataError(f"design file {name}, '{key}': not in the layout above ({exc})") from None
    return StudyDesign(groups=groups, sofs_start=start, settling_years=settle, **kw)


def write_design(design: StudyDesign, path: str | Path) -> Path:
    """Write a study design in the YAML layout :func:`load_design` reads (e.g. to run the
    chapter on a synthetic extract written to CSV, as a real extract would be)."""
    cfg = {
        "sofs_start": {k: str(pd.Timestamp(v).date()) for k, v in design.sofs_start.items()},
        "settling_in_years": {k: float(v) for k, v in design.settling_years.items()},
        "groups": {eq: {p: list(c) for p, c in g.items()} for eq, g in design.groups.items()},
        "data_window": {"start": str(design.data_start.date()), "end": str(design.data_end.date())},
    }
    path = Path(path)
    with open(path, "w", encoding="utf-8") as fh:
        yaml.safe_dump(cfg, fh, sort_keys=False)
    return path


def load_extract(
    seed: int = 0,
    scale: float = 1.0,
    true_effects=None,
    settling_in=None,
    data_dir=None,
    design_file=None,
    pretrend: float | None = None,
):
    """``(extract, design, synthetic)``: a generated extract with the report's design, or the
    real extract in ``data_dir`` with the design in ``design_file``. ``pretrend`` overrides the
    synthetic pilot-only pre-SofS trend in assessment duration (None: calibration default)."""
    if data_dir is None:
        pre = None if pretrend is None else {"eq3a_duration": float(pretrend)}
        ex = synth_npd.generate(
            seed=seed, scale=scale, true_effects=true_effects, settling_in=settling_in, pretrends=pre
        )
        design = ex.design or npd.default_design(settling_in)
        return ex, design, True
    if design_file is None:
        raise DidDataError(
            "a real extract (data_dir) needs a design_file naming the pilot LAs, their "
            "SofS start dates, settling-in lengths and comparators"
        )
    design = load_design(design_file).with_settling_in(settling_in)
    ex = npd.read_extract(data_dir, window=(design.data_start, design.data_end))
    return ex, design, False


def extract_las(extract) -> list[str]:
    """Every LA label with records in the extract."""
    las = set()
    for t in ("cin_referrals", "assessments", "la_episodes"):
        code, values = codes_of(getattr(extract, t)["la"])
        used = np.flatnonzero(np.bincount(code[code >= 0], minlength=len(values)))
        las |= {v for v in as_strings(values[used]) if v is not None}
    return sorted(las)


def wide_design(design: StudyDesign, las: list[str]) -> StudyDesign:
    """Every LA its own group (so derivations keep every LA); pilots keep their dates, other
    LAs take the earliest pilot start (only their financial years are used)."""
    start0 = min(design.sofs_start.values())
    starts = {la: design.sofs_start.get(la, start0) for la in las}
    settle = {la: design.settling_years.get(la, 2.0) for la in las}
    groups = {eq: {la: [] for la in las} for eq in npd.EQS}
    return StudyDesign(
        groups=groups,
        sofs_start=starts,
        settling_years=settle,
        data_start=design.data_start,
        data_end=design.data_end,
    )


def wide_populations(extract, design: StudyDesign, cutoff: float = 76) -> dict:
    """The four populations for every LA of the extract (EQ3a with ``cutoff``)."""
    wd = wide_design(design, extract_las(extract))
    return {
        "eq3a": npd.derive_eq3a(extract, wd, cutoff=cutoff),
        "eq3b": npd.derive_eq3b(extract, wd),
        "eq3c": npd.derive_eq3c(extract, wd),
        "eq3d": npd.derive_eq3d(extract, wd),
    }


def matched_design(design: StudyDesign, groups: dict) -> StudyDesign:
    """``design`` with its comparator groups replaced by ``groups`` (``{eq: {pilot: [...]}}``)."""
    full = {eq: dict(groups.get(eq, {})) for eq in npd.EQS}
    return StudyDesign(
        groups=full,
        sofs_start=design.sofs_start,
        settling_years=design.settling_years,
        data_start=design.data_start,
        data_end=design.data_end,
    )


# --------------------------------------------------------------------------------------------
# LA attributes
# --------------------------------------------------------------------------------------------


def synthetic_ofsted(las: list[str], years: range, seed: int) -> pd.DataFrame:
    """LA x financial-year Ofsted rating ``ofsted_high`` (1 = Good/Outstanding), see module doc."""
    rng = np.random.default_rng([int(seed), 20_14])
    rows = []
    for la in sorted(las):
        t = int(rng.integers(2010, 2013))
        insp = []
        while t <= max(years):
            insp.append((t, int(rng.random() < 0.4)))
            t += int(rng.integers(3, 5))
        for y in years:
            past = [r for (ty, r) in insp if ty <= y]
            rows.append((la, y, past[-1] if past else insp[0][1]))
    return pd.DataFrame(rows, columns=["la", "year", "ofsted_high"]).astype({"ofsted_high": "int8"})


def real_ofsted(las: list[str], years: range, ofsted_file: str | Path) -> pd.DataFrame:
    """LA x financial-year ``ofsted_high`` from the Ofsted *Children's social care in England*
    underlying data (sheet of every LA inspection): the latest overall-effectiveness judgement
    (SIF or ILACS) published on or before 31 March of the financial year; high = Good or
    Outstanding. LAs are matched to the extract's labels by name or code (case-insensitive).
    Before an LA's first judgement, its first judgement is used."""
    from sofs_lib.sources import dfe

    insp = dfe.load_ofsted_inspections(ofsted_file)
    insp = insp[insp["judgement"].notna() & insp["published"].notna()]
    key_name = insp["la_name"].astype("string").str.lower().str.strip()
    key_code = insp["la_code"].astype("string").str.lower().str.strip()
    rows, missing = [], []
    for la in las:
        k = str(la).lower().strip()
        sub = insp[(key_name == k) | (key_code == k)].sort_values("published")
        if sub.empty:
            missing.append(la)
            continue
        high = sub["judgement"].str.lower().isin(["good", "outstanding"]).astype(int).to_numpy()
        pub = sub["published"].to_numpy()
        for y in years:
            before = pub <= np.datetime64(f"{y}-03-31")
            rows.append((la, y, int(high[before][-1]) if before.any() else int(high[0])))
    if missing:
        raise DidDataError(
            f"no Ofsted judgement found for LA label(s) {missing} in {Path(ofsted_file).name}; "
            "the extract's LA labels must be LA names or codes"
        )
    return pd.DataFrame(rows, columns=["la", "year", "ofsted_high"]).astype({"ofsted_high": "int8"})


def synthetic_scores(pilots: list[str], seed: int) -> pd.DataFrame:
    """Per pilot: ``quality`` (1-4) and ``embeddedness`` (3-9) scores, and the doses
    ``dose_quality``, ``dose_embed`` (score / highest score), see module doc."""
    rng = np.random.default_rng([int(seed), 7_7])
    ps = sorted(pilots, key=lambda s: (len(s), s))
    q = rng.uniform(1, 4, len(ps)).round(2)
    e = rng.uniform(3, 9, len(ps)).round(2)
    out = pd.DataFrame({"la": ps, "quality": q, "embeddedness": e})
    out["dose_quality"] = out["quality"] / out["quality"].max()
    out["dose_embed"] = out["embeddedness"] / out["embeddedness"].max()
    return out


def synthetic_practice_models(comparators: list[str], seed: int, sets: list[list[str]] | None = None) -> pd.DataFrame:
    """Per comparator: ``practice_model`` = similar model / neither (see module doc). ``sets``:
    the comparators of each question; where one with two or more comparators has a single
    category, its first comparator in label order is moved to the other category."""
    rng = np.random.default_rng([int(seed), 3_3])
    cs = sorted(comparators)
    pm = dict(zip(cs, np.where(rng.random(len(cs)) < 0.5, PM_ALT, PM_NEITHER)))
    for group in sets or [cs]:
        g = sorted(x for x in group if x in pm)
        if len(g) >= 2 and len({pm[x] for x in g}) == 1:
            pm[g[0]] = PM_NEITHER if pm[g[0]] == PM_ALT else PM_ALT
    return pd.DataFrame({"la": cs, "practice_model": [pm[c] for c in cs]})


def la_attributes(design: StudyDesign, las: list[str], seed: int, ofsted_file=None) -> dict:
    """``{"ofsted": LA x year, "scores": per pilot, "practice": per comparator}``."""
    years = range(design.data_start.year, design.data_end.year + 2)
    ofs = real_ofsted(las, years, ofsted_file) if ofsted_file else synthetic_ofsted(las, years, seed)
    pilots = list(design.sofs_start)
    comps = sorted({c for g in design.groups.values() for cs in g.values() for c in cs})
    sets = [[c for cs in g.values() for c in cs] for g in design.groups.values()]
    return {
        "ofsted": ofs,
        "scores": synthetic_scores(pilots, seed),
        "practice": synthetic_practice_models(comps, seed, sets),
        "ofsted_kind": "real" if ofsted_file else "synthetic",
    }
