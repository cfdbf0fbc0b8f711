"""Careless-responding indices: one number per answer set (row), NaN when too little to judge.

Every function takes whole matrices (rows are answer sets) so that one answer set and the
100,000 of a simulation share the same arithmetic. `codes` are answer codes with "does not
apply" already turned into NaN; `scores` are item scores (reverse keys applied, SJT rescaled).
docs/methodology.md §6 defines each index and cites its source.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.scoring.norming import FloatArray, PercentileCurves, empirical_percentile, ratio
from app.scoring.plan import IndexArray, ScoringPlan
from app.scoring.validity_reference import ValidityReference

MIN_ITEMS = 20
"""Likert items answered before an item-level index (person-total, Mahalanobis) is judged."""
MIN_PAIRS = 8
"""Answered synonym or antonym pairs before their correlation is judged."""
MIN_HALVES = 10
"""Competencies with both halves answered before even-odd consistency is judged."""


def row_correlation(a: FloatArray, b: FloatArray) -> tuple[FloatArray, NDArray[np.int64]]:
    """Pearson r along the last axis between `a` and `b` over the positions where both are
    present, and how many positions that was; NaN where either side does not vary."""
    ok = ~np.isnan(a + b)
    count = ok.sum(axis=-1)
    a = np.where(ok, a, 0.0)
    b = np.where(ok, b, 0.0)
    da = np.where(ok, a - ratio(a.sum(axis=-1), count)[..., None], 0.0)
    db = np.where(ok, b - ratio(b.sum(axis=-1), count)[..., None], 0.0)
    spread = (da * da).sum(axis=-1) * (db * db).sum(axis=-1)
    r = ratio((da * db).sum(axis=-1), np.sqrt(np.where(spread > 1e-24, spread, 0.0)))
    return r, count.astype(np.int64)


Vectors = tuple[FloatArray, FloatArray]


def correlate(vectors: list[Vectors]) -> list[tuple[FloatArray, NDArray[np.int64]]]:
    """`row_correlation` of several pairs of row vectors at once: padded with NaN to one width,
    one pass does them all (for one answer set the passes, not the arithmetic, cost time)."""
    n = vectors[0][0].shape[0]
    width = max(a.shape[1] for a, _ in vectors)
    stacked = np.full((2, n, len(vectors), width), np.nan)
    for g, (a, b) in enumerate(vectors):
        stacked[0, :, g, : a.shape[1]] = a
        stacked[1, :, g, : b.shape[1]] = b
    r, count = row_correlation(stacked[0], stacked[1])
    return [(r[:, g], count[:, g]) for g in range(len(vectors))]


def even_odd_vectors(plan: ScoringPlan, scores: FloatArray) -> Vectors:
    """Per competency the mean of its 1st, 3rd, 5th ... and of its 2nd, 4th ... statements."""
    answered = ~np.isnan(scores)
    both = plan.halves_matrix  # items × (competencies of the first half, then of the second)
    means = ratio(np.where(answered, scores, 0.0) @ both, answered.astype(np.float64) @ both)
    half = both.shape[1] // 2
    return means[:, :half], means[:, half:]


def even_odd_from(r: FloatArray, competencies: NDArray[np.int64]) -> FloatArray:
    """The half-scale correlation stepped up with Spearman-Brown, 2r/(1 + r) (at least −1)."""
    stepped = np.where(r <= -1.0 / 3.0, -1.0, ratio(2.0 * r, 1.0 + r))
    return np.where(competencies >= MIN_HALVES, stepped, np.nan)


def even_odd(plan: ScoringPlan, scores: FloatArray) -> FloatArray:
    """Even-odd consistency (Johnson 2005; Meade & Craig 2012).

    Each competency's statements are split into the 1st, 3rd, 5th ... and the 2nd, 4th ...
    (in the order shown); the two half-scale means are correlated across competencies, and
    the correlation is stepped up with the Spearman-Brown formula. Careless answers make the
    halves disagree.
    """
    return even_odd_from(*correlate([even_odd_vectors(plan, scores)])[0])


def person_total_vectors(reference: ValidityReference, scores: FloatArray) -> Vectors:
    keyed = scores[:, reference.columns]
    return keyed, np.asarray(np.broadcast_to(reference.keyed_mean, keyed.shape), np.float64)


def at_least(r: FloatArray, count: NDArray[np.int64], minimum: int) -> FloatArray:
    return np.where(count >= minimum, r, np.nan)


def person_total(reference: ValidityReference, scores: FloatArray) -> FloatArray:
    """Person-total correlation (Donlon & Fischer 1968; Curran 2016): the answer set's item
    scores against the norm group's item means. Attentive answerers agree more with the
    statements most people agree with; random answers follow no such pattern."""
    return at_least(*correlate([person_total_vectors(reference, scores)])[0], MIN_ITEMS)


def pair_vectors(codes: FloatArray, pairs: IndexArray) -> Vectors:
    return codes[:, pairs[:, 0]], codes[:, pairs[:, 1]]


def pair_correlation(codes: FloatArray, pairs: IndexArray) -> FloatArray:
    """Psychometric synonyms or antonyms (Meade & Craig 2012): the correlation, across the
    item pairs the norm group answers most alike (or most oppositely), between the first and
    the second item's raw answers. Attentive answers give a clearly positive (or negative)
    correlation; careless ones hover around 0."""
    if not len(pairs):
        return np.full(codes.shape[0], np.nan)
    return at_least(*correlate([pair_vectors(codes, pairs)])[0], MIN_PAIRS)


def correlation_indices(
    plan: ScoringPlan,
    reference: ValidityReference | None,
    codes: FloatArray,
    scores: FloatArray,
    wanted: set[str],
) -> dict[str, FloatArray]:
    """The correlation-based indices named in `wanted` (even_odd, person_total, synonyms,
    antonyms) in one pass; those needing validity norms only when `reference` is given."""
    parts: list[tuple[str, Vectors, int]] = []
    if "even_odd" in wanted:
        parts.append(("even_odd", even_odd_vectors(plan, scores), MIN_HALVES))
    if reference is not None:
        if "person_total" in wanted:
            parts.append(("person_total", person_total_vectors(reference, scores), MIN_ITEMS))
        for name, pairs in (("synonyms", reference.synonyms), ("antonyms", reference.antonyms)):
            if name in wanted and len(pairs):
                parts.append((name, pair_vectors(codes, pairs), MIN_PAIRS))
    if not parts:
        return {}
    results = correlate([vectors for _, vectors, _ in parts])
    out = {}
    for (name, _, minimum), (r, count) in zip(parts, results, strict=True):
        out[name] = even_odd_from(r, count) if name == "even_odd" else at_least(r, count, minimum)
    return out


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
    """z of a χ² value with `df` degrees of freedom: ((χ²/df)^⅓ − (1 − 2/(9df))) / √(2/(9df));
    NaN for df < 1."""
    k = np.maximum(np.asarray(df, dtype=np.float64), 1.0)
    v = 2.0 / (9.0 * k)
    z = (np.cbrt(chi2 / k) - (1.0 - v)) / np.sqrt(v)
    return np.where(np.asarray(df) >= 1, z, np.nan)


def fast_pages(
    plan: ScoringPlan, seconds: FloatArray, limit: float, page_matrix: FloatArray | None = None
) -> FloatArray:
    """How many pages were answered faster than `limit` seconds per item (Huang et al. 2012:
    under 2 s per item a statement cannot have been read); NaN when no page was timed. A
    page's time per item is the time of its timed items over their number. The pages are
    `page_matrix` (items × pages, plan.page_matrix_of) when given: the pages as the rep saw
    them; otherwise the instrument's standard pages."""
    matrix = plan.page_matrix if page_matrix is None else page_matrix
    timed_items = ~np.isnan(seconds)
    timed = timed_items.astype(np.float64) @ matrix
    total = np.where(timed_items, seconds, 0.0) @ matrix
    fast = (ratio(total, timed) < limit).sum(axis=1)  # an untimed page is NaN: not fast
    return np.where((timed > 0).any(axis=1), fast.astype(np.float64), np.nan)


