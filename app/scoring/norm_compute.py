"""Building a norm table from answer sets: competency and stage-composite means, SDs, reliabilities.

The arithmetic is the scoring engine's own (app.scoring.batch): the same item scores, the
same minimum-answered rule for competency raw scores and the same stage composite Σ w·z, so
that a norm table describes exactly the numbers `score` will compare with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from app.errors import UserError
from app.instrument.model import Instrument, NormTable, ScaleNorm
from app.scoring.answers import check_codes, encode_answers
from app.scoring.batch import item_scores, score_item_scores
from app.scoring.plan import FloatArray, NormPlan, ScoringPlan, plan_for
from app.scoring.reliability import ReliabilityError, composite_reliability, cronbach_alpha

MIN_RESPONDENTS = 10
"""Fewer scored respondents than this for a scale cannot give a usable mean and SD."""


def compute_norms(
    instrument: Instrument,
    answers: FloatArray | Sequence[Mapping[str, object]],
    *,
    id: str,  # the norm table's own field name
    label: str,
    source: str,
    date: str,
    provisional: bool,
) -> NormTable:
    """A norm table for `instrument` from n answer sets.

    `answers` is either the engine's code matrix (n × items in instrument order, see
    app.scoring.plan) or a sequence of answer mappings as `score` takes them. Competencies:
    mean and SD (n − 1) of the raw score over respondents with enough answers, reliability =
    Cronbach's alpha of the item scores (complete rows). Stages: mean and SD of the composite
    Σ w·z computed with the new competency norms, reliability by Mosier's formula from the
    competency reliabilities and their observed correlations.
    """
    plan = plan_for(instrument)
    if isinstance(answers, np.ndarray):
        codes = np.asarray(answers, dtype=np.float64)
    else:
        codes = np.asarray([encode_answers(plan, row) for row in answers], dtype=np.float64)
        codes = codes.reshape(len(answers), len(plan.item_ids))
    check_codes(plan, codes)
    scores = item_scores(plan, codes)

    # Competency raw scores: the engine's, with a neutral norm so z = raw.
    raw = score_item_scores(plan, _neutral(plan), scores).competency_raw
    competencies: dict[str, ScaleNorm] = {}
    for c, key in enumerate(plan.competency_keys):
        column = raw[:, c]
        column = column[~np.isnan(column)]
        mean, sd = _mean_sd(column, f"competency {key}")
        items = scores[:, plan.item_competency[:, c] > 0]
        reliability = _usable(_alpha(items, key), f"competency {key}")
        competencies[key] = ScaleNorm(mean=mean, sd=sd, reliability=reliability)

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
        mean, sd = _mean_sd(column[~np.isnan(column)], f"stage {key}")
        weights = plan.stage_weights[:, s]
        used = weights > 0
        reliability = composite_reliability(
            weights[used], reliabilities[used], correlations[np.ix_(used, used)]
        )
        stages[key] = ScaleNorm(mean=mean, sd=sd, reliability=_usable(reliability, f"stage {key}"))

    return NormTable(
        id=id,
        label=label,
        n=len(codes),
        source=source,
        date=date,
        provisional=provisional,
        competencies=competencies,
        stages=stages,
    )


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

    Strings are written as JSON strings, which YAML reads as double-quoted scalars; numbers
    in one flow mapping per scale, like the hand-written instrument files.
    """
    pad = " " * indent
    lines = [f"{pad}norms:"]
    for field in ("id", "label"):
        lines.append(f"{pad}  {field}: {json.dumps(getattr(table, field))}")
    lines.append(f"{pad}  n: {table.n}")
    lines.append(f"{pad}  source: {json.dumps(table.source)}")
    lines.append(f"{pad}  date: {json.dumps(table.date)}")
    lines.append(f"{pad}  provisional: {'true' if table.provisional else 'false'}")
    for group, scales in (("competencies", table.competencies), ("stages", table.stages)):
        lines.append(f"{pad}  {group}:")
        for key, norm in scales.items():
            lines.append(
                f"{pad}    {key}: {{mean: {norm.mean!r}, sd: {norm.sd!r}, "
                f"reliability: {norm.reliability!r}}}"
            )
    return "\n".join(lines) + "\n"
