"""The scoring arithmetic on a matrix of answer sets; `score` uses it for a single row.

One implementation of every formula: a single answer set is a 1-row matrix. The steps follow
docs/methodology.md: item scores → competency raw → z → sten/percentile/band/CI → stage
composite → stage z → sten/percentile/band/CI → rank → best fit → summary and phase fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.instrument.model import Instrument, NormTable
from app.scoring import norming
from app.scoring.answers import check_codes
from app.scoring.bands import band_index, borderline
from app.scoring.norming import FloatArray
from app.scoring.plan import NA_CODE, NormPlan, ScoringPlan, norms_for, plan_for

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

COVERAGE_NEEDED = 2.0 / 3.0
"""Share of a stage's weight its scored competencies must carry for a stage score."""
CHUNK_ROWS = 8192
"""Rows scored at a time in a batch, so memory stays small for any batch size."""


@dataclass(frozen=True, eq=False)
class ScoreArrays:
    """Scores of n answer sets: rows are answer sets; columns competencies or stages.

    NaN marks an insufficient score (and NO_BAND = −1 its band); ranks put insufficient
    stages last.
    """

    competency_answered: IntArray
    competency_raw: FloatArray
    competency_z: FloatArray
    competency_sten: FloatArray
    competency_percentile: FloatArray
    competency_band: IntArray
    competency_ci_low: FloatArray
    competency_ci_high: FloatArray
    competency_borderline: BoolArray
    stage_z: FloatArray
    stage_sten: FloatArray
    stage_percentile: FloatArray
    stage_band: IntArray
    stage_ci_low: FloatArray
    stage_ci_high: FloatArray
    stage_borderline: BoolArray
    stage_rank: IntArray
    stage_top: IntArray  # n: the highest stage's column, −1 when no stage is scored
    best_fit_clear: BoolArray  # n: the highest stage leads the next by more than the margin
    summary_percentile: FloatArray  # n: the highest stage z, normed (NaN: no summary norms)
    phase_sten: FloatArray  # n × 2: pre_sale, post_sale


def item_scores(plan: ScoringPlan, codes: FloatArray) -> FloatArray:
    """Answer codes → item scores: reverse keys flipped, SJT options rescaled to 1..points."""
    scores = np.array(codes, dtype=np.float64, copy=True)
    scores[scores == NA_CODE] = np.nan  # "does not apply to my work" scores as missing
    rev = plan.reversed_columns
    scores[:, rev] = (plan.points + 1) - scores[:, rev]
    if plan.sjt_columns:
        chosen = codes[:, plan.sjt_columns]
        # NaN (not answered) looks up the NaN at the end of each item's table.
        last = np.asarray([len(t) - 1 for t in plan.sjt_tables])
        index = np.where(np.isnan(chosen), last, chosen).astype(np.intp) + plan.sjt_offsets
        scores[:, plan.sjt_columns] = plan.sjt_flat_table[index]
    return scores


class _Scaled(NamedTuple):
    sten: FloatArray
    percentile: FloatArray
    band: IntArray
    ci_low: FloatArray
    ci_high: FloatArray
    borderline: BoolArray


def _scaled(z: FloatArray, reliability: FloatArray, plan: ScoringPlan, norms: NormPlan) -> _Scaled:
    """Sten, percentile, band, confidence band and borderline flag of z scores."""
    sem = norming.sem_z(reliability)
    low, high = norming.confidence_stens(z, sem, plan.confidence)
    sten = norming.sten(z)
    return _Scaled(
        sten=sten,
        percentile=norming.percentile(z, norms.percentiles),
        band=band_index(sten, plan.band_cuts),
        ci_low=low,
        ci_high=high,
        borderline=borderline(
            norming.sten_unrounded(z), sem, plan.band_cuts, plan.borderline_probability
        ),
    )


def _ratio(numerator: FloatArray, denominator: FloatArray, ok: BoolArray) -> FloatArray:
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), np.nan)
    np.divide(numerator, denominator, out=out, where=ok)
    return out


