"""A Sphinx extension: the first use of each glossary term on a page links to the glossary.

Terms are read from ``book/glossary.md`` (the unindented lines of its ``{glossary}`` block). On
every other page, the first whole-word occurrence of each term in running text (not in headings,
code, links or raw HTML) becomes a ``{term}`` reference, which Sphinx resolves to the entry.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes

GLOSSARY_DOC = "book/glossary"
SKIP = (
    nodes.title,
    nodes.literal,
    nodes.literal_block,
    nodes.reference,
    nodes.raw,
    nodes.term,
    nodes.FixedTextElement,
    nodes.subtitle,
    nodes.rubric,
)


def read_terms(path: Path) -> list[str]:
    """The terms of the glossary file, longest first (so "T-score" wins over shorter terms)."""
    terms, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":::{glossary}"):
            inside = True
            continue
        if inside and line.startswith(":::"):
            break
        if inside and line.strip() and not line[0].isspace():
            terms.append(line.strip())
    return sorted(terms, key=len, reverse=True)


def term_pattern(terms: list[str]) -> re.Pattern:
    alts = "|".join(re.escape(t) for t in terms)
    return re.compile(rf"(?<![\w\-/.])({alts})(?![\w\-])")


def _skipped(node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, SKIP) or "pending_xref" in type(parent).__name__:
            return True
        parent = parent.parent
    return False


def link_first_uses(doctree, terms: list[str]) -> int:
    """Replace the first occurrence of each term in ``doctree``'s text; returns how many."""
    from sphinx import addnodes

    pattern, done = term_pattern(terms), set()
    for text in list(doctree.findall(nodes.Text)):
        if _skipped(text) or not isinstance(text.parent, (nodes.paragraph, nodes.emphasis, nodes.strong, nodes.inline)):
            continue
        s = str(text)
        pieces, last = [], 0
        for m in pattern.finditer(s):
            t = m.group(1)
            if t in done:
                continue
            done.add(t)
            pieces.append(nodes.Text(s[last : m.start()]))
            ref = addnodes.pending_xref(
                "", refdomain="std", reftype="term", reftarget=t, refexplicit=True, refwarn=True
            )
            ref += nodes.inline(t, t, classes=["xref", "std", "std-term", "sofs-term"])
            pieces.append(ref)
            last = m.end()
        if pieces:
            pieces.append(nodes.Text(s[last:]))
            text.parent.replace(text, pieces)
    return len(done)


def _on_doctree_read(app, doctree):
    if app.env.docname == GLOSSARY_DOC:
        return
    terms = getattr(app.env, "_sofs_terms", None)
    if terms is None:
        path = Path(app.srcdir) / f"{GLOSSARY_DOC}.md"
        terms = read_terms(path) if path.exists() else []
        app.env._sofs_terms = terms
    if terms:
        link_first_uses(doctree, terms)


def setup(app):
    app.connect("doctree-read", _on_doctree_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
