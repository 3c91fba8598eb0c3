"""Generators of synthetic data (schema-true stand-ins for restricted inputs)."""
