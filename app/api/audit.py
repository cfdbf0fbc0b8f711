"""HR API: the organisation's audit trail, newest first, with cursor pagination."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from app.api.content import known_query_only
from app.clock import rfc3339
from app.deps import ApiKeyDep, SessionDep
from app.problems import problem_responses
from app.services import audit

router = APIRouter(prefix="/api/v1", tags=["audit"], dependencies=[Depends(known_query_only)])


class AuditEventOut(BaseModel):
    id: int
    action: str = Field(examples=["participant.erased"])
    actor: str = Field(
        description="`user:<id>`, `apikey:<id>`, `participant`, `cli`, `system:…` or "
        "`anonymous` (a failed sign-in)",
        examples=["user:3f0c…"],
    )
    subject_id: str | None = Field(description="The assessment, participant, key, … acted on.")
    detail: dict[str, Any]
    created_at: str = Field(examples=["2026-12-02T09:00:00Z"])


class AuditEventPage(BaseModel):
    data: list[AuditEventOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last page."
    )


@router.get(
    "/audit-events",
    response_model=AuditEventPage,
    responses=problem_responses(401, 422, s422="A `cursor`, `limit` or filter out of range."),
)
def list_audit_events(
    api_key: ApiKeyDep,
    db: SessionDep,
    cursor: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{1,18}$", description="`next_cursor` of the previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = 50,
    action: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z0-9_.]{1,64}$",
            description="Only this action.",
            examples=["user.signed_in"],
        ),
    ] = None,
    subject_id: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z0-9_:-]{1,36}$", description="Only events about this id."),
    ] = None,
) -> dict[str, Any]:
    """Who viewed, downloaded, exported or erased which result or person, who changed
    settings, keys and webhooks, and every sign-in: newest first."""
    page = audit.events(
        db=db,
        organisation_id=api_key.organisation_id,
        before=int(cursor) if cursor else None,
        limit=limit,
        action=action,
        subject_id=subject_id,
    )
    return {
        "data": [
            {
                "id": e.id,
                "action": e.action,
                "actor": e.actor,
                "subject_id": e.subject_id,
                "detail": e.detail,
                "created_at": rfc3339(e.created_at),
            }
            for e in page.events
        ],
        "next_cursor": str(page.next_before) if page.next_before is not None else None,
    }
