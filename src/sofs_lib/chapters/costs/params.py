"""Parameters of chapter 06_costs (one per assumption of ``data/unit_costs.yml``, plus run settings)."""

from __future__ import annotations

from sofs_lib.core.params import Param, Spec

#: assumption entries of data/unit_costs.yml that a parameter may override (None = the file's value)
ASSUMPTIONS = (
    "pay_uprating",
    "on_cost_rate",
    "sofs_time_share",
    "hours_per_day",
    "manager_day_ratio",
    "travel_per_training_day",
    "pl_attendees",
    "pl_session_days",
    "kinship_cost_ratio",
    "care_weeks_first_year",
    "rereferral_hours",
    "care_entrants_per_pilot_year",
    "nfa_closures_per_pilot_year",
    "salary_position",
    "it_upkeep_share",
    "mgmt_ongoing_share",
    "starters_per_pilot_year",
    "children_per_pilot",
)


def _years(v):
    import re

    m = re.fullmatch(r"(\d{4})/(\d{2})-(\d{4})/(\d{2})", str(v))
    if not m or int(m.group(3)) < int(m.group(1)):
        return "must be a span of financial years like '2015/16-2018/19'"
    return None


SPEC = Spec(
    "06_costs",
    (
        Param("seed", (int,), 20171001, "Seed of the Monte Carlo and the synthetic returns.", minimum=0),
        Param("n_draws", (int,), 10000, "Monte Carlo draws.", minimum=100, maximum=1_000_000),
        Param("interval", (float,), 0.90, "Width of the uncertainty interval.", minimum=0.5, maximum=0.99),
        Param(
            "horizon_years",
            (int,),
            5,
            "Years of ongoing cost after the grant (discounted).",
            minimum=1,
            maximum=30,
        ),
        Param("unit_costs_file", (str, type(None)), None, "Unit-cost file; null = data/unit_costs.yml."),
        Param(
            "data_dir",
            (str, type(None)),
            None,
            "Folder of cost-survey and training returns (layout of sofs_lib.synthetic.cost_surveys); "
            "null = synthetic returns.",
        ),
        Param(
            "dfe_data_dir",
            (str, type(None)),
            None,
            "Folder of public DfE files for spending and workforce; null = the committed extract if "
            "present, else those sections are skipped.",
        ),
        Param(
            "anova_years",
            (str,),
            "2015/16-2018/19",
            "Years of the two-factor ANOVA (the report's span within the finance data).",
            check=_years,
        ),
        Param("event_years", (str,), "2015/16-2022/23", "Years of the spending event study.", check=_years),
        *(
            Param(
                a,
                (float, type(None)),
                None,
                f"Override of the assumption '{a}' (null = the file's value).",
                minimum=0,
            )
            for a in ASSUMPTIONS
        ),
        Param("output_dir", (str, type(None)), None, "Folder for this chapter's outputs."),
    ),
)


def year_span(text: str) -> range:
    """'2015/16-2018/19' -> range(2016, 2020) (financial years by their end)."""
    a, b = text.split("-")
    return range(int(a[:4]) + 1, int(b[:4]) + 2)
