"""The executor: builds the book from the paired notebooks.

``python -m sofs_lib.build.runner build`` runs every chapter listed in ``_toc.yml`` (entries under
``book/chapters/``) through papermill, each with its parameters, then renders the HTML book with
Jupyter Book, warnings treated as errors.

* Parameters: the defaults of the chapter's Spec (``sofs_lib.chapters.<folder>.params``),
  overridden on the command line with
  ``-p name=value`` (all chapters that declare ``name``) or ``-p chapter.name=value``.
  Overrides are validated against the chapter's declared :class:`sofs_lib.core.params.Spec` before
  anything runs.
* Order: chapters run in ``_toc.yml`` order, except *gathering* pages (a Spec with
  ``stage`` > 0: the reproduction ledger, the findings page), which read the other chapters'
  outputs and so run after them (lowest stage first) wherever ``_toc.yml`` shows them. Running
  some chapters re-runs the gathering pages too.
* Atomic outputs: each chapter is executed into a staging folder (``_build/staging/<chapter>/``:
  the notebook and, through :func:`sofs_lib.core.paths.output_dir`, its CSVs); only when the chapter
  succeeds do they replace ``book/chapters/<chapter>.ipynb`` and ``book/chapters/<chapter>/``
  (whole: files of earlier runs with other settings go). A failed or killed run leaves the
  previous complete outputs as they were; the next run clears what a killed one left.
* Executed notebooks are byte-identical for the same sources and parameters (volatile metadata
  dropped, papermill's random cell id replaced).
* Progress and each chapter's time are printed; ``book/status.md`` (the status page) records the
  build date, commit, run times, effective parameters, the data files read (with checksum and
  release) and package versions.

Other commands: ``run CHAPTER...`` (execute chapters only), ``render`` (HTML only), ``list``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from sofs_lib.build import reads, site
from sofs_lib.build import status as build_status
from sofs_lib.build.registry import ChapterNotFound, chapter_package, spec_for, toc_chapters
from sofs_lib.build.registry import spec_for as registry_spec_for  # noqa: F401 (tests wrap spec_for)
from sofs_lib.core import paths
from sofs_lib.core.params import ParameterError, parse_override

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
STAGING = Path("_build") / "staging"
DATA_FILES_CSV = "build_data_files.csv"


class ChapterFailed(RuntimeError):
    """A chapter raised an error while executing."""


@dataclass
class Chapter:
    name: str
    source: Path  # notebooks/<name>.ipynb
    target: Path  # book/chapters/<name>.ipynb
    params: dict = field(default_factory=dict)
    files_read: list = field(default_factory=list)  # recorded while it ran (build.reads)


def load_chapter(root: Path, name: str) -> Chapter:
    src = root / "notebooks" / f"{name}.ipynb"
    if not src.exists():
        raise FileNotFoundError(
            f"Chapter {name}: notebook notebooks/{name}.ipynb is missing "
            f"(generate it with `jupytext --to ipynb notebooks/{name}.py`)."
        )
    params = {k: v for k, v in spec_for(name).defaults().items() if k != "output_dir"}
    return Chapter(name, src, paths.chapters_dir(root) / f"{name}.ipynb", params)


def split_overrides(overrides: list[str], chapters: list[str]) -> dict[str, dict]:
    """Parse ``-p`` overrides into {chapter: {name: value}} ("*" for all chapters)."""
    out: dict[str, dict] = {}
    for text in overrides:
        lhs, eq, rhs = text.partition("=")
        head, dot, tail = lhs.strip().rpartition(".")
        name, value = parse_override(f"{tail}{eq}{rhs}")
        if dot:
            if head not in chapters:
                raise ParameterError(
                    f"Override {text!r} names chapter {head!r}, which is not among {', '.join(chapters)}."
                )
            out.setdefault(head, {})[name] = value
        else:
            out.setdefault("*", {})[name] = value
    return out


def split_assignments(text: str) -> list[str]:
    """Split ``make``'s ``P`` into ``name=value`` assignments at spaces outside brackets and
    quotes, keeping every character of each value (quotes included) as written:
    ``'a=1 exclude_las=["West Sussex", "938"]'`` -> ``['a=1', 'exclude_las=["West Sussex", "938"]']``.
    """
    parts, buf, depth, quote = [], [], 0, ""
    for ch in text or "":
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth = max(depth - 1, 0)
        elif ch.isspace() and depth == 0:
            if buf:
                parts.append("".join(buf))
                buf = []
            continue
        buf.append(ch)
    if quote or depth:
        raise ParameterError(f"Parameters {text!r}: an unclosed quote or bracket.")
    if buf:
        parts.append("".join(buf))
    return parts


def effective_params(ch: Chapter, overrides: dict[str, dict]) -> dict:
    """Chapter parameters: the Spec's defaults, then overrides; validated against the Spec."""
    spec = spec_for(ch.name)
    values = dict(ch.params)
    for k, v in overrides.get("*", {}).items():
        if k in spec.names:
            values[k] = v
    values.update(overrides.get(ch.name, {}))
    spec.resolve(values)  # raises ParameterError on unknown names / bad values
    return values


