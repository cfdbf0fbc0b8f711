"""A norm table's validity norms and percentile rows, compiled for the scoring arithmetic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.errors import UserError
from app.instrument.model import PERCENTILE_POINTS, DistributionNorm, ValidityNorms
from app.scoring.norming import FloatArray, PercentileCurves, Percentiles, join_curves

IndexArray = NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class ValidityReference:
    """A norm table's validity norms aligned with a plan's columns (docs/methodology.md §6)."""

    columns: IndexArray  # the Likert items normed, as plan columns
    mean: FloatArray  # raw answers
    covariance: FloatArray
    inverse: FloatArray  # of the covariance, for answer sets with every item answered
    keyed_mean: FloatArray  # item means after reverse keying (person-total correlation)
    synonyms: IndexArray  # pairs × 2 plan columns
    antonyms: IndexArray
    impression_mean: float | None
    impression_sd: float | None
    impression_percentiles: PercentileCurves | None


def percentile_curve(norm: DistributionNorm) -> Percentiles:
    """A norm's percentile row in z units, as distinct values and their percentile ranks.

    Tied values (a raw score many people share) get the mean of the percentiles they span,
    the mid-rank, so that nobody is placed at the top or the bottom of a tie by accident.
    """
    if norm.percentiles is None:
        return None
    z = (np.asarray(norm.percentiles, dtype=np.float64) - norm.mean) / norm.sd
    z = np.round(z, 9)
    values, inverse = np.unique(z, return_inverse=True)
    ranks = np.arange(1.0, PERCENTILE_POINTS + 1.0)
    mid = np.bincount(inverse, weights=ranks) / np.bincount(inverse)
    return values, mid


def validity_reference(
    column: Mapping[str, int], reversed_columns: IndexArray, points: int, norms: ValidityNorms
) -> ValidityReference:
    """The validity norms aligned with a scoring plan's columns."""
    columns = np.asarray([column[i] for i in norms.items], dtype=np.intp)
    k = len(columns)
    r = np.eye(k)
    for row, values in enumerate(norms.correlation, start=1):
        r[row, :row] = values
        r[:row, row] = values
    sd = np.asarray(norms.sd, dtype=np.float64)
    covariance = r * np.outer(sd, sd)
    try:
        inverse = np.asarray(np.linalg.inv(covariance), dtype=np.float64)
    except np.linalg.LinAlgError:
        raise UserError("validity norms: the item correlations cannot be inverted") from None
    if np.any(np.linalg.eigvalsh(r) <= 0):
        raise UserError("validity norms: the item correlations are not positive definite")
    mean = np.asarray(norms.mean, dtype=np.float64)
    reversed_ = np.isin(columns, reversed_columns)
    keyed = np.where(reversed_, points + 1 - mean, mean)
    impression = norms.impression

    def pairs(items: list[tuple[str, str]]) -> IndexArray:
        return np.asarray([[column[a], column[b]] for a, b in items], dtype=np.intp)

    return ValidityReference(
        columns=columns,
        mean=mean,
        covariance=covariance,
        inverse=inverse,
        keyed_mean=keyed,
        synonyms=pairs(norms.synonyms).reshape(-1, 2),
        antonyms=pairs(norms.antonyms).reshape(-1, 2),
        impression_mean=None if impression is None else impression.mean,
        impression_sd=None if impression is None else impression.sd,
        impression_percentiles=None
        if impression is None
        else join_curves([percentile_curve(impression)]),
    )
