"""The executor: builds the book from the paired notebooks.

``python -m sofs_lib.build.runner build`` runs every chapter listed in ``_toc.yml`` (entries under
``book/chapters/``) through papermill, each with its parameters, then renders the HTML book with
Jupyter Book, warnings treated as errors.

* Parameters: the defaults of the chapter's Spec (``sofs_lib.chapters.<folder>.params``),
  overridden on the command line with
  ``-p name=value`` (all chapters that declare ``name``) or ``-p chapter.name=value``.
  Overrides are validated against the chapter's declared :class:`sofs_lib.core.params.Spec` before
  anything runs.
* Each chapter is executed into a temporary file and moved into ``book/chapters/<chapter>.ipynb``
  only when it succeeds; on failure the executor stops, names the chapter, cell and error, and
  removes the chapter's partial outputs.
* Progress and each chapter's time are printed; ``book/status.md`` (the status page) records run
  times, effective parameters and package versions.

Other commands: ``run CHAPTER...`` (execute chapters only), ``render`` (HTML only), ``list``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path


from sofs_lib.core import paths
from sofs_lib.build.registry import ChapterNotFound, chapter_package, execution_order, spec_for, toc_chapters
from sofs_lib.build.registry import spec_for as registry_spec_for  # noqa: F401 (tests wrap spec_for)
from sofs_lib.core.params import ParameterError, parse_override

STATUS_PACKAGES = ["sofs_lib", "pandas", "numpy", "scipy", "statsmodels", "pyfixest", "seaborn",
                   "matplotlib", "pandera", "papermill", "jupytext", "jupyter-book", "sphinx",
                   "myst-nb", "nbval", "holidays", "odfpy", "pyarrow"]
RUN_LOG = "run_log.json"


class ChapterFailed(RuntimeError):
    """A chapter raised an error while executing."""


@dataclass
class Chapter:
    name: str
    source: Path          # notebooks/<name>.ipynb
    target: Path          # book/chapters/<name>.ipynb
    params: dict = field(default_factory=dict)


def load_chapter(root: Path, name: str) -> Chapter:
    src = root / "notebooks" / f"{name}.ipynb"
    if not src.exists():
        raise FileNotFoundError(f"Chapter {name}: notebook notebooks/{name}.ipynb is missing "
                                f"(generate it with `jupytext --to ipynb notebooks/{name}.py`).")
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
                raise ParameterError(f"Override {text!r} names chapter {head!r}, which is not "
                                     f"among {', '.join(chapters)}.")
            out.setdefault(head, {})[name] = value
        else:
            out.setdefault("*", {})[name] = value
    return out


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


def _hide_parameter_cells(nb_path: Path) -> None:
    """Tag papermill's parameter cells ``remove-cell`` so the rendered page hides them."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = tags + ["remove-cell"]
    nbformat.write(nb, nb_path)


def _clean_outputs(nb_path: Path) -> None:
    """Drop volatile metadata (execution timestamps) from an executed notebook so the same
    parameters give the same file."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        pm = cell.metadata.get("papermill")
        if pm:
            for k in ("start_time", "end_time", "duration", "exception", "status"):
                pm.pop(k, None)
    pm = nb.metadata.get("papermill", {})
    for k in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables"):
        pm.pop(k, None)
    nbformat.write(nb, nb_path)


def execute(ch: Chapter, params: dict, root: Path, log_output: bool = False) -> float:
    """Run one chapter with papermill; returns seconds. Writes the target only on success."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    ch.target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{ch.name}.", suffix=".ipynb", dir=ch.target.parent)
    os.close(fd)
    tmp = Path(tmp)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(ch.source), str(tmp), parameters=params, cwd=str(root),
                            kernel_name="python3", progress_bar=False, log_output=log_output,
                            report_mode=False, extra_arguments=["--IPKernelApp.log_level=ERROR"])
        _hide_parameter_cells(tmp)
        _clean_outputs(tmp)
        tmp.replace(ch.target)
    except PapermillExecutionError as exc:
        _discard(ch, tmp)
        raise ChapterFailed(
            f"Chapter {ch.name} failed in cell {exc.exec_count} (cell index {exc.cell_index}): "
            f"{exc.ename}: {exc.evalue}") from None
    except BaseException:
        _discard(ch, tmp)
        raise
    return time.perf_counter() - t0


