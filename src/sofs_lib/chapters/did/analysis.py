"""The whole DiD analysis of Appendix 10, step by step (:class:`Analysis`).

``Analysis(params)`` holds the extract, the matched design and, per question, the analysis
frame, the diagnostics, the chosen model, every fitted specification, the sensitivity checks
and the evidence rating. Each step is computed once, on first use, so the chapter can show
the steps in its own order; :meth:`Analysis.run_all` computes everything (the benchmark).
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sofs_lib.chapters.did import data as D
from sofs_lib.chapters.did import la_match as LM
from sofs_lib.chapters.did.questions import (  # noqa: F401
    EQ_INFO,
    MODEL_NAMES,
    REPORT_DATA_QUALITY,
    ROW_TERMS,
    SECONDARY,
)
from sofs_lib.methods.did import evidence as E
from sofs_lib.methods.did import matching as MA
from sofs_lib.methods.did import models as M


@dataclass
class EqResult:
    eq: str
    frame: pd.DataFrame
    diagnostics: dict = field(default_factory=dict)
    choice: M.ModelChoice | None = None
    fits: dict = field(default_factory=dict)  # column label -> Fit
    secondary: dict = field(default_factory=dict)
    checks: list = field(default_factory=list)
    verdict: E.Verdict | None = None
    timings: dict = field(default_factory=dict)
    extra_sensitivity: list = field(default_factory=list)
    # the frame's model matrices (methods.did.engine), shared by its steps, freed after them
    designs: dict = field(default_factory=dict, repr=False)


class Analysis:
    """The chapter's computation for one set of parameters (see the module doc)."""

    def __init__(self, params: dict, verdicts_only: bool = False):
        """``verdicts_only``: compute only what the Table 8 rating needs (no secondary
        specifications, no bootstrap), e.g. for the null world beside the chapter's run."""
        self.p = dict(params)
        self.verdicts_only = bool(verdicts_only)
        self.timings: dict[str, float] = {}
        if self.p.get("data_dir") is None:  # check before generating anything
            from sofs_lib.sources import npd

            check_exclusions(npd.default_design(self.p.get("settling_in")), self.p.get("exclude_pilots"))
        t = time.perf_counter()
        self.extract, self.design0, self.synthetic = D.load_extract(
            seed=self.p["seed"],
            scale=self.p["scale"],
            true_effects=self.p["true_effects"],
            settling_in=self.p["settling_in"],
            data_dir=self.p["data_dir"],
            design_file=self.p.get("design_file"),
            pretrend=self.p.get("pretrend"),
        )
        self.timings["extract"] = time.perf_counter() - t
        check_exclusions(self.design0, self.p.get("exclude_pilots"))
        if self.p.get("ofsted_file") and self.synthetic:
            raise D.DidDataError(
                "ofsted_file needs a real extract (data_dir) whose LA labels are LA names or codes; "
                "synthetic LAs are labelled 'Pilot N' / 'Comparator X'"
            )
        cut = float(self.p["duration_cutoff"])
        self.alt_cutoff = 310.0 if cut != 310 else 76.0
        t = time.perf_counter()
        self.wide = D.wide_populations(self.extract, self.design0, cutoff=max(cut, self.alt_cutoff))
        self.timings["derive"] = time.perf_counter() - t
        self.las = D.extract_las(self.extract)
        self.attrs = D.la_attributes(self.design0, self.las, self.p["seed"], self.p.get("ofsted_file"))
        # everything later works on the derived populations: free the raw tables
        self.true_effects = dict((getattr(self.extract, "params", None) or {}).get("true_effects") or {})
        self.n_records = int(self.extract.n_records)
        self.table_sizes = self.extract.sizes()
        self.extract = None
        release_memory()
        self._match = None
        self._eq: dict[str, EqResult] = {}
        self._alt_designs: dict = {}  # the model matrices of the frame at the other cut-off

    # ------------------------------------------------------------------ matching

    def matching(self) -> dict:
        """LA-level matching of every question: closeness, decisions and the matched groups."""
        if self._match is not None:
            return self._match
        t = time.perf_counter()
        out = LM.match_questions(self.wide, self.design0, self.p)
        self.design = D.matched_design(self.design0, out["groups"])
        self._match = out
        self.timings["matching"] = time.perf_counter() - t
        return out

    def table_a10_1(self) -> pd.DataFrame:
        """Pilots x questions: ✓ used, x not (Table A10.1 layout)."""
        g = self.matching()["groups"]
        pilots = list(self.design0.sofs_start)
        return pd.DataFrame(
            {EQ_INFO[eq]["short"]: ["✓" if p in g[eq] else "x" for p in pilots] for eq in EQ_INFO},
            index=pilots,
        )

    # ------------------------------------------------------------------ per question

    def frame(self, eq: str, cutoff: float | None = None) -> pd.DataFrame:
        """The CEM-weighted analysis frame of a question (EQ3a at ``cutoff``); the frame at the
        alternative cut-off is kept (the sensitivity check and its bootstrap use it)."""
        if cutoff is not None and cutoff == self.alt_cutoff:
            if getattr(self, "_alt_frame", None) is None:
                self._alt_frame = self._frame(eq, cutoff)
            return self._alt_frame
        return self._frame(eq, cutoff)

    def _frame(self, eq: str, cutoff: float | None = None) -> pd.DataFrame:
        self.matching()
        pop, where = self.wide[eq].data, None
        if eq == "eq3a":
            where = pop["duration_wd"].to_numpy() <= float(cutoff if cutoff is not None else self.p["duration_cutoff"])
        n_leads = int((self.p.get("n_leads") or {}).get(eq, EQ_INFO[eq]["leads"]))
        d = D.analysis_frame(pop, self.design, eq, self.attrs, n_leads=n_leads, where=where)
        d = MA.cem(d, exact=["group_id", "period"])
        for a, b, name in (
            ("dose_quality", "post", "q_post"),
            ("dose_embed", "post", "e_post"),
            ("pm_alt", "post", "alt_post"),
            ("pm_neither", "post", "nei_post"),
            ("pilot_i", "ofsted_high", "pilot_ofs"),
            ("post", "ofsted_high", "post_ofs"),
            ("did", "ofsted_high", "did_ofs"),
        ):
            d[name] = d[a] * d[b]
        return d

    def result(self, eq: str) -> EqResult:
        """Every step of one question, computed once: frame, diagnostics and model choice,
        main and event-study fits, the other linear model type, sensitivity checks, wild
        cluster bootstrap p-values (fewer than 10 LAs) and the evidence rating."""
        if eq in self._eq:
            return self._eq[eq]
        tm: dict[str, float] = {}
        t = time.perf_counter()
        r = EqResult(eq, self.frame(eq))
        if int(r.frame.loc[r.frame["cem_w"] > 0, "pilot_i"].sum()) == 0:
            raise D.DidDataError(
                f"{EQ_INFO[eq]['short']}: no pilot unit is left to analyse (exclude_pilots="
                f"{self.p['exclude_pilots']}); keep at least one of the question's pilots"
            )
        tm["frame"] = time.perf_counter() - t
        # the objects alive now (populations, modules) outlive the question: the collections
        # between steps need not scan them (their object columns make a full scan slow)
        gc.freeze()
        try:
            for step, fn in (
                ("diagnostics", self._step_diagnostics),
                ("main", self._step_main),
                ("alternative", self._step_alternative),
                ("sensitivity", self._step_sensitivity),
                ("wild_bootstrap", self._step_wild),
                ("evidence", self._step_evidence),
            ):
                t = time.perf_counter()
                fn(r)
                tm[step] = time.perf_counter() - t
                if step == "wild_bootstrap":
                    self._alt_frame = None  # only this question's sensitivity steps use it
                    self._alt_designs.clear()
                release_memory()
        finally:
            r.designs.clear()
            gc.unfreeze()
        r.timings = tm
        self._eq[eq] = r
        return r

    def _step_diagnostics(self, r: EqResult) -> None:
        """Sample description, Breusch-Godfrey, Hausman, repeated-individuals test, volumes,
        and the model-choice rule."""
        eq, d, info = r.eq, r.frame, EQ_INFO[r.eq]
        ys = D.OUTCOMES[eq]
        y = ys[0]
        keep = ["la", "pilot_i", "post", "year", "repeated", "cem_w", *ys, *M.COVARIATES[eq]]
        dm = d.loc[d["cem_w"] > 0, [c for c in dict.fromkeys(keep) if c in d]]
        diag = {
            "n": int(len(dm)),
            "n_unmatched": int((d["cem_w"] == 0).sum()),
            "n_pilots": int(dm.loc[dm["pilot_i"] == 1, "la"].nunique()),
            "n_comparators": int(dm.loc[dm["pilot_i"] == 0, "la"].nunique()),
            "prevalence": float(np.average(dm[y], weights=dm["cem_w"])) if info["binary"] else None,
            "share_repeated": float(dm["repeated"].mean()),
            "n_repeated_rows": int(dm["repeated"].sum()),
            "switchers": M.fe_switchers(d),
        }
        # the linear model matrix with every term its fits will use, built once for them all
        lin_terms = [M._terms(eq, "linear", v) for v in self._variants(d).values()]
        if info["secondary"] is not None and not self.verdicts_only:
            lin_terms += [M._terms(eq, "linear", v) for v in SECONDARY.values()]
        M.design_for(d, eq, "linear", ys, [t for ts in lin_terms for t in ts], cache=r.designs)
        diag["bg"] = M.breusch_godfrey(d, eq, y, cache=r.designs)
        diag["hausman"] = M.hausman(d, y)
        diag["repeated_test"] = M.repeated_test(dm, eq, y)
        diag["volume"] = volume_check(dm)
        r.diagnostics = diag
        r.choice = M.choose_model(
            diag["prevalence"],
            diag["bg"]["p"],
            diag["hausman"]["p"],
            diag["share_repeated"],
            info["binary"],
            fe_identified=diag["switchers"] >= int(self.p["min_switchers"]),
        )

    @staticmethod
    def _variants(d: pd.DataFrame) -> dict[str, list[str]]:
        """The main and event-study treatment terms."""
        return {"main": ["pilot_i", "did"], "event": ["pilot_i", *D.lead_cols(d), *D.lag_cols(d)]}

    def _lin_main(self, r: EqResult) -> str:
        return "linear" if r.choice.model == "logit" else r.choice.model

    def _step_main(self, r: EqResult) -> None:
        """Main, event-study and secondary specifications of the chosen model (one pyfixest
        call shares the demeaning); a logit main model is checked for separation."""
        eq, d, info = r.eq, r.frame, EQ_INFO[r.eq]
        ys, y = D.OUTCOMES[eq], D.OUTCOMES[eq][0]
        lin_main = self._lin_main(r)
        res = M.fit_ols(d, eq, lin_main, ys, self._variants(d), cache=r.designs)
        if info["secondary"] is not None and r.diagnostics["n_pilots"] >= 3 and not self.verdicts_only:
            res.update(M.fit_ols(d, eq, lin_main, [y], dict(SECONDARY), cache=r.designs))
            for k in SECONDARY:
                r.secondary[k] = res[(k, y)]
        if r.choice.model == "logit":
            r.fits["main"] = M.fit_logit(d, eq, y, ["pilot_i", "did"], name="main")
        else:
            r.fits["main"] = res[("main", y)]
        r.fits["event"] = res[("event", y)]
        r.fits[f"{lin_main}_main"], r.fits[f"{lin_main}_event"] = res[("main", y)], res[("event", y)]
        if eq == "eq3a":
            r.secondary["Same day"] = res[("main", "same_day")]
            r.fits["event_same_day"] = res[("event", "same_day")]

    def _step_alternative(self, r: EqResult) -> None:
        """The other linear model type (fixed effects <-> linear), with its event study."""
        eq, d = r.eq, r.frame
        y = D.OUTCOMES[eq][0]
        other = "linear" if self._lin_main(r) == "fe" else "fe"
        if other == "linear" or r.diagnostics["switchers"] >= int(self.p["min_switchers"]):
            o = M.fit_ols(d, eq, other, [y], self._variants(d), cache=r.designs)
            r.fits[f"{other}_main"], r.fits[f"{other}_event"] = o[("main", y)], o[("event", y)]
        else:
            r.fits["fe_main"] = r.fits["fe_event"] = None

    def _step_sensitivity(self, r: EqResult) -> None:
        """Exclusions of pilots (with their comparators) and, for EQ3a, the other cut-off."""
        eq, d, info = r.eq, r.frame, EQ_INFO[r.eq]
        y, main = D.OUTCOMES[eq][0], r.choice.model
        sens = {}
        if r.diagnostics["n_pilots"] >= 3:
            for label, pl in info["exclusions"]:
                if not d["group_id"].isin(pl).any():
                    continue  # not in this question's sample (e.g. excluded by a parameter)
                keep = ~d["group_id"].isin(pl).to_numpy()
                if not (keep & (d["cem_w"].to_numpy() > 0) & (d["pilot_i"].to_numpy() == 1)).any():
                    continue
                sens[label] = self._fit_main(d, eq, main, y, rows=keep, cache=r.designs)
            if eq == "eq3a":
                d2 = self.frame(eq, cutoff=self.alt_cutoff)
                sens["Alternative cut-off"] = self._fit_main(d2, eq, main, y, cache=self._alt_designs)
                sens["Alternative cut-off"].note = f"cut-off {self.alt_cutoff:g} working days"
        r.fits.update(sens)
        r.extra_sensitivity = list(sens)

    def _step_wild(self, r: EqResult) -> None:
        """Wild cluster bootstrap p (Webb weights) of the DiD of every main and sensitivity fit
        estimated on fewer than :data:`~sofs_lib.methods.did.models.FEW_CLUSTERS` LAs (a logit's on its
        linear probability model)."""
        eq, d = r.eq, r.frame
        y = D.OUTCOMES[eq][0]
        if self.verdicts_only:
            return
        for key in ["main", *r.extra_sensitivity]:
            f = r.fits.get(key)
            if f is None or f.n_clusters >= M.FEW_CLUSTERS or "did" not in f.table.index:
                continue
            model = "linear" if f.model == "logit" else f.model
            sub, rows, cache = d, None, r.designs
            for label, pl in EQ_INFO[eq]["exclusions"]:
                if key == label:
                    rows = ~d["group_id"].isin(pl).to_numpy()
            if key == "Alternative cut-off":
                sub, cache = self.frame(eq, cutoff=self.alt_cutoff), self._alt_designs
            treat = ["did"] if model == "fe" else ["pilot_i", "did"]
            f.extra["wild_p"] = M.wild_cluster_p(
                sub, eq, model, y, treat, "did", seed=int(self.p["seed"]), cache=cache, rows=rows
            )
            f.extra["wild_on"] = model
            f.extra["wild_draws"] = M.WILD_REPS

    def _step_evidence(self, r: EqResult) -> None:
        """Leads summaries, the sensitivity checks and the Table 8 rating."""
        eq, info, diag = r.eq, EQ_INFO[r.eq], r.diagnostics
        lin_main, main = self._lin_main(r), r.choice.model
        other = "linear" if lin_main == "fe" else "fe"
        mf = r.fits["main"]
        checks = [
            E.Check(
                k,
                r.fits[k].get("did"),
                r.fits[k].get("did", "p"),
                r.fits[k].n_clusters,
                r.fits[k].n_treated_clusters,
            )
            for k in r.extra_sensitivity
        ]
        alt = r.fits.get(f"{other}_main")
        if alt is not None and np.isfinite(alt.get("did")):
            checks.append(
                E.Check(
                    f"{MODEL_NAMES[other].lower()}",
                    alt.get("did"),
                    alt.get("did", "p"),
                    alt.n_clusters,
                    alt.n_treated_clusters,
                )
            )
        r.diagnostics["leads"] = M.leads_summary(r.fits["event"])
        if lin_main == "linear" and r.fits.get("fe_event") is not None:
            r.diagnostics["leads_fe"] = M.leads_summary(r.fits["fe_event"])
        if lin_main == "fe":
            r.diagnostics["leads_fe"] = M.leads_summary(r.fits["event"])
            r.diagnostics["leads_linear"] = M.leads_summary(r.fits["linear_event"])
        r.checks = checks
        dq = self.p.get("data_quality_concerns")
        concerns = list((REPORT_DATA_QUALITY if dq is None else dq).get(eq, []))
        concerns += [f"very few units before SofS in {', '.join(diag['volume'])}"] if diag["volume"] else []
        if mf.extra.get("separated"):
            concerns.append("the logit is not estimable (separation); the linear probability model is rated")
        r.verdict = E.rate(
            E.EvidenceInput(
                outcome=info["outcome_text"],
                expected=info["expected"],
                estimate=mf.get("did"),
                p=mf.get("did", "p"),
                parallel_trends=r.diagnostics["leads"]["holds"],
                checks=checks,
                data_quality_concerns=concerns,
                n_pilots=diag["n_pilots"],
                serial_correlation=diag["bg"]["p"] < 0.05,
                model_accounts_for_serial_correlation=(main == "fe"),
                g=mf.n_clusters,
                g_treated=mf.n_treated_clusters,
                wild_p=float(mf.extra.get("wild_p", np.nan)),
                wild_draws=int(mf.extra.get("wild_draws", 0)),
            )
        )

    def _fit_main(self, d, eq, model, y, rows=None, cache=None):
        """The main specification on the frame ``d`` (``rows``: on those of its rows only)."""
        if model == "logit":
            sub = d if rows is None else _model_rows(d, rows, eq, y)
            return M.fit_logit(sub, eq, y, ["pilot_i", "did"], name="sensitivity")
        return M.fit_ols(d, eq, model, [y], {"s": ["pilot_i", "did"]}, cache=cache, rows=rows)[("s", y)]

    def run_all(self) -> dict:
        """Compute every step (the benchmark); returns the per-question results. BLAS runs on
        one thread here: the products are of tall matrices with few columns, for which
        threads cost more than they give (and the null world runs beside on the other core)."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            self.matching()
            return {eq: self.result(eq) for eq in EQ_INFO}


def _model_rows(d: pd.DataFrame, mask: pd.Series, eq: str, y: str) -> pd.DataFrame:
    """The rows ``mask`` of a question's frame with only the columns its main model uses (a
    sensitivity subset, without copying the frame's other columns)."""
    need = {y, "pilot_i", "did", "post", "ofsted_high", "year", "cem_w", "la", "child", *M.COVARIATES[eq]}
    return d.loc[mask, [c for c in d.columns if c in need]]