def score_item_scores(plan: ScoringPlan, norms: NormPlan, scores: FloatArray) -> ScoreArrays:
    """All scores from a matrix of item scores (n × items, NaN = not answered)."""
    answered_mask = ~np.isnan(scores)
    answered = answered_mask.astype(np.float64) @ plan.item_competency
    sums = np.where(answered_mask, scores, 0.0) @ plan.item_competency
    raw = _ratio(sums, answered, answered >= plan.min_answered)
    comp_z = norming.z_score(raw, norms.competency_mean, norms.competency_sd)

    # Stage composite Σ w·z; a missing competency's weight is spread over the others
    # (Σ w·z · total/covered) as long as they carry at least two thirds of the weight.
    available = ~np.isnan(comp_z)
    covered = available.astype(np.float64) @ plan.stage_weights
    weighted = np.where(available, comp_z, 0.0) @ plan.stage_weights
    enough = covered >= COVERAGE_NEEDED * plan.stage_total_weight - 1e-9
    composite = _ratio(weighted * plan.stage_total_weight, covered, enough)
    stage_z = norming.z_score(composite, norms.stage_mean, norms.stage_sd)

    # Competencies and stages go through the same conversions side by side (one pass).
    both = _scaled(
        np.concatenate([comp_z, stage_z], axis=1),
        np.concatenate([norms.competency_reliability, norms.stage_reliability]),
        plan,
        norms,
    )
    c = comp_z.shape[1]

    # Rank 1 = highest stage z; a stable sort keeps stage order among ties, and
    # insufficient stages (key +inf) come last. z is rounded so float noise makes no ties.
    key = np.where(np.isnan(stage_z), np.inf, -np.round(stage_z, 9))
    order = np.argsort(key, axis=1, kind="stable")
    ranks = np.empty_like(order)
    positions = np.broadcast_to(np.arange(1, order.shape[1] + 1), order.shape)
    np.put_along_axis(ranks, order, positions, axis=1)

    scored_stages = ~np.isnan(stage_z)
    phase_n = scored_stages.astype(np.float64) @ plan.stage_phase_matrix
    phase_sum = np.where(scored_stages, stage_z, 0.0) @ plan.stage_phase_matrix
    phase_z = _ratio(phase_sum, phase_n, phase_n > 0)
    if norms.phases is not None:
        # Normed on its own distribution: a mean of correlated z scores has an SD below 1.
        mean, sd = (np.asarray(v) for v in zip(*norms.phases, strict=True))
        phase_z = norming.z_score(phase_z, mean, sd)
    top, clear = best_fit(plan, norms, stage_z, order)

    return ScoreArrays(
        competency_answered=answered.astype(np.int64),
        competency_raw=raw,
        competency_z=comp_z,
        competency_sten=both.sten[:, :c],
        competency_percentile=both.percentile[:, :c],
        competency_band=both.band[:, :c],
        competency_ci_low=both.ci_low[:, :c],
        competency_ci_high=both.ci_high[:, :c],
        competency_borderline=both.borderline[:, :c],
        stage_z=stage_z,
        stage_sten=both.sten[:, c:],
        stage_percentile=both.percentile[:, c:],
        stage_band=both.band[:, c:],
        stage_ci_low=both.ci_low[:, c:],
        stage_ci_high=both.ci_high[:, c:],
        stage_borderline=both.borderline[:, c:],
        stage_rank=ranks.astype(np.int64),
        stage_top=top,
        best_fit_clear=clear,
        summary_percentile=summary_percentile(norms, stage_z),
        phase_sten=norming.sten(phase_z),
    )


def best_fit(
    plan: ScoringPlan, norms: NormPlan, stage_z: FloatArray, order: IntArray
) -> tuple[IntArray, BoolArray]:
    """The highest stage per row, and whether it leads the next one clearly.

    Clearly: by more than `plan.best_fit_margin` standard errors of the difference,
    √(SEM₁² + SEM₂²), the SEMs of the two stages in z units. With fewer than two stages
    scored there is nothing to lead.
    """
    n = stage_z.shape[0]
    rows = np.arange(n)
    first, second = order[:, 0], order[:, 1]
    z1, z2 = stage_z[rows, first], stage_z[rows, second]
    sem = norming.sem_z(norms.stage_reliability)
    se_difference = np.sqrt(sem[first] ** 2 + sem[second] ** 2)
    clear = (z1 - z2) > plan.best_fit_margin * se_difference  # NaN compares False
    top = np.where(np.isnan(z1), -1, first).astype(np.int64)
    return top, np.asarray(clear & ~np.isnan(z2), dtype=np.bool_)


def summary_percentile(norms: NormPlan, stage_z: FloatArray) -> FloatArray:
    """The highest stage z, as a percentile of the norm group's highest stage z.

    The highest of seven correlated scores is above most single scores, so it is normed on its
    own distribution: a rep whose best stage is as strong as most people's best is at 50.
    """
    n = stage_z.shape[0]
    if norms.summary is None:
        return np.full(n, np.nan)
    mean, sd, curve = norms.summary
    scored = ~np.isnan(stage_z).all(axis=1)
    highest = np.full(n, np.nan)
    highest[scored] = np.nanmax(stage_z[scored], axis=1)
    return norming.empirical_percentile((highest - mean) / sd, curve)


def score_batch(
    instrument: Instrument, values: FloatArray, *, norms: NormTable | None = None
) -> ScoreArrays:
    """Score n answer sets at once.

    `values` is n × items in instrument order (`plan_for(instrument).item_ids`): the scale
    point for Likert and impression items, the 0-based option position for SJT items, NaN
    where not answered. Raises AnswerError for a code no answer could produce.
    """
    plan = plan_for(instrument)
    norm_plan = norms_for(instrument, norms)
    codes = np.asarray(values, dtype=np.float64)
    check_codes(plan, codes)
    parts = [
        score_item_scores(plan, norm_plan, item_scores(plan, codes[start : start + CHUNK_ROWS]))
        for start in range(0, max(len(codes), 1), CHUNK_ROWS)
    ]
    if len(parts) == 1:
        return parts[0]
    fields = ScoreArrays.__dataclass_fields__
    return ScoreArrays(
        **{name: np.concatenate([getattr(p, name) for p in parts]) for name in fields}
    )