def _discard(ch: Chapter, tmp: Path) -> None:
    tmp.unlink(missing_ok=True)
    ch.target.unlink(missing_ok=True)
    outdir = ch.target.with_suffix("")
    if outdir.is_dir() and outdir.parent.name == "chapters":
        shutil.rmtree(outdir)


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
    chapters not run now, kept in ``book/chapters/run_log.json``)."""
    log_path = paths.chapters_dir(root) / RUN_LOG
    previous = json.loads(log_path.read_text()) if log_path.exists() else {}
    for r in records:
        previous[r["chapter"]] = r
    log_path.write_text(json.dumps(previous, indent=1, sort_keys=True, default=str))
    order = toc_chapters(root)
    lines = ["# Build status", "",
             "Each chapter of this book is a notebook executed by the book's executor "
             "(`sofs_lib.build.runner`) with the parameters below, then rendered. This page is written "
             "by the executor on every build.", "",
             "| Chapter | Run time (s) | Status | Effective parameters |", "|---|---:|---|---|"]
    for name in order:
        r = previous.get(name)
        if not r:
            lines.append(f"| {name} | – | not run | – |")
            continue
        ptxt = ", ".join(f"`{k}={json.dumps(v)}`" for k, v in sorted(r["params"].items())) or "defaults"
        lines.append(f"| {name} | {r['seconds']:.1f} | {r['status']} | {ptxt} |")
    total = sum(previous[n]["seconds"] for n in order if n in previous)
    lines += ["", f"Total execution time: {total:.1f} s.", "", "## Package versions", "",
              "| Package | Version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in package_versions().items()]
    lines += ["", "Pinned versions of everything installed are in `requirements.txt`.", ""]
    out = root / "book" / "status.md"
    out.write_text("\n".join(lines))
    return out


def run_chapters(names: list[str] | None, overrides: list[str], root: Path) -> list[dict]:
    all_names = toc_chapters(root)
    names = names or all_names
    unknown = [n for n in names if n not in all_names]
    if unknown:
        raise SystemExit(f"Unknown chapter(s) {', '.join(unknown)}; the book has {', '.join(all_names)}.")
    chapters = [load_chapter(root, n) for n in execution_order(names)]
    ov = split_overrides(overrides, all_names)
    if "*" in ov:
        declared = set()
        for n in names:
            spec = spec_for(n)
            declared |= set(spec.names)
        stray = [k for k in ov["*"] if k not in declared]
        if stray:
            raise ParameterError(f"Unknown parameter {', '.join(map(repr, stray))}: no chapter being "
                                 "run declares it.")
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
        eff = spec_for(ch.name).resolve(params)
        records.append(dict(chapter=ch.name, seconds=round(secs, 1), status="ok", params=eff))
    write_status(root, records)
    return records


def render(root: Path) -> None:
    """Render the HTML book with Jupyter Book (execution off, warnings as errors)."""
    import subprocess

    missing = [n for n in toc_chapters(root) if not (paths.chapters_dir(root) / f"{n}.ipynb").exists()]
    if missing:
        raise SystemExit(f"Cannot render: chapter(s) {', '.join(missing)} not executed yet "
                         "(run `python -m sofs_lib.build.runner run`).")
    if not (root / "book" / "status.md").exists():
        write_status(root, [])
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(root), "--builder", "html",
           "-W", "-n", "--keep-going"]
    print("Rendering HTML:", " ".join(cmd[1:2] + ["."] + cmd[3:]), flush=True)
    res = subprocess.run(cmd, cwd=root)
    if res.returncode:
        raise SystemExit(f"Rendering failed (jupyter-book exit {res.returncode}); see the warnings above.")
    print(f"Book written to {paths.relative(root / '_build' / 'html' / 'index.html', root)}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sofs_lib.build.runner", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, helptext in (("build", "execute every chapter, then render the HTML book"),
                           ("run", "execute chapters (all, or those named)")):
        p = sub.add_parser(name, help=helptext)
        if name == "run":
            p.add_argument("chapters", nargs="*", help="chapter names, e.g. 01_implementation")
        p.add_argument("-p", "--param", action="append", default=[], metavar="[CHAPTER.]NAME=VALUE",
                       help="override a parameter (value read as YAML); repeatable")
    sub.add_parser("render", help="render the HTML book from the executed chapters")
    sub.add_parser("list", help="list the chapters and their default parameters")
    args = ap.parse_args(argv)
    root = paths.repo_root()
    try:
        if args.cmd == "list":
            for n in toc_chapters(root):
                print(f"{n}: {chapter_package(n)}.params {load_chapter(root, n).params}")
        elif args.cmd == "run":
            run_chapters(args.chapters, args.param, root)
        elif args.cmd == "build":
            run_chapters(None, args.param, root)
            render(root)
        elif args.cmd == "render":
            render(root)
    except (ParameterError, FileNotFoundError, ChapterNotFound) as exc:
        raise SystemExit(f"error: {exc}") from None


if __name__ == "__main__":
    main()
