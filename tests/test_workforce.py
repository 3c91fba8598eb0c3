"""Chapter 02_workforce: survey re-tests, synthetic survey, panel, DiD/RI/MDE, checks.

Expected values are worked by hand or by a second implementation, never copied from the code.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sofs_lib.chapters.workforce import claims, exact, impact, survey
from sofs_lib.chapters.workforce import survey_records as sr
from sofs_lib.chapters.workforce.params import SPEC, check_consistency
from sofs_lib.core.params import ParameterError
from sofs_lib.synthetic import staff_survey


# ------------------------------------------------------------------ exact test
def test_exact_matches_fisher_2x2():
    for a, b, c, d in [(3, 1, 1, 3), (10, 2, 5, 12), (0, 5, 6, 1)]:
        want = stats.fisher_exact([[a, b], [c, d]]).pvalue
        assert exact.freeman_halton_2xk([a, c], [a + b, c + d]) == pytest.approx(want, rel=1e-9)


def test_exact_2x3_brute_force():
    yes, n = [4, 1, 3], [6, 5, 7]

    def prob(ks):
        return math.prod(math.comb(m, k) for m, k in zip(n, ks))

    tot = sum(yes)
    tables = [ks for ks in itertools.product(*[range(m + 1) for m in n]) if sum(ks) == tot]
    obs = prob(yes)
    want = sum(prob(t) for t in tables if prob(t) <= obs) / sum(prob(t) for t in tables)
    assert exact.freeman_halton_2xk(yes, n) == pytest.approx(want, rel=1e-9)


def test_exact_rejects_bad_counts():
    with pytest.raises(ValueError):
        exact.freeman_halton_2xk([5, 1], [4, 4])


# ------------------------------------------------------------------ Table 4
def test_nonresponse_needed_by_hand():
    # 91% of 51: 46/51 = 90.2%, 47/51 = 92.2%; of 47: 43/47 = 91.5% -> 91 (4 skipped)
    assert survey.nonresponse_needed(91, 51) == 4
    assert survey.nonresponse_needed(41, 51) == 0  # 21/51 = 41.2%


def test_turnover_statement_chi2_by_hand():
    # 53% of 51 = 27, 56% of 61 = 34, 41% of 118 = 48, 66% of 61 = 40 (each the only count)
    k = np.array([27, 34, 48, 40])
    n = np.array([51, 61, 118, 61])
    e = k.sum() / n.sum() * n
    chi2 = (((k - e) ** 2) / e + (((n - k) - (n - e)) ** 2) / (n - e)).sum()
    t = survey.statement_tests(0)
    r = t.loc["Turnover is a problem in the authority"]
    assert r.chi2 == pytest.approx(chi2)
    assert r.p == pytest.approx(stats.chi2.sf(chi2, 3))
    assert r.reconstructions == 1
    assert r.p_max < 0.05 and r.p_max_holm > 0.05  # significant alone, not after Holm
    assert r.verdict == "significant"


def test_holm_bounds_and_order():
    t = survey.statement_tests(0)
    assert (t["p_min"] <= t["p"] + 1e-12).all() and (t["p"] <= t["p_max"] + 1e-12).all()
    assert (t["p_holm"] >= t["p"] - 1e-12).all()
    # Holm on 5 tests: the smallest p is multiplied by 5
    i = t["p"].idxmin()
    assert t.loc[i, "p_holm"] == pytest.approx(min(1, 5 * t.loc[i, "p"]))


def test_wilson_contains_share():
    w = survey.wilson_intervals()
    assert ((w["ci_low"] <= w["share"]) & (w["share"] <= w["ci_high"])).all()
    # statsmodels Wilson for 27/51, worked from the formula
    z = stats.norm.ppf(0.975)
    ph, n = 27 / 51, 51
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    r = w[(w["statement"] == "Turnover is a problem in the authority") & (w["pilot"] == "Pilot 1")]
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert r["ci_low"].iloc[0] == pytest.approx(100 * (centre - half))


def test_claims_verdicts():
    t = survey.statement_tests(0)
    c = claims.all_claims(t)
    assert c.loc["pilot8_most", "verdict"] == "consistent"  # 4 of 5
    assert c.loc["pilot8_all_five", "verdict"] == "inconsistent"  # job satisfaction: Pilot 1
    assert c.loc["response_rate", "verdict"] == "inconsistent"  # 21-82% vs 44-52%
    assert c.loc["leaving_range", "verdict"] == "consistent"
    assert c.loc["not_significant", "verdict"] == "inconsistent"


def test_claim_counter_example():
    t4 = survey.table4().copy()
    t4.loc["Find the job is satisfying overall", "Pilot 8"] = 95
    assert claims.pilot8_all_five(t4)["verdict"] == "consistent"
    t4.loc[:, "Pilot 8"] = [60, 10, 10, 60, 90]  # worst everywhere
    assert claims.pilot8_most(t4)["verdict"] == "inconsistent"


def test_not_significant_when_all_large():
    t = survey.statement_tests(0).copy()
    for c in [c for c in t.columns if c.startswith("p")]:
        t[c] = 0.5
    assert claims.not_significant(t, 0.05)["verdict"] == "consistent"


# ------------------------------------------------------------------ synthetic survey
def test_synthetic_survey_reproduces_every_printed_percentage(tmp_path):
    staff_survey.write(tmp_path, 7)
    rec = sr.read_survey(tmp_path)
    assert len(rec) == 51 + 61 + 118 + 61
    cmp_ = sr.compare_printed(sr.tabulate(rec))
    assert len(cmp_) == (8 + 5) * 4 and cmp_["match"].all()


def test_synthetic_survey_is_seeded(tmp_path):
    a = staff_survey.generate(3)
    b = staff_survey.generate(3)
    c = staff_survey.generate(4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_tabulation_suppresses_small_cells(tmp_path):
    staff_survey.write(tmp_path)
    tab = sr.tabulate(sr.read_survey(tmp_path))
    for col in ("yes", "no", "skipped"):
        vals = [v for v in tab[col] if not isinstance(v, str) and v is not pd.NA]
        assert all(v >= 10 or v == 0 for v in vals)
    # a hidden cell is never alone in its pilot row
    for _, r in tab.iterrows():
        hidden = [r[c] is pd.NA for c in ("yes", "no", "skipped")]
        assert sum(hidden) != 1


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda d: d.drop(columns=["role"]), "role"),
        (
            lambda d: d.assign(agree_turnover_is_a_problem_in_the_authority="Maybe"),
            "agree_turnover_is_a_problem_in_the_authority",
        ),
        (lambda d: d.assign(pilot="Council X"), "pilot"),
        (lambda d: d.assign(extra=1), "extra"),
    ],
)
def test_malformed_extract_names_file_and_column(tmp_path, mutate, words):
    d = mutate(staff_survey.generate())
    d.to_csv(tmp_path / staff_survey.FILENAME, index=False)
    with pytest.raises(sr.SurveyDataError, match=words) as e:
        sr.read_survey(tmp_path)
    assert staff_survey.FILENAME in str(e.value)


def test_missing_extract(tmp_path):
    with pytest.raises(sr.SurveyDataError, match="staff_survey.csv"):
        sr.read_survey(tmp_path)


# ------------------------------------------------------------------ DiD, RI, MDE
def _toy(effect=0.0, seed=0, n=40, years=range(2015, 2020)):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        a = rng.normal()
        for y in years:
            pil = i < 8
            v = a + 0.3 * (y - 2015) + rng.normal(0, 0.5) + (effect if pil and y >= 2018 else 0)
            rows.append(dict(la_code=f"{i:03d}", year=y, group="Pilot" if pil else "Other English LA", y=v))
    return pd.DataFrame(rows)


def test_fwl_estimate_equals_regression():
    d = _toy(1.0)
    import statsmodels.formula.api as smf

    d2 = d.assign(tp=((d["group"] == "Pilot") & (d["year"] >= 2018)).astype(float))
    want = smf.ols("y ~ tp + C(la_code) + C(year)", d2).fit().params["tp"]
    got = impact.randomisation(d, 2018, draws=99)["estimate"]
    assert got == pytest.approx(want, rel=1e-9)


def test_randomisation_detects_large_effect_and_not_null():
    assert impact.randomisation(_toy(3.0), 2018, draws=199)["p_ri"] < 0.02
    assert impact.randomisation(_toy(0.0, seed=5), 2018, draws=199)["p_ri"] > 0.05


def test_mde_two_group_by_hand():
    # df 14: t.975 = 2.1448, t.80 = 0.8681; sd 1, n 8 v 8: (2.1448+0.8681)*sqrt(1/4) = 1.5065
    assert impact.mde_two_group(1.0) == pytest.approx(1.5065, abs=1e-3)
    assert impact.mde_from_se(1.0) == pytest.approx(1.95996 + 0.84162, abs=1e-4)


def test_evidence_sentence_both_ways():
    s = impact.evidence_sentence("Turnover", "%", -0.5, 0.6, 6.1)
    assert "no evidence" in s and "smaller than 6.10 percentage points" in s
    s = impact.evidence_sentence("Turnover", "%", 4.0, 0.01, 3.0)
    assert "differs" in s and "no evidence" not in s


def test_balanced_drops_incomplete():
    d = _toy().rename(columns={"y": "v"})
    d = d[~((d["la_code"] == "010") & (d["year"] == 2016))]
    out, info = impact.balanced(d, "v", 2015, 2019)
    assert info["dropped"] == 1 and "010" not in set(out["la_code"])


# ------------------------------------------------------------------ parameters
def test_bad_parameters():
    with pytest.raises(ParameterError, match="ri_draws"):
        SPEC.resolve({"ri_draws": 5})
    with pytest.raises(ParameterError, match="pilots"):
        SPEC.resolve({"pilots": ["Atlantis"]})
    p = SPEC.defaults()
    p.update(post_from=2015)
    with pytest.raises(ParameterError, match="post_from"):
        check_consistency(p)


# ------------------------------------------------------------------ real data
def test_real_a93_pilot_means_exact(dfe_dir):
    from sofs_lib.chapters.workforce import panel, reproduce

    long = panel.panel_from_files(dfe_dir)
    ch = reproduce.chosen(reproduce.candidates(long))
    assert ch["a93_pilot_mean_match"].all()  # the six 2018/19 pilot means
    assert ch.loc["sw_turnover", "basis"] == "headcount"
    assert ch.loc["sw_agency", "basis"] == "FTE"
    assert ch.loc["cin_per_sw", "basis"] == "FTE"


def test_audit_includes_workforce_checks():
    from sofs_lib.chapters.consistency_audit import analysis as audit

    ids = [c.check_id for c in audit.run_all()]
    assert {"wf_table4_multiplicity", "wf_a9_no_difference", "wf_footnote34"} <= set(ids)


def test_answer_sentences_follow_results():
    from sofs_lib.chapters.workforce import compute

    t = survey.statement_tests(0)
    c = claims.all_claims(t)
    a9 = pd.DataFrame(
        {
            "table": ["A9.3"] * 2,
            "column": ["Pilot mean", "SNN mean"],
            "match": [True, False],
            "basis": ["FTE", "FTE"],
            "short": ["x", "x"],
        }
    )
    imp = pd.DataFrame(
        {"p_ri": [0.5, 0.01], "mde_panel": [6.0, 2.0], "mde_report_test": [8.0, 3.0]},
        index=["sw_turnover_fte", "other"],
    )
    parts = compute.answer_parts(t, c, a9, imp, "real")
    assert "1 of 1 2018/19" in parts["reproduced"][0]
    assert "1 of 2 published" in parts["not_reproduced"][0]
    assert "1 SNN means of A9.3" in parts["not_reproduced"][0]
    assert "1 of 2 workforce indicators differ" in parts["new"][1]
    assert "6.0 points" in parts["new"][1]


def test_collapsed_regression_equals_twfe_and_bootstrap_runs():
    d = _toy(0.5, seed=2)
    c = impact.collapsed(d, 2018)
    beta = c.loc[c["pilot"] == 1, "delta"].mean() - c.loc[c["pilot"] == 0, "delta"].mean()
    r = impact.did(d, 2018, bootstrap_reps=199, seed=3)
    assert r["estimate"] == pytest.approx(beta, rel=1e-9)
    assert r["clusters"] == 40 and 0 < r["p_wild"] <= 1
    assert impact.did(d, 2018, 199, 3)["p_wild"] == r["p_wild"]  # seeded


def test_no_headcount_per_pilot_is_derived():
    """Ethics: Table 2's 'Number' over its share row would give each 'Pilot n' headcount
    (51/0.82 = 62, 61/0.21 = 290, 118/0.39 = 303, 61/0.42 = 145); no check may print them."""
    from sofs_lib.chapters.consistency_audit import analysis as audit

    text = " ".join(c.reasoning + c.recomputed for c in audit.run_all() if c.topic == "Workforce")
    text += " ".join(claims.response_rate().values())
    for h in ("62", "290", "291", "303", "145"):
        assert f" {h}," not in text and f" {h})" not in text and f" {h} " not in text


def test_basis_reasons_name_the_match_and_the_rest():
    from sofs_lib.chapters.workforce import reproduce

    base = {
        f"{t}_{q}{s}": 0.0
        for t in ("a93", "a94")
        for q in ("pilot_mean", "snn_mean", "F", "p")
        for s in ("", "_published")
    }
    rows = []
    for series, basis, val in (("hc", "headcount", 13.78), ("fte", "FTE", 12.49)):
        r = dict(
            base,
            indicator_id="sw_turnover",
            series=series,
            basis=basis,
            release="2022",
            years_a94="2017-2019",
            a93_pilot_mean=val,
            a93_pilot_mean_published=13.8,
        )
        for t in ("a93", "a94"):
            for q in ("pilot_mean", "snn_mean"):
                r[f"{t}_{q}_match"] = False
        r["a93_pilot_mean_match"] = round(val, 1) == 13.8
        rows.append(r)
    out = reproduce.basis_reasons(pd.DataFrame(rows))
    s = [x for x in out if x.startswith("sw_turnover")][0]
    assert "= headcount basis" in s and "not FTE fte" in s


def test_extract_a93_pilot_means_exact():
    """On the committed extract (no data folder needed): the six September 2019 pilot means."""
    from sofs_lib.chapters.workforce import panel, reproduce

    long, kind, _ = panel.load_source(None)
    assert kind == "real"
    ch = reproduce.chosen(reproduce.candidates(long))
    assert ch["a93_pilot_mean_match"].all()
    assert dict(ch["basis"]) == {
        "cin_per_sw": "FTE",
        "sw_turnover": "headcount",
        "sw_vacancy": "FTE",
        "sw_agency": "FTE",
        "sw_absence": "FTE",
        "caseload": "FTE",
    }


def test_synthetic_national_panel_end_to_end():
    from sofs_lib.chapters.workforce import compute, panel
    from sofs_lib.synthetic import workforce_panel as wp

    long = wp.synthetic_workforce_panel(11)
    pd.testing.assert_frame_equal(long, wp.synthetic_workforce_panel(11))
    pil, com = wp.synthetic_groups()
    frame = panel.analysis_frame(long, 2015, None, pil, com)
    assert set(frame["group"]) == {"Pilot", "Comparator", "Other English LA"}
    p = SPEC.defaults()
    p.update(ri_draws=99, bootstrap_reps=0)
    imp, events = compute.impact_tables(frame, p)
    assert len(imp) == 10 and (imp["clusters"] == imp["las"]).all()
    assert imp["p_ri"].between(0, 1).all() and imp["mde_panel"].gt(0).all()


def test_pooled_turnover_share_by_hand():
    # (27 + 34 + 48 + 40) / (51 + 61 + 118 + 61) = 149 / 291 = 51.2%
    share = survey.pooled_share("Turnover is a problem in the authority")["central"]
    assert share == pytest.approx(100 * 149 / 291)


def test_a9_match_sentence_by_hand():
    import pandas as pd

    from sofs_lib.chapters.workforce.records import a9_match_sentence

    rows = pd.DataFrame(
        [
            ("A9.3", "Pilot mean", "Turnover", True, "FTE", "rate", "2022"),
            ("A9.3", "Pilot mean", "Agency", False, "headcount", "share", "2024"),
            ("A9.4", "Pilot mean", "Turnover", True, "FTE", "rate", "2022"),  # other table: not counted
            ("A9.3", "SNN mean", "Turnover", True, "FTE", "rate", "2022"),  # other column: not counted
        ],
        columns=["table", "column", "row", "match", "basis", "series", "release"],
    )
    assert a9_match_sentence(rows) == (
        "1 of 2 September 2019 pilot means reproduce Table A9.3: Turnover: FTE basis (rate, release 2022); "
        "Agency: headcount basis (share, release 2024)."
    )
