"""Careless-responding indices: one number per answer set (row), NaN when too little to judge.

Every function takes whole matrices (rows are answer sets) so that one answer set and the
100,000 of a simulation share the same arithmetic. `codes` are answer codes with "does not
apply" already turned into NaN; `scores` are item scores (reverse keys applied, SJT rescaled).
docs/methodology.md §6 defines each index and cites its source.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from app.scoring.norming import FloatArray, Percentiles, empirical_percentile
from app.scoring.plan import IndexArray, ScoringPlan
from app.scoring.validity_reference import ValidityReference

MIN_ITEMS = 20
"""Likert items answered before an item-level index (person-total, Mahalanobis) is judged."""
MIN_PAIRS = 8
"""Answered synonym or antonym pairs before their correlation is judged."""
MIN_HALVES = 10
"""Competencies with both halves answered before even-odd consistency is judged."""


def row_correlation(a: FloatArray, b: FloatArray) -> tuple[FloatArray, NDArray[np.int64]]:
    """Pearson r per row between `a` and `b` over the columns where both are present, and how
    many columns that was; NaN where either side does not vary."""
    ok = ~np.isnan(a) & ~np.isnan(b)
    count = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a = np.where(ok, a, 0.0).sum(axis=1) / count
        mean_b = np.where(ok, b, 0.0).sum(axis=1) / count
        da = np.where(ok, a - mean_a[:, None], 0.0)
        db = np.where(ok, b - mean_b[:, None], 0.0)
        va, vb = (da * da).sum(axis=1), (db * db).sum(axis=1)
        r = (da * db).sum(axis=1) / np.sqrt(va * vb)
    r = np.where((va > 1e-12) & (vb > 1e-12), r, np.nan)
    return np.asarray(r, dtype=np.float64), count.astype(np.int64)


def even_odd(plan: ScoringPlan, scores: FloatArray) -> FloatArray:
    """Even-odd consistency (Johnson 2005; Meade & Craig 2012).

    Each competency's statements are split into the 1st, 3rd, 5th ... and the 2nd, 4th ...
    (in the order shown); the two half-scale means are correlated across competencies, and
    the correlation is stepped up with the Spearman-Brown formula 2r/(1 + r) (at least −1).
    Careless answers make the halves disagree.
    """
    n = scores.shape[0]
    odd = np.full((n, len(plan.halves)), np.nan)
    even = np.full((n, len(plan.halves)), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a half with no answer: NaN, expected
        for c, (first, second) in enumerate(plan.halves):
            if len(first) and len(second):
                odd[:, c] = np.nanmean(scores[:, first], axis=1)
                even[:, c] = np.nanmean(scores[:, second], axis=1)
    r, count = row_correlation(odd, even)
    with np.errstate(invalid="ignore", divide="ignore"):
        stepped = np.where(r > -1.0 / 3.0, 2.0 * r / (1.0 + r), -1.0)
    return np.where((count >= MIN_HALVES) & ~np.isnan(r), stepped, np.nan)


def person_total(reference: ValidityReference, scores: FloatArray) -> FloatArray:
    """Person-total correlation (Donlon & Fischer 1968; Curran 2016): the answer set's item
    scores against the norm group's item means. Attentive answerers agree more with the
    statements most people agree with; random answers follow no such pattern."""
    keyed = scores[:, reference.columns]
    means = np.broadcast_to(reference.keyed_mean, keyed.shape)
    r, count = row_correlation(keyed, np.asarray(means, dtype=np.float64))
    return np.where(count >= MIN_ITEMS, r, np.nan)


def mahalanobis(reference: ValidityReference, codes: FloatArray) -> FloatArray:
    """Mahalanobis distance of the raw answers from the norm group's (Meade & Craig 2012),
    D² = (x − μ)ᵀ Σ⁻¹ (x − μ) over the answered items, expressed as a z value for the number
    of items answered k (Wilson & Hilferty's normal approximation to χ²ₖ), so that answer sets
    with and without gaps are judged alike."""
    x = codes[:, reference.columns] - reference.mean
    answered = ~np.isnan(x)
    d2 = np.full(x.shape[0], np.nan)
    complete = answered.all(axis=1)
    if complete.any():
        xc = x[complete]
        d2[complete] = np.einsum("ij,jk,ik->i", xc, reference.inverse, xc)
    partial = np.flatnonzero(~complete)
    if partial.size:
        patterns, which = np.unique(answered[partial], axis=0, return_inverse=True)
        for p, pattern in enumerate(patterns):
            if pattern.sum() < MIN_ITEMS:
                continue
            rows = partial[which.reshape(-1) == p]
            sub = np.linalg.inv(reference.covariance[np.ix_(pattern, pattern)])
            xp = x[np.ix_(rows, pattern)]
            d2[rows] = np.einsum("ij,jk,ik->i", xp, sub, xp)
    k = answered.sum(axis=1).astype(np.float64)
    return np.where(k >= MIN_ITEMS, wilson_hilferty(d2, k), np.nan)


def wilson_hilferty(chi2: FloatArray, df: FloatArray) -> FloatArray:
    """z of a χ² value with `df` degrees of freedom: ((χ²/df)^⅓ − (1 − 2/(9df))) / √(2/(9df))."""
    with np.errstate(invalid="ignore", divide="ignore"):
        v = 2.0 / (9.0 * df)
        return np.asarray((np.cbrt(chi2 / df) - (1.0 - v)) / np.sqrt(v), dtype=np.float64)


def pair_correlation(codes: FloatArray, pairs: IndexArray) -> FloatArray:
    """Psychometric synonyms or antonyms (Meade & Craig 2012): the correlation, across the
    item pairs the norm group answers most alike (or most oppositely), between the first and
    the second item's raw answers. Attentive answers give a clearly positive (or negative)
    correlation; careless ones hover around 0."""
    if not len(pairs):
        return np.full(codes.shape[0], np.nan)
    r, count = row_correlation(codes[:, pairs[:, 0]], codes[:, pairs[:, 1]])
    return np.where(count >= MIN_PAIRS, r, np.nan)


def fast_pages(plan: ScoringPlan, seconds: FloatArray, limit: float) -> FloatArray:
    """How many pages were answered faster than `limit` seconds per item (Huang et al. 2012:
    under 2 s per item a statement cannot have been read); NaN when no page was timed. A
    page's time per item is the time of its timed items over their number."""
    n = seconds.shape[0]
    fast = np.zeros(n)
    timed_any = np.zeros(n, dtype=np.bool_)
    for columns in plan.page_columns:
        page = seconds[:, columns]
        timed = (~np.isnan(page)).sum(axis=1)
        total = np.nansum(page, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_item = total / timed
        fast += (timed > 0) & (per_item < limit)
        timed_any |= timed > 0
    return np.where(timed_any, fast, np.nan)


def longest_runs(codes: FloatArray, columns: IndexArray) -> tuple[FloatArray, FloatArray]:
    """Per row the longest run of identical answers over `columns` (in that order) and the
    position it starts at; a gap (NaN) breaks a run."""
    x = codes[:, columns]
    n = x.shape[0]
    run, start = np.zeros(n), np.zeros(n)
    best, best_start = np.zeros(n), np.zeros(n)
    previous = np.full(n, np.nan)
    for j in range(x.shape[1]):
        value = x[:, j]
        missing = np.isnan(value)
        same = ~missing & (value == previous)
        run = np.where(same, run + 1.0, np.where(missing, 0.0, 1.0))
        start = np.where(same, start, np.where(missing, j + 1.0, float(j)))
        better = run > best
        best = np.where(better, run, best)
        best_start = np.where(better, start, best_start)
        previous = value
    return best, best_start


def favourable_share(plan: ScoringPlan, scores: FloatArray) -> FloatArray:
    """Share of the answered statements whose item score is at the favourable end (the two
    top points after reverse keying): nearly all of them is rare among honest answerers and
    typical of faking good (Landers, Sackett & Tuzinski 2011 on extreme faking)."""
    keyed = scores[:, plan.likert_columns]
    answered = (~np.isnan(keyed)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        top = (keyed >= plan.points - 1).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = top / answered
    return np.where(answered >= MIN_ITEMS, share, np.nan)


def impression_score(plan: ScoringPlan, codes: FloatArray) -> FloatArray:
    """The sum of the impression items' keyed scores (a − keyed item's answer flipped),
    prorated over the items answered; NaN when fewer than half are answered."""
    x = codes[:, plan.impression_columns]
    keyed = np.where(plan.impression_reversed, plan.points + 1 - x, x)
    answered = (~np.isnan(keyed)).sum(axis=1)
    k = len(plan.impression_columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.nansum(keyed, axis=1) * k / answered
    return np.where((k > 0) & (2 * answered >= k), total, np.nan)


def impression_percentile(
    score: FloatArray, mean: float, sd: float, curve: Percentiles
) -> FloatArray:
    """Where an impression score lies in the norm group (percentile 1..99)."""
    return empirical_percentile((score - mean) / sd, curve)
