"""The chapter's computations end to end (what the notebook calls), and its answer sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib import published
from sofs_lib.chapters.workforce import impact
from sofs_lib.chapters.workforce.panel import INDICATORS, analysis_frame, load_source


def load(p: dict, data_dir=None) -> dict:
    """The long panel, its kind and source, the groups and the wide analysis frame."""
    long, kind, source = load_source(data_dir, p["panel_seed"])
    pilots, comparators = p["pilots"], p["comparators"]
    if kind == "synthetic":
        from sofs_lib.synthetic.workforce_panel import synthetic_groups

        sp, sc = synthetic_groups()
        pilots = pilots if pilots is not None else sp
        comparators = comparators if comparators is not None else sc
    frame = analysis_frame(long, p["first_year"], None, pilots, comparators)
    return dict(
        long=long,
        kind=kind,
        source=source,
        pilots=pilots,
        comparators=comparators,
        frame=frame,
        last_year=int(frame["year"].max()),
    )


def impact_tables(frame: pd.DataFrame, p: dict) -> tuple[pd.DataFrame, dict]:
    """Per indicator: the DiD estimate with cluster, wild-bootstrap and randomisation p, the
    minimum detectable effects and the evidence sentence; and the event studies."""
    rows, events = [], {}
    last_year = int(frame["year"].max())
    for iid, (label, unit, _basis) in INDICATORS.items():
        if iid not in frame.columns:
            continue
        have = frame.loc[frame[iid].notna(), "year"]
        first = max(p["first_year"], int(have.min())) if len(have) else p["first_year"]
        if first >= p["post_from"]:
            continue
        d, info = impact.balanced(frame, iid, first, p["did_last_year"])
        if info["pilots"] < 2 or d["year"].nunique() < 3:
            continue
        est = impact.did(d, p["post_from"], p["bootstrap_reps"], p["seed"])
        ri = impact.randomisation(d, p["post_from"], p["ri_draws"], p["seed"])
        sd, n1, n2 = impact.pooled_sd(frame, iid, p["did_last_year"])
        mde_report = impact.mde_two_group(sd, n1, n2, p["alpha"]) if n1 > 1 and n2 > 1 else np.nan
        mde_panel = impact.mde_from_se(ri["se_placebo"], p["alpha"])
        rows.append(
            dict(
                indicator_id=iid,
                indicator=label,
                unit=unit,
                window=f"{first}-{p['did_last_year']}",
                las=info["kept"],
                las_dropped=info["dropped"],
                pilots=info["pilots"],
                estimate=est["estimate"],
                se_cluster=est["se_cluster"],
                p_cluster=est["p_cluster"],
                clusters=est["clusters"],
                p_wild=est["p_wild"],
                p_ri=ri["p_ri"],
                se_placebo=ri["se_placebo"],
                ri_low=est["estimate"] - 1.96 * ri["se_placebo"],
                ri_high=est["estimate"] + 1.96 * ri["se_placebo"],
                sd_last_year=sd,
                n_pilot=n1,
                n_comparator=n2,
                mde_report_test=mde_report,
                mde_panel=mde_panel,
                sentence=impact.evidence_sentence(label, unit, est["estimate"], ri["p_ri"], mde_panel, p["alpha"]),
            )
        )
        if first <= p["event_ref_year"]:  # event study to the last September available
            d_all, _ = impact.balanced(frame, iid, first, min(last_year, int(have.max())))
            events[iid] = impact.event_study(d_all if len(d_all) else d, p["event_ref_year"])
    return pd.DataFrame(rows).set_index("indicator_id"), events


def _a9_workforce_p() -> list[float]:
    from sofs_lib.chapters.workforce.checks import A9_ROWS

    return [published.cell(t, r, "P-value").number for t in ("A9.3", "A9.4") for r in A9_ROWS]


def answer_parts(
    tests: pd.DataFrame,
    claims_df: pd.DataFrame,
    a9: pd.DataFrame | None,
    imp: pd.DataFrame,
    kind: str,
    alpha: float = 0.05,
) -> dict:
    """The four parts of the answer box, every sentence built from computed values."""
    ps = _a9_workforce_p()
    best = claims_df.loc["pilot8_most", "recomputed"]
    report = [
        f"The survey of {len(published.wide('4').columns)} pilots showed Pilot 8 with the "
        "best outcomes on most measures but no significant differences; appendix 9 found "
        f"no significant workforce difference from the comparators (printed p from "
        f"{min(ps):.2f} to {max(ps):.2f})."
    ]
    if kind == "real" and a9 is not None and len(a9):
        pm = a9[(a9["table"] == "A9.3") & (a9["column"] == "Pilot mean")]
        k = int(pm["match"].sum())
        bases = ", ".join(f"{r.basis} for {r.short}" for r in pm.itertuples())
        reproduced = [
            f"{k} of {len(pm)} 2018/19 workforce pilot means of Table A9.3 from "
            f"{kind} data ({bases}); every Table 4 cell reconstructed as a whole count; "
            f"{best} of the survey measures."
        ]
        am = a9[a9["column"].isin(["Pilot mean", "SNN mean"])]
        miss = am[~am["match"]]
        by = miss.groupby(["table", "column"]).size()
        not_rep = [
            f"{len(miss)} of {len(am)} published workforce group means: "
            + ", ".join(f"{n} {c.replace('Pilot', 'pilot')}s of {t}" for (t, c), n in by.items())
            + " (the comparators here approximate the report's, and it does not say which "
            "years or releases its all-years means pool)."
        ]
    else:
        reproduced = ["Every Table 4 cell reconstructed as a whole count."]
        not_rep = [
            f"The {len(a9) if a9 is not None else 0} workforce cells of Tables A9.3/A9.4: "
            f"this run's national panel is {kind}; rerun with real data (dfe_data_dir)."
        ]
    nsig = claims_df.loc["not_significant", "recomputed"]
    wide = imp.sort_values("mde_panel", ascending=False) if len(imp) else imp
    new = [
        f"Table 4 tests: {nsig}"
        + "".join(f"; '{s}' differs between pilots before correction" for s in tests.index[tests["p_max"] < alpha])
        + "."
    ]
    if len(imp):
        r = imp.loc["sw_turnover_fte"] if "sw_turnover_fte" in imp.index else wide.iloc[0]
        new.append(
            f"{'Real' if kind == 'real' else 'Synthetic'} DiD around Round 2: "
            f"{int((imp['p_ri'] < alpha).sum())} of {len(imp)} workforce indicators differ "
            f"at {alpha:g} by randomisation inference; e.g. turnover effects smaller than "
            f"{r['mde_panel']:.1f} points could not be detected by this panel, and "
            f"{r['mde_report_test']:.1f} points by the report's 8 v 8 test."
        )
    return dict(report=report, reproduced=reproduced, not_reproduced=not_rep, new=new)
