"""Norm-referenced score conversions: z, sten, percentile and confidence bands.

Every function works element-wise on numpy arrays (and on plain floats), so that scoring one
answer set and scoring a batch of 100,000 share exactly the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

FloatArray = NDArray[np.float64]
Percentiles = tuple[FloatArray, FloatArray] | None
"""An empirical percentile curve in z units: distinct z values and their percentile ranks
(app.scoring.validity_reference.percentile_curve); None: the normal curve."""
_CURVE_SPACING = 1000.0
"""Curves are laid end to end this far apart in z, so that one np.interp serves them all."""


@dataclass(frozen=True, eq=False)
class PercentileCurves:
    """The empirical percentile curves of some columns, joined for one interpolation."""

    columns: NDArray[np.intp]
    low: FloatArray  # per column: the lowest and highest z its curve knows
    high: FloatArray
    offset: FloatArray
    x: FloatArray  # every curve's z values, each shifted by its offset
    y: FloatArray  # their percentile ranks


def join_curves(curves: Sequence[Percentiles]) -> PercentileCurves | None:
    """The curves of the columns that have one (None where none has)."""
    present = [(j, c) for j, c in enumerate(curves) if c is not None]
    if not present:
        return None
    offset = np.arange(len(present), dtype=np.float64) * _CURVE_SPACING
    return PercentileCurves(
        columns=np.asarray([j for j, _ in present], dtype=np.intp),
        low=np.asarray([c[0][0] for _, c in present]),
        high=np.asarray([c[0][-1] for _, c in present]),
        offset=offset,
        x=np.concatenate([c[0] + o for (_, c), o in zip(present, offset, strict=True)]),
        y=np.concatenate([c[1] for _, c in present]),
    )


STEN_MIN = 1.0
STEN_MAX = 10.0
PERCENTILE_MIN = 1.0
PERCENTILE_MAX = 99.0
# Scores are taken to this many decimals before rounding, so that floating-point noise
# (6.4999999999 for an exact 6.5) can never move a score across a half.
_DECIMALS = 9


def round_half_away(x: FloatArray) -> FloatArray:
    """Round to the nearest whole number, halves away from zero (6.5 → 7, −0.5 → −1).

    Python's and numpy's own `round` send halves to the even neighbour (6.5 → 6), which
    would make equal distances from a cut point round differently; testers expect 6.5 → 7.
    """
    y = np.asarray(np.round(np.asarray(x, dtype=np.float64), _DECIMALS), dtype=np.float64)
    return np.asarray(np.sign(y) * np.floor(np.abs(y) + 0.5), dtype=np.float64)


def _clamp(x: FloatArray, low: float | FloatArray, high: float | FloatArray) -> FloatArray:
    """np.clip without its Python-level overhead (it dominates on one answer set); NaN stays."""
    return np.minimum(np.maximum(x, low), high)


def ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """numerator / denominator, NaN where the denominator is not above 0, without a warning
    (numpy's errstate would cost more than the arithmetic on one answer set)."""
    d = np.asarray(denominator, dtype=np.float64)
    usable = d > 0  # NaN compares False
    return np.where(usable, np.asarray(numerator) / np.where(usable, d, 1.0), np.nan)


def z_score(raw: FloatArray, mean: FloatArray, sd: FloatArray) -> FloatArray:
    """Standard score of `raw` against a norm group's mean and standard deviation."""
    return np.asarray((raw - mean) / sd, dtype=np.float64)


def sten_unrounded(z: FloatArray) -> FloatArray:
    """The sten scale (mean 5.5, SD 2) before rounding and clamping."""
    return np.asarray(5.5 + 2.0 * z, dtype=np.float64)


def sten(z: FloatArray) -> FloatArray:
    """sten = clamp(round(5.5 + 2z), 1, 10), halves away from zero; NaN stays NaN."""
    return _clamp(round_half_away(sten_unrounded(z)), STEN_MIN, STEN_MAX)


def percentile(z: FloatArray, curves: PercentileCurves | None = None) -> FloatArray:
    """Percentage of the norm group scoring lower, rounded and clamped to 1..99.

    From the norm group's own percentiles for the columns (last axis) `curves` covers,
    interpolated linearly between them and held at their ends; otherwise from the normal
    curve, 100·Φ(z). 1 and 99 are the limits because a norm group of a few thousand cannot
    tell the 0.1st from the 0.4th percentile; reporting 0 or 100 would claim more than it
    knows.
    """
    p = 100.0 * np.asarray(ndtr(z), dtype=np.float64)
    if curves is not None:
        held = _clamp(z[..., curves.columns], curves.low, curves.high) + curves.offset
        p[..., curves.columns] = np.interp(held, curves.x, curves.y)  # NaN stays NaN
    return _clamp(round_half_away(p), PERCENTILE_MIN, PERCENTILE_MAX)


def empirical_percentile(z: FloatArray, curves: PercentileCurves | None) -> FloatArray:
    """`percentile` of one scale (any shape) with its own joined curve (None: normal)."""
    flat = np.asarray(z, dtype=np.float64).reshape(-1, 1)
    return percentile(flat, curves).reshape(np.shape(z))


def sem_z(reliability: FloatArray) -> FloatArray:
    """Standard error of measurement in z units: SD·√(1 − r) with SD = 1."""
    return np.asarray(np.sqrt(1.0 - np.asarray(reliability, dtype=np.float64)), dtype=np.float64)


def critical_z(confidence: float) -> float:
    """Two-sided critical value: 1.645 for a 90 % band."""
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def confidence_stens(
    z: FloatArray, sem: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper sten of the band z ± z_crit·SEM (rounded, clamped to 1..10)."""
    half = critical_z(confidence) * sem
    return sten(z - half), sten(z + half)
