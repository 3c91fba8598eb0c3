"""Which data files a chapter read: an audit hook installed in the chapter's kernel.

The executor sets ``SOFS_RECORD_READS`` to a file path before it runs a chapter; importing
:mod:`sofs_lib` then installs a :func:`sys.addaudithook` hook that appends the path of every file
opened for reading (outside the Python installation, and not Python code) to that file. The
build-status page lists the data files among them with their checksum and release
(:mod:`sofs_lib.build.status`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "SOFS_RECORD_READS"
_SKIP_SUFFIXES = (".py", ".pyc", ".so", ".pth", ".ttf", ".otf", ".afm", ".json.lock")
_installed = False


def install(log_path: str | os.PathLike | None = None) -> bool:
    """Install the hook (once per process); ``log_path`` defaults to ``$SOFS_RECORD_READS``.
    Returns whether a hook is installed."""
    global _installed
    target = log_path or os.environ.get(ENV)
    if _installed or not target:
        return _installed
    log = open(target, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 (kept open)
    prefixes = tuple({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
    seen: set[str] = set()
    busy = [False]

    def hook(event, args):
        if event != "open" or busy[0]:
            return
        path, mode = args[0], args[1]
        if not isinstance(path, (str, os.PathLike)) or (mode and any(c in str(mode) for c in "wax+")):
            return
        busy[0] = True
        try:
            p = os.path.abspath(os.fspath(path))
            if (
                p not in seen
                and not p.startswith(prefixes)
                and not p.endswith(_SKIP_SUFFIXES)
                and not p.startswith(("/proc", "/sys", "/dev"))
                and os.path.isfile(p)
            ):
                seen.add(p)
                log.write(p + "\n")
        finally:
            busy[0] = False

    sys.addaudithook(hook)
    _installed = True
    return True


def read_log(path: str | os.PathLike) -> list[Path]:
    """The distinct files recorded in a log, sorted."""
    p = Path(path)
    if not p.exists():
        return []
    return sorted({Path(line) for line in p.read_text(encoding="utf-8").splitlines() if line})
