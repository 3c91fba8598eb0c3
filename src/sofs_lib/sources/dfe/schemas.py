"""Declared layouts (input columns) and pandera schemas (validated outputs) for each source."""

from __future__ import annotations

import pandera.pandas as pa

#: Columns every Explore Education Statistics tidy file has.
EES_CORE = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name"]
#: Extra geography columns of LA-level EES files.
EES_LA = ["region_code", "region_name", "old_la_code", "new_la_code", "la_name"]

#: Label (non-numeric) columns that may appear in EES files.
EES_LABEL_COLUMNS = {
    "category",
    "Category",
    "category_type",
    "cla_group",
    "characteristic",
    "population_count",
    "age_group",
    "breakdown_topic",
    "breakdown",
    "la_code",
    "lad_code",
    "lad_name",
    "opportunity_area_code",
    "pcon_code",
    "pcon_name",
    "rsc_region_lead_name",
    "english_devolved_area_code",
    "english_devolved_area_name",
    "local_enterprise_partnership_code",
    "local_enterprise_partnership_name",
    "ward_code",
    "ward_name",
    "school_urn",
    "school_name",
    "school_laestab",
    "trust_id",
    "trust_name",
    "provider_ukprn",
    "provider_name",
    "institution_id",
    "institution_name",
    "planning_area_code",
    "planning_area_name",
}

#: Declared value columns per EES publication file (keyed by the start of the file name).
#: ``None`` means "any columns" (generic EES layout).
EES_LAYOUTS: dict[str, list[str]] = {
    "b1_children_in_need": [
        "category",
        "Anypoint_episodes",
        "Anypoint_episodes_rate",
        "Anypoint_child",
        "Anypoint_child_rate",
        "At31_episodes",
        "At31_episodes_rate",
    ],
    "b4_children_in_need_duration": [
        "category",
        "At31_episodes",
        "3_months_or_less",
        "3_months_or_less_percent",
        "2years+",
        "2years+_percent",
    ],
    "c1_children_in_need_referrals": [
        "Category",
        "Referrals",
        "Referrals_rate",
        "Re_referrals",
        "Re_referrals_percent",
        "No_Further_Action",
        "No_Further_Action_percent",
        "Not_in_Need",
        "Not_in_Need_percent",
    ],
    "c2_children_in_need_assessments": [
        "category",
        "Assessments_completed",
        "Assessments_completed_rate",
        "Same_day",
        "61+_days",
        "Median_days",
    ],
    "c4_children_in_need_section_47s": [
        "category",
        "Section47",
        "Section47_rate",
        "ICPC",
        "ICPC_rate",
        "Duration_median",
    ],
    "d1_child_protection_plans": ["Category", "CPP_start", "CPP_start_rate", "CPP_At31", "CPP_At31_rate"],
    "d3_cpps_subsequent_plan": ["Category", "CPP_start", "CPP_subsequent", "CPP_subsequent_percent"],
    "d5_cpps_at31march_by_duration": ["category", "CPP_At31", "3_months_or_less", "3_months_or_less_percent"],
    "d6_cpps_reviewed_within": [
        "category",
        "CPP_At31_3Months",
        "Reviewed_within_timescales",
        "Reviewed_within_timescales_percent",
    ],
    "cla_number_and_rate": ["population_count", "population_estimate", "number", "rate_per_10000"],
    "cla_rate_2018_2021": ["population_count", "population_estimate", "number", "rate_per_10000"],
    "la_children_who_ceased": ["cla_group", "characteristic", "number", "percentage"],
    "la_children_who_started": ["cla_group", "characteristic", "number", "percentage"],
    "csww_indicators": [
        "inpost_fte",
        "turnover_rate_fte",
        "turnover_rate_headcount",
        "agency_rate_fte",
        "vacancy_rate_fte",
        "caseload_fte",
        "absence_rate_fte",
    ],
    "csww_headline_measures": [
        "social_worker_fte",
        "turnover_rate_fte_%",
        "turnover_rate_headcount_%",
        "agency_worker_rate_fte_%",
        "vacancy_rate_fte_%",
        "caseload_fte",
        "absence_rate_fte_%",
    ],
    "ons_mid-year_population": ["age_group", "population_estimate"],
}

