"""The survey method on respondent-level records: read and validate an extract, tabulate each
item by pilot with disclosure control, test, and compare with the printed percentages.

The same code runs on the synthetic survey (:mod:`sofs_lib.synthetic.staff_survey`) and on a real
extract in the same layout (``staff_survey.csv`` in a folder given as ``data_dir``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.workforce.exact import freeman_halton_2xk
from sofs_lib.core.rounding import round_half_up
from sofs_lib.methods import disclosure
from sofs_lib.published import recon
from sofs_lib.synthetic import staff_survey as layout


class SurveyDataError(ValueError):
    """A survey extract is missing, or a column of it is malformed."""


def read_survey(data_dir) -> pd.DataFrame:
    """Read and validate ``staff_survey.csv`` in ``data_dir``: every column of the layout, unique
    respondent ids, pilots labelled 'Pilot n', answers on the item's scale (blank = skipped).
    Raises :class:`SurveyDataError` naming the file and the column."""
    path = Path(data_dir) / layout.FILENAME
    if not path.is_file():
        raise SurveyDataError(f"survey extract not found: {path.name} in the folder given as data_dir")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SurveyDataError(f"{path.name}: cannot be read as CSV ({exc})") from None
    missing = [c for c in layout.columns() if c not in df.columns]
    if missing:
        raise SurveyDataError(f"{path.name}: missing column(s) {', '.join(missing)}")
    unexpected = [c for c in df.columns if c not in layout.columns()]
    if unexpected:
        raise SurveyDataError(f"{path.name}: unexpected column(s) {', '.join(unexpected)}")
    if df.empty:
        raise SurveyDataError(f"{path.name}: no respondents")
    dup = df["respondent_id"][df["respondent_id"].duplicated()].unique().tolist()
    if dup or (df["respondent_id"].str.strip() == "").any():
        raise SurveyDataError(f"{path.name}: column respondent_id has blank or repeated ids {dup[:5]}")
    bad = sorted(set(df["pilot"][~df["pilot"].str.fullmatch(r"Pilot [1-9]")]))
    if bad:
        raise SurveyDataError(f"{path.name}: column pilot has values {bad[:5]}; expected 'Pilot n'")
    for col in layout.columns()[2:]:
        allowed = set(layout.ROLES) if col == "role" else set(layout.scale_of(col)) | {""}
        wrong = sorted(set(df[col]) - allowed)
        if wrong:
            raise SurveyDataError(
                f"{path.name}: column {col} has value(s) {wrong[:5]} not on its "
                f"scale ({', '.join(sorted(allowed - {''}))}; blank = skipped)"
            )
    df.attrs["file"] = path.name
    return df


def tabulate(records: pd.DataFrame, threshold: int = disclosure.THRESHOLD) -> pd.DataFrame:
    """Per item and pilot: respondents, answered, yes (using / agreeing), no, skipped and the
    percentage yes, with cells under ``threshold`` and their complements suppressed
    (:func:`sofs_lib.methods.disclosure.suppress_counts` on each item's pilot x answer table). The
    unsuppressed counts are kept in ``*_raw`` columns for the tests (never shown)."""
    its = layout.items()
    pilots = sorted(records["pilot"].unique(), key=lambda s: int(s.split()[-1]))
    rows = []
    for it in its.itertuples():
        col = records[it.column]
        yes = col.isin(layout.yes_values(it.column))
        skipped = col.eq("")
        counts = (
            pd.DataFrame(
                {
                    "yes": yes.groupby(records["pilot"]).sum(),
                    "no": (~yes & ~skipped).groupby(records["pilot"]).sum(),
                    "skipped": skipped.groupby(records["pilot"]).sum(),
                }
            )
            .reindex(pilots)
            .astype(int)
        )
        protected, mask = disclosure.suppress_counts(counts, threshold=threshold, keep_zeros=True)
        for g in pilots:
            answered = int(counts.loc[g, "yes"] + counts.loc[g, "no"])
            hidden = bool(mask.loc[g, ["yes", "no"]].any())
            rows.append(
                dict(
                    item=it.label,
                    table=it.table,
                    column=it.column,
                    pilot=g,
                    respondents=int(counts.loc[g].sum()),
                    answered=answered,
                    yes=protected.loc[g, "yes"],
                    no=protected.loc[g, "no"],
                    skipped=protected.loc[g, "skipped"],
                    percent=(
                        disclosure.MARK if hidden else 100 * counts.loc[g, "yes"] / answered if answered else np.nan
                    ),
                    suppressed=bool(mask.loc[g].any()),
                    yes_raw=int(counts.loc[g, "yes"]),
                    answered_raw=answered,
                )
            )
    return pd.DataFrame(rows)


def item_tests(tab: pd.DataFrame) -> pd.DataFrame:
    """Per item: Pearson chi-square and exact Freeman-Halton p across pilots, on the records'
    own counts (no reconstruction needed)."""
    rows = []
    for (item, table), g in tab.groupby(["item", "table"], sort=False):
        k, m = g["yes_raw"].to_numpy(), g["answered_raw"].to_numpy()
        stat, p, dof = recon.chi2_yes_no(k, m)
        rows.append(dict(item=item, table=table, chi2=stat, dof=dof, p=p, p_exact=freeman_halton_2xk(k, m)))
    return pd.DataFrame(rows).set_index("item")


def compare_printed(tab: pd.DataFrame) -> pd.DataFrame:
    """Each item x pilot percentage (from the raw counts) rounded half-up beside the printed
    one in Table 2 or Table 4: ``match`` when equal."""
    t2, t4 = published.wide("2"), published.wide("4")
    out = tab[["item", "table", "pilot"]].copy()
    share = 100 * tab["yes_raw"] / tab["answered_raw"]
    out["computed"] = share
    out["rounded"] = [round_half_up(float(x), 0) for x in share]
    out["printed"] = [
        float((t2 if t == "2" else t4).loc[i, g]) for i, t, g in zip(tab["item"], tab["table"], tab["pilot"])
    ]
    out["match"] = out["rounded"] == out["printed"]
    return out


def check_pilot_labels(records: pd.DataFrame) -> list[str]:
    """Pilots of an extract that the report did not survey (Tables 2 and 4 cover 1, 7, 8, 9)."""
    return sorted(set(records["pilot"]) - set(layout.PILOTS), key=lambda s: int(re.sub(r"\D", "", s)))
