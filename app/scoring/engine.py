"""Scoring one answer set into a Result: the pure function the service, CLI and API call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np

from app.instrument.model import BandKey, Instrument, NormTable, Phase
from app.scoring.answers import encode_answers, encode_seconds
from app.scoring.bands import BANDS, NO_BAND
from app.scoring.batch import ScoreArrays, item_scores, score_batch, score_item_scores
from app.scoring.plan import (
    NA_CODE,
    AnswerError,
    FloatArray,
    ScoringPlan,
    norms_for,
    page_matrix_of,
    plan_for,
)
from app.scoring.result import (
    CompetencyScore,
    InstrumentRef,
    NormRef,
    Result,
    StageCompetency,
    StageScore,
    Summary,
)
from app.scoring.validity import check_validity

__all__ = ["ENGINE_VERSION", "AnswerError", "score", "score_batch"]

ENGINE_VERSION = "2.0.0"
"""Changes whenever any score could come out differently for the same answers.

2.0.0: careless-responding indices, impression management a caution only, best fit only
where a stage leads clearly, normed summary score and phase fit, "does not apply" answers."""


def _band(index: int) -> BandKey | None:
    return None if index == NO_BAND else BANDS[index]


def _label(plan: ScoringPlan, index: int) -> str | None:
    return None if index == NO_BAND else plan.band_labels[index]


def _int(value: float) -> int | None:
    return None if value != value else int(value)  # value != value: NaN


def _float(value: float) -> float | None:
    return None if value != value else value


def _competencies(
    plan: ScoringPlan, a: ScoreArrays, not_applicable: list[int]
) -> tuple[CompetencyScore, ...]:
    rows = [
        getattr(a, f"competency_{name}")[0].tolist()
        for name in (
            "answered",
            "raw",
            "z",
            "sten",
            "percentile",
            "band",
            "ci_low",
            "ci_high",
            "borderline",
        )
    ]
    out = []
    for k, (answered, raw, z, sten, pct, band, lo, hi, border) in enumerate(
        zip(*rows, strict=True)
    ):
        scored = raw == raw
        out.append(
            CompetencyScore(
                key=plan.competency_keys[k],
                name=plan.competency_names[k],
                status="scored" if scored else "insufficient",
                raw=_float(raw),
                z=_float(z),
                sten=_int(sten),
                percentile=_int(pct),
                band=_band(band),
                band_label=_label(plan, band),
                ci90=(int(lo), int(hi)) if scored else None,
                borderline=bool(border),
                answered=int(answered),
                items=plan.competency_items[k],
                not_applicable=not_applicable[k],
            )
        )
    return tuple(out)


def _stages(
    plan: ScoringPlan, a: ScoreArrays, competency_bands: list[int]
) -> tuple[StageScore, ...]:
    names = ("z", "sten", "percentile", "band", "ci_low", "ci_high", "borderline", "rank")
    rows = [getattr(a, f"stage_{name}")[0].tolist() for name in names]
    out = []
    for j, (z, sten, pct, band, lo, hi, border, rank) in enumerate(zip(*rows, strict=True)):
        scored = z == z
        parts = tuple(
            StageCompetency(plan.competency_keys[k], weight, _band(competency_bands[k]))
            for k, weight in plan.stage_parts[j]
        )
        phase: Phase = "pre_sale" if plan.stage_phases[j] == "pre_sale" else "post_sale"
        out.append(
            StageScore(
                key=plan.stage_keys[j],
                name=plan.stage_names[j],
                phase=phase,
                status="scored" if scored else "insufficient",
                z=_float(z),
                sten=_int(sten),
                percentile=_int(pct),
                band=_band(band),
                band_label=_label(plan, band),
                ci90=(int(lo), int(hi)) if scored else None,
                borderline=bool(border),
                rank=int(rank),
                competencies=parts,
            )
        )
    return tuple(out)


def _not_applicable(plan: ScoringPlan, codes: FloatArray) -> list[int]:
    """Per competency, its items answered "does not apply to my work"."""
    counts = (codes == NA_CODE).astype(np.float64) @ plan.item_competency
    return [int(c) for c in counts.tolist()]


def _timestamp(scored_at: datetime | None) -> datetime:
    moment = datetime.now(UTC) if scored_at is None else scored_at
    if moment.tzinfo is None:  # a naive time is taken to be UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def score(
    instrument: Instrument,
    answers: Mapping[str, object],
    *,
    seconds: Mapping[str, object] | None = None,
    norms: NormTable | None = None,
    assessment_id: str | None = None,
    scored_at: datetime | None = None,
    pages: Sequence[Sequence[str]] | None = None,
) -> Result:
    """Score one answer set (item id → Likert point, its string, or SJT option key).
    `pages`: the item ids of each page the rep was shown, when not the instrument's standard
    pages (the compact layout on a phone): too-fast pages are counted on those.

    Raises AnswerError naming the item for an unknown item or a value it cannot take.
    """
    plan = plan_for(instrument)
    norm_plan = norms_for(instrument, norms)
    table = instrument.norms if norms is None else norms
    codes = encode_answers(plan, answers)
    timings = encode_seconds(plan, seconds)
    scores = item_scores(plan, codes[None, :])
    arrays = score_item_scores(plan, norm_plan, scores)

    competencies = _competencies(plan, arrays, _not_applicable(plan, codes))
    stages = _stages(plan, arrays, arrays.competency_band[0].tolist())
    shown = None if pages is None else page_matrix_of(plan, pages)
    validity = check_validity(
        plan, instrument.scoring.validity, norm_plan, codes, scores[0], timings, shown
    )
    top_index = int(arrays.stage_top[0])
    top = plan.stage_keys[top_index] if top_index >= 0 else None
    best = top if bool(arrays.best_fit_clear[0]) else None
    summary = _int(float(arrays.summary_percentile[0]))
    pre, post = arrays.phase_sten[0].tolist()
    return Result(
        assessment_id=assessment_id,
        instrument=InstrumentRef(instrument.key, instrument.version, instrument.checksum),
        norm=NormRef(table.id, table.label, table.n, table.provisional, table.from_simulation),
        engine_version=ENGINE_VERSION,
        scored_at=_timestamp(scored_at),
        validity=validity,
        competencies=competencies,
        stages=stages,
        best_fit_stages=() if best is None else (best,),
        summary=Summary(
            score=None if validity.status == "invalid" else summary,
            best_stage=best,
            top_stage=top,
        ),
        phase_fit={"pre_sale": _int(pre), "post_sale": _int(post)},
    )
