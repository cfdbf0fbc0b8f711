"""The audit trail: who did what to which assessment, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEvent


def record(
    *,
    db: Session,
    action: str,
    actor: str,
    organisation_id: str | None = None,
    subject_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction (kept only if the change is kept)."""
    event = AuditEvent(
        organisation_id=organisation_id,
        actor=actor,
        action=action,
        subject_id=subject_id,
        detail=detail or {},
    )
    db.add(event)
    return event
