"""The score conversions (z, sten, percentile, SEM, confidence band, band, borderline) by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.scoring import norming
from app.scoring.bands import NO_BAND, band_index, borderline

CUTS = [2, 4, 6, 8]


def a(*values: float) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def test_rounding_sends_halves_away_from_zero() -> None:
    # Python's round(6.5) is 6 (to even); the sten rule wants 7, and -0.5 → -1.
    assert norming.round_half_away(a(6.5, 7.5, 6.49, -0.5, -1.5, 0.2)).tolist() == [
        7,
        8,
        6,
        -1,
        -2,
        0,
    ]


def test_rounding_ignores_float_noise_at_a_half() -> None:
    # 0.1 + 0.2 = 0.30000000000000004 and 6.45 + 0.05 = 6.499999999999999 in floating point;
    # the latter is an exact half in decimal and must round up to 7.
    assert norming.round_half_away(a(6.45 + 0.05)).tolist() == [7]


def test_z_score() -> None:
    # (3.9 − 3.3) / 0.5 = 1.2 ; (2.8 − 3.3) / 0.5 = −1.0
    assert norming.z_score(a(3.9, 2.8), a(3.3), a(0.5)) == pytest.approx([1.2, -1.0])


def test_sten_formula_rounding_and_clamping() -> None:
    # 5.5 + 2·0 = 5.5 → 6 ; 5.5 + 2·(−0.25) = 5.0 → 5 ; 5.5 + 2·0.5 = 6.5 → 7 (half up)
    # 5.5 + 2·(−2.5) = 0.5 → 1 ; 5.5 + 2·(−3) = −0.5 → −1 → clamped 1 ; 5.5 + 2·3 = 11.5 → 10
    z = a(0.0, -0.25, 0.5, -2.5, -3.0, 3.0, math.nan)
    stens = norming.sten(z)
    assert stens[:-1].tolist() == [6, 5, 7, 1, 1, 10]
    assert math.isnan(stens[-1])


def test_percentile_from_the_normal_cdf() -> None:
    # Φ(0) = .5 → 50 ; Φ(1) = .8413 → 84 ; Φ(−1) = .1587 → 16 ; Φ(1.96) = .9750 → 98 (97.50 → 98)
    # Φ(3) = .99865 → 100 → clamped 99 ; Φ(−3) = .00135 → 0 → clamped 1
    assert norming.percentile(a(0, 1, -1, 1.96, 3, -3)).tolist() == [50, 84, 16, 98, 99, 1]


def test_sem_and_critical_value() -> None:
    # √(1 − .75) = .5 ; √(1 − .91) = .3 ; z_.95 = 1.6449 for a 90 % band, z_.975 = 1.96 for 95 %
    assert norming.sem_z(a(0.75, 0.91)) == pytest.approx([0.5, 0.3])
    assert norming.critical_z(0.90) == pytest.approx(1.6449, abs=1e-4)
    assert norming.critical_z(0.95) == pytest.approx(1.9600, abs=1e-4)


def test_confidence_band_in_stens() -> None:
    # z = 0.4, SEM .5: half-width 1.6449·.5 = .8224 → z from −.4224 to 1.2224
    # stens 5.5 − .845 = 4.655 → 5 and 5.5 + 2.445 = 7.945 → 8
    low, high = norming.confidence_stens(a(0.4), a(0.5), 0.90)
    assert (low.tolist(), high.tolist()) == ([5], [8])
    # z = 2.5: upper 5.5 + 2·3.3224 = 12.14 → clamped 10
    low, high = norming.confidence_stens(a(2.5), a(0.5), 0.90)
    assert (low.tolist(), high.tolist()) == ([9], [10])


def test_band_index_follows_cut_points() -> None:
    # cuts 2,4,6,8: sten ≤ 2 risk(0), ≤ 4 small risk(1), ≤ 6 medium(2), ≤ 8 small strength(3)
    stens = a(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, math.nan)
    assert band_index(stens, CUTS).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, NO_BAND]
    # Other cuts from an instrument file: 3, 4, 7, 8
    assert band_index(a(3, 4, 5, 7, 8, 9), [3, 4, 7, 8]).tolist() == [0, 1, 2, 2, 3, 4]


def test_borderline_when_the_neighbouring_band_has_a_one_in_three_chance() -> None:
    # Boundaries at 2.5, 4.5, 6.5, 8.5 on the unrounded sten scale.
    # r = .91: SEM_z = .3, in stens 2·.3 = .6; Φ⁻¹(1/3) = −.4307, so the reach is .2584 sten.
    # 6.3 is .2 from 6.5 (P = Φ(−.333) = .37) → borderline; 5.5 is 1.0 from both → not;
    # 6.2 is .3 from 6.5 (P = Φ(−.5) = .31) → not; 8.75 is .25 from 8.5 → borderline; NaN → never.
    unrounded = a(6.3, 5.5, 6.2, 8.75, math.nan)
    flags = borderline(unrounded, norming.sem_z(a(0.91)), CUTS, 1 / 3)
    assert flags.tolist() == [True, False, False, True, False]
    # A lower threshold widens the zone: at p = .25 the reach is .6745·.6 = .4047 sten.
    assert borderline(a(6.2), norming.sem_z(a(0.91)), CUTS, 0.25).tolist() == [True]
