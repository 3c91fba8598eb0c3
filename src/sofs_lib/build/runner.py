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

One chapter's execution is :mod:`sofs_lib.build.executor`, the staging and recovery of its outputs
:mod:`sofs_lib.build.staging`, the status page :mod:`sofs_lib.build.status_page`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sofs_lib.build import site
from sofs_lib.build import status as build_status
from sofs_lib.build.executor import Chapter, ChapterFailed, compile_library, execute
from sofs_lib.build.registry import ChapterNotFound, chapter_package, spec_for, toc_chapters
from sofs_lib.build.registry import spec_for as registry_spec_for  # noqa: F401 (tests wrap spec_for)
from sofs_lib.build.staging import recover
from sofs_lib.build.status_page import write_status
from sofs_lib.core import paths
from sofs_lib.core.params import ParameterError, parse_override


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
    compile_library()
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
        records.append(
            dict(
                chapter=ch.name,
                seconds=round(secs, 1),
                cpu_seconds=round(ch.cpu_seconds, 1),
                status="ok",
                params=eff,
                data_files=data,
            )
        )
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
