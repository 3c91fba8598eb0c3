"""One folder per chapter: its parameters, computations, figures and ledger records."""