def check_exclusions(design, exclude) -> None:
    """Refuse ``exclude_pilots`` that leave a question without a pilot, or that name pilots the
    design does not use, before anything is computed."""
    excl = list(exclude or [])
    if not excl:
        return
    used = {p for g in design.groups.values() for p in g}
    unknown = [p for p in excl if p not in used]
    if unknown:
        raise D.DidDataError(
            f"exclude_pilots names {unknown}, not used by any question of the design "
            f"(pilots used: {sorted(used, key=lambda x: (len(x), x))})"
        )
    empty = [
        EQ_INFO[eq]["short"] for eq, g in design.groups.items() if eq in EQ_INFO and g and not (set(g) - set(excl))
    ]
    if empty:
        raise D.DidDataError(
            f"exclude_pilots={excl} leaves no pilot to analyse for {', '.join(empty)}: "
            "each question needs at least one of its pilots"
        )


def release_memory() -> None:
    """Hand freed heap pages back to the system (glibc ``malloc_trim``; a no-op elsewhere):
    model matrices of millions of rows otherwise stay in the process's resident memory after
    they are freed, and the next question's models add to it. (No garbage collection: the
    arrays are freed when their last reference goes, and a full collection between steps cost
    about 0.25 s a run for no change in the peak, 2.62 GB against 2.64 GB at scale 4.1.)"""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def volume_check(d: pd.DataFrame, ratio: float = 1 / 3) -> list[str]:
    """LAs with far fewer units before SofS than the question's other LAs (the report's "very
    few children whose cases were designated 'No further action' pre-treatment" in 2 comparators
    and 1 pilot): an LA's yearly units before SofS, relative to its yearly units after the
    settling-in period, below ``ratio`` times the median of that relative volume over the
    question's LAs. (Relative to the other LAs, because the published Ns themselves imply more
    units a year after the settling-in period than before it in every LA.)"""
    rel = {}
    for la, g in d.groupby("la", observed=True):
        pre, post = g[g["post"] == 0], g[g["post"] == 1]
        if len(pre) == 0 or len(post) == 0:
            continue
        rate_pre = len(pre) / max(pre["year"].nunique(), 1)
        rate_post = len(post) / max(post["year"].nunique(), 1)
        rel[str(la)] = rate_pre / rate_post
    if not rel:
        return []
    med = float(np.median(list(rel.values())))
    return [la for la, v in rel.items() if v < ratio * med]
