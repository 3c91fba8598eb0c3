"""Synthetic individual-level extracts in the CIN census / SSDA903 layout (the DiD chapter's
default data): schema-true records calibrated to the report's published aggregates. They show
the method; they are never evidence about Signs of Safety."""

from sofs_lib.synthetic.npd.generate import EFFECT_KEYS, NULL_EFFECTS, generate, published_effects

__all__ = ["EFFECT_KEYS", "NULL_EFFECTS", "generate", "published_effects"]
