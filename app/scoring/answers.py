"""Turning answers into the answer-code rows the scoring arithmetic reads, refusing bad ones."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from app.instrument.answers import NOT_APPLICABLE
from app.scoring.plan import NA_CODE, AnswerError, FloatArray, ScoringPlan


def _scale_code(plan: ScoringPlan, item_id: str, value: object) -> float:
    if isinstance(value, str) and value.strip().isdigit():
        number: object = int(value.strip())
    else:
        number = value
    # bool is an int in Python; True is not an answer on an agreement scale.
    if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= plan.points:
        return float(number)
    raise AnswerError(
        f"item {item_id}: {value!r} is not an answer on the 1–{plan.points} scale", item=item_id
    )


def _refuse(plan: ScoringPlan, k: int, item_id: str, value: object) -> float:
    """The code of an answer the fast lookup did not know, or AnswerError naming the item."""
    if value == NOT_APPLICABLE:
        raise AnswerError(
            f"item {item_id}: {NOT_APPLICABLE!r} (does not apply to my work) is not offered "
            "by this item",
            item=item_id,
        )
    if k not in plan.sjt_columns:
        return _scale_code(plan, item_id, value)  # e.g. " 4": still a scale point
    options = plan.sjt_option_keys[plan.sjt_columns.index(k)]
    raise AnswerError(
        f"item {item_id}: {value!r} is not one of the options {', '.join(options)}",
        item=item_id,
    )


def encode_answers(plan: ScoringPlan, answers: Mapping[str, object]) -> FloatArray:
    """One row of answer codes; an item missing or answered with None is not answered."""
    row = np.full(len(plan.item_ids), math.nan)
    column, lookup = plan.column, plan.answer_codes
    for item_id, value in answers.items():
        k = column.get(item_id)
        if k is None:
            raise AnswerError(f"unknown item {item_id!r}", item=item_id)
        if value is None:
            continue
        kind = type(value)
        # Only ints and strings take the fast lookup: True == 1 and 4.0 == 4 in a dict.
        code = lookup[k].get(value) if kind is int or kind is str else None
        row[k] = _refuse(plan, k, item_id, value) if code is None else code
    return row


def encode_seconds(plan: ScoringPlan, seconds: Mapping[str, object] | None) -> FloatArray:
    """Seconds spent per item as a row (NaN where unknown)."""
    row = np.full(len(plan.item_ids), math.nan)
    for item_id, value in (seconds or {}).items():
        k = plan.column.get(item_id)
        if k is None:
            raise AnswerError(f"unknown item {item_id!r} in seconds", item=item_id)
        kind = type(value)
        number = float(value) if kind is float or kind is int else math.nan  # type: ignore[arg-type]
        if not 0 <= number < math.inf:
            raise AnswerError(f"item {item_id}: {value!r} is not a number of seconds", item=item_id)
        row[k] = number
    return row


def check_codes(plan: ScoringPlan, values: FloatArray) -> None:
    """Refuse a matrix of answer codes with a value no answer could have produced."""
    if values.ndim != 2 or values.shape[1] != len(plan.item_ids):
        raise AnswerError(
            f"expected an answer matrix of n × {len(plan.item_ids)} items, got {values.shape}"
        )
    upper = np.full(len(plan.item_ids), float(plan.points))
    lower = np.ones(len(plan.item_ids))
    for k, options in zip(plan.sjt_columns, plan.sjt_option_keys, strict=True):
        lower[k], upper[k] = 0.0, float(len(options) - 1)
    offered = np.zeros(len(plan.item_ids), dtype=np.bool_)
    offered[plan.na_columns] = True
    with np.errstate(invalid="ignore"):
        not_applicable = offered & (values == NA_CODE)
        bad = (
            ~np.isnan(values)
            & ~not_applicable
            & ((values < lower) | (values > upper) | (values != np.floor(values)))
        )
    if bad.any():
        row, k = (int(i) for i in np.argwhere(bad)[0])
        raise AnswerError(
            f"item {plan.item_ids[k]}: code {float(values[row, k])!r} in row {row} is out of range",
            item=plan.item_ids[k],
        )
