"""The findings page: every chapter's answer box (``answer.json``, written by
:func:`sofs_lib.display.provenance.answer`), gathered in the book's order.

:func:`collect` reads them; :func:`overview` is the page's table (one row per chapter: the kind
of its data and how many sentences each part holds); :func:`summary_sentences` the page's
opening, generated from the same rows; :func:`page_html` the answers, each under a link to its
chapter.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from sofs_lib.display.provenance import ANSWER_PARTS, KINDS, ProvenanceError, answer_html
from sofs_lib.display.sentences import join_names, plural

SELF = "00_findings"


class FindingsError(ValueError):
    """An answer.json is malformed."""


def chapter_title(chapters_dir: Path, name: str) -> str:
    """The first level-1 heading of the executed chapter, else its name."""
    nb = chapters_dir / f"{name}.ipynb"
    if nb.exists():
        for cell in json.loads(nb.read_text(encoding="utf-8")).get("cells", []):
            if cell.get("cell_type") == "markdown":
                for line in "".join(cell.get("source", "")).splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
    return name


def read_answer(path: Path) -> dict:
    """One chapter's answer.json, checked: a kind and the four parts, each a list of text."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FindingsError(f"{path.name} in {path.parent.name}/ is not valid JSON ({exc})") from None
    if data.get("kind") not in KINDS:
        raise FindingsError(f"{path.parent.name}/answer.json: unknown kind {data.get('kind')!r}")
    for key, _ in ANSWER_PARTS:
        v = data.get(key)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise FindingsError(f"{path.parent.name}/answer.json: {key!r} must be a list of sentences")
    return data


def collect(chapters_dir: Path, order: list[str]) -> list[dict]:
    """One entry per chapter of ``order`` (this page excluded): name, title, answer (or None)."""
    out = []
    for name in order:
        if name == SELF:
            continue
        p = chapters_dir / name / "answer.json"
        out.append(
            dict(
                name=name,
                title=chapter_title(chapters_dir, name),
                answer=read_answer(p) if p.exists() else None,
            )
        )
    return out


def overview(entries: list[dict]) -> pd.DataFrame:
    """The page's table: per chapter, the kind of its data and the sentences in each part."""
    rows = []
    for e in entries:
        a = e["answer"]
        row = {"chapter": e["title"], "data": KINDS[a["kind"]][0].lower() if a else "no answer yet"}
        for key, title in ANSWER_PARTS:
            row[title.replace("What ", "").replace("this edition ", "")] = len(a[key]) if a else 0
        rows.append(row)
    return pd.DataFrame(rows).set_index("chapter")


def summary_sentences(entries: list[dict]) -> list[str]:
    """The page's opening: how many chapters answered, on which kind of data."""
    answered = [e for e in entries if e["answer"]]
    missing = [e["title"] for e in entries if not e["answer"]]
    by_kind: dict[str, list[str]] = {}
    for e in answered:
        by_kind.setdefault(e["answer"]["kind"], []).append(e["title"])
    out = [
        f"{plural(len(answered), 'chapter')} of {len(entries)} "
        f"{'has' if len(answered) == 1 else 'have'} written an answer."
    ]
    for kind in ("real", "derived", "published", "synthetic"):
        if kind in by_kind:
            names = join_names(by_kind[kind])
            extra = " (these show the method only, never evidence about Signs of Safety)" if kind == "synthetic" else ""
            out.append(f"Computed from {KINDS[kind][0].lower()} data: {names}{extra}.")
    if missing:
        out.append(f"Not yet answered (the chapter has no answer box): {join_names(missing)}.")
    return out


def page_html(entries: list[dict]) -> str:
    """Every answer, each under a heading that links to its chapter."""
    parts = []
    for e in entries:
        link = f'<a href="{html.escape(e["name"])}.html">{html.escape(e["title"])}</a>'
        if e["answer"]:
            a = e["answer"]
            try:
                box = answer_html(
                    report=a["report"],
                    reproduced=a["reproduced"],
                    not_reproduced=a["not_reproduced"],
                    new=a["new"],
                    kind=a["kind"],
                )
            except ProvenanceError as exc:
                raise FindingsError(f"{e['name']}/answer.json: {exc}") from None
        else:
            box = '<p class="sofs-no-answer">This chapter has not written its answer box yet.</p>'
        parts.append(f'<section class="sofs-finding"><h3 class="sofs-finding-title">{link}</h3>{box}</section>')
    return "".join(parts)
