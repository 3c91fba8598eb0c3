"""The specifications of the DiD chapter's models (Appendix 10, equation [1]): the covariates
of each question, right-hand sides and the fitted-result record :class:`Fit` (used by
:mod:`.models` and :mod:`.diagnostics`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Child-level covariates X_ist (categorical ones in CATEGORICAL) per question (appendix 10).
CATEGORICAL = ["gender", "ethnicity", "academic_year", "fsm"]
COVARIATES = {
    "eq3a": ["age", "disabled", *CATEGORICAL],
    "eq3b": ["age", "disabled", *CATEGORICAL],
    "eq3c": ["age", "disabled", *CATEGORICAL],
    "eq3d": ["age", "disabled", *CATEGORICAL, "main_need"],
}

ALPHA = 0.05
FE_TIME_VARYING = ["age", "C(academic_year)", "C(fsm)"]


@dataclass
class Fit:
    """One estimated specification: a tidy ``table`` (term x estimate, se, p, lo, hi)."""

    name: str
    model: str
    outcome: str
    table: pd.DataFrame
    n: int
    r2: float = np.nan
    n_clusters: int = 0
    n_la: int = 0
    n_treated_clusters: int = 0
    note: str = ""
    extra: dict = field(default_factory=dict)

    def get(self, term: str, col: str = "estimate") -> float:
        return float(self.table.loc[term, col]) if term in self.table.index else np.nan

    @property
    def identified(self) -> bool:
        return not self.table.empty


def _term(name: str) -> str:
    if name == "Intercept":
        return "(Intercept)"
    return name


def _tidy_pf(m) -> pd.DataFrame:
    t = m.tidy()
    out = pd.DataFrame(
        {
            "estimate": t["Estimate"],
            "se": t["Std. Error"],
            "p": t["Pr(>|t|)"],
            "lo": t["2.5%"],
            "hi": t["97.5%"],
        }
    )
    out.index = [_term(i) for i in out.index]
    return out


def covariate_terms(eq: str, model: str) -> list[str]:
    """The covariate terms of question ``eq`` for ``model`` (linear/logit or fe)."""
    if model == "fe":
        return list(FE_TIME_VARYING)
    return [c if c in ("age", "disabled") else f"C({c})" for c in COVARIATES[eq]]


def rhs(eq: str, model: str, treat: list[str], extra: list[str] | None = None, drop: list[str] | None = None) -> str:
    """Right-hand side (without the fixed-effect part) for a model and treatment terms;
    ``drop`` removes terms (e.g. ``pilot_i`` when a dose or practice-model indicators replace it)."""
    base = ["post"]  # the pilot indicator (or what replaces it) comes with the treatment terms
    terms = base + list(treat) + list(extra or []) + covariate_terms(eq, model) + ["ofsted_high", "C(year)"]
    terms = [t for t in dict.fromkeys(terms) if t not in (drop or [])]
    return " + ".join(terms)


def _prep(df: pd.DataFrame, weights: str | None):
    if weights and weights in df:
        df = df[df[weights] > 0]
    return df


def _n_treated(d: pd.DataFrame, cluster: str) -> int:
    return int(d.loc[d["pilot_i"] == 1, cluster].nunique()) if "pilot_i" in d else 0
