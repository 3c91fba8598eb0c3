"""Chapter packages: one folder per chapter of the book (its parameters, computations,
figures and ledger records)."""
