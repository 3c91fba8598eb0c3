"""Parameters of chapter 07_beyond_the_report (``SPEC``)."""

from __future__ import annotations

from sofs_lib.core.params import Param, Spec

SPEC = Spec(
    "07_beyond_the_report",
    (
        Param("seed", (int,), 2021, "Seed of every simulation, bootstrap and random assignment.", minimum=0),
        Param(
            "mc_reps",
            (int,),
            1000,
            "Monte Carlo replications per design (size and power). Publication "
            "grade: 10000 (scripts/benchmark_wildboot.py reports the time).",
            minimum=20,
            maximum=100000,
        ),
        Param("boot_reps", (int,), 399, "Wild bootstrap draws per replication in the Monte Carlo.", minimum=19),
        Param("boot_reps_retest", (int,), 999, "Wild bootstrap draws for the re-test of EQ3a-d.", minimum=99),
        Param(
            "ri_draws",
            (int,),
            2000,
            "Random assignments when exact enumeration would exceed ri_max_exact.",
            minimum=100,
        ),
        Param("ri_max_exact", (int,), 5000, "Largest number of assignments enumerated exactly.", minimum=10),
        Param("mc_years", (int,), 10, "Years in each simulated panel (the DiD window).", minimum=4, maximum=20),
        Param(
            "mc_rho",
            (float,),
            0.5,
            "Autocorrelation of the simulated LA-by-year shocks.",
            minimum=-0.9,
            maximum=0.9,
        ),
        Param(
            "mc_cell_sd",
            (float,),
            0.3,
            "Sampling noise of an LA-year mean, in units of the LA-by-year shock's standard deviation.",
            minimum=0.0,
        ),
        Param(
            "did_scale",
            (float,),
            0.25,
            "Size of the DiD chapter's synthetic extract for the re-test (1.0 = the published sizes).",
            minimum=0.01,
            maximum=40.0,
        ),
        Param("did_seed", (int,), 2019, "Seed of the DiD chapter's synthetic extract.", minimum=0),
        Param("data_dir", (type(None), str), None, "Folder of a real NPD extract (the DiD chapter's data_dir)."),
        Param("design_file", (type(None), str), None, "With data_dir: the DiD chapter's design YAML."),
        Param(
            "dfe_data_dir",
            (type(None), str),
            None,
            'LA panel: null = the committed public extract (real); a folder of raw DfE files; or "synthetic".',
        ),
        Param(
            "synth_donors",
            (int,),
            19,
            "Donor councils of each synthetic control (the placebo p floor is 1/(donors+1)).",
            minimum=5,
            maximum=150,
        ),
        Param(
            "synth_outcomes",
            (list,),
            ["cin_rate", "rereferrals", "cpp_rate", "lac_rate"],
            "LA indicators given a synthetic control.",
        ),
        Param(
            "placebo_sets",
            (int,),
            200,
            "Pseudo-pilot sets of the design-based power on the LA panel.",
            minimum=20,
        ),
        Param("output_dir", (str, type(None)), None, "Folder for this chapter's outputs."),
    ),
)
