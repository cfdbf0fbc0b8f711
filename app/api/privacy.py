"""HR API: a participant's data exported (the right of access) and erased (the right to
erasure), scoped to the API key's organisation; the work is in app/services/privacy.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.content import known_query_only
from app.deps import ApiKeyDep, DatabaseDep, SessionDep, WriteApiKeyDep
from app.problems import problem_responses
from app.services import audit, privacy

router = APIRouter(prefix="/api/v1", tags=["privacy"], dependencies=[Depends(known_query_only)])
NOT_FOUND = "No such participant in your organisation (or erased already)."


class ParticipantExport(BaseModel):
    """Everything StageFit holds about one participant."""

    model_config = ConfigDict(extra="allow")

    exported_at: str
    participant: dict[str, Any] = Field(
        description="id, email, first_name, last_name, external_id, team_id, created_at"
    )
    assessments: list[dict[str, Any]] = Field(
        description="Each assessment with its answers, page timings and result JSON."
    )
    messages: list[dict[str, Any]] = Field(
        description="E-mails, webhooks and partner callbacks about them, with each delivery "
        "attempt."
    )
    partner_orders: list[dict[str, Any]] = Field(description="Orders from an ATS (Greenhouse).")
    audit_events: list[dict[str, Any]] = Field(
        description="Audit events about the participant or their assessments."
    )


@router.get(
    "/participants/{participant_id}/export",
    response_model=ParticipantExport,
    responses=problem_responses(401, 404, s404=NOT_FOUND),
)
def export_participant(
    participant_id: str, api_key: ApiKeyDep, db: SessionDep, database: DatabaseDep
) -> dict[str, Any]:
    """Everything held about a participant, as JSON (audited as `participant.exported`)."""
    document = privacy.export(
        db=db, organisation_id=api_key.organisation_id, participant_id=participant_id
    )
    audit.record_access(
        database=database,
        action="participant.exported",
        actor=f"apikey:{api_key.id}",
        organisation_id=api_key.organisation_id,
        subject_id=participant_id,
    )
    return document


@router.delete(
    "/participants/{participant_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(
        401, 403, 404, s403="The API key lacks the `write` scope.", s404=NOT_FOUND
    ),
)
def erase_participant(participant_id: str, api_key: WriteApiKeyDep, db: SessionDep) -> Response:
    """Erase a participant: their personal data, answers, results, e-mails, delivery log and
    cached PDFs are deleted. Completed results stay only de-identified, for norms, if the
    organisation allows it. Audited as `participant.erased`."""
    privacy.erase(
        db=db,
        organisation_id=api_key.organisation_id,
        participant_id=participant_id,
        actor=f"apikey:{api_key.id}",
    )
    return Response(status_code=204)
