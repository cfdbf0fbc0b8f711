"""HR API: participants, upserted by your own id (`external_id`), found and listed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from app.api.content import AUTH, json_router
from app.api.schemas import EMAIL, EXTERNAL_ID, ID, ParticipantIn, ParticipantOut, ParticipantPage
from app.deps import ApiKeyDep, IdempotencyDep, SessionDep, WriteApiKeyDep
from app.models import Participant
from app.problems import problem_responses
from app.services import participants
from app.services.paging import CURSOR_PATTERN

router = json_router("participants")


def participant_out(participant: Participant) -> ParticipantOut:
    return ParticipantOut(
        id=participant.id,
        external_id=participant.external_id,
        email=participant.email,
        first_name=participant.first_name,
        last_name=participant.last_name,
        team_id=participant.team_id,
        created_at=participant.created_at,
    )


@router.post(
    "/participants",
    status_code=201,
    response_model=ParticipantOut,
    responses={
        200: {"model": ParticipantOut, "description": "An existing participant, updated."},
        **AUTH,
        **problem_responses(
            400,
            404,
            409,
            413,
            415,
            422,
            s400="The body is not JSON (it cannot be parsed).",
            s404="No such team in your organisation.",
            s409="The e-mail address belongs to another participant, or an Idempotency-Key's "
            "first request is still running.",
            s422="Invalid body, or an Idempotency-Key used before with another body.",
        ),
    },
)
def upsert_participant(
    body: ParticipantIn, api_key: WriteApiKeyDep, db: SessionDep, idempotency: IdempotencyDep
) -> Response:
    """Create the participant with this `external_id` (201), or bring the one you created
    before up to date (200). A person first known by e-mail gets the `external_id`."""
    status = 201

    def upsert() -> ParticipantOut:
        nonlocal status
        done = participants.upsert(
            db=db,
            organisation_id=api_key.organisation_id,
            email=body.email,
            first_name=body.first_name,
            last_name=body.last_name,
            external_id=body.external_id,
            team_id=body.team_id,
        )
        status = 201 if done.created else 200
        return participant_out(done.participant)

    return idempotency.respond(lambda: status, upsert, body=body)


@router.get(
    "/participants/{participant_id}",
    responses={**AUTH, **problem_responses(404, s404="No such participant in your organisation.")},
)
def get_participant(participant_id: str, api_key: ApiKeyDep, db: SessionDep) -> ParticipantOut:
    return participant_out(
        participants.find(
            db=db, organisation_id=api_key.organisation_id, participant_id=participant_id
        )
    )


@router.get(
    "/participants",
    responses={**AUTH, **problem_responses(422, s422="An invalid parameter or cursor.")},
)
def list_participants(
    api_key: ApiKeyDep,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, pattern=CURSOR_PATTERN)] = None,
    external_id: Annotated[str | None, Query(max_length=200, pattern=EXTERNAL_ID)] = None,
    email: Annotated[str | None, Query(max_length=320, pattern=EMAIL)] = None,
    team_id: Annotated[str | None, Query(max_length=36, pattern=ID)] = None,
) -> ParticipantPage:
    """Your participants in the order they were created, `limit` at a time; filter by
    `external_id` to find one by your own id."""
    page = participants.list_page(
        db=db,
        organisation_id=api_key.organisation_id,
        limit=limit,
        cursor=cursor,
        external_id=external_id,
        email=email,
        team_id=team_id,
    )
    return ParticipantPage(
        items=[participant_out(p) for p in page.items], next_cursor=page.next_cursor
    )
