"""HR API: assessments ordered (one or up to 500 at once), listed, found, cancelled and
reminded, and their result JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Response
from pydantic import AwareDatetime

from app.api.content import AUTH, json_router
from app.api.participants import participant_out
from app.api.schemas import (
    EXTERNAL_ID,
    ID,
    AssessmentIn,
    AssessmentLinks,
    AssessmentOut,
    AssessmentPage,
    BulkIn,
    BulkOut,
    InstrumentRef,
    ReminderOut,
    ResultOut,
)
from app.clock import utcnow
from app.config import Settings
from app.deps import ApiKeyDep, IdempotencyDep, SessionDep, SettingsDep, WriteApiKeyDep
from app.models import ApiKey, Assessment, Organisation
from app.problems import problem_responses
from app.services import orders
from app.services.events import assessment_links
from app.services.paging import CURSOR_PATTERN
from app.vocabulary import AssessmentStatus

router = json_router("assessments")
NOT_FOUND = problem_responses(404, s404="No such assessment in your organisation.")
IDEMPOTENCY_409 = "a request with the same Idempotency-Key is still running"
POSTED = problem_responses(
    400,
    413,
    415,
    422,
    s400="The body is not JSON (it cannot be parsed).",
    s413="The body is larger than 1 MiB.",
    s415="The body is not JSON.",
    s422="Invalid body (each field at fault in `errors`), or an Idempotency-Key used before "
    "with another request.",
)


def actor(api_key: ApiKey) -> str:
    return f"apikey:{api_key.id}"


def assessment_out(
    settings: Settings, assessment: Assessment, participant_url: str | None = None
) -> AssessmentOut:
    now = utcnow()
    links = {k: settings.base_url + v for k, v in assessment_links(assessment.id).items()}
    return AssessmentOut(
        id=assessment.id,
        status=orders.status_now(assessment, now),
        participant_url=participant_url or orders.link(settings, assessment, now),
        participant=participant_out(assessment.participant),
        instrument=InstrumentRef(
            key=assessment.instrument_version.key, version=assessment.instrument_version.version
        ),
        team_id=assessment.team_id,
        locale=assessment.locale,
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        expires_at=assessment.expires_at,
        started_at=assessment.started_at,
        completed_at=assessment.completed_at,
        cancelled_at=assessment.cancelled_at,
        links=AssessmentLinks(**links),
    )


def _order(body: AssessmentIn) -> orders.Order:
    return orders.Order(
        instrument=body.instrument,
        email=body.participant.email,
        first_name=body.participant.first_name,
        last_name=body.participant.last_name,
        external_id=body.participant.external_id,
        team_id=body.team_id,
        expires_at=body.expires_at,
        send_email=body.send_email,
        locale=body.locale,
    )


def _organisation(db: SessionDep, api_key: ApiKey) -> Organisation:
    organisation = db.get(Organisation, api_key.organisation_id)
    assert organisation is not None  # an API key's organisation is never removed
    return organisation


@router.post(
    "/assessments",
    status_code=201,
    response_model=AssessmentOut,
    responses={
        **AUTH,
        **POSTED,
        **problem_responses(
            404,
            409,
            s404="No such instrument, or no such team in your organisation (`errors` names "
            "the field).",
            s409="The participant's e-mail address belongs to another participant than the "
            f"external_id, or {IDEMPOTENCY_409}.",
        ),
    },
)
def order_assessment(
    body: AssessmentIn,
    api_key: WriteApiKeyDep,
    db: SessionDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """Invite a participant to an instrument. With `send_email` the invitation is e-mailed;
    either way `participant_url` is the participant's link. Send an `Idempotency-Key` so a
    retry never orders twice."""

    def order() -> AssessmentOut:
        placed = orders.place(
            db=db,
            settings=settings,
            organisation=_organisation(db, api_key),
            order=_order(body),
            actor=actor(api_key),
        )
        return assessment_out(settings, placed.assessment, placed.participant_url)

    return idempotency.respond(201, order, body=body)


@router.post(
    "/assessments/bulk",
    status_code=201,
    response_model=BulkOut,
    responses={
        **AUTH,
        **POSTED,
        **problem_responses(
            404,
            409,
            s404="An item names no such instrument, or no such team in your organisation; "
            "`errors` lists every item at fault and nothing was ordered.",
            s409="An item's participant clashes with another participant (`errors` lists "
            f"them; nothing was ordered), or {IDEMPOTENCY_409}.",
        ),
    },
)
def order_assessments(
    body: BulkIn,
    api_key: WriteApiKeyDep,
    db: SessionDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """Up to 500 orders at once, all or none: if any item is wrong, nothing is ordered and
    the problem's `errors` list every error by item (`body.items.3.participant.email`)."""

    def order() -> BulkOut:
        placed = orders.place_many(
            db=db,
            settings=settings,
            organisation=_organisation(db, api_key),
            orders=[_order(item) for item in body.items],
            actor=actor(api_key),
        )
        return BulkOut(
            items=[assessment_out(settings, p.assessment, p.participant_url) for p in placed]
        )

    return idempotency.respond(201, order, body=body)