def stage_of(name: str) -> int:
    """A chapter's execution stage: 0 for ordinary chapters, >0 for gathering pages."""
    spec = spec_for(name)
    return int(getattr(spec, "stage", 0) or 0) if spec else 0


def execution_order(names: list[str], toc: list[str]) -> list[str]:
    """``names`` in execution order: by stage, then in ``_toc.yml`` order."""
    pos = {n: i for i, n in enumerate(toc)}
    return sorted(names, key=lambda n: (stage_of(n), pos.get(n, len(pos))))


def _postprocess(nb_path: Path) -> None:
    """Make an executed notebook render well and reproducibly:

    * papermill's parameter cells tagged ``remove-cell`` (the page shows the parameters box);
    * volatile metadata (timestamps, durations, paths) dropped, and papermill's injected cell
      given a fixed id instead of a random one, so the same run gives the same bytes;
    * each figure's alt text (set by :func:`sofs_lib.display.plotting.finish` in the output's metadata)
      copied to the cell's ``mystnb.image.alt``, which the renderer uses.
    """
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = tags = tags + ["remove-cell"]
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"
        cell.metadata.pop("execution", None)
        pm = cell.metadata.get("papermill")
        if pm:
            for k in ("start_time", "end_time", "duration", "exception", "status"):
                pm.pop(k, None)
        alts = [
            o.get("metadata", {}).get("image/png", {}).get("alt")
            for o in cell.get("outputs", [])
            if "image/png" in o.get("data", {})
        ]
        alts = [a for a in alts if a]
        if alts:
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = " | ".join(alts)
    ids = [c.get("id") for c in nb.cells]
    if len(set(ids)) != len(ids):  # ids must be unique: number any duplicates
        for i, c in enumerate(nb.cells):
            c["id"] = f"cell-{i}"
    pm = nb.metadata.get("papermill", {})
    for k in (
        "start_time",
        "end_time",
        "duration",
        "input_path",
        "output_path",
        "environment_variables",
        "exception",
    ):
        pm.pop(k, None)
    nbformat.write(nb, nb_path)


def recover(root: Path) -> list[str]:
    """Clear what an interrupted run left behind: the staging folder, hidden temporary notebooks
    of older executors in ``book/chapters/``, and half-swapped output folders (restored when the
    new one never arrived). Returns what was cleared."""
    cleared = []
    staging = root / STAGING
    if staging.is_dir():  # book chapters' folders (baseline refreshes use "<name>.<folder>")
        for d in sorted(staging.iterdir()):
            if "." not in d.name:
                shutil.rmtree(d) if d.is_dir() else d.unlink()
                cleared.append(f"{STAGING}/{d.name}")
        try:
            staging.rmdir()
        except OSError:
            pass
    cdir = paths.chapters_dir(root)
    if cdir.is_dir():
        for f in sorted(cdir.glob(".*.ipynb")):
            f.unlink()
            cleared.append(f.name)
        for old in sorted(cdir.glob(".*.previous")):
            name = old.name[1:].removesuffix(".previous")
            if (cdir / name).exists():
                shutil.rmtree(old)
            else:
                old.rename(cdir / name)
            cleared.append(old.name)
    return cleared


