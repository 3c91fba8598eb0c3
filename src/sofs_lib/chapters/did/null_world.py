"""The null world: the chapter's analysis on a synthetic extract whose true effects are all
zero, rated as Table 8 rates the chapter's own (:func:`null_world`), computed beside the
chapter's analysis in a second process when the machine allows (:func:`start_null_world`).

The second process is ``python -m sofs_lib.chapters.did.null_world PARAMS``: ``PARAMS`` is the
chapter's parameters pickled and base64-encoded; the verdicts are written pickled to standard
output, and anything the computation prints goes to standard error.
"""

from __future__ import annotations

import base64
import pickle
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sofs_lib.methods.did import evidence as E


def null_world(params: dict) -> dict[str, E.Verdict]:
    """The Table 8 rating of every question in the null world: the same analysis (parameters
    ``params``) on a synthetic extract whose true effects are all zero, what the rating rule
    gives when there is nothing to find. Only what the ratings need is computed
    (``verdicts_only``)."""
    # imported here: the chapter starts the second process before it imports the analysis
    from sofs_lib.chapters.did.analysis import EQ_INFO, Analysis

    an = Analysis({**params, "true_effects": 0}, verdicts_only=True)
    an.run_all()
    return {eq: an.result(eq).verdict for eq in EQ_INFO}


#: Peak memory of one synthetic analysis, GB: about ``a + b * scale`` (measured: 0.78 GB at the
#: published size, 2.60 GB at scale 4.1, by ``scripts/benchmark_did.py``).
PEAK_GB = (0.19, 0.59)


def memory_available_gb() -> float | None:
    """The memory the system can give without swapping (``MemAvailable``), GB; ``None`` where
    it is not known."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def start_null_world(params: dict):
    """:func:`null_world` started beside the caller's own work: in a second process when the
    machine has two cores or more and the memory for two analyses at once (:data:`PEAK_GB`;
    the two share nothing), else at once, before the caller's analysis (one analysis's memory
    at a time). Returns a function that gives the verdicts (waiting for them if need be); the
    verdicts are the same either way."""
    import os

    need = 2 * (PEAK_GB[0] + PEAK_GB[1] * float(params.get("scale") or 1.0))
    avail = memory_available_gb()
    if (os.cpu_count() or 1) < 2 or (avail is not None and avail < need):
        verdicts = null_world(params)
        return lambda: verdicts
    import subprocess

    arg = base64.b64encode(pickle.dumps(dict(params))).decode()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sofs_lib.chapters.did.null_world", arg],
        stdout=subprocess.PIPE,
        # its messages are not read (a full pipe would stop it): on failure the analysis is
        # run here, where any error is raised
        stderr=subprocess.DEVNULL,
    )

    def result():
        out, _ = proc.communicate()
        if proc.returncode == 0:
            try:
                return pickle.loads(out)
            except (pickle.UnpicklingError, EOFError, AttributeError, ValueError):
                pass  # its output is not the verdicts (something else wrote to it)
        # the second process did not give the verdicts: compute them here (an error of the
        # analysis itself is then raised here, plainly)
        return null_world(params)

    return result


def main(argv: list[str]) -> int:
    params = pickle.loads(base64.b64decode(argv[0]))
    out, sys.stdout = sys.stdout, sys.stderr
    try:
        verdicts = null_world(params)
    finally:
        sys.stdout = out
    sys.stdout.buffer.write(pickle.dumps(verdicts))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
