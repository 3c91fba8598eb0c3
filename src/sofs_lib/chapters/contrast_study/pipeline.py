"""Everything chapter 03_contrast_study computes, in one call (the notebook only shows it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sofs_lib.chapters.contrast_study import analysis as an
from sofs_lib.chapters.contrast_study import answer, design, multiplicity, recompute
from sofs_lib.methods.reliability import cronbach_alpha
from sofs_lib.sources import contrast as cs
from sofs_lib.synthetic import contrast_families as synth


@dataclass
class Results:
    kind: str
    extract: dict
    derived: dict = field(default_factory=dict)
    method: dict = field(default_factory=dict)
    answer: dict = field(default_factory=dict)


def derived_results(max_group_size: int, alpha: float) -> dict:
    """The recomputations from printed numbers (independent of any extract)."""
    t6 = recompute.table6()
    enum = recompute.enumeration(max_group_size)
    inv = multiplicity.inventory()
    return dict(
        sites=design.sites(),
        instruments=design.INSTRUMENTS,
        disagreements=design.disagreements(t6.attrs["n_common"]),
        t5=recompute.table5(),
        t6=t6,
        enum=enum,
        reach=recompute.reachability(enum),
        cases=recompute.case_record_counts(),
        plans=recompute.safety_plans_vs_hcsff(),
        inventory=inv,
        corrections=multiplicity.corrections(inv, alpha),
        floor=multiplicity.randomisation_floor(4, 2),
        floor_one_sided=multiplicity.randomisation_floor(4, 2, two_sided=False),
    )


def synthetic_tables(reach: pd.DataFrame) -> dict:
    """The 2x2 counts the synthetic extract uses: for each printed comparison, the largest
    table within the families that gives the printed p (none: the full-group default)."""
    return {
        i: synth.TwoByTwo(*[int(v) for v in r.best])
        for i, r in reach.iterrows()
        if r.best is not None
    }


def method_results(ex: dict, threshold: int) -> dict:
    sc = an.score(ex)
    yat = an.SUBSCALES + ["Overall score"]
    wai = ["WAI worker", "WAI family", "WAI difference"]
    sofs = sc[sc["arm"] == "SofS"]
    yn = an.yes_no(ex)
    out = dict(
        scored=sc,
        reliabilities=an.reliabilities(ex),
        means=an.arm_means(sc, yat + wai, threshold),
        reg_yat=an.regressions(sc, yat, "competence"),
        reg_wai=an.regressions(sc, wai, "competence"),
        reg_use=an.regressions(sofs, yat + wai, "sofs_use"),
        agreement=an.wai_agreement(ex),
        wai_tests=an.wai_tests(sc),
        wai_chi2=an.wai_arm_chi2(ex),
        yes_no=yn,
        counts=an.protected_counts(yn, threshold),
        randomisation=pd.DataFrame([an.site_randomisation(sc, c) for c in yat + wai[:2]]).set_index(
            "score"
        ),
        osc=an.osc_long(ex["osc.csv"], ex["families.csv"]),
    )
    out["osc_statements"] = an.osc_statements(out["osc"])
    out["responses"] = an.responses(ex)
    return out


def run(p: dict) -> Results:
    d = derived_results(p["max_group_size"], p["alpha"])
    if p["data_dir"]:
        ex, kind = cs.read_extract(p["data_dir"]), "real"
    else:
        ex = cs.validate(
            synth.generate(
                p["seed"],
                synthetic_tables(d["reach"]),
                p["n_yatchmenoff"],
                reliability=cronbach_alpha,
            )
        )
        kind = "synthetic"
    res = Results(kind, ex, d, method_results(ex, p["suppression_threshold"]))
    res.answer = answer.answer_parts(d["t6"], d["reach"], d["corrections"], d["floor"], p["alpha"])
    return res