def _publish(staged_nb: Path, staged_out: Path | None, ch: Chapter) -> None:
    """Move a succeeded chapter's staged outputs into place (the output folder whole)."""
    if staged_out is not None:
        final = ch.target.with_suffix("")
        previous = final.with_name(f".{final.name}.previous")
        if previous.exists():
            shutil.rmtree(previous)
        if final.exists():
            final.rename(previous)
        staged_out.rename(final)
        staged_nb.replace(ch.target)
        if previous.exists():
            shutil.rmtree(previous)
    else:
        staged_nb.replace(ch.target)


def execute(ch: Chapter, params: dict, root: Path, log_output: bool = False) -> float:
    """Run one chapter with papermill; returns seconds. Its notebook and (unless ``output_dir``
    is given) its outputs are staged and moved into place only on success."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    ch.target.parent.mkdir(parents=True, exist_ok=True)
    # one staging folder per target, so a baseline refresh and a build never share one
    in_book = ch.target.parent.resolve() == paths.chapters_dir(root).resolve()
    stage = root / STAGING / (ch.name if in_book else f"{ch.name}.{ch.target.parent.name}")
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    staged_nb = stage / f"{ch.name}.ipynb"
    staged_out = stage / "outputs" if not params.get("output_dir") else None
    env = {reads.ENV: str(stage / "reads.txt")}
    if staged_out is not None:
        env.update({paths.STAGE_CHAPTER_ENV: ch.name, paths.STAGE_DIR_ENV: str(staged_out)})
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            str(ch.source),
            str(staged_nb),
            parameters=params,
            cwd=str(root),
            kernel_name="python3",
            progress_bar=False,
            log_output=log_output,
            report_mode=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        _postprocess(staged_nb)
        ch.files_read = reads.read_log(stage / "reads.txt")
        if staged_out is not None:
            staged_out.mkdir(exist_ok=True)
        _publish(staged_nb, staged_out, ch)
    except PapermillExecutionError as exc:
        raise ChapterFailed(
            f"Chapter {ch.name} failed in cell {exc.exec_count} (cell index {exc.cell_index}): "
            f"{exc.ename}: {exc.evalue}"
        ) from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(stage, ignore_errors=True)
        try:
            stage.parent.rmdir()  # the staging folder goes once empty
        except OSError:
            pass
    return time.perf_counter() - t0


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
        "| Chapter | Run time (s) | Status | Effective parameters |",
        "|---|---:|---|---|",
    ]
    data_rows: dict[str, dict] = {}
    for name in order:
        r = previous.get(name)
        if not r:
            lines.append(f"| {name} | – | not run | – |")
            continue
        ptxt = ", ".join(f"`{k}={json.dumps(v)}`" for k, v in sorted(r["params"].items())) or "defaults"
        lines.append(f"| {name} | {r['seconds']:.1f} | {r['status']} | {ptxt} |")
        for d in r.get("data_files", []):
            entry = data_rows.setdefault(d["file"], dict(d, chapters=[]))
            entry["chapters"].append(name)
    total = sum(previous[n]["seconds"] for n in order if n in previous)
    rows = [data_rows[k] for k in sorted(data_rows)]
    _write_data_files_csv(paths.chapters_dir(root) / DATA_FILES_CSV, rows)
    lines += [
        "",
        f"Total execution time: {total:.1f} s.",
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


def _write_data_files_csv(path: Path, rows: list[dict]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    cols = ["file", "release", "size", "sha256", "matches_manifest", "chapters"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(dict(r, chapters=" ".join(r.get("chapters", []))))


def plan_run(names: list[str] | None, root: Path) -> list[str]:
    """The chapters a run executes, in execution order: all of them, or those named plus the
    gathering pages (which read the named chapters' outputs)."""
    all_names = toc_chapters(root)
    if names:
        unknown = [n for n in names if n not in all_names]
        if unknown:
            raise SystemExit(f"Unknown chapter(s) {', '.join(unknown)}; the book has {', '.join(all_names)}.")
        names = list(dict.fromkeys(names))
        if any(stage_of(n) == 0 for n in names):
            names += [n for n in all_names if stage_of(n) > 0 and n not in names]
    return execution_order(names or all_names, all_names)


def run_chapters(names: list[str] | None, overrides: list[str], root: Path) -> list[dict]:
    all_names = toc_chapters(root)
    names = plan_run(names, root)
    recover(root)
    chapters = [load_chapter(root, n) for n in names]
    ov = split_overrides(overrides, all_names)
    if "*" in ov:
        declared = set()
        for n in names:
            spec = spec_for(n)
            declared |= set(spec.names)
        stray = [k for k in ov["*"] if k not in declared]
        if stray:
            raise ParameterError(f"Unknown parameter {', '.join(map(repr, stray))}: no chapter being run declares it.")
    plan = [(ch, effective_params(ch, ov)) for ch in chapters]  # validate everything first
    records = []
    for i, (ch, params) in enumerate(plan, 1):
        print(f"[{i}/{len(plan)}] {ch.name} ...", end=" ", flush=True)
        try:
            secs = execute(ch, params, root)
        except ChapterFailed as exc:
            print("FAILED")
            write_status(root, records)
            raise SystemExit(str(exc)) from None
        print(f"done in {secs:.1f} s")
        spec = spec_for(ch.name)
        eff = spec.resolve(params) if spec else params
        data = build_status.data_file_rows(ch.files_read, root, build_status.data_dirs_from_params(eff, root))
        records.append(dict(chapter=ch.name, seconds=round(secs, 1), status="ok", params=eff, data_files=data))
    write_status(root, records)
    return records


def render(root: Path) -> None:
    """Render the HTML book with Jupyter Book (execution off, warnings as errors), then finish
    the site: downloads beside each chapter, unreferenced images removed, query strings
    stripped (:mod:`sofs_lib.build.site`)."""
    import subprocess

    recover(root)
    chapters = toc_chapters(root)
    missing = [n for n in chapters if not (paths.chapters_dir(root) / f"{n}.ipynb").exists()]
    if missing:
        raise SystemExit(
            f"Cannot render: chapter(s) {', '.join(missing)} not executed yet "
            "(run `python -m sofs_lib.build.runner run`)."
        )
    if not (root / "book" / "status.md").exists():
        write_status(root, [])
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(jb) if jb.exists() else "jupyter-book",
        "build",
        str(root),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]
    print("Rendering HTML:", " ".join(cmd[1:2] + ["."] + cmd[3:]), flush=True)
    res = subprocess.run(cmd, cwd=root)
    if res.returncode:
        raise SystemExit(f"Rendering failed (jupyter-book exit {res.returncode}); see the warnings above.")
    html = root / "_build" / "html"
    copied = site.copy_downloads(root, html, chapters)
    if site.source_archive(root, html) is None:
        print("note: not a git checkout, so the site ships no source archive")
    pruned = site.prune_images(html)
    site.normalise_html(html)
    print(f"Site finished: {len(copied)} downloads copied, {len(pruned)} unreferenced images removed.")
    print(f"Book written to {paths.relative(html / 'index.html', root)}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sofs_lib.build.runner", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, helptext in (
        ("build", "execute every chapter, then render the HTML book"),
        ("run", "execute chapters (all, or those named)"),
    ):
        p = sub.add_parser(name, help=helptext)
        if name == "run":
            p.add_argument("chapters", nargs="*", help="chapter names, e.g. 01_implementation")
        p.add_argument(
            "-p",
            "--param",
            action="append",
            default=[],
            metavar="[CHAPTER.]NAME=VALUE",
            help="override a parameter (value read as YAML); repeatable",
        )
        p.add_argument(
            "--params",
            default="",
            metavar="'A=1 B=[\"x y\"]'",
            help="several overrides in one string, split at spaces outside brackets "
            "and quotes (what `make chapter P=...` passes)",
        )
    sub.add_parser("render", help="render the HTML book from the executed chapters")
    sub.add_parser("list", help="list the chapters and their default parameters")
    args = ap.parse_args(argv)
    root = paths.repo_root()
    try:
        if args.cmd == "list":
            for n in toc_chapters(root):
                print(f"{n}: {chapter_package(n)}.params {load_chapter(root, n).params}")
        elif args.cmd == "run":
            run_chapters(args.chapters, args.param + split_assignments(args.params), root)
        elif args.cmd == "build":
            run_chapters(None, args.param + split_assignments(args.params), root)
            render(root)
        elif args.cmd == "render":
            render(root)
    except (ParameterError, FileNotFoundError, ChapterNotFound) as exc:
        raise SystemExit(f"error: {exc}") from None


if __name__ == "__main__":
    main()
