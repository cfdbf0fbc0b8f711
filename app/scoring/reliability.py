"""Reliability of a scale from a response matrix: Cronbach's alpha, its CI, SEM, item-total r.

Every function takes an (n respondents × k items) matrix of item scores (reverse keys already
applied) in which NaN marks a missing answer. Missing answers are handled by listwise deletion:
a respondent who skipped any item of the scale is left out of that scale's analysis, so every
statistic is computed on one and the same set of complete rows (as R psych's
`alpha(use="complete.obs")` and pingouin's `nan_policy="listwise"` do).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import fdtri  # scipy.stats would add a second to every start-up

FloatArray = NDArray[np.float64]


class ReliabilityError(ValueError):
    """Too little data for the statistic (fewer than 2 complete rows or 2 items, no variance)."""


@dataclass(frozen=True)
class ItemStats:
    """One item of a scale: its mean, SD and corrected item-total correlation."""

    mean: float
    sd: float
    item_total_r: float | None
    """r of the item with the total of the *other* items; None when either has no variance."""


@dataclass(frozen=True)
class ScaleReliability:
    """Everything `stagefit analyze` reports for one scale, computed on the complete rows."""

    n: int
    """Complete rows used (after listwise deletion)."""
    k: int
    alpha: float
    alpha_ci95: tuple[float, float]
    sd: float
    """SD of the scale score, the mean of the k items (the competency raw score)."""
    sem: float
    """Standard error of measurement on the same scale as `sd`: SD·√(1 − α)."""
    items: tuple[ItemStats, ...]


def complete_rows(matrix: ArrayLike) -> FloatArray:
    """The rows without a missing value (listwise deletion), as a float matrix."""
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ReliabilityError(f"expected a respondents × items matrix, got {x.ndim} dimension(s)")
    return x[~np.isnan(x).any(axis=1)]


def cronbach_alpha(matrix: ArrayLike) -> float:
    """Cronbach's alpha = k/(k−1)·(1 − Σ item variances / variance of the total).

    Sample variances (n − 1 denominator), complete rows only. Raises ReliabilityError when
    fewer than 2 complete rows or 2 items remain, or the total score does not vary.
    """
    x = complete_rows(matrix)
    n, k = x.shape
    if k < 2:
        raise ReliabilityError("alpha needs at least 2 items")
    if n < 2:
        raise ReliabilityError(f"alpha needs at least 2 complete rows, found {n}")
    total_var = float(np.var(x.sum(axis=1), ddof=1))
    if total_var <= 0.0:
        raise ReliabilityError("alpha is undefined: the total score does not vary")
    item_var = float(np.var(x, axis=0, ddof=1).sum())
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def alpha_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1987) confidence interval for alpha from the F distribution.

    (1 − α̂)/(1 − α) follows F(n − 1, (n − 1)(k − 1)), so the bounds are
    1 − (1 − α̂)·F_{upper tail p} with p = (1 − level)/2 and 1 − p.
    """
    if n < 2 or k < 2:
        raise ReliabilityError("a confidence interval for alpha needs n ≥ 2 and k ≥ 2")
    tail = (1.0 - level) / 2.0
    df1, df2 = n - 1, (n - 1) * (k - 1)
    # The F quantile with upper-tail probability p is fdtri(df1, df2, 1 − p).
    lower = 1.0 - (1.0 - alpha) * float(fdtri(df1, df2, 1.0 - tail))
    upper = 1.0 - (1.0 - alpha) * float(fdtri(df1, df2, tail))
    return lower, upper


def sem(sd: float, reliability: float) -> float:
    """Standard error of measurement: SD·√(1 − r); r ≤ 0 gives SD itself (no true variance)."""
    return float(sd * np.sqrt(1.0 - min(max(reliability, 0.0), 1.0)))


def item_total_correlations(matrix: ArrayLike) -> list[float | None]:
    """Corrected item-total r: each item against the sum of the other items (complete rows).

    "Corrected" because the item is left out of the total it is compared with; otherwise an
    item would correlate with itself and every r would look better than it is.
    """
    x = complete_rows(matrix)
    n, k = x.shape
    if n < 2:
        raise ReliabilityError(f"item-total correlations need at least 2 complete rows, found {n}")
    total = x.sum(axis=1)
    out: list[float | None] = []
    for j in range(k):
        rest = total - x[:, j]
        out.append(_pearson(x[:, j], rest))
    return out


def analyse_scale(matrix: ArrayLike, level: float = 0.95) -> ScaleReliability:
    """Alpha, its CI, SEM of the mean score and per-item statistics on the complete rows."""
    x = complete_rows(matrix)
    n, k = x.shape
    alpha = cronbach_alpha(x)
    lo, hi = alpha_ci(alpha, n, k, level)
    sd = float(np.std(x.mean(axis=1), ddof=1))
    correlations = item_total_correlations(x)
    items = tuple(
        ItemStats(mean=float(x[:, j].mean()), sd=float(np.std(x[:, j], ddof=1)), item_total_r=r)
        for j, r in enumerate(correlations)
    )
    return ScaleReliability(
        n=n, k=k, alpha=alpha, alpha_ci95=(lo, hi), sd=sd, sem=sem(sd, alpha), items=items
    )


def composite_reliability(
    weights: ArrayLike, reliabilities: ArrayLike, correlations: ArrayLike
) -> float:
    """Mosier's (1943) reliability of a weighted sum of standardised components.

    r_C = 1 − Σ w_i²(1 − r_ii) / Σ_i Σ_j w_i w_j r_ij, with r_ij the components' correlation
    matrix (ones on the diagonal) and r_ii their reliabilities: the error variance of the
    composite is the weighted error variance of its parts, the rest is true variance.
    """
    w = np.asarray(weights, dtype=np.float64)
    r = np.asarray(reliabilities, dtype=np.float64)
    c = np.array(correlations, dtype=np.float64)
    if c.shape != (w.size, w.size) or r.shape != w.shape:
        raise ReliabilityError("weights, reliabilities and correlations do not match in size")
    np.fill_diagonal(c, 1.0)
    composite_var = float(w @ c @ w)
    if composite_var <= 0.0:
        raise ReliabilityError("the composite does not vary")
    return 1.0 - float(np.sum(w**2 * (1.0 - r))) / composite_var


def _pearson(a: FloatArray, b: FloatArray) -> float | None:
    a = a - a.mean()
    b = b - b.mean()
    denominator = float(np.sqrt((a @ a) * (b @ b)))
    if denominator == 0.0:
        return None
    return float(a @ b) / denominator
