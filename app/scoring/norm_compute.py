"""Building a norm table from answer sets: competency and stage-composite means, SDs,
reliabilities and percentiles; the summary, phase and validity norms; which sets to leave out.

The arithmetic is the scoring engine's own (app.scoring.batch): the same item scores, the
same minimum-answered rule for competency raw scores and the same stage composite Σ w·z, so
that a norm table describes exactly the numbers `score` will compare with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from app.errors import UserError
from app.instrument.model import (
    DistributionNorm,
    Instrument,
    NormExclusions,
    NormTable,
    ScaleNorm,
    ValidityNorms,
)
from app.scoring.answers import check_codes, encode_answers
from app.scoring.batch import item_scores, score_item_scores
from app.scoring.plan import FloatArray, NormPlan, ScoringPlan, norms_for, plan_for
from app.scoring.reliability import ReliabilityError, composite_reliability, cronbach_alpha
from app.scoring.validity import assess
from app.scoring.validity_norms import DECIMALS, distribution, validity_norms

MIN_RESPONDENTS = 10
"""Fewer scored respondents than this for a scale cannot give a usable mean and SD."""


def _codes(plan: ScoringPlan, answers: FloatArray | Sequence[Mapping[str, object]]) -> FloatArray:
    if isinstance(answers, np.ndarray):
        codes = np.asarray(answers, dtype=np.float64)
    else:
        codes = np.asarray([encode_answers(plan, row) for row in answers], dtype=np.float64)
        codes = codes.reshape(len(answers), len(plan.item_ids))
    check_codes(plan, codes)
    return codes


def screen(
    instrument: Instrument,
    codes: FloatArray,
    *,
    seconds: FloatArray | None = None,
    keep_caution: bool = False,
) -> tuple[NDArray[np.bool_], NormExclusions]:
    """Which answer sets may enter a norm table: by default neither invalid nor caution
    results (judged as `score` would judge them, against the instrument's own norm table;
    without seconds the timing indices are not judged)."""
    plan = plan_for(instrument)
    timings = np.full(codes.shape, np.nan) if seconds is None else seconds
    status = assess(
        plan,
        instrument.scoring.validity,
        norms_for(instrument),
        codes,
        item_scores(plan, codes),
        timings,
    ).status
    invalid = status == 2
    caution = status == 1
    keep = ~invalid & (~caution | keep_caution)
    rule = "invalid results left out" if keep_caution else "invalid and caution results left out"
    if seconds is None:
        rule += " (judged without answer times)"
    exclusions = NormExclusions(
        considered=len(codes),
        invalid=int(invalid.sum()),
        caution=0 if keep_caution else int(caution.sum()),
        rule=rule,
    )
    return np.asarray(keep, dtype=np.bool_), exclusions


def compute_norms(
    instrument: Instrument,
    answers: FloatArray | Sequence[Mapping[str, object]],
    *,
    id: str,  # the norm table's own field name
    label: str,
    source: str,
    date: str,
    provisional: bool,
    simulated: bool | None = None,
    population: str | None = None,
    composition: str | None = None,
    exclusions: NormExclusions | None = None,
    percentiles: bool | None = None,
) -> NormTable:
    """A norm table for `instrument` from n answer sets.

    `answers` is either the engine's code matrix (n × items in instrument order, see
    app.scoring.plan) or a sequence of answer mappings as `score` takes them. Competencies:
    mean and SD (n − 1) of the raw score over respondents with enough answers, reliability =
    Cronbach's alpha of the item scores (complete rows). Stages: mean and SD of the composite
    Σ w·z computed with the new competency norms, reliability by Mosier's formula from the
    competency reliabilities and their observed correlations. Summary and phases: the
    distribution of the highest stage z and of each phase's mean stage z. Validity: see
    app.scoring.validity_norms. Empirical percentiles are stored when `percentiles` says so,
    by default once n reaches the instrument's `scoring.norms_min_n`.
    """
    plan = plan_for(instrument)
    codes = _codes(plan, answers)
    if percentiles is None:
        percentiles = len(codes) >= instrument.scoring.norms_min_n
    scores = item_scores(plan, codes)
    competencies = _competency_norms(plan, scores, percentiles)
    stages, composite = _stage_norms(plan, scores, competencies, percentiles)
    highest, phase_z = _highest_and_phase_z(plan, composite, stages)
    return NormTable(
        id=id,
        label=label,
        n=len(codes),
        source=source,
        date=date,
        provisional=provisional,
        simulated=simulated,
        population=population,
        composition=composition,
        exclusions=exclusions,
        competencies=competencies,
        stages=stages,
        summary=distribution(highest, percentiles=percentiles),
        phases={
            phase: distribution(phase_z[:, p], percentiles=percentiles)
            for p, phase in enumerate(plan.phase_keys)
        },
        validity=validity_norms(plan, codes, percentiles=percentiles)
        if len(plan.likert_columns) >= 2
        else None,
    )


def _competency_norms(
    plan: ScoringPlan, scores: FloatArray, percentiles: bool
) -> dict[str, ScaleNorm]:
    """Mean and SD of each competency's raw score, reliability by Cronbach's alpha."""
    # The engine's raw scores, with a neutral norm so z = raw.
    raw = score_item_scores(plan, _neutral(plan), scores).competency_raw
    competencies: dict[str, ScaleNorm] = {}
    for c, key in enumerate(plan.competency_keys):
        column = raw[:, c]
        column = column[~np.isnan(column)]
        mean, sd = _mean_sd(column, f"competency {key}")
        items = scores[:, plan.item_competency[:, c] > 0]
        reliability = _usable(_alpha(items, key), f"competency {key}")
        competencies[key] = ScaleNorm(
            mean=mean, sd=sd, reliability=reliability, percentiles=_row(column, percentiles)
        )
    return competencies


def _stage_norms(
    plan: ScoringPlan,
    scores: FloatArray,
    competencies: Mapping[str, ScaleNorm],
    percentiles: bool,
) -> tuple[dict[str, ScaleNorm], FloatArray]:
    """Mean and SD of each stage's composite Σ w·z under the new competency norms,
    reliability by Mosier's formula; and the composites (n × stages)."""
    comp_norms = replace(
        _neutral(plan),
        competency_mean=np.asarray([n.mean for n in competencies.values()]),
        competency_sd=np.asarray([n.sd for n in competencies.values()]),
    )
    arrays = score_item_scores(plan, comp_norms, scores)
    composite = arrays.stage_z  # stage norm mean 0, SD 1: stage z is the composite itself
    z = arrays.competency_z
    complete = z[~np.isnan(z).any(axis=1)]
    if len(complete) < 2:
        raise UserError("too few respondents with every competency scored to correlate them")
    correlations: FloatArray = np.atleast_2d(np.corrcoef(complete, rowvar=False))
    reliabilities = np.asarray([n.reliability for n in competencies.values()])

    stages: dict[str, ScaleNorm] = {}
    for s, key in enumerate(plan.stage_keys):
        column = composite[:, s]
        column = column[~np.isnan(column)]
        mean, sd = _mean_sd(column, f"stage {key}")
        weights = plan.stage_weights[:, s]
        used = weights > 0
        reliability = composite_reliability(
            weights[used], reliabilities[used], correlations[np.ix_(used, used)]
        )
        stages[key] = ScaleNorm(
            mean=mean,
            sd=sd,
            reliability=_usable(reliability, f"stage {key}"),
            percentiles=_row(column, percentiles),
        )
    return stages, composite


