"""Executing one chapter: papermill into its staging folder (:mod:`sofs_lib.build.staging`), the
executed notebook made reproducible (:func:`_postprocess`), the data files it read recorded, and
its outputs moved into place only on success."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sofs_lib.build import reads
from sofs_lib.build.staging import STAGING, publish
from sofs_lib.core import paths


class ChapterFailed(RuntimeError):
    """A chapter raised an error while executing."""


#: the papermill engine the executor runs chapters with (:func:`_engine`)
ENGINE = "sofs"


def _engine() -> str:
    """Register and name papermill's nbclient engine with one change: the notebook is
    not written to disk at the start and end of every cell. Papermill writes it that often so
    a long run can be watched; the executor's copy is staged, written once by papermill at the
    end (or with the error marked on failure) and deleted if the chapter fails, so the writes
    between cells (about 60 for chapter 05, each a validation and serialisation of the whole
    notebook) are pure cost."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class _Manager(NotebookExecutionManager):
        def save(self, **kwargs):  # the final write is papermill's own (execute_notebook)
            self.last_save_time = self.now()

    class _Engine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, autosave_cell_every=30, **kw
        ):
            # papermill's Engine.execute_notebook with the manager above
            nb_man = _Manager(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kw)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE, _Engine)
    return ENGINE


#: the kernel's command-line options: errors only in its log, and no input history (IPython
#: would otherwise record every chapter's cells in a database in the user's home folder)
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]


@dataclass
class Chapter:
    name: str
    source: Path  # notebooks/<name>.ipynb
    target: Path  # book/chapters/<name>.ipynb
    params: dict = field(default_factory=dict)
    files_read: list = field(default_factory=list)  # recorded while it ran (build.reads)
    cpu_seconds: float = float("nan")  # processor time of its kernel and what it waited for (:func:`execute`)


def compile_library(package_dir: Path | None = None) -> None:
    """Write the bytecode of the library (``sofs_lib``, or the package at ``package_dir``)
    before the chapters run, so each chapter's kernel imports compiled modules instead of
    compiling every module it imports again. Python does this itself on a first import unless
    writing bytecode is turned off (``PYTHONDONTWRITEBYTECODE``, common in containers);
    compiling explicitly works either way, and files already compiled are skipped."""
    import compileall

    import sofs_lib

    compileall.compile_dir(str(package_dir or Path(sofs_lib.__file__).parent), quiet=1)


def _children_cpu() -> float:
    """User and system processor seconds of this process's children that have ended and been
    collected, with the children they collected in turn."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


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


def execute(ch: Chapter, params: dict, root: Path, log_output: bool = False) -> float:
    """Run one chapter with papermill; returns seconds. Its notebook and (unless ``output_dir``
    is given) its outputs are staged and moved into place only on success.

    Once the last cell has run, or one has failed, the kernel is stopped at once (papermill's
    ``shutdown_kernel="immediate"``: its process group is killed) rather than asked to exit:
    every output has arrived and every file was written by the cells, and the interpreter's
    teardown of a loaded kernel (about 1 s for chapter 05) would only add to the run time. Exit
    handlers therefore do not run in a chapter, and any process a chapter left running is
    stopped with its kernel.

    ``ch.cpu_seconds`` is set to the processor time (user and system) of the chapter's kernel
    and of every process the kernel waited for (chapter 05's second process): what the
    operating system accounts to the executor's children while the chapter ran. Beside the
    run time it shows how much of the chapter ran in parallel."""
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
    t0, cpu0 = time.perf_counter(), _children_cpu()
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
            extra_arguments=KERNEL_ARGUMENTS,
            engine_name=_engine(),
            shutdown_kernel="immediate",
        )
        ch.cpu_seconds = _children_cpu() - cpu0  # the kernel has been stopped and collected
        _postprocess(staged_nb)
        ch.files_read = reads.read_log(stage / "reads.txt")
        if staged_out is not None:
            staged_out.mkdir(exist_ok=True)
        publish(staged_nb, staged_out, ch)
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