@router.get(
    "/assessments",
    responses={**AUTH, **problem_responses(422, s422="An invalid parameter or cursor.")},
)
def list_assessments(
    api_key: ApiKeyDep,
    db: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=CURSOR_PATTERN,
            description="`next_cursor` of the previous page.",
        ),
    ] = None,
    status: AssessmentStatus | None = None,
    team_id: Annotated[str | None, Query(max_length=36, pattern=ID)] = None,
    participant_id: Annotated[str | None, Query(max_length=36, pattern=ID)] = None,
    external_id: Annotated[
        str | None,
        Query(max_length=200, pattern=EXTERNAL_ID, description="The participant's, yours."),
    ] = None,
    updated_since: Annotated[
        AwareDatetime | None,
        Query(description="Only assessments changed at or after this moment (RFC 3339)."),
    ] = None,
) -> AssessmentPage:
    """Your assessments by last change, oldest first, `limit` at a time: follow
    `next_cursor` until it is null. Rows changed while you page move to the end, so paging
    on sees every change once."""
    page = orders.list_page(
        db=db,
        organisation_id=api_key.organisation_id,
        limit=limit,
        cursor=cursor,
        status=status,
        team_id=team_id,
        participant_id=participant_id,
        external_id=external_id,
        updated_since=updated_since,
    )
    return AssessmentPage(
        items=[assessment_out(settings, a) for a in page.items], next_cursor=page.next_cursor
    )


@router.get("/assessments/{assessment_id}", responses={**AUTH, **NOT_FOUND})
def get_assessment(
    assessment_id: str, api_key: ApiKeyDep, db: SessionDep, settings: SettingsDep
) -> AssessmentOut:
    """One assessment: status `invited`, `started`, `completed`, `expired` or `cancelled`."""
    assessment = orders.find(
        db=db, organisation_id=api_key.organisation_id, assessment_id=assessment_id
    )
    return assessment_out(settings, assessment)


@router.post(
    "/assessments/{assessment_id}/cancel",
    response_model=AssessmentOut,
    responses={
        **AUTH,
        **NOT_FOUND,
        **POSTED,
        **problem_responses(409, s409=f"Completed or expired already, or {IDEMPOTENCY_409}."),
    },
)
def cancel_assessment(
    assessment_id: str,
    api_key: WriteApiKeyDep,
    db: SessionDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """The link stops working; `assessment.cancelled` is sent to webhooks. Cancelling again
    changes nothing."""

    def cancel() -> AssessmentOut:
        assessment = orders.cancel(
            db=db,
            organisation_id=api_key.organisation_id,
            assessment_id=assessment_id,
            actor=actor(api_key),
        )
        return assessment_out(settings, assessment)

    return idempotency.respond(200, cancel)


@router.post(
    "/assessments/{assessment_id}/remind",
    status_code=202,
    response_model=ReminderOut,
    responses={
        **AUTH,
        **NOT_FOUND,
        **POSTED,
        **problem_responses(
            409,
            s409=f"The assessment is not open (completed, expired, cancelled), or "
            f"{IDEMPOTENCY_409}.",
        ),
    },
)
def remind(
    assessment_id: str, api_key: WriteApiKeyDep, db: SessionDep, idempotency: IdempotencyDep
) -> Response:
    """E-mail the participant a reminder with their link (queued; sent by the worker)."""

    def queue() -> ReminderOut:
        message = orders.remind(
            db=db, organisation_id=api_key.organisation_id, assessment_id=assessment_id
        )
        return ReminderOut(
            message_id=message.id,
            assessment_id=assessment_id,
            to=message.recipient,
            queued_at=message.created_at,
        )

    return idempotency.respond(202, queue)


@router.get(
    "/assessments/{assessment_id}/result",
    response_model=ResultOut,
    responses={
        **AUTH,
        **NOT_FOUND,
        **problem_responses(409, s409="The assessment is not completed (yet)."),
    },
)
def get_result(
    assessment_id: str, api_key: ApiKeyDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """The result JSON: stage sub-results, validity, the norm's provisional flag, the
    summary score out of `max_score` (null when the result is not valid) and `links.report`,
    the PDF."""
    return orders.result(
        db=db,
        settings=settings,
        organisation_id=api_key.organisation_id,
        assessment_id=assessment_id,
    )
