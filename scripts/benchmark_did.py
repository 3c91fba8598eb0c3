"""Wall time and peak memory of the DiD chapter's whole computation (sofs_lib.chapters.did).

Runs, each in a fresh Python process so that peak memory is per run:

* the published sizes (``scale = 1``, about 2.4 million records), and
* about 10 million records (``scale = 4.1``),

computing everything the chapter shows: the synthetic extract, the four populations, the LA
matching, CEM, every model, diagnostic, sensitivity and secondary specification, the evidence
ratings, Tables A10.1-A10.12 and 8 and the figures. Peak memory is the process's maximum
resident set size (``resource.getrusage``); ``--tracemalloc`` also reports the peak of Python
allocations traced by :mod:`tracemalloc` (slower). ``--null`` adds what the chapter adds: the
null world's ratings (every true effect zero), computed beside in a second process as the
chapter does (``start_null_world``); its peak is reported separately (``null_peak_rss_gb``,
the second process's), since the two processes' peaks add up.

Usage::

    .venv/bin/python scripts/benchmark_did.py                 # both scales
    .venv/bin/python scripts/benchmark_did.py --scales 1 4.1 --seed 2019
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def one(scale: float, seed: int, trace: bool, null: bool = False) -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    if trace:
        import tracemalloc

        tracemalloc.start()
    t0 = time.perf_counter()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sofs_lib.chapters import did
    from sofs_lib.chapters.did import figures as F
    from sofs_lib.chapters.did import regression_tables as RT
    from sofs_lib.chapters.did import samples as S
    from sofs_lib.chapters.did import table8 as T8
    from sofs_lib.chapters.did.analysis import EQ_INFO
    from sofs_lib.core import ledger

    t_import = time.perf_counter() - t0
    params = did.SPEC.resolve({"seed": seed, "scale": scale})
    null_verdicts = None
    if null:
        from sofs_lib.chapters.did.null_world import start_null_world

        null_verdicts = start_null_world(params)
    an = did.run(**params)
    t_analysis = time.perf_counter() - t0 - t_import
    led = ledger.Ledger("05_did")
    S.population_sizes(an, led)
    S.flow_table(an)
    S.table_a10_1(an, led)
    S.matching_table(an)
    S.table_a10_2(an, led)
    S.table_a10_3_4(an, "A10.3", led)
    S.table_a10_3_4(an, "A10.4", led)
    RT.table_a10_5(an, led)
    for eq, info in EQ_INFO.items():
        for tid in (info["primary"], info["secondary"]):
            if tid:
                RT.coef_table(an, eq, tid, led)
        F.figure_trends(an, eq)
        plt.close("all")
    F.figure_event_study(an)
    plt.close("all")
    T8.table_8(an, led)
    if null_verdicts is not None:
        null_verdicts()
    total = time.perf_counter() - t0
    out = {
        "scale": scale,
        "records": an.n_records,
        "rows_analysed": {eq: an.result(eq).fits["main"].n for eq in EQ_INFO},
        "wall_s": round(total, 1),
        "import_s": round(t_import, 1),
        "analysis_s": round(t_analysis, 1),
        "steps_s": {k: round(v, 1) for k, v in an.timings.items()},
        "per_question_s": {eq: {k: round(v, 1) for k, v in an.result(eq).timings.items()} for eq in EQ_INFO},
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
    }
    if null:
        out["null_peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2, 2)
    if trace:
        import tracemalloc

        out["peak_traced_gb"] = round(tracemalloc.get_traced_memory()[1] / 1024**3, 2)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.1])
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--null", action="store_true", help="also the null world, beside, as the chapter runs it")
    ap.add_argument("--one", type=float, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one is not None:
        print(json.dumps(one(a.one, a.seed, a.tracemalloc, a.null)))
        return 0
    rows = []
    for s in a.scales:
        cmd = (
            [sys.executable, __file__, "--one", str(s), "--seed", str(a.seed)]
            + (["--tracemalloc"] if a.tracemalloc else [])
            + (["--null"] if a.null else [])
        )
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print(res.stderr, file=sys.stderr)
            return res.returncode
        r = json.loads(res.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(json.dumps(r, indent=1))
    print("\nscale  records      wall (s)  peak RSS (GB)" + ("  null world's process (GB)" if a.null else ""))
    for r in rows:
        extra = f"  {r['null_peak_rss_gb']:>8.2f}" if a.null else ""
        print(f"{r['scale']:<6g} {r['records']:>11,}  {r['wall_s']:>8.1f}  {r['peak_rss_gb']:>8.2f}{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
