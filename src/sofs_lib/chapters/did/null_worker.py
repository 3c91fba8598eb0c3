"""The null world's ratings in a process of their own (``python -m
sofs_lib.chapters.did.null_worker PARAMS``, started by
:func:`sofs_lib.chapters.did.analysis.start_null_world`): ``PARAMS`` is the chapter's parameters
pickled and base64-encoded; the verdicts are written pickled to standard output, and anything
the computation prints goes to standard error."""

from __future__ import annotations

import base64
import pickle
import sys


def main(argv: list[str]) -> int:
    params = pickle.loads(base64.b64decode(argv[0]))
    out, sys.stdout = sys.stdout, sys.stderr
    try:
        from sofs_lib.chapters.did.analysis import null_world

        verdicts = null_world(params)
    finally:
        sys.stdout = out
    sys.stdout.buffer.write(pickle.dumps(verdicts))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
