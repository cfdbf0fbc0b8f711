"""A team's matching as data (the HR API's /teams/{id}/matching): each rep's stages ranked by
fit, and the suggested assignment of reps to stages with head-counts and gaps. It reads the
same view model as the team page and the team PDF, so all three agree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.reports.validity_reason import validity_reason
from app.scoring.result import Result
from app.services.report_inputs import team_inputs, team_view


@dataclass(frozen=True)
class StageFit:
    stage: str
    name: str
    sten: int | None
    band: str | None
    rank: int | None  # 1 = the rep's best-fitting stage; None without a score


@dataclass(frozen=True)
class MatchedRep:
    assessment_id: str
    name: str
    validity: str
    validity_reason: str | None
    ranked: bool  # False: kept out of rankings and the assignment (see validity_reason)
    stage_ranking: list[StageFit]
    assigned_stage: str | None


@dataclass(frozen=True)
class StageAssignment:
    stage: str
    name: str
    slots: int
    assigned: list[str]  # assessment ids
    gap_codes: list[str]
    gap_reasons: list[str]


@dataclass(frozen=True)
class TeamMatching:
    team_id: str
    team_name: str
    headcounts: dict[str, int] | None
    include_caution: bool
    reps: list[MatchedRep]
    stages: list[StageAssignment]
    unassigned: list[str]  # ranked reps without a slot (more reps than slots)


def _stage_ranking(result: Result) -> list[StageFit]:
    scored = [s for s in result.stages if s.status != "insufficient" and s.sten is not None]
    rest = [s for s in result.stages if s not in scored]
    return [
        StageFit(s.key, s.name, s.sten, s.band, s.rank if s in scored else None)
        for s in sorted(scored, key=lambda s: s.rank) + rest
    ]


def team_matching(
    *,
    db: Session,
    organisation_id: str,
    team_id: str,
    headcounts: Mapping[str, int] | None = None,
    include_caution: bool = False,
) -> TeamMatching:
    """ReportNotFound for another organisation's team, ReportNotReady before any completion."""
    inputs = team_inputs(db=db, team_id=team_id, organisation_id=organisation_id)
    view = team_view(inputs=inputs, headcounts=headcounts, include_caution=include_caution)
    assigned = {m.id: s.key for s in view.stages for m, _ in s.assigned}
    excluded = {m.id for m in view.excluded}
    reps = [
        MatchedRep(
            assessment_id=rep.assessment_id,
            name=rep.name,
            validity=rep.result.validity.status,
            validity_reason=validity_reason(rep.result.validity),
            ranked=rep.assessment_id not in excluded,
            stage_ranking=_stage_ranking(rep.result),
            assigned_stage=assigned.get(rep.assessment_id),
        )
        for rep in sorted(inputs.reps, key=lambda r: (r.name.lower(), r.assessment_id))
    ]
    return TeamMatching(
        team_id=team_id,
        team_name=inputs.name,
        headcounts=dict(headcounts) if headcounts is not None else None,
        include_caution=include_caution,
        reps=reps,
        stages=[
            StageAssignment(
                stage=s.key,
                name=s.name,
                slots=s.slots,
                assigned=[m.id for m, _ in s.assigned],
                gap_codes=s.gap_codes,
                gap_reasons=s.gap_reasons,
            )
            for s in view.stages
        ],
        unassigned=[m.id for m in view.unassigned],
    )