#: Every column the real releases carry per layout (beyond the EES core/geography columns);
#: anything else is reported as unexpected (warning, or error with ``strict=True``).
EES_KNOWN_COLUMNS: dict[str, list[str]] = {
    "b1_children_in_need": [
        "category",
        "Anypoint_episodes",
        "Anypoint_episodes_rate",
        "Anypoint_child",
        "Anypoint_child_rate",
        "Started_episodes",
        "Started_episodes_rate",
        "Started_child",
        "Started_child_rate",
        "Ended_episodes",
        "Ended_episodes_rate",
        "Ended_child",
        "Ended_child_rate",
        "At31_episodes",
        "At31_episodes_rate",
        "Awaiting_assessment",
        "Awaiting_assessment_rate",
    ],
    "b4_children_in_need_duration": [
        "category",
        "At31_episodes",
        "3_months_or_less",
        "3_months_or_less_percent",
        "more_than_3_months_6_months",
        "more_than_3_months_6_months_percent",
        "more_than_6_months_less_than_1_year",
        "more_than_6_months_less_than_1_year_percent",
        "1_year_less_than_2_years",
        "1_year_less_than_2_years_percent",
        "2years+",
        "2years+_percent",
    ],
    "c1_children_in_need_referrals": [
        "Category",
        "Referrals",
        "Referrals_rate",
        "Re_referrals",
        "Re_referrals_percent",
        "No_Further_Action",
        "No_Further_Action_percent",
        "Not_in_Need",
        "Not_in_Need_percent",
        "Referrals_child",
        "Referrals_child_rate",
        "Re_referrals_child",
        "Re_referrals_child_percent",
    ],
    "c2_children_in_need_assessments": [
        "category",
        "Assessments_completed",
        "Assessments_completed_rate",
        "Same_day",
        "1-10_days",
        "11-20_days",
        "21-30_days",
        "31-40_days",
        "41-45_days",
        "46-50_days",
        "51-60_days",
        "61+_days",
        "25th_Percentile_days",
        "Median_days",
        "75th_Percentile_days",
    ],
    "c4_children_in_need_section_47s": [
        "category",
        "Section47",
        "Section47_rate",
        "Section47_child",
        "Section47_child_rate",
        "ICPC",
        "ICPC_rate",
        "ICPC_child",
        "ICPC_child_rate",
        "Duration_0-10_days",
        "Duration_11-15_days",
        "Duration_16-20_days",
        "Duration_21+_days",
        "Duration_25th_Percentile",
        "Duration_median",
        "Duration_75th_Percentile",
    ],
    "cla_number_and_rate": ["population_count", "population_estimate", "number", "rate_per_10000"],
    "cla_rate_2018_2021": ["population_count", "population_estimate", "number", "rate_per_10000"],
    "d1_child_protection_plans": [
        "Category",
        "CPP_start",
        "CPP_start_rate",
        "CPP_child_start",
        "CPP_child_start_rate",
        "CPP_end",
        "CPP_end_rate",
        "CPP_child_end",
        "CPP_child_end_rate",
        "CPP_anypoint",
        "CPP_anypoint_rate",
        "CPP_child_anypoint",
        "CPP_child_anypoint_rate",
        "CPP_At31",
        "CPP_At31_rate",
    ],
    "d3_cpps_subsequent_plan": ["Category", "CPP_start", "CPP_subsequent", "CPP_subsequent_percent"],
    "d5_cpps_at31march_by_duration": [
        "category",
        "CPP_At31",
        "3_months_or_less",
        "3_months_or_less_percent",
        "more_than_3_months_6_months",
        "more_than_3_months_6_months_percent",
        "more_than_6_months_less_than_1_year",
        "more_than_6_months_less_than_1_year_percent",
        "1_year_less_than_2_years",
        "1_year_less_than_2_years_percent",
        "2_years_or_more",
        "2_years_or_more_percent",
    ],
    "d6_cpps_reviewed_within": [
        "category",
        "CPP_At31_3Months",
        "Reviewed_within_timescales",
        "Reviewed_within_timescales_percent",
    ],
    "la_children_who_ceased": ["cla_group", "characteristic", "number", "percentage"],
    "la_children_who_started": ["cla_group", "characteristic", "number", "percentage"],
    "ons_mid-year_population": ["age_group", "population_estimate"],
    "csww_headline_measures": [
        "social_worker_fte",
        "leaver_fte",
        "turnover_rate_fte_%",
        "working_days_lost_fte",
        "absence_rate_fte_%",
        "agency_fte",
        "agency_worker_rate_fte_%",
        "agency_cover_fte",
        "agency_cover_rate_fte_%",
        "vacancy_fte",
        "vacancy_rate_fte_%",
        "vacancy_agency_cover_rate_fte_%",
        "case_holders_fte",
        "cases",
        "caseload_fte",
        "social_worker_headcount",
        "leaver_headcount",
        "turnover_rate_headcount_%",
        "agency_headcount",
        "agency_worker_rate_headcount_%",
    ],
    "csww_indicators": [
        "inpost_fte",
        "inpost_headcount",
        "starters_fte",
        "starters_headcount",
        "leavers_fte",
        "leavers_headcount",
        "turnover_rate_fte",
        "turnover_rate_headcount",
        "agency_fte",
        "agency_headcount",
        "agency_rate_fte",
        "agency_rate_headcount",
        "agency_cover_fte",
        "agency_cover_rate_fte",
        "vacancy_fte",
        "vacancy_rate_fte",
        "vacancy_agency_cover_rate_fte",
        "case_holders_fte",
        "cases",
        "caseload_fte",
        "working_days_lost_fte",
        "absence_rate_fte",
    ],
}

