"""Synthetic NPD extracts: moved to :mod:`sofs_lib.synthetic.npd` (one module per stage).

This module re-exports the generator so that ``from sofs_lib.npd.generate import generate``
keeps working until the package layout is merged.
"""

from sofs_lib.synthetic.npd import (  # noqa: F401
                                    EFFECT_KEYS,
                                    NULL_EFFECTS,
                                    duration_theta,
                                    generate,
                                    published_effects,
                                    volume_plan,
)

__all__ = ["EFFECT_KEYS", "NULL_EFFECTS", "duration_theta", "generate", "published_effects", "volume_plan"]
