"""The five bands (risk … strength): which band a sten falls in, and when that is borderline."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

from app.instrument.model import BandKey
from app.instrument.process import BAND_KEYS

BANDS: tuple[BandKey, ...] = BAND_KEYS
NO_BAND = -1
"""Band index of an insufficient score (a NaN sten)."""


def band_index(stens: NDArray[np.float64], cuts: Sequence[float]) -> NDArray[np.int64]:
    """0..4 per sten: a sten at or below cut k falls in band k; NaN → NO_BAND.

    The index is the number of cut points strictly below the sten, which is exactly the
    rule "sten ≤ cut_k → band k" for increasing cuts.
    """
    stens = np.asarray(stens, dtype=np.float64)
    index = np.searchsorted(np.asarray(cuts, dtype=np.float64), stens, side="left")
    return np.where(np.isnan(stens), NO_BAND, index).astype(np.int64)


def borderline(
    sten_unrounded: NDArray[np.float64],
    sem_z: NDArray[np.float64],
    cuts: Sequence[float],
    probability: float,
) -> NDArray[np.bool_]:
    """True where the true score lies across the nearest band boundary with at least
    `probability` (normal error model: P = Φ(−distance / SEM)).

    A sten at or below cut c is in the lower band, so on the unrounded scale the boundary
    lies at c + 0.5 (6.49 rounds to 6, 6.5 to 7). One SEM in sten units is 2·SEM_z because
    the sten scale has an SD of 2. NaN (insufficient) is never borderline.
    """
    boundaries = np.asarray(cuts, dtype=np.float64) + 0.5
    x = np.asarray(sten_unrounded, dtype=np.float64)
    distance = np.abs(x[..., None] - boundaries).min(axis=-1)
    # Φ(−d/SEM) ≥ p  ⇔  d ≤ −Φ⁻¹(p)·SEM
    reach = -float(NormalDist().inv_cdf(probability)) * 2.0 * np.asarray(sem_z)
    return np.asarray(distance <= reach, dtype=np.bool_)  # NaN compares False, quietly