def _highest_and_phase_z(
    plan: ScoringPlan, composite: FloatArray, stages: Mapping[str, ScaleNorm]
) -> tuple[FloatArray, FloatArray]:
    """Each respondent's highest stage z and mean stage z per phase, under the new stage
    norms: what the summary and the phase norms are made of."""
    stage_mean = np.asarray([n.mean for n in stages.values()])
    stage_sd = np.asarray([n.sd for n in stages.values()])
    stage_z = (composite - stage_mean) / stage_sd
    scored = ~np.isnan(stage_z)
    highest = np.full(len(composite), np.nan)
    some = scored.any(axis=1)
    highest[some] = np.nanmax(stage_z[some], axis=1)
    phase_n = scored.astype(np.float64) @ plan.stage_phase_matrix
    with np.errstate(invalid="ignore", divide="ignore"):
        phase_z = (np.where(scored, stage_z, 0.0) @ plan.stage_phase_matrix) / phase_n
    return highest, phase_z


def _row(values: FloatArray, wanted: bool) -> tuple[float, ...] | None:
    if not wanted:
        return None
    x = values[~np.isnan(values)]
    return tuple(round(float(v), DECIMALS) for v in np.percentile(x, np.arange(1, 100)))


def _neutral(plan: ScoringPlan) -> NormPlan:
    c, s = len(plan.competency_keys), len(plan.stage_keys)
    return NormPlan(
        id="neutral",
        label="neutral",
        n=1,
        provisional=True,
        competency_mean=np.zeros(c),
        competency_sd=np.ones(c),
        competency_reliability=np.full(c, 0.5),
        stage_mean=np.zeros(s),
        stage_sd=np.ones(s),
        stage_reliability=np.full(s, 0.5),
    )


