"""Team matching: assign a team's reps to sales-process stages for the highest total fit.

An assignment problem: every stage offers slots (its head-count, or without head-counts
ceil(reps / 7) each, so that reps spread over the process), every rep takes at most one slot,
and the total fit of the assigned reps is maximised (scipy's linear_sum_assignment). Stages
nobody is assigned to, and stages where no rep reaches `small_strength`, are coverage gaps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.instrument.model import BandKey
from app.instrument.process import BAND_KEYS, STAGE_KEYS

GapCode = Literal["unassigned", "no_strength"]
STRONG_ENOUGH: BandKey = "small_strength"


@dataclass(frozen=True)
class Gap:
    """A stage the team does not cover, and why (one or both codes)."""

    stage: str
    codes: tuple[GapCode, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TeamMatch:
    assignments: dict[str, str]
    """rep id → stage key, for assigned reps only."""
    unassigned: tuple[str, ...]
    """Reps without a slot (more reps than slots)."""
    slots: dict[str, int]
    total_fit: float
    gaps: tuple[Gap, ...]
    rankings: dict[str, tuple[str, ...]]
    """stage key → rep ids, best fit first (ties by rep id)."""

    def reps_at(self, stage: str) -> list[str]:
        return sorted(rep for rep, s in self.assignments.items() if s == stage)


def stage_slots(n_reps: int, headcounts: Mapping[str, int] | None) -> dict[str, int]:
    """Slots per stage: the head-counts as given (absent stages 0), else ceil(reps/7) each."""
    if headcounts is None:
        each = math.ceil(n_reps / len(STAGE_KEYS)) if n_reps else 0
        return dict.fromkeys(STAGE_KEYS, each)
    unknown = sorted(set(headcounts) - set(STAGE_KEYS))
    if unknown:
        raise ValueError(f"head-counts for unknown stages: {', '.join(unknown)}")
    negative = sorted(s for s, count in headcounts.items() if count < 0)
    if negative:
        raise ValueError(f"negative head-counts for: {', '.join(negative)}")
    return {stage: int(headcounts.get(stage, 0)) for stage in STAGE_KEYS}


def match_team(
    fit: Mapping[str, Mapping[str, float]],
    *,
    headcounts: Mapping[str, int] | None = None,
    bands: Mapping[str, Mapping[str, BandKey]] | None = None,
) -> TeamMatch:
    """Assign reps to stages maximising total fit; report gaps and per-stage rankings.

    `fit[rep][stage]` is how well the rep fits the stage (higher is better, e.g. the stage
    sten); a stage missing for a rep (insufficient score) cannot be assigned to that rep.
    `bands[rep][stage]`, when given, decides the `no_strength` gaps.
    """
    reps = sorted(fit)
    slots = stage_slots(len(reps), headcounts)
    columns = [stage for stage in STAGE_KEYS for _ in range(slots[stage])]

    assignments: dict[str, str] = {}
    total = 0.0
    if reps and columns:
        values = np.array(
            [[_fit(fit[rep], stage) for stage in columns] for rep in reps], dtype=np.float64
        )
        # A forbidden pair costs more than any real one could gain, so the solver uses it
        # only when nothing else is left; such pairs are then dropped from the result.
        finite = values[np.isfinite(values)]
        span = float(finite.max() - finite.min()) if finite.size else 0.0
        penalty = (float(finite.min()) if finite.size else 0.0) - (span + 1.0) * (len(reps) + 1)
        # Imported here: scipy.optimize is a third of a second of every server start-up.
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(
            np.where(np.isfinite(values), values, penalty), maximize=True
        )
        for r, c in zip(rows, cols, strict=True):
            if np.isfinite(values[r, c]):
                assignments[reps[r]] = columns[c]
                total += float(values[r, c])

    return TeamMatch(
        assignments=assignments,
        unassigned=tuple(rep for rep in reps if rep not in assignments),
        slots=slots,
        total_fit=total,
        gaps=_gaps(reps, slots, assignments, bands),
        rankings={stage: _ranking(fit, reps, stage) for stage in STAGE_KEYS},
    )


def _fit(rep_fit: Mapping[str, float], stage: str) -> float:
    value = rep_fit.get(stage)
    if value is None or not math.isfinite(value):
        return -math.inf
    return float(value)


def _ranking(
    fit: Mapping[str, Mapping[str, float]], reps: list[str], stage: str
) -> tuple[str, ...]:
    scored = [rep for rep in reps if math.isfinite(_fit(fit[rep], stage))]
    return tuple(sorted(scored, key=lambda rep: (-_fit(fit[rep], stage), rep)))


def _gaps(
    reps: list[str],
    slots: Mapping[str, int],
    assignments: Mapping[str, str],
    bands: Mapping[str, Mapping[str, BandKey]] | None,
) -> tuple[Gap, ...]:
    covered = set(assignments.values())
    strong = BAND_KEYS.index(STRONG_ENOUGH)
    gaps: list[Gap] = []
    for stage in STAGE_KEYS:
        codes: list[GapCode] = []
        reasons: list[str] = []
        if stage not in covered:
            codes.append("unassigned")
            if slots[stage] == 0:
                reasons.append("no rep assigned: the head-count for this stage is 0")
            elif not reps:
                reasons.append("no rep assigned: the team has no reps")
            else:
                open_slots = sum(slots.values())
                reasons.append(
                    f"no rep assigned: {len(reps)} reps for {open_slots} slots, "
                    "and they fit other stages better"
                )
        if bands is not None:
            reached = [
                rep
                for rep in reps
                if rep in bands
                and stage in bands[rep]
                and BAND_KEYS.index(bands[rep][stage]) >= strong
            ]
            if not reached:
                codes.append("no_strength")
                reasons.append("no rep in the team reaches Small strength in this stage")
        if codes:
            gaps.append(Gap(stage=stage, codes=tuple(codes), reasons=tuple(reasons)))
    return tuple(gaps)
