# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Findings of this edition
#
# **What this page is.** Every chapter of this book opens with its answer in brief: what the
# report concluded, what this edition reproduced (and from which kind of data), what it could
# not reproduce, and what it found that the report did not. This page gathers those answers in
# the book's order. Every sentence is generated from the chapter's computed results when the
# chapter runs; none is typed here. The kind of data behind each answer is marked: an answer
# computed from **synthetic** data shows that a method runs, never what happened in the pilots.

# %% tags=["parameters"]
chapters_dir = None
output_dir = None

# %% tags=["remove-input"]
from pathlib import Path

from IPython.display import HTML, Markdown, display

from sofs_lib.build.runner import toc_chapters
from sofs_lib.chapters.findings import gather
from sofs_lib.chapters.findings.params import SPEC
from sofs_lib.core import paths
from sofs_lib.display import provenance, tables

p = SPEC.validate(globals())
out = paths.output_dir("00_findings", p["output_dir"])
cdir = Path(p["chapters_dir"]) if p["chapters_dir"] else paths.chapters_dir()
entries = gather.collect(cdir, toc_chapters(paths.repo_root()))
provenance.banner(
    derived=["the counts on this page, from each chapter's answer"],
    note="Each answer below carries its own mark: the kind of data its chapter's numbers come "
         "from.")
provenance.params_box(p, "00_findings")

# %% tags=["hide-input"]
display(Markdown("\n".join(f"- {s}" for s in gather.summary_sentences(entries))))
tables.show(gather.overview(entries), "derived", fmt=".0f",
            caption="The answers by chapter: kind of data and number of sentences in each part",
            source="Each chapter's answer.json, written when the chapter ran.")

# %% tags=["hide-input"]
display(HTML(gather.page_html(entries)))