#: Column renames between the releases we know (later name -> declared name), per layout.
#: A declared column present under another case only is mapped as well.
EES_RENAMES: dict[str, dict[str, str]] = {
    # Characteristics of children in need, 2023 to 2024 release
    "c1_children_in_need_referrals": {"category": "Category"},
    "d1_child_protection_plans": {"category": "Category"},
    "d3_cpps_subsequent_plan": {"category": "Category"},
}

#: Rate columns a release may drop while keeping the count they are computed from
#: (rate per 10,000 children = count / ONS mid-year population of children aged 0-17 x 10,000).
#: The 2024 CIN release dropped ``Awaiting_assessment_rate`` from b1.
RATE_FROM_COUNT: dict[str, dict[str, str]] = {
    "b1_children_in_need": {
        "Anypoint_episodes_rate": "Anypoint_episodes",
        "Anypoint_child_rate": "Anypoint_child",
        "Started_episodes_rate": "Started_episodes",
        "Started_child_rate": "Started_child",
        "Ended_episodes_rate": "Ended_episodes",
        "Ended_child_rate": "Ended_child",
        "At31_episodes_rate": "At31_episodes",
        "Awaiting_assessment_rate": "Awaiting_assessment",
    },
    "c1_children_in_need_referrals": {
        "Referrals_rate": "Referrals",
        "Referrals_child_rate": "Referrals_child",
    },
    "c2_children_in_need_assessments": {"Assessments_completed_rate": "Assessments_completed"},
    "c4_children_in_need_section_47s": {
        "Section47_rate": "Section47",
        "ICPC_rate": "ICPC",
        "Section47_child_rate": "Section47_child",
        "ICPC_child_rate": "ICPC_child",
    },
    "d1_child_protection_plans": {
        "CPP_start_rate": "CPP_start",
        "CPP_At31_rate": "CPP_At31",
        "CPP_end_rate": "CPP_end",
        "CPP_anypoint_rate": "CPP_anypoint",
    },
}

#: Older SFR 'children looked after' CSV: identification columns and, per table, a pattern
#: one of whose matches must be present.
CLA_LEGACY_ID = ["New_geog_code", "geog_l", "geog_c", "geog_n"]
CLA_LEGACY_OPTIONAL = ["LA_order"]
CLA_LEGACY_REQUIRED_PATTERN = {
    "CLA": r"^CLA_Mar\d{4}$",
    "ADM": r"^CLA_started\d{4}$",
    "CEA": r"^CLA_cease(\d{4})?$",
}

LAIT_COLUMNS = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]

SN_ID = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]

OFSTED_INSPECTIONS_REQUIRED = [
    "Local authority name",
    "LA region",
    "LA Authority Type",
    "Single Inspection of LA Children's Services (SIF) First SIF publication date",
    "First SIF Overall Judgement\n(OE)",
    "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date",
    "SIF Re-inspection Overall Judgement\n(OE)",
    "First ILACS framework publication date",
    "First ILACS framework overall effectiveness",
]
OFSTED_OUTCOMES_REQUIRED = [
    "Local authority area code",
    "Local authority name",
    "Inspection date",
    "Publication date",
    "Overall effectiveness",
]

_la_code = pa.Column("string", pa.Check.str_matches(r"^\d{3}$"), nullable=True, coerce=True)

#: Output of :func:`load_ees` (value columns are checked separately: float, >= 0).
EES_OUTPUT = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "geographic_level": pa.Column("string", nullable=False, coerce=True),
        "la_code": _la_code,
    },
    strict=False,
)

LONG_VALUES = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(1990, 2100), nullable=True),
        "la_code": _la_code,
        "value": pa.Column(float, nullable=True),
    },
    strict=False,
)

SN_OUTPUT = pa.DataFrameSchema(
    {
        "la_code": pa.Column("string", pa.Check.str_matches(r"^\d{3}$"), coerce=True),
        "rank": pa.Column(int, pa.Check.in_range(1, 10)),
        "neighbour_code": pa.Column("string", pa.Check.str_matches(r"^\d{3}$"), coerce=True),
        "closeness": pa.Column(
            "string",
            pa.Check.isin(["Extremely Close", "Very Close", "Close", "Somewhat close", "Not Close"]),
            coerce=True,
        ),
    },
    strict=False,
)

OFSTED_OUTPUT = pa.DataFrameSchema(
    {
        "la_name": pa.Column("string", nullable=True, coerce=True),
        "framework": pa.Column("string", coerce=True),
        "published": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        "judgement": pa.Column(
            "string",
            pa.Check.isin(
                [
                    "Outstanding",
                    "Good",
                    "Requires improvement to be good",
                    "Inadequate",
                    "Adequate",
                    "Performing well",
                    "Performing excellently",
                    "Performing poorly",
                    "Performing adequately",
                    "Not applicable",
                ]
            ),
            nullable=True,
            coerce=True,
        ),
    },
    strict=False,
)
