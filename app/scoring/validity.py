"""Validity of one answer set: was it answered fast, carelessly, inconsistently or to impress?"""

from __future__ import annotations

import numpy as np

from app.instrument.model import ValidityThresholds
from app.scoring.plan import FloatArray, ScoringPlan
from app.scoring.result import Level, Status, Validity, ValidityFlag

MIN_PAIRS = 3
"""Answered consistency pairs needed before inconsistency is judged at all."""
COMPLETE_SHARE = 0.90
"""Below this share of answered items the result carries an `incomplete` caution."""


def _level(value: float, caution: float, invalid: float, *, low_is_bad: bool) -> Level | None:
    if low_is_bad:
        return "invalid" if value < invalid else "caution" if value < caution else None
    return "invalid" if value >= invalid else "caution" if value >= caution else None


def longest_run(codes: FloatArray) -> tuple[int, int]:
    """Length and start of the longest run of identical answers; a gap breaks a run."""
    best, best_start, run, start = 0, 0, 0, 0
    previous = np.nan
    for k, value in enumerate(codes.tolist()):
        if value == value and value == previous:  # value == value: not NaN
            run += 1
        else:
            run, start = (1, k) if value == value else (0, k + 1)
        previous = value
        if run > best:
            best, best_start = run, start
    return best, best_start


def check_validity(
    plan: ScoringPlan,
    limits: ValidityThresholds,
    codes: FloatArray,
    scores: FloatArray,
    seconds: FloatArray,
) -> Validity:
    """Flags for one answer set (1-D rows of answer codes, item scores and seconds)."""
    flags: list[ValidityFlag] = []
    answered = ~np.isnan(codes)

    timed = seconds[answered & ~np.isnan(seconds)]
    if timed.size:
        median = float(np.median(timed))
        level = _level(
            median,
            limits.caution_seconds_per_item,
            limits.invalid_seconds_per_item,
            low_is_bad=True,
        )
        if level:
            detail = (
                f"Median {median:.1f} seconds per item (expected at least "
                f"{limits.caution_seconds_per_item:g}): statements may not have been read."
            )
            flags.append(ValidityFlag("too_fast", level, detail))

    run, start = longest_run(codes[plan.longstring_columns])
    level = _level(run, limits.longstring_caution, limits.longstring_invalid, low_is_bad=False)
    if level:
        first = plan.item_ids[plan.longstring_columns[start]]
        last = plan.item_ids[plan.longstring_columns[start + run - 1]]
        detail = f"{run} identical answers in a row (items {first} to {last})."
        flags.append(ValidityFlag("long_string", level, detail))

    if len(plan.pair_columns):
        pairs = scores[plan.pair_columns]
        both = ~np.isnan(pairs).any(axis=1)
        if both.sum() >= MIN_PAIRS:
            gap = float(np.abs(pairs[both, 0] - pairs[both, 1]).mean())
            level = _level(
                gap, limits.inconsistency_caution, limits.inconsistency_invalid, low_is_bad=False
            )
            if level:
                detail = (
                    f"Statements saying nearly the same thing were answered {gap:.2f} scale "
                    f"points apart on average ({int(both.sum())} pairs)."
                )
                flags.append(ValidityFlag("inconsistent", level, detail))

    if len(plan.impression_columns):
        claimed = int((codes[plan.impression_columns] == plan.impression_extreme).sum())
        level = _level(
            claimed, limits.impression_caution, limits.impression_invalid, low_is_bad=False
        )
        if level:
            detail = (
                f"{claimed} of {len(plan.impression_columns)} statements about rare virtues "
                "were endorsed at the extreme: the answers may describe an ideal, not habits."
            )
            flags.append(ValidityFlag("impression_management", level, detail))

    total, done = len(codes), int(answered.sum())
    if done < COMPLETE_SHARE * total:
        detail = f"{done} of {total} items answered ({round(100 * done / total)} %)."
        flags.append(ValidityFlag("incomplete", "caution", detail))

    levels = {flag.level for flag in flags}
    status: Status = "invalid" if "invalid" in levels else "caution" if levels else "valid"
    return Validity(status, tuple(flags))
