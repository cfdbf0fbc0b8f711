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


def reliable_change(
    before: Result, after: Result, norms: NormTable, *, critical: float = CRITICAL_RCI
) -> tuple[CompetencyChange, ...]:
    """Per competency of `after`: the raw change and whether it is reliable.

    Both results must come from the same instrument version (the same items make the same raw
    scale). `norms` supplies SD and reliability; pass the table both results were scored with.
    """
    if (before.instrument.key, before.instrument.version) != (
        after.instrument.key,
        after.instrument.version,
    ):
        raise UserError(
            "reliable change needs two results of the same instrument version: "
            f"{before.instrument.key} {before.instrument.version} vs "
            f"{after.instrument.key} {after.instrument.version}"
        )
    earlier = {c.key: c.raw for c in before.competencies}
    changes: list[CompetencyChange] = []
    for score in after.competencies:
        x1, x2 = earlier.get(score.key), score.raw
        norm = norms.competencies.get(score.key)
        if x1 is None or x2 is None or norm is None:
            changes.append(CompetencyChange(score.key, x1, x2, None, None, "insufficient"))
            continue
        index = rci(x1, x2, norm.sd, norm.reliability)
        changes.append(
            CompetencyChange(score.key, x1, x2, x2 - x1, index, classify(index, critical))
        )
    return tuple(changes)
