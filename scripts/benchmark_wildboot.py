"""Time of the wild cluster restricted bootstrap per 1,000 draws at the published EQ3a size.

Builds the DiD chapter's synthetic extract at the published sizes (``--scale 1``: EQ3a's
analysis frame has about 250,000 assessments in 10 LAs), fits the linear specification of
equation [1] and times ``sofs_lib.methods.la_inference.wild_bootstrap`` (the ``wildboottest``
package) with Rademacher and Webb weights at ``--draws`` draws, reporting seconds per 1,000
draws. A first call at 99 draws is timed separately (numba compilation). Also reports the
Monte Carlo's time per design at the chapter's default and publication-grade ``mc_reps``.

Usage::

    PYTHONPATH=src .venv/bin/python scripts/benchmark_wildboot.py             # scale 1, 999 draws
    PYTHONPATH=src .venv/bin/python scripts/benchmark_wildboot.py --scale 0.25 --draws 1999
"""

from __future__ import annotations

import argparse
import json
import time
import warnings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--draws", type=int, default=999)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--mc-reps", type=int, nargs="*", default=[1000, 10000])
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    import numpy as np

    from sofs_lib.chapters import did
    from sofs_lib.chapters.beyond_the_report import retest as RT
    from sofs_lib.methods import few_clusters as F
    from sofs_lib.methods import la_inference as LI

    t = time.perf_counter()
    an = did.Analysis(did.SPEC.resolve({"seed": a.seed, "scale": a.scale}))
    d, y, fml, X, names, _ = RT.design_matrices(an.frame("eq3a"), "eq3a")
    out = {
        "scale": a.scale,
        "rows": len(d),
        "clusters": int(d["la"].nunique()),
        "regressors": len(names),
        "setup_s": round(time.perf_counter() - t, 1),
    }
    import pyfixest as pf

    m = pf.feols(fml, data=d, vcov={"CRV1": "la"}, weights="cem_w")
    keep = list(m.coef().index)
    X = X[:, [names.index(c) for c in keep]]
    t = time.perf_counter()
    LI.wild_bootstrap(d[y], X, keep, "did", d["la"].astype(str), w=d["cem_w"], B=99, kind="webb")
    out["first_call_s"] = round(time.perf_counter() - t, 2)
    for kind in ("rademacher", "webb"):
        t = time.perf_counter()
        r = LI.wild_bootstrap(d[y], X, keep, "did", d["la"].astype(str), w=d["cem_w"], B=a.draws, kind=kind)
        s = time.perf_counter() - t
        out[f"{kind}_s_per_1000"] = round(s / max(a.draws, 1) * 1000, 2)
        out[f"{kind}_p"] = round(r["p"], 4)
        out[f"{kind}_enumerated"] = r["enumerated"]
    rng = np.random.default_rng(0)
    for reps in a.mc_reps:
        T, G, k = 10, 13, 6
        starts = F.default_starts(k, T)
        D = F.treatment_matrix(starts + [-1] * (G - k), T)
        t = time.perf_counter()
        Y = F.simulate(G, T, D, reps, 0.0, 0.5, 1.0, 0.3, rng)
        F.pvalues(Y, starts, G, T, np.inf, 399, rng)
        out[f"mc_G13_k6_reps{reps}_s"] = round(time.perf_counter() - t, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
