"""Synthetic, schema-true NPD extracts (CIN census + SSDA903) calibrated to the report.

:func:`generate` builds child-level records for the nine pilots and sixteen comparator LAs
from April 2008 to March 2019 so that the four analysis populations derived from them by
:mod:`sofs_lib.sources.npd.derive` reproduce what Appendix 10 publishes: the LAs per question
(Table A10.1), the population sizes and pre-treatment characteristics and outcome means
(Tables A10.3, A10.4, Ns under A10.6-A10.11), the share of repeated children, and DiD
effects that default to the published estimates (``true_effects=None``) or can be set to
zero (``true_effects=0``, the "null world").

How the records are made (all vectorised; one ``numpy.random.Generator`` per stream, spawned
from ``SeedSequence(seed)``, so a seed gives byte-identical tables):

1. A *volume plan* turns the published Ns into expected units per LA and segment
   (pre-treatment / from the SofS start) for three streams: assessments (EQ3a),
   referrals closed with no further action (NFA, EQ3b/EQ3c) and periods of care (EQ3d).
   Units are spread uniformly over the days of their segment; ``scale`` multiplies them.
2. **NFA stream**: a referral closed with NFA at referral (``ReferralNFA`` = 1) or after an
   assessment (``ReasonForClosure`` RC8). With the EQ3b probability the child is referred
   again within 6 months of the closure; with the EQ3c probability that re-referral leads
   to a child protection plan or a period of care within 6 months. Some children not
   re-referred within 6 months are re-referred later (outside the window).
3. **Care stream**: periods of care (SSDA903 episodes) where the child is, with the EQ3d
   probability, placed with relatives or friends (U1-U3) or made subject to a special
   guardianship order within 365 days; the rest are not, though some get such a placement
   or order after day 365. A few short-break (V3) episodes are added.
4. **Assessment stream**: further referrals with an assessment, so that each EQ3a LA has
   its target number of assessments; some get a section 47 enquiry, an initial conference
   and a plan.

Every assessment's duration (working days, see :mod:`sofs_lib.sources.npd.calendar`) is 0 (same day)
with probability ``p_same`` or ``ceil(Gamma(3, theta) + shift)``, where ``shift`` is chosen so
that the trend and effect apply to the mean duration including same-day assessments (before
the 76-day cut-off, which attenuates them a little), plus a 1.5% tail of
administrative errors of 77-420 days; ``theta`` is solved so that the mean duration of
assessments of at most 76 days is 27 working days pre-treatment (Table A10.3) -- the
interquartile cut-off of this distribution is about 75-76 days, as in the report.

Outcome model (same form for the four outcomes): with ``w`` = 0 before the SofS start of the
LA's group, rising linearly to 1 over the settling-in period and 1 after it,
``outcome = base[pilot or comparator] + trend * w + effect * w * pilot`` (+ for EQ3a a
pilot-only linear trend during the pre-period, zero on average over the pre-period, so that
event-study leads are non-zero as the report found under fixed effects). EQ3c uses the
log-odds scale (Table A10.10 is a logit). Bases are the pre-treatment means of Tables A10.3
and A10.4; trends and effects are in ``calibration.yml``. Child characteristics are drawn
from the pre-treatment distributions of the same tables (EQ3c's for the EQ3c LAs' NFA
referrals, EQ3b's for the other LAs, EQ3a's for assessments, EQ3d's for care).

CIN episodes of one child in an LA never overlap (an episode open at the child's next referral
is closed that day, see ``_close_before_next``). What is not modelled: assessment factors, CIN
plans, reviews, missing episodes, children moving between LAs, dynamic (lagged) effects,
the effect on the tail of durations that makes the 310-day cut-off estimate larger.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from sofs_lib.sources.npd.extract import NPDExtract
from sofs_lib.synthetic.npd.assemble import _assemble
from sofs_lib.synthetic.npd.effects import (
    EFFECT_KEYS,
    NULL_EFFECTS,
    duration_theta,
    published_effects,
)
from sofs_lib.synthetic.npd.streams import STAGES
from sofs_lib.synthetic.npd.volumes import volume_plan


def generate(
    seed: int = 0,
    scale: float = 1.0,
    true_effects=None,
    settling_in: dict | None = None,
    *,
    pretrends: dict | None = None,
    calibration: dict | None = None,
) -> NPDExtract:
    """Generate a synthetic extract (see the module docstring for the model).

    Parameters
    ----------
    seed:
        Seed of ``numpy.random.SeedSequence``; equal parameters give byte-identical tables.
    scale:
        Multiplies every volume (1.0 = the published population sizes of the main
        models, about 2.4 million records over all tables with the settling-in periods;
        4.1 gives about 10 million records).
    true_effects:
        ``None`` = the published DiD estimates (:func:`published_effects`); ``0`` = the null
        world; or a dict over :data:`EFFECT_KEYS` overriding some of them (EQ3a in working
        days and proportions, EQ3b/EQ3d in proportions, EQ3c in log-odds).
    settling_in:
        ``{"Pilot 2": 3.0, ...}``: settling-in lengths in years replacing the assumed ones.
    pretrends:
        Differential pilot pre-trends; default ``calibration.yml`` ``assumed.pretrends``
        (``{"eq3a_duration": -1.5}`` working days a year); ``{}`` for none.
    """
    c = SimpleNamespace(
        seed=seed,
        scale=scale,
        true_effects=true_effects,
        settling_in=settling_in,
        pretrends=pretrends,
        calibration=calibration,
    )
    for stage in STAGES:
        stage(c)
    T, design, effects, info, pretrends, scale, seed, t0 = (
        c.T,
        c.design,
        c.effects,
        c.info,
        c.pretrends,
        c.scale,
        c.seed,
        c.t0,
    )
    extract = _assemble(T, info)
    extract.design = design
    extract.params = {
        "seed": int(seed),
        "scale": float(scale),
        "true_effects": effects,
        "settling_in": dict(design.settling_years),
        "pretrends": pretrends,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    return extract


__all__ = ["EFFECT_KEYS", "NULL_EFFECTS", "duration_theta", "generate", "published_effects", "volume_plan"]
