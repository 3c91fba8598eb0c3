"""The status page ``book/status.md``: the record of a build (date, commit, each chapter's run
time, processor time and effective parameters, the data files read, package versions), merged with earlier runs'
records kept in ``book/chapters/run_log.json``."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

from sofs_lib.build import status as build_status
from sofs_lib.build.registry import toc_chapters
from sofs_lib.core import paths

STATUS_PACKAGES = [
    "sofs_lib",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "pyfixest",
    "seaborn",
    "matplotlib",
    "pandera",
    "papermill",
    "jupytext",
    "jupyter-book",
    "sphinx",
    "myst-nb",
    "nbval",
    "holidays",
    "odfpy",
    "pyarrow",
]
RUN_LOG = "run_log.json"
DATA_FILES_CSV = "build_data_files.csv"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in STATUS_PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def write_status(root: Path, records: list[dict]) -> Path:
    """Write ``book/status.md`` from this run's records (merged with earlier runs' records of
    chapters not run now, kept in ``book/chapters/run_log.json``).

    The page is the record of a build (its date, commit, times and data files), so it is the one
    page of the site that differs between two builds of the same sources."""
    log_path = paths.chapters_dir(root) / RUN_LOG
    log_path.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(log_path.read_text()) if log_path.exists() else {}
    for r in records:
        previous[r["chapter"]] = r
    log_path.write_text(json.dumps(previous, indent=1, sort_keys=True, default=str))
    order = toc_chapters(root)
    facts = build_status.build_facts(root)
    lines = [
        "# Build status",
        "",
        "Each chapter of this book is a notebook executed by the book's executor "
        "(`sofs_lib.build.runner`) with the parameters below, then rendered. This page is written "
        "by the executor on every build: it is the record of this build, and the only page "
        "that changes between two builds of the same sources.",
        "",
        f"- **Build date:** {facts['date']}",
        f"- **Git commit:** `{facts['commit']}` (committed {facts['commit_date']}; working tree: {facts['state']})",
        "",
        "| Chapter | Run time (s) | Processor time (s) | Status | Effective parameters |",
        "|---|---:|---:|---|---|",
    ]
    data_rows: dict[str, dict] = {}
    for name in order:
        r = previous.get(name)
        if not r:
            lines.append(f"| {name} | – | – | not run | – |")
            continue
        ptxt = ", ".join(f"`{k}={json.dumps(v)}`" for k, v in sorted(r["params"].items())) or "defaults"
        lines.append(f"| {name} | {r['seconds']:.1f} | {_cpu(r)} | {r['status']} | {ptxt} |")
        for d in r.get("data_files", []):
            entry = data_rows.setdefault(d["file"], dict(d, chapters=[]))
            entry["chapters"].append(name)
    total = sum(previous[n]["seconds"] for n in order if n in previous)
    cpus = [_cpu_seconds(previous[n]) for n in order if n in previous]
    # a total only when every chapter's processor time is recorded (older records have none)
    cpu_total = f"; processor time {sum(cpus):.1f} s" if cpus and None not in cpus else ""
    rows = [data_rows[k] for k in sorted(data_rows)]
    _write_data_files_csv(paths.chapters_dir(root) / DATA_FILES_CSV, rows)
    lines += [
        "",
        f"Total execution time: {total:.1f} s{cpu_total}.",
        "",
        "The processor time is that of each chapter's kernel and of the processes it waited for "
        "(user and system time, as the operating system accounts it); where it exceeds the run "
        "time, the chapter ran on more than one core at once.",
        "",
        "## Data files used",
        "",
        "Every data file a chapter read while it ran (recorded by the executor), with its "
        "size, SHA-256 checksum (first 16 hex digits; the full ones are in "
        f'<a href="chapters/{DATA_FILES_CSV}">{DATA_FILES_CSV}</a>) and release. For DfE and Ofsted '
        "files, *matches manifest* says whether the file is the release listed in "
        "`data/dfe_manifest.csv`.",
        "",
    ]
    lines += build_status.markdown_rows(rows)
    lines += ["", "## Package versions", "", "| Package | Version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in package_versions().items()]
    lines += ["", "Pinned versions of everything installed are in `requirements.txt`.", ""]
    out = root / "book" / "status.md"
    out.write_text("\n".join(lines))
    return out


def _cpu_seconds(record: dict) -> float | None:
    """A record's processor time, ``None`` for one written before it was recorded."""
    v = record.get("cpu_seconds")
    return float(v) if isinstance(v, (int, float)) and v == v else None


def _cpu(record: dict) -> str:
    """A record's processor time as shown, ``–`` when it is not recorded."""
    v = _cpu_seconds(record)
    return "–" if v is None else f"{v:.1f}"


def _write_data_files_csv(path: Path, rows: list[dict]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    cols = ["file", "release", "size", "sha256", "matches_manifest", "chapters"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(dict(r, chapters=" ".join(r.get("chapters", []))))
