"""HR API: teams of the API key's organisation, their reps, and the suggested assignment of
reps to stages (the same matching as the team page and the team PDF)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api import team_schemas as schemas
from app.api.params import Headcounts
from app.deps import ApiKeyDep, IdempotencyDep, SessionDep, WriteApiKeyDep
from app.models import Organisation, Team
from app.problems import problem_responses
from app.services import reports
from app.services import teams as team_service
from app.services.organisations import create_team
from app.services.team_matching import team_matching

router = APIRouter(prefix="/api/v1/teams", tags=["teams"])
NOT_FOUND = "No such team in your organisation."


def _out(team: Team) -> schemas.TeamOut:
    return schemas.TeamOut(
        id=team.id, name=team.name, created_at=team.created_at, archived_at=team.archived_at
    )


@router.post(
    "",
    status_code=201,
    response_model=schemas.TeamOut,
    responses=problem_responses(
        401,
        403,
        409,
        413,
        415,
        422,
        s403="The API key lacks the write scope.",
        s409="A team of that name already exists, or a request with the same Idempotency-Key "
        "is still running.",
        s413="The body is larger than 1 MiB.",
        s415="The body is not JSON.",
        s422="An empty name, one over 200 characters or with control characters, or an "
        "Idempotency-Key used before with another request.",
    ),
)
def create(
    body: schemas.TeamIn, api_key: WriteApiKeyDep, db: SessionDep, idempotency: IdempotencyDep
) -> Response:
    """Create a team. Send an `Idempotency-Key` so a retry never creates two."""

    def created() -> schemas.TeamOut:
        organisation = db.get(Organisation, api_key.organisation_id)
        assert organisation is not None
        return _out(create_team(db=db, organisation=organisation, name=body.name))

    return idempotency.respond(201, created, body=body)


@router.get("", responses=problem_responses(401))
def list_teams(
    api_key: ApiKeyDep,
    db: SessionDep,
    archived: Annotated[bool, Query(description="Include archived teams.")] = False,
) -> schemas.TeamList:
    """The organisation's teams by name (live ones unless `archived`)."""
    teams = team_service.list_teams(
        db=db, organisation_id=api_key.organisation_id, archived=archived
    )
    return schemas.TeamList(data=[_out(t) for t in teams])


@router.get("/{team_id}", responses=problem_responses(401, 404, s404=NOT_FOUND))
def get(team_id: str, api_key: ApiKeyDep, db: SessionDep) -> schemas.TeamOut:
    """One team, archived or not."""
    return _out(
        team_service.get_team(db=db, organisation_id=api_key.organisation_id, team_id=team_id)
    )


@router.get("/{team_id}/members", responses=problem_responses(401, 404, s404=NOT_FOUND))
def members(team_id: str, api_key: ApiKeyDep, db: SessionDep) -> schemas.MemberList:
    """The team's reps (participants), by name."""
    team = team_service.get_team(db=db, organisation_id=api_key.organisation_id, team_id=team_id)
    return schemas.MemberList(
        data=[schemas.Member(**asdict(rep)) for rep in team_service.members(db=db, team=team)]
    )


@router.get(
    "/{team_id}/matching",
    responses=problem_responses(
        401,
        404,
        409,
        422,
        s404=NOT_FOUND,
        s409="No rep of the team has completed an assessment yet.",
        s422="A `headcount` that is not STAGE=N with a stage key and a whole number.",
    ),
)
def matching(
    team_id: str,
    api_key: ApiKeyDep,
    db: SessionDep,
    headcount: Headcounts = None,
    include_caution: Annotated[
        bool,
        Query(
            description="Also rank and assign results to interpret with caution (never "
            "invalid ones)."
        ),
    ] = False,
) -> schemas.TeamMatching:
    """Each rep's stages ranked by fit and the suggested assignment of reps to stages
    (head-counts per stage, or an even spread), with the stages nobody covers. Invalid
    results, and caution ones by default, are listed but not ranked or assigned."""
    counts = reports.parse_headcounts(headcount) if headcount else None
    found = team_matching(
        db=db,
        organisation_id=api_key.organisation_id,
        team_id=team_id,
        headcounts=counts,
        include_caution=include_caution,
    )
    return schemas.TeamMatching.model_validate(asdict(found))
