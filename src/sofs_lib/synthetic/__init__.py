"""Generators of synthetic data (every one seeded; its output is labelled synthetic)."""
