"""sofs_lib: the computing behind the open, executable edition of the DfE evaluation of
MTM's Signs of Safety pilots (Children's Social Care Innovation Programme, Round 2).

Notebooks in ``notebooks/`` narrate; this package does the work. Modules:

- :mod:`sofs_lib.core.paths` -- where the project, its data and its outputs live;
- :mod:`sofs_lib.core.params` -- declared chapter parameters and their validation;
- :mod:`sofs_lib.published` -- the report's numbers, transcribed in ``data/published/``;
- :mod:`sofs_lib.core.ledger` -- the reproduction ledger every chapter writes;
- :mod:`sofs_lib.display.provenance` -- banners and per-value provenance marks (published / real / synthetic);
- :mod:`sofs_lib.display.tables`, :mod:`sofs_lib.display.plotting` -- table rendering and the figure theme;
- :mod:`sofs_lib.methods.disclosure` -- small-cell suppression for tables built from individual records;
- :mod:`sofs_lib.build.runner` -- the papermill executor that builds the book.
"""

__version__ = "0.1.0"

# While the executor runs a chapter, record which data files it reads (build-status page).
import os as _os

if _os.environ.get("SOFS_RECORD_READS"):
    from sofs_lib.build import reads as _reads

    _reads.install()
