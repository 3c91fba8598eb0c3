"""A synthetic, respondent-level staff survey in the layout of the evaluation's survey
(report section 3; Tables 2 and 4).

One row per respondent: ``respondent_id, pilot, role``, the eight SofS element-use items of
Table 2 (``use_*``: "All families" / "Some families" / "No families", blank = item skipped) and
the five statements of Table 4 (``agree_*``: a five-point agreement scale, blank = skipped).

Generated (seeded) so that every Table 2 and Table 4 percentage is reproduced when rounded
half-up: each cell's count and denominator are the central reconstruction of
:func:`sofs_lib.published.recon.counts_table` with the fewest skipped answers the printed
percentage needs.
Who answers what, the split of agreement into "Strongly agree"/"Agree" (and of use into all or
some families) and the roles are random. The records are SYNTHETIC: they show the method and
describe no real social worker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.published import recon

FILENAME = "staff_survey.csv"
PILOTS = ("Pilot 1", "Pilot 7", "Pilot 8", "Pilot 9")
ROLES = ("Social worker", "Senior social worker", "Team manager")
USE_SCALE = ("All families", "Some families", "No families")
AGREE_SCALE = (
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
)


def _slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "_" for ch in text)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


def items() -> pd.DataFrame:
    """The survey's items: ``column, label, table, yes_values, scale`` in printed order."""
    t2 = published.wide("2").drop(index=["Number", "% of social workers in the pilot"])
    t4 = published.wide("4")
    rows = [dict(column="use_" + _slug(r)[:40], label=r, table="2") for r in t2.index]
    rows += [dict(column="agree_" + _slug(r)[:40], label=r, table="4") for r in t4.index]
    return pd.DataFrame(rows)


def columns() -> list[str]:
    """Every column of the layout, in order."""
    return ["respondent_id", "pilot", "role"] + items()["column"].tolist()


def scale_of(column: str) -> tuple[str, ...]:
    return USE_SCALE if column.startswith("use_") else AGREE_SCALE


def yes_values(column: str) -> tuple[str, ...]:
    """Answers counted as 'using' (Table 2) or 'agreeing' (Table 4)."""
    return USE_SCALE[:2] if column.startswith("use_") else AGREE_SCALE[:2]


def _least_nonresponse(pcts: pd.Series, ns: pd.Series) -> int:
    need = 0
    for g in pcts.index:
        j = 0
        while True:
            try:
                recon.count_bounds(float(pcts[g]), int(ns[g]) - j)
                break
            except recon.ReconstructionError:
                j += 1
        need = max(need, j)
    return need


def cell_targets() -> pd.DataFrame:
    """Per item and pilot: respondents ``n``, answered ``denominator`` and ``count`` of yes."""
    ns = published.wide("2").loc["Number", list(PILOTS)].astype(int)
    t2 = published.wide("2")
    t4 = published.wide("4")
    rows = []
    for it in items().itertuples():
        pcts = (t2 if it.table == "2" else t4).loc[it.label, list(PILOTS)]
        ct = recon.counts_table(pcts, ns, max_missing=_least_nonresponse(pcts, ns))
        for g, r in ct.iterrows():
            rows.append(
                dict(
                    column=it.column,
                    pilot=g,
                    n=int(r["n"]),
                    denominator=int(r["denominator"]),
                    count=int(r["count"]),
                )
            )
    return pd.DataFrame(rows)


def generate(seed: int = 20190101) -> pd.DataFrame:
    """The synthetic respondent-level survey (one row per respondent, every answer text)."""
    rng = np.random.default_rng(seed)
    ns = published.wide("2").loc["Number", list(PILOTS)].astype(int)
    parts = []
    start = 1
    targets = cell_targets()
    for g in PILOTS:
        n = int(ns[g])
        d = pd.DataFrame(
            {
                "respondent_id": [f"S{start + i:04d}" for i in range(n)],
                "pilot": g,
                "role": rng.choice(ROLES, size=n, p=[0.7, 0.2, 0.1]),
            }
        )
        start += n
        for t in targets[targets["pilot"] == g].itertuples():
            order = rng.permutation(n)
            answers = np.full(n, "", dtype=object)
            answered, yes = order[: t.denominator], order[: t.count]
            scale = scale_of(t.column)
            answers[answered] = rng.choice(scale[2:], size=len(answered))
            answers[yes] = rng.choice(scale[:2], size=len(yes))
            d[t.column] = answers
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)[columns()]
    out.attrs["kind"] = "synthetic"
    return out


def write(folder, seed: int = 20190101):
    """Write the synthetic survey as ``staff_survey.csv`` in ``folder``; returns the path."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILENAME
    tmp = path.with_suffix(".csv.tmp")
    generate(seed).to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)
    return path