def longest_runs(codes: FloatArray, columns: IndexArray) -> tuple[FloatArray, FloatArray]:
    """Per row the longest run of identical answers over `columns` (in that order) and the
    position it starts at; a gap (NaN) breaks a run."""
    x = codes[:, columns]
    n, k = x.shape
    if k == 0:
        return np.zeros(n), np.zeros(n)
    present = ~np.isnan(x)
    # same[:, j]: answer j repeats answer j − 1 (NaN never equals anything).
    same = np.zeros((n, k), dtype=np.int64)
    same[:, 1:] = x[:, 1:] == x[:, :-1]
    total = np.cumsum(same, axis=1)
    # The repeats counted since the last break; a run is that plus its first answer.
    since = total - np.maximum.accumulate(np.where(same == 0, total, 0), axis=1)
    run = np.where(present, since + 1, 0)
    end = np.argmax(run, axis=1)
    best = run[np.arange(n), end].astype(np.float64)
    return best, np.maximum(end - best + 1, 0.0)


def favourable_share(plan: ScoringPlan, scores: FloatArray) -> FloatArray:
    """Share of the answered statements whose item score is at the favourable end (the two
    top points after reverse keying): nearly all of them is rare among honest answerers and
    typical of faking good (Landers, Sackett & Tuzinski 2011 on extreme faking)."""
    keyed = scores[:, plan.likert_columns]
    answered = (~np.isnan(keyed)).sum(axis=1)
    top = (keyed >= plan.points - 1).sum(axis=1)  # NaN compares False
    return np.where(answered >= MIN_ITEMS, ratio(top, answered), np.nan)


def impression_score(plan: ScoringPlan, codes: FloatArray) -> FloatArray:
    """The sum of the impression items' keyed scores (a − keyed item's answer flipped),
    prorated over the items answered; NaN when fewer than half are answered."""
    x = codes[:, plan.impression_columns]
    keyed = np.where(plan.impression_reversed, plan.points + 1 - x, x)
    answered = (~np.isnan(keyed)).sum(axis=1)
    k = len(plan.impression_columns)
    total = ratio(np.where(np.isnan(keyed), 0.0, keyed).sum(axis=1) * k, answered)
    return np.where((k > 0) & (2 * answered >= k), total, np.nan)


def impression_percentile(
    score: FloatArray, mean: float, sd: float, curve: PercentileCurves | None
) -> FloatArray:
    """Where an impression score lies in the norm group (percentile 1..99)."""
    return empirical_percentile((score - mean) / sd, curve)
