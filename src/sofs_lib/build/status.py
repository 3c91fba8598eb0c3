"""The build-status page's record of the build: when, from which commit, from which data.

:func:`build_facts` gives the build date, the git commit (and whether the checkout had
uncommitted changes); :func:`data_file_rows` the data files the chapters read (recorded by
:mod:`sofs_lib.build.reads`), each with its size, SHA-256 checksum and release.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import subprocess
from pathlib import Path

DFE_MANIFEST = Path("data") / "dfe_manifest.csv"


def _git(root: Path, *args: str) -> str:
    try:
        res = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ""
    return res.stdout.strip() if res.returncode == 0 else ""


def build_facts(root: Path, now: dt.datetime | None = None) -> dict[str, str]:
    """``date`` (UTC, to the minute), ``commit`` (full hash or "unknown"), ``commit_date``,
    ``state`` ("clean" or "uncommitted changes")."""
    now = now or dt.datetime.now(dt.UTC)
    commit = _git(root, "rev-parse", "HEAD") or "unknown (not a git checkout)"
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    return {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "commit_date": _git(root, "log", "-1", "--format=%cI") or "–",
        "state": "uncommitted changes to tracked files" if dirty else "clean",
    }


def sha256(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _manifest(root: Path) -> dict[str, dict]:
    p = root / DFE_MANIFEST
    if not p.exists():
        return {}
    with open(p, newline="", encoding="utf-8") as fh:
        return {r["path"]: r for r in csv.DictReader(fh)}


def _manifest_match(path: Path, manifest: dict[str, dict]) -> tuple[str, dict] | None:
    parts = path.parts
    for n in range(1, min(len(parts), 4) + 1):
        key = "/".join(parts[-n:])
        if key in manifest:
            return key, manifest[key]
    return None


def classify_file(path: Path, root: Path, manifest: dict[str, dict], data_dirs: list[Path]) -> dict | None:
    """One row of the data-file table for a file a chapter read, or None if it is not input
    data (code, the book's own outputs, system files)."""
    path = Path(path)
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = None
    if rel is not None:  # inside the project: only data/ holds input data
        if not rel.parts or rel.parts[0] != "data":
            return None
        release = (
            "the report (Baginsky et al., 2020) and its appendices, transcribed"
            if rel.parts[:2] == ("data", "published")
            else "committed with the project"
        )
        return {"file": str(rel), "release": release}
    hit = _manifest_match(path, manifest)
    if hit:
        key, row = hit
        return {
            "file": f"DfE/Ofsted folder: {key}",
            "release": row.get("publication", ""),
            "expected_sha256": row.get("sha256", ""),
        }
    for d in data_dirs:
        try:
            sub = path.resolve().relative_to(Path(d).resolve())
        except ValueError:
            continue
        return {"file": f"data folder {Path(d).name}/: {sub}", "release": "not in the manifest"}
    return None


def data_file_rows(files: list[Path], root: Path, data_dirs: list[Path] | None = None) -> list[dict]:
    """Rows ``file, size, sha256, release, matches_manifest`` for the data files among
    ``files``, sorted by file."""
    manifest = _manifest(root)
    rows = {}
    for f in files:
        f = Path(f)
        if not f.is_file():
            continue
        info = classify_file(f, root, manifest, data_dirs or [])
        if info is None or info["file"] in rows:
            continue
        digest = sha256(f)
        expected = info.pop("expected_sha256", "")
        info.update(
            size=f.stat().st_size,
            sha256=digest,
            matches_manifest=("yes" if digest == expected else "NO (other release?)") if expected else "–",
        )
        rows[info["file"]] = info
    return [rows[k] for k in sorted(rows)]


def data_dirs_from_params(params: dict, root: Path) -> list[Path]:
    """Folders named by a chapter's ``*_dir`` parameters (not ``output_dir``/``chapters_dir``)."""
    out = []
    for k, v in params.items():
        if k.endswith("_dir") and k not in ("output_dir", "chapters_dir") and isinstance(v, str) and v:
            p = Path(v)
            out.append(p if p.is_absolute() else root / p)
    return out


def markdown_rows(rows: list[dict]) -> list[str]:
    """The data-file table as Markdown lines."""
    if not rows:
        return ["No data file was recorded (run the chapters with the executor)."]
    lines = ["| File | Release | Size (bytes) | SHA-256 | Matches manifest |", "|---|---|---:|---|---|"]
    for r in rows:
        lines.append(
            f"| `{r['file']}` | {r['release']} | {r['size']:,} | `{r['sha256'][:16]}…` | {r['matches_manifest']} |"
        )
    return lines
