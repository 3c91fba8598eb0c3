"""Chapter 01, implementation and fidelity."""
