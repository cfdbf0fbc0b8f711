"""The validity part of a norm table, from the norm group's answers: Likert item means, SDs
and correlations (for the Mahalanobis distance and the person-total correlation), the
psychometric synonyms and antonyms, and the impression-management score's distribution."""

from __future__ import annotations

import numpy as np

from app.instrument.model import DistributionNorm, ValidityNorms
from app.scoring import careless
from app.scoring.plan import NA_CODE, FloatArray, ScoringPlan

PAIR_MIN_R = 0.30
"""Synonyms and antonyms are item pairs the norm group answers with |r| at least this.
Meade & Craig (2012) used .60 on a 300-item inventory; five statements per competency on a
five-point scale rarely correlate that highly, so the bar is lower and the pairs fewer."""
MAX_PAIRS = 30
DECIMALS = 4
SHRINK_STEP = 0.01
"""Pairwise correlations can form a matrix that cannot be inverted; it is then pulled toward
the identity in steps of this until it can."""


def distribution(values: FloatArray, *, percentiles: bool) -> DistributionNorm:
    """Mean, SD (n − 1) and, when asked, the 1st..99th percentiles of the finite values."""
    x = values[~np.isnan(values)]
    row = None
    if percentiles:
        row = tuple(round(float(v), DECIMALS) for v in np.percentile(x, np.arange(1, 100)))
    return DistributionNorm(
        mean=round(float(np.mean(x)), DECIMALS) + 0.0,
        sd=round(float(np.std(x, ddof=1)), DECIMALS),
        percentiles=row,
    )


def _correlations(x: FloatArray) -> FloatArray:
    """Pairwise-complete Pearson correlations (a "does not apply" answer is missing)."""
    ok = ~np.isnan(x)
    k = x.shape[1]
    r = np.eye(k)
    for i in range(k):
        both = ok[:, i : i + 1] & ok[:, i + 1 :]
        a = np.where(both, x[:, i : i + 1], np.nan)
        b = np.where(both, x[:, i + 1 :], np.nan)
        a = a - np.nanmean(a, axis=0)
        b = b - np.nanmean(b, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            row = np.nansum(a * b, axis=0) / np.sqrt(
                np.nansum(a * a, axis=0) * np.nansum(b * b, axis=0)
            )
        r[i, i + 1 :] = r[i + 1 :, i] = np.nan_to_num(row)
    shrink = 0.0
    while np.linalg.eigvalsh(r).min() <= 1e-6 and shrink < 1.0:
        shrink += SHRINK_STEP
        r = (1.0 - SHRINK_STEP) * r + SHRINK_STEP * np.eye(k)
    return r


def _pairs(r: FloatArray, ids: list[str], *, sign: float) -> list[tuple[str, str]]:
    """The most alike (sign +1) or most opposite (−1) item pairs, each item in one pair."""
    k = len(ids)
    rows, cols = np.triu_indices(k, 1)
    strength = sign * r[rows, cols]
    order = np.argsort(-strength, kind="stable")
    used: set[int] = set()
    pairs: list[tuple[str, str]] = []
    for p in order:
        if strength[p] < PAIR_MIN_R or len(pairs) == MAX_PAIRS:
            break
        a, b = int(rows[p]), int(cols[p])
        if a in used or b in used:
            continue
        used |= {a, b}
        pairs.append((ids[a], ids[b]))
    return pairs


def validity_norms(plan: ScoringPlan, codes: FloatArray, *, percentiles: bool) -> ValidityNorms:
    """The validity norms of the answer sets `codes` (the engine's codes, instrument order)."""
    clean = np.where(codes == NA_CODE, np.nan, codes)
    columns = plan.likert_columns
    x = clean[:, columns]
    ids = [plan.item_ids[k] for k in columns]
    r = _correlations(x)
    impression = careless.impression_score(plan, clean)
    return ValidityNorms(
        items=ids,
        mean=tuple(round(float(v), DECIMALS) for v in np.nanmean(x, axis=0)),
        sd=tuple(round(float(v), DECIMALS) for v in np.nanstd(x, axis=0, ddof=1)),
        correlation=[tuple(round(float(v), 3) for v in r[i, :i]) for i in range(1, len(ids))],
        synonyms=_pairs(r, ids, sign=1.0),
        antonyms=_pairs(r, ids, sign=-1.0),
        pair_min_r=PAIR_MIN_R,
        impression=distribution(impression, percentiles=percentiles)
        if (~np.isnan(impression)).sum() > 1
        else None,
    )
