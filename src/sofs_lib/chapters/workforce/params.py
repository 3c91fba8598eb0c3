"""Parameters of chapter 02_workforce."""

from __future__ import annotations

from sofs_lib.core.params import Param, Spec
from sofs_lib.sources.dfe.groups import _codes


def _check_la_list(v):
    if not all(isinstance(x, str) for x in v):
        return "must be a list of LA names or DfE LA numbers (text)"
    try:
        _codes(v)
    except KeyError as exc:
        return f"names an unknown LA ({exc})"
    return None


SPEC = Spec(
    "02_workforce",
    (
        Param(
            "dfe_data_dir",
            (str, type(None)),
            None,
            "Folder of raw DfE files (relative to the project root); null = the committed extract "
            "if the project has one, else a synthetic national panel.",
        ),
        Param(
            "survey_data_dir",
            (str, type(None)),
            None,
            "Folder holding a real staff_survey.csv in the synthetic survey's layout; null = the synthetic survey.",
        ),
        Param("survey_seed", (int,), 20190101, "Seed of the synthetic staff survey.", minimum=0),
        Param("panel_seed", (int,), 20150930, "Seed of the synthetic national panel.", minimum=0),
        Param(
            "max_item_nonresponse",
            (int,),
            0,
            "Extra respondents per pilot assumed to skip a Table 4 item, beyond the fewest each "
            "printed percentage needs.",
            minimum=0,
            maximum=6,
        ),
        Param("alpha", (float,), 0.05, "Significance level.", minimum=0.001, maximum=0.2),
        Param(
            "first_year",
            (int,),
            2015,
            "First September of the panel and the DiD window.",
            minimum=2015,
            maximum=2018,
        ),
        Param(
            "did_last_year",
            (int,),
            2019,
            "Last September of the DiD window (Round 2 ended September 2019).",
            minimum=2018,
            maximum=2025,
        ),
        Param(
            "post_from",
            (int,),
            2018,
            "First September counted as 'during Round 2' in the DiD (Round 2 ran September 2017 to September 2019).",
            minimum=2016,
            maximum=2020,
        ),
        Param(
            "event_ref_year",
            (int,),
            2016,
            "Reference September of the event study.",
            minimum=2015,
            maximum=2019,
        ),
        Param(
            "ri_draws",
            (int,),
            1000,
            "Placebo sets of councils drawn for randomisation inference.",
            minimum=99,
            maximum=100000,
        ),
        Param(
            "bootstrap_reps",
            (int,),
            999,
            "Wild cluster bootstrap replications (0 = skip).",
            minimum=0,
            maximum=99999,
        ),
        Param("seed", (int,), 1, "Seed of the placebo draws and the bootstrap.", minimum=0),
        Param(
            "pilots",
            (list, type(None)),
            None,
            "Pilot LAs; null = data/la_groups.yml.",
            check=_check_la_list,
        ),
        Param(
            "comparators",
            (list, type(None)),
            None,
            "Comparator LAs; null = data/la_groups.yml.",
            check=_check_la_list,
        ),
        Param("output_dir", (str, type(None)), None, "Folder for this chapter's outputs."),
    ),
)


def check_consistency(p: dict) -> None:
    """Cross-parameter rules (raise the project's ParameterError naming the parameters)."""
    from sofs_lib.core.params import ParameterError

    if not p["first_year"] < p["post_from"] <= p["did_last_year"]:
        raise ParameterError(
            "Parameters of chapter 02_workforce: need first_year < post_from <= "
            f"did_last_year, got {p['first_year']}, {p['post_from']}, "
            f"{p['did_last_year']}."
        )
    if not p["first_year"] <= p["event_ref_year"] < p["post_from"]:
        raise ParameterError(
            "Parameter 'event_ref_year' of chapter 02_workforce must lie from "
            "first_year to before post_from, got "
            f"{p['event_ref_year']}."
        )