def _mean_sd(values: FloatArray, what: str) -> tuple[float, float]:
    if len(values) < MIN_RESPONDENTS:
        raise UserError(
            f"{what}: only {len(values)} respondents scored; a norm needs at least "
            f"{MIN_RESPONDENTS}"
        )
    # Rounded as written to the norm file, so composites below use the very numbers stored.
    sd = round(float(np.std(values, ddof=1)), 4)
    if sd <= 0.0:
        raise UserError(f"{what}: every respondent has the same score; the SD is 0")
    return round(float(np.mean(values)), 4) + 0.0, sd  # + 0.0: never write -0.0


def _alpha(items: FloatArray, key: str) -> float:
    try:
        return cronbach_alpha(items)
    except ReliabilityError as exc:
        raise UserError(f"competency {key}: {exc}") from None


def _usable(reliability: float, what: str) -> float:
    # A norm table needs 0 < r < 1: r ≤ 0 would mean the scale measures nothing consistent.
    if not 0.0 < reliability < 1.0:
        raise UserError(
            f"{what}: reliability {reliability:.3f} is outside (0, 1); the answers do not "
            "measure it consistently enough to norm it"
        )
    return round(reliability, 4)


def norms_yaml(table: NormTable, *, indent: int = 0) -> str:
    """The norm table as the instrument's `norms:` block (text that load_norms reads back).

    Strings are written as JSON strings, which YAML reads as double-quoted scalars; a scale
    without percentiles as one flow mapping, like the hand-written instrument files; long
    rows of numbers as one string each, which reads ten times faster than a YAML list.
    """
    pad = " " * indent
    lines = [f"{pad}norms:"]
    for field in ("id", "label"):
        lines.append(f"{pad}  {field}: {json.dumps(getattr(table, field), ensure_ascii=False)}")
    lines.append(f"{pad}  n: {table.n}")
    lines.append(f"{pad}  source: {json.dumps(table.source, ensure_ascii=False)}")
    lines.append(f"{pad}  date: {json.dumps(table.date)}")
    lines.append(f"{pad}  provisional: {_bool(table.provisional)}")
    if table.simulated is not None:
        lines.append(f"{pad}  simulated: {_bool(table.simulated)}")
    for field in ("population", "composition"):
        if getattr(table, field) is not None:
            lines.append(f"{pad}  {field}: {json.dumps(getattr(table, field), ensure_ascii=False)}")
    if table.exclusions is not None:
        e = table.exclusions
        lines.append(
            f"{pad}  exclusions: {{considered: {e.considered}, invalid: {e.invalid}, "
            f"caution: {e.caution}, rule: {json.dumps(e.rule, ensure_ascii=False)}}}"
        )
    for group, scales in (("competencies", table.competencies), ("stages", table.stages)):
        lines.append(f"{pad}  {group}:")
        for key, norm in scales.items():
            lines += _scale_lines(f"{pad}    ", key, norm)
    if table.summary is not None:
        lines += _scale_lines(f"{pad}  ", "summary", table.summary)
    if table.phases is not None:
        lines.append(f"{pad}  phases:")
        for phase, phase_norm in table.phases.items():
            lines += _scale_lines(f"{pad}    ", phase, phase_norm)
    if table.validity is not None:
        lines += _validity_lines(f"{pad}  ", table.validity)
    return "\n".join(lines) + "\n"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _numbers(row: Sequence[float]) -> str:
    return json.dumps(" ".join(repr(float(v)) for v in row))


def _scale_lines(pad: str, key: str, norm: DistributionNorm) -> list[str]:
    parts = [f"mean: {norm.mean!r}", f"sd: {norm.sd!r}"]
    if isinstance(norm, ScaleNorm):
        parts.append(f"reliability: {norm.reliability!r}")
    if norm.percentiles is None:
        return [f"{pad}{key}: {{{', '.join(parts)}}}"]
    lines = [f"{pad}{key}:"]
    lines += [f"{pad}  {part}" for part in parts]
    lines.append(f"{pad}  percentiles: {_numbers(norm.percentiles)}")
    return lines


def _validity_lines(pad: str, v: ValidityNorms) -> list[str]:
    lines = [f"{pad}validity:", f"{pad}  items: [{', '.join(v.items)}]"]
    lines.append(f"{pad}  mean: {_numbers(v.mean)}")
    lines.append(f"{pad}  sd: {_numbers(v.sd)}")
    lines.append(f"{pad}  correlation:")
    lines += [f"{pad}    - {_numbers(row)}" for row in v.correlation]
    for name in ("synonyms", "antonyms"):
        pairs = getattr(v, name)
        lines.append(f"{pad}  {name}:" + ("" if pairs else " []"))
        lines += [f"{pad}    - [{a}, {b}]" for a, b in pairs]
    lines.append(f"{pad}  pair_min_r: {v.pair_min_r!r}")
    if v.impression is not None:
        lines += _scale_lines(f"{pad}  ", "impression", v.impression)
    return lines
