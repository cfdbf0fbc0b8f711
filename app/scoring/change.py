"""Change between two results of one person, judged by the Jacobson–Truax reliable change index.

A raw difference means little on its own: part of any score is measurement error, and two
measurements differ even when nothing changed. RCI = (x2 − x1)/S_diff with S_diff = √2·SEM and
SEM = SD·√(1 − r) (SD and reliability r from the norm table) is the difference in units of the
error a difference of two measurements has; |RCI| > 1.96 happens by error alone in 5 % of cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from app.errors import UserError
from app.instrument.model import NormTable
from app.scoring.result import Result

ChangeKind = Literal["improved", "declined", "no reliable change", "insufficient"]
CRITICAL_RCI = 1.96


@dataclass(frozen=True)
class CompetencyChange:
    key: str
    before: float | None
    after: float | None
    difference: float | None
    rci: float | None
    change: ChangeKind


def standard_error_of_difference(sd: float, reliability: float) -> float:
    """S_diff = √2·SEM = √2·SD·√(1 − r)."""
    return math.sqrt(2.0) * sd * math.sqrt(1.0 - reliability)


def rci(before: float, after: float, sd: float, reliability: float) -> float:
    """Jacobson–Truax reliable change index (after − before)/S_diff."""
    s_diff = standard_error_of_difference(sd, reliability)
    if s_diff <= 0.0:
        raise ValueError("the reliable change index needs a reliability below 1 and SD above 0")
    return (after - before) / s_diff


def classify(index: float, critical: float = CRITICAL_RCI) -> ChangeKind:
    if index > critical:
        return "improved"
    if index < -critical:
        return "declined"
    return "no reliable change"


def _same_version(before: Result, after: Result) -> None:
    if (before.instrument.key, before.instrument.version) != (
        after.instrument.key,
        after.instrument.version,
    ):
        raise UserError(
            "reliable change needs two results of the same instrument version: "
            f"{before.instrument.key} {before.instrument.version} vs "
            f"{after.instrument.key} {after.instrument.version}"
        )


def _judge(
    key: str, x1: float | None, x2: float | None, sd: float, reliability: float, critical: float
) -> CompetencyChange:
    if x1 is None or x2 is None:
        return CompetencyChange(key, x1, x2, None, None, "insufficient")
    index = rci(x1, x2, sd, reliability)
    return CompetencyChange(key, x1, x2, x2 - x1, index, classify(index, critical))


def reliable_change(
    before: Result, after: Result, norms: NormTable, *, critical: float = CRITICAL_RCI
) -> tuple[CompetencyChange, ...]:
    """Per competency of `after`: the raw change and whether it is reliable.

    Both results must come from the same instrument version (the same items make the same raw
    scale). `norms` supplies SD and reliability; pass the table both results were scored with.
    """
    _same_version(before, after)
    earlier = {c.key: c.raw for c in before.competencies}
    changes: list[CompetencyChange] = []
    for score in after.competencies:
        norm = norms.competencies.get(score.key)
        if norm is None:
            changes.append(
                CompetencyChange(
                    score.key, earlier.get(score.key), score.raw, None, None, "insufficient"
                )
            )
            continue
        changes.append(
            _judge(
                score.key, earlier.get(score.key), score.raw, norm.sd, norm.reliability, critical
            )
        )
    return tuple(changes)


def stage_change(
    before: Result, after: Result, norms: NormTable, *, critical: float = CRITICAL_RCI
) -> tuple[CompetencyChange, ...]:
    """Per stage of `after`: the change of its normed composite and whether it is reliable.

    A stage's z is its weighted composite in units of the norm group's SD, so in z units
    S_diff = √2·√(1 − r) with r the composite's reliability. The z values compare only when
    both results were normed with the same table: pass that table; another is an error.
    """
    _same_version(before, after)
    if before.norm.id != after.norm.id or norms.id != after.norm.id:
        raise UserError(
            f"stage change needs results normed alike: {before.norm.id} vs {after.norm.id}"
        )
    earlier = {s.key: s.z for s in before.stages}
    changes: list[CompetencyChange] = []
    for stage in after.stages:
        norm = norms.stages.get(stage.key)  # type: ignore[call-overload]
        if norm is None:
            changes.append(
                CompetencyChange(
                    stage.key, earlier.get(stage.key), stage.z, None, None, "insufficient"
                )
            )
            continue
        changes.append(
            _judge(stage.key, earlier.get(stage.key), stage.z, 1.0, norm.reliability, critical)
        )
    return tuple(changes)
