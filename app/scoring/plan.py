"""A scoring plan: an instrument compiled once into index and weight matrices.

Scoring works on a matrix of answer codes, one row per answer set and one column per item
(in instrument order; NaN = not answered). A Likert or impression item's code is the scale
point (1..points), or NA_CODE for "does not apply to my work" where the item offers it; a
situational judgement item's code is the 0-based position of the chosen option. Plans are
cached per instrument object, so a service scoring many answer sets with one loaded instrument
compiles it once.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.errors import UserError
from app.instrument.answers import NOT_APPLICABLE
from app.instrument.model import (
    ImpressionItem,
    Instrument,
    Item,
    LikertItem,
    NormTable,
    SjtItem,
)
from app.instrument.presentation import pages, presentation_order
from app.instrument.process import PHASE_KEYS
from app.instrument.text import t
from app.scoring.norming import PercentileCurves, join_curves
from app.scoring.validity_reference import (
    ValidityReference,
    percentile_curve,
    validity_reference,
)

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]
NA_CODE = -1.0
"""The code of "does not apply to my work": answered, but scored as missing."""


class AnswerError(UserError):
    """An answer the instrument cannot score: unknown item, value out of range, bad option."""

    def __init__(self, message: str, *, item: str | None = None) -> None:
        super().__init__(message)
        self.item = item


@dataclass(frozen=True, eq=False)
class ScoringPlan:
    """Everything the scoring arithmetic needs, as arrays; derived from an instrument only."""

    item_ids: tuple[str, ...]
    column: Mapping[str, int]
    points: int
    scale_columns: IndexArray  # Likert and impression items (the agreement scale)
    reversed_columns: IndexArray  # reverse-keyed Likert items
    sjt_columns: tuple[int, ...]
    sjt_option_keys: tuple[tuple[str, ...], ...]
    sjt_tables: tuple[FloatArray, ...]  # rescaled item score per option, NaN appended
    sjt_flat_table: FloatArray  # all SJT tables end to end, for one vectorised lookup
    sjt_offsets: IndexArray  # where each SJT item's table starts in sjt_flat_table
    answer_codes: tuple[Mapping[object, float], ...]  # per item: accepted answer → code
    item_competency: FloatArray  # items × competencies, 1 where the item counts
    competency_keys: tuple[str, ...]
    competency_names: tuple[str, ...]
    competency_items: tuple[int, ...]
    min_answered: int
    stage_keys: tuple[str, ...]
    stage_names: tuple[str, ...]
    stage_phases: tuple[str, ...]
    stage_weights: FloatArray  # competencies × stages
    stage_parts: tuple[tuple[tuple[int, float], ...], ...]  # (competency, weight) as listed
    stage_total_weight: FloatArray  # stages
    phase_keys: tuple[str, ...]
    stage_phase_matrix: FloatArray  # stages × phases, 1 where the stage is in the phase
    band_cuts: tuple[float, ...]
    band_labels: tuple[str, ...]
    confidence: float
    borderline_probability: float
    best_fit_margin: float
    # Validity
    longstring_columns: IndexArray  # agreement-scale items in presentation order
    pair_columns: IndexArray  # consistency pairs × 2
    impression_columns: IndexArray
    impression_extreme: FloatArray  # the keyed extreme answer per impression item
    impression_reversed: NDArray[np.bool_]  # per impression item: keyed −
    likert_columns: IndexArray  # Likert items in instrument order
    halves_matrix: FloatArray  # items × 2·competencies: 1st, 3rd, ... / 2nd, 4th, ... Likert
    page_columns: tuple[IndexArray, ...]  # every item, page by page as participants see them
    page_matrix: FloatArray  # items × pages, 1 where the item is on the page
    na_columns: IndexArray  # items that offer "does not apply to my work"


@dataclass(frozen=True, eq=False)
class NormPlan:
    """A norm table's numbers aligned with a plan's competencies and stages."""

    id: str
    label: str
    n: int
    provisional: bool
    competency_mean: FloatArray
    competency_sd: FloatArray
    competency_reliability: FloatArray
    stage_mean: FloatArray
    stage_sd: FloatArray
    stage_reliability: FloatArray
    # Empirical percentile curves (None: the normal curve), columns: competencies, stages.
    percentiles: PercentileCurves | None = None
    summary: tuple[float, float, PercentileCurves | None] | None = None  # mean, sd, curve
    phases: tuple[tuple[float, float], ...] | None = None  # per plan phase: mean, sd
    validity: ValidityReference | None = None


def _answer_codes(item: Item, points: int) -> dict[object, float]:
    """The answers an item accepts (ints and their strings, or option keys) and their codes."""
    if isinstance(item, SjtItem):
        return {option.key: float(k) for k, option in enumerate(item.options)}
    codes: dict[object, float] = {point: float(point) for point in range(1, points + 1)}
    codes.update({str(point): float(point) for point in range(1, points + 1)})
    if isinstance(item, LikertItem) and item.not_applicable:
        codes[NOT_APPLICABLE] = NA_CODE
    return codes


def _halves(
    instrument: Instrument, column: Mapping[str, int], competency_keys: tuple[str, ...]
) -> tuple[FloatArray, FloatArray]:
    """Per competency its Likert items in presentation order, split 1st, 3rd, ... / 2nd, 4th,
    as two items × competencies indicator matrices."""
    odd = np.zeros((len(column), len(competency_keys)))
    even = np.zeros((len(column), len(competency_keys)))
    kind = {item.id: item for item in instrument.items}
    position = dict.fromkeys(competency_keys, 0)
    for item_id in presentation_order(instrument):
        item = kind[item_id]
        if isinstance(item, LikertItem):
            c = competency_keys.index(item.competency)
            half = odd if position[item.competency] % 2 == 0 else even
            half[column[item_id], c] = 1.0
            position[item.competency] += 1
    return odd, even


def _page_matrix(page_columns: tuple[IndexArray, ...], items: int) -> FloatArray:
    matrix = np.zeros((items, len(page_columns)))
    for p, columns in enumerate(page_columns):
        matrix[columns, p] = 1.0
    return matrix


def page_matrix_of(plan: ScoringPlan, shown: Sequence[Sequence[str]]) -> FloatArray:
    """Items × pages for the pages a rep was shown (item ids per page), where they differ
    from the plan's standard ones: the compact layout on a phone, or both layouts when the
    rep switched. An item may be on more than one page; unknown item ids are left out."""
    columns = tuple(
        np.asarray([plan.column[i] for i in page if i in plan.column], dtype=np.intp)
        for page in shown
    )
    return _page_matrix(columns, len(plan.item_ids))


def compile_plan(instrument: Instrument) -> ScoringPlan:
    locale = instrument.locales[0]
    points = instrument.scale.points
    item_ids = tuple(item.id for item in instrument.items)
    column = {item_id: k for k, item_id in enumerate(item_ids)}
    competency_keys = tuple(c.key for c in instrument.competencies)
    competency_index = {key: k for k, key in enumerate(competency_keys)}

    item_competency = np.zeros((len(item_ids), len(competency_keys)))
    scale, reverse, sjt_columns, sjt_keys, sjt_tables = [], [], [], [], []
    impression, extreme, impression_reversed = [], [], []
    for k, item in enumerate(instrument.items):
        if isinstance(item, LikertItem):
            scale.append(k)
            if item.keyed == "-":
                reverse.append(k)
            item_competency[k, competency_index[item.competency]] = 1.0
        elif isinstance(item, SjtItem):
            sjt_columns.append(k)
            sjt_keys.append(tuple(option.key for option in item.options))
            # An SJT option's expert score 0..3 is put on the Likert range so that a
            # scenario weighs like one statement in its competency's mean.
            rescaled = [1.0 + (points - 1) * option.score / 3.0 for option in item.options]
            sjt_tables.append(np.asarray([*rescaled, math.nan]))
            item_competency[k, competency_index[item.competency]] = 1.0
        elif isinstance(item, ImpressionItem):
            scale.append(k)
            impression.append(k)
            extreme.append(float(points) if item.keyed == "+" else 1.0)
            impression_reversed.append(item.keyed == "-")

    stage_keys = tuple(s.key for s in instrument.stages)
    weights = np.zeros((len(competency_keys), len(stage_keys)))
    for j, stage in enumerate(instrument.stages):
        for sc in stage.competencies:
            weights[competency_index[sc.competency], j] = sc.weight
    phase_keys = PHASE_KEYS
    phases = np.asarray([[float(s.phase == p) for p in phase_keys] for s in instrument.stages])

    scale_set = set(scale)
    order = [column[i] for i in presentation_order(instrument) if column.get(i) in scale_set]
    page_columns = tuple(
        np.asarray([column[i] for i in page], dtype=np.intp) for page in pages(instrument)
    )
    pairs = [[column[a], column[b]] for a, b in (p.items for p in instrument.consistency_pairs)]
    return ScoringPlan(
        item_ids=item_ids,
        column=column,
        points=points,
        scale_columns=np.asarray(scale, dtype=np.intp),
        reversed_columns=np.asarray(reverse, dtype=np.intp),
        sjt_columns=tuple(sjt_columns),
        sjt_option_keys=tuple(sjt_keys),
        sjt_tables=tuple(sjt_tables),
        sjt_flat_table=np.concatenate([*sjt_tables, np.empty(0)]),
        sjt_offsets=np.cumsum([0] + [len(t) for t in sjt_tables[:-1]], dtype=np.intp),
        answer_codes=tuple(_answer_codes(item, points) for item in instrument.items),
        item_competency=item_competency,
        competency_keys=competency_keys,
        competency_names=tuple(t(c.name, locale) for c in instrument.competencies),
        competency_items=tuple(int(n) for n in item_competency.sum(axis=0)),
        min_answered=instrument.scoring.min_answered,
        stage_keys=stage_keys,
        stage_names=tuple(t(s.name, locale) for s in instrument.stages),
        stage_phases=tuple(s.phase for s in instrument.stages),
        stage_weights=weights,
        stage_parts=tuple(
            tuple((competency_index[sc.competency], sc.weight) for sc in stage.competencies)
            for stage in instrument.stages
        ),
        stage_total_weight=weights.sum(axis=0),
        phase_keys=phase_keys,
        stage_phase_matrix=phases,
        band_cuts=tuple(instrument.scoring.band_cuts),
        band_labels=tuple(t(b.label, locale) for b in instrument.bands),
        confidence=instrument.scoring.confidence,
        borderline_probability=instrument.scoring.borderline_probability,
        best_fit_margin=instrument.scoring.best_fit_margin,
        longstring_columns=np.asarray(order, dtype=np.intp),
        pair_columns=np.asarray(pairs, dtype=np.intp).reshape(-1, 2),
        impression_columns=np.asarray(impression, dtype=np.intp),
        impression_extreme=np.asarray(extreme, dtype=np.float64),
        impression_reversed=np.asarray(impression_reversed, dtype=np.bool_),
        likert_columns=np.asarray(
            [k for k, item in enumerate(instrument.items) if isinstance(item, LikertItem)],
            dtype=np.intp,
        ),
        halves_matrix=np.hstack(_halves(instrument, column, competency_keys)),
        page_columns=page_columns,
        page_matrix=_page_matrix(page_columns, len(item_ids)),
        na_columns=np.asarray(
            [
                k
                for k, item in enumerate(instrument.items)
                if isinstance(item, LikertItem) and item.not_applicable
            ],
            dtype=np.intp,
        ),
    )


def compile_norms(plan: ScoringPlan, norms: NormTable) -> NormPlan:
    missing = [k for k in plan.competency_keys if k not in norms.competencies]
    missing += [k for k in plan.stage_keys if k not in norms.stages]
    if missing:
        raise UserError(f"norm table {norms.id!r} has no norms for {', '.join(missing)}")
    comp = [norms.competencies[k] for k in plan.competency_keys]
    stage = [norms.stages[k] for k in plan.stage_keys]  # type: ignore[index]
    unknown = [i for i in (norms.validity.items if norms.validity else []) if i not in plan.column]
    if unknown:
        raise UserError(f"norm table {norms.id!r}: validity norms for unknown items {unknown}")
    phases = None
    if norms.phases is not None and all(p in norms.phases for p in plan.phase_keys):
        phases = tuple(
            (norms.phases[p].mean, norms.phases[p].sd)  # type: ignore[index]
            for p in plan.phase_keys
        )
    summary = norms.summary
    return NormPlan(
        id=norms.id,
        label=norms.label,
        n=norms.n,
        provisional=norms.provisional,
        competency_mean=np.asarray([s.mean for s in comp]),
        competency_sd=np.asarray([s.sd for s in comp]),
        competency_reliability=np.asarray([s.reliability for s in comp]),
        stage_mean=np.asarray([s.mean for s in stage]),
        stage_sd=np.asarray([s.sd for s in stage]),
        stage_reliability=np.asarray([s.reliability for s in stage]),
        percentiles=join_curves([percentile_curve(s) for s in [*comp, *stage]]),
        summary=None
        if summary is None
        else (summary.mean, summary.sd, join_curves([percentile_curve(summary)])),
        phases=phases,
        validity=None
        if norms.validity is None
        else validity_reference(plan.column, plan.reversed_columns, plan.points, norms.validity),
    )


# id(object) → (weak reference, compiled). The weak reference proves the id still belongs to
# the same object (ids are reused after garbage collection); a finaliser drops the entry.
_PLANS: dict[int, tuple[weakref.ref[Instrument], ScoringPlan]] = {}
_NORMS: dict[tuple[int, int], tuple[weakref.ref[NormTable], NormPlan]] = {}


def plan_for(instrument: Instrument) -> ScoringPlan:
    """The instrument's compiled plan, compiled on first use."""
    key = id(instrument)
    cached = _PLANS.get(key)
    if cached is not None and cached[0]() is instrument:
        return cached[1]
    plan = compile_plan(instrument)
    _PLANS[key] = (weakref.ref(instrument), plan)
    weakref.finalize(instrument, _PLANS.pop, key, None)
    return plan


def norms_for(instrument: Instrument, norms: NormTable | None = None) -> NormPlan:
    """The norm table (default: the instrument's own) aligned with the instrument's plan."""
    table = instrument.norms if norms is None else norms
    key = (id(instrument), id(table))
    cached = _NORMS.get(key)
    if cached is not None and cached[0]() is table:
        return cached[1]
    norm_plan = compile_norms(plan_for(instrument), table)
    _NORMS[key] = (weakref.ref(table), norm_plan)
    weakref.finalize(table, _NORMS.pop, key, None)
    weakref.finalize(instrument, _NORMS.pop, key, None)
    return norm_plan
