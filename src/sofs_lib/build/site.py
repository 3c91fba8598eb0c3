"""Finishing the rendered site (``_build/html``) after Jupyter Book has written it.

* :func:`copy_downloads` ships each chapter's CSV tables, its executed notebook and its source
  file beside the chapter's page, so the page's download links resolve in the built site;
* :func:`prune_images` removes images in ``_images/`` that no page references (left by earlier
  builds);
* :func:`normalise_html` strips the cache-busting query strings (``?v=…``, ``?digest=…``) from
  links to the site's own static files, so two builds of the same sources are byte-identical.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

DOWNLOAD_SUFFIXES = (".csv", ".json")
_QUERY = re.compile(r'((?:href|src)="[^"?#]*?\.(?:css|js|svg|png|ico|woff2?))\?(?:v|digest)=[0-9a-zA-Z.]+(")')
_IMAGE_REF = re.compile(r'_images/([^"\'?#)\s]+)')


def copy_downloads(root: Path, html_dir: Path, chapters: list[str]) -> list[Path]:
    """Copy ``book/chapters/<c>/*.csv|json``, ``book/chapters/<c>.ipynb`` and
    ``notebooks/<c>.py`` to ``<html>/book/chapters/``; returns the files written.

    The target folder of each chapter is replaced, so files of earlier runs do not linger."""
    src_dir = root / "book" / "chapters"
    dest_dir = html_dir / "book" / "chapters"
    written: list[Path] = []
    for c in chapters:
        out = src_dir / c
        dest = dest_dir / c
        if dest.is_dir():
            shutil.rmtree(dest)
        if out.is_dir():
            for f in sorted(out.rglob("*")):
                if f.is_file() and f.suffix in DOWNLOAD_SUFFIXES:
                    target = dest / f.relative_to(out)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(f, target)
                    written.append(target)
        for f, name in ((src_dir / f"{c}.ipynb", f"{c}.ipynb"), (root / "notebooks" / f"{c}.py", f"{c}.py")):
            if f.exists():
                dest_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dest_dir / name)
                written.append(dest_dir / name)
    for f in sorted(src_dir.glob("*.csv")):  # build-wide tables (the status page's data files)
        dest_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest_dir / f.name)
        written.append(dest_dir / f.name)
    return written


SOURCE_ARCHIVE = "sofs-book-source.tar.gz"


def source_archive(root: Path, html_dir: Path) -> Path | None:
    """Ship the project's committed sources (``git archive`` of HEAD: reproducible for one
    commit) as ``<html>/sofs-book-source.tar.gz``; None outside a git checkout."""
    import subprocess

    target = html_dir / SOURCE_ARCHIVE
    try:
        res = subprocess.run(
            ["git", "archive", "--format=tar.gz", "--prefix=sofs-book/", "-o", str(target), "HEAD"],
            cwd=root,
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return target if res.returncode == 0 and target.exists() else None


def html_files(html_dir: Path) -> list[Path]:
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)


def prune_images(html_dir: Path) -> list[Path]:
    """Delete files in ``_images/`` that no HTML page references; returns those deleted."""
    images = html_dir / "_images"
    if not images.is_dir():
        return []
    used: set[str] = set()
    for page in html_files(html_dir):
        used.update(_IMAGE_REF.findall(page.read_text(encoding="utf-8", errors="replace")))
    removed = []
    for f in sorted(images.iterdir()):
        if f.is_file() and f.name not in used:
            f.unlink()
            removed.append(f)
    return removed


def normalise_text(text: str) -> str:
    """``text`` with cache-busting query strings removed from static-file links."""
    return _QUERY.sub(r"\1\2", text)


def normalise_html(html_dir: Path) -> int:
    """Apply :func:`normalise_text` to every page; returns the number of pages changed."""
    changed = 0
    for page in html_files(html_dir):
        text = page.read_text(encoding="utf-8")
        new = normalise_text(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed
