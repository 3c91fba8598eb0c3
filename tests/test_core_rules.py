"""The book's one rounding rule and one star rule (sofs_lib.core), worked by hand."""

import math

import pytest

from sofs_lib.core.rounding import half_unit, round_half_up
from sofs_lib.core.stars import stars


@pytest.mark.parametrize(
    "x, nd, expected",
    [
        (2.5, 0, 3.0),
        (3.5, 0, 4.0),
        (-2.5, 0, -3.0),  # halves away from zero (not banker's)
        (2.675, 2, 2.68),  # stored as 2.67499999…: noise removed
        (1.005, 2, 1.01),
        (0.125, 2, 0.13),
        (31.25, 1, 31.3),
        (12.3449999995, 2, 12.34),  # genuinely below the half: not rounded up
        (12.345, 2, 12.35),
        (0.1 + 0.2, 1, 0.3),
        (1234.5, -1, 1230.0),
        (1235.0, -1, 1240.0),
        (-0.05, 1, -0.1),
        (0.0, 3, 0.0),
    ],
)
def test_round_half_up(x, nd, expected):
    assert round_half_up(x, nd) == expected


def test_round_half_up_missing():
    assert math.isnan(round_half_up(None, 1))
    assert math.isnan(round_half_up(float("nan"), 1))
    assert round_half_up(float("inf"), 1) == float("inf")


def test_one_rounding_everywhere():
    """The ledger, the audit and count reconstruction all round with the same rule."""
    from sofs_lib.chapters.consistency_audit import base as audit
    from sofs_lib.core.ledger import classify
    from sofs_lib.published import recon

    assert audit.round_half_up is round_half_up and recon.round_half_up is round_half_up
    assert classify(12.35, 12.3449999995, 2) != "exact"  # the ledger agrees with the table cell
    assert classify(12.34, 12.3449999995, 2) == "exact"
    assert classify(31.3, 31.25, 1) == "exact"


def test_half_unit():
    assert half_unit(1) == 0.05 and half_unit(0) == 0.5


@pytest.mark.parametrize(
    "p, mark",
    [
        (0.0099, "***"),
        (0.01, "**"),
        (0.049, "**"),
        (0.05, "*"),
        (0.0999, "*"),
        (0.1, ""),
        (0.5, ""),
        (float("nan"), ""),
        (None, ""),
    ],
)
def test_stars(p, mark):
    assert stars(p) == mark


def test_vectorised_rounding_is_the_same_rule():
    import numpy as np

    from sofs_lib.core.rounding import round_half_up, round_half_up_array

    edge = [2.675, 12.3449999995, 0.2499999999, -2.5, 2.5, 0.0, 1.005, -1.45, 1e-9, 123456789012.5, 1e13 + 0.5]
    rng = np.random.default_rng(7)
    vals = np.concatenate([edge, rng.normal(0, 100, 5000), np.round(rng.uniform(0, 100, 5000), 2) + 0.005])
    for nd in (0, 1, 2):
        assert list(round_half_up_array(vals, nd)) == [round_half_up(x, nd) for x in vals]
    # by hand: halves away from zero, binary noise removed, a genuine 0.2499999999 stays below the half
    assert list(round_half_up_array([2.675, 12.3449999995], 2)) == [2.68, 12.34]
    assert list(round_half_up_array([-2.5, 2.5, 0.5], 0)) == [-3.0, 3.0, 1.0]
    assert list(round_half_up_array([0.2499999999, 0.25, -0.25], 1)) == [0.2, 0.3, -0.3]
    out = round_half_up_array([float("nan"), float("inf")], 1)
    assert np.isnan(out[0]) and out[1] == float("inf")
