"""Provenance: which numbers are published, real, synthetic or derived, shown to the reader.

Every chapter opens with :func:`banner`; every table marks each value's kind
(:mod:`sofs_lib.display.tables`). The four kinds:

* **published** -- quoted from the report or its appendices, with its table;
* **real** -- computed from public DfE/Ofsted files;
* **synthetic** -- computed from generated data: demonstrates the method, never evidence about
  Signs of Safety;
* **derived** -- computed from the report's own published numbers (e.g. a mean of a published
  table, a test on counts reconstructed from published percentages).
"""

from __future__ import annotations

import html
import json
from typing import Any, Iterable, Mapping

from sofs_lib.core.kinds import KINDS, ProvenanceError, check_kind  # noqa: E402,F401


def badge(kind: str) -> str:
    """A small inline HTML label for a kind."""
    label, desc, _ = KINDS[check_kind(kind)]
    return f'<span class="sofs-badge sofs-{kind}" title="{html.escape(desc)}">{label}</span>'


def _items(values: Iterable[str] | str | None) -> list[str]:
    if not values:
        return []
    return [values] if isinstance(values, str) else list(values)


def banner_html(published=None, real=None, synthetic=None, derived=None, note: str = "") -> str:
    """HTML of the provenance banner (see :func:`banner`)."""
    rows = []
    for kind, vals in (("published", published), ("real", real), ("synthetic", synthetic),
                       ("derived", derived)):
        items = _items(vals)
        if not items:
            continue
        body = "; ".join(html.escape(i) for i in items)
        rows.append(f"<li>{badge(kind)} {body}</li>")
    if not rows:
        raise ProvenanceError("a banner needs at least one kind of number")
    warn = ""
    if _items(synthetic):
        warn = ('<p class="sofs-synthetic-warning"><strong>Synthetic numbers in this chapter '
                'demonstrate the method only.</strong> They come from generated data and say '
                'nothing about Signs of Safety or any local authority.</p>')
    extra = f"<p>{html.escape(note)}</p>" if note else ""
    return ('<div class="admonition sofs-provenance"><p class="admonition-title">'
            'Where the numbers in this chapter come from</p>'
            f'<ul>{"".join(rows)}</ul>{warn}{extra}</div>')


def banner(published=None, real=None, synthetic=None, derived=None, note: str = ""):
    """Display the chapter's provenance banner: for each kind, what in the chapter is of it.

    >>> _ = banner_html(published=["Table 2"], derived=["chi-square test on Table 2"])
    """
    from IPython.display import HTML, display

    display(HTML(banner_html(published, real, synthetic, derived, note)))


def _fmt(v: Any) -> str:
    if v is None:
        return "None (default)"
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v)
    return repr(v) if isinstance(v, str) else str(v)


def params_box_html(params: Mapping[str, Any], chapter: str = "") -> str:
    """HTML of the small box of effective parameters."""
    rows = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td><code>{html.escape(_fmt(v))}"
                   f"</code></td></tr>" for k, v in params.items())
    title = "Effective parameters" + (f" of {html.escape(chapter)}" if chapter else "")
    where = (f"<p>Source of this page: <code>notebooks/{html.escape(chapter)}.py</code>; defaults in "
             f"<code>src/sofs_lib/chapters/{html.escape(chapter.partition('_')[2])}/params.py</code>.</p>" if chapter else "")
    rerun = html.escape(chapter) if chapter else "&lt;chapter&gt;"
    return (f'<details class="sofs-params"><summary>{title}</summary>'
            f'<table class="sofs-params-table"><tbody>{rows}</tbody></table>{where}'
            f'<p>Re-run with others: <code>make chapter CH={rerun} P="name=value"</code> '
            '(see the introduction).</p></details>')


def params_box(params: Mapping[str, Any], chapter: str = ""):
    """Display the effective parameters in a small collapsible box."""
    from IPython.display import HTML, display

    display(HTML(params_box_html(params, chapter)))


#: the four parts of a chapter's answer box, in the order they are shown.
ANSWER_PARTS = (
    ("report", "What the report concluded"),
    ("reproduced", "What this edition reproduced"),
    ("not_reproduced", "What it could not reproduce"),
    ("new", "What this edition found that the report did not"),
)


def answer_html(*, report, reproduced, not_reproduced, new, kind: str) -> str:
    """HTML of a chapter's answer box (class ``sofs-answer``).

    Each part is a sentence or a list of sentences; every sentence must be generated from the
    chapter's computed results (never typed as a literal claim). ``kind`` names the data the
    chapter's own numbers come from ("real", "synthetic", "derived" or "published").
    """
    check_kind(kind)
    parts = dict(report=report, reproduced=reproduced, not_reproduced=not_reproduced, new=new)
    rows = []
    for key, title in ANSWER_PARTS:
        items = _items(parts[key])
        if not items:
            raise ProvenanceError(f"the answer box needs at least one sentence for {key!r}")
        body = "".join(f"<li>{html.escape(i)}</li>" for i in items)
        rows.append(f"<dt>{html.escape(title)}</dt><dd><ul>{body}</ul></dd>")
    return (f'<div class="admonition sofs-answer" data-kind="{kind}">'
            f'<p class="admonition-title">The answer in brief {badge(kind)}</p>'
            f'<dl>{"".join(rows)}</dl></div>')


def answer(*, report, reproduced, not_reproduced, new, kind: str, output_dir=None):
    """Display the chapter's answer box and, with ``output_dir``, write it as ``answer.json``
    (read by the findings page)."""
    from pathlib import Path

    from IPython.display import HTML, display

    text = answer_html(report=report, reproduced=reproduced, not_reproduced=not_reproduced,
                       new=new, kind=kind)
    if output_dir is not None:
        payload = {"kind": kind, **{k: _items(v) for k, v in
                                    dict(report=report, reproduced=reproduced,
                                         not_reproduced=not_reproduced, new=new).items()}}
        (Path(output_dir) / "answer.json").write_text(json.dumps(payload, indent=1) + "\n")
    display(HTML(text))
