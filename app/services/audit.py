"""The audit trail: who did what to which assessment, person, key or setting, and when.

Append-only: this module only adds events (there is no update or delete path anywhere in
the code, and on PostgreSQL a trigger refuses both). Events hold ids and addresses, never a
participant's name or e-mail, so erasing a person leaves the trail whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import AuditEvent, User

MAX_PAGE = 200
LARGEST_ID = 2**31 - 1


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


def record_access(
    *,
    database: Database,
    action: str,
    actor: str,
    organisation_id: str,
    subject_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a read (a result viewed, a report downloaded, a person's data exported) in a
    short write transaction of its own: the request's own transaction only reads, and on
    SQLite a reading transaction that starts to write can fail when another writer came
    first (the same reason the API key's last use is written apart)."""
    with database.session(write=True) as db:
        record(
            db=db,
            action=action,
            actor=actor,
            organisation_id=organisation_id,
            subject_id=subject_id,
            detail=detail,
        )


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    next_before: int | None  # the id to ask for next (older events), None on the last page


def events(
    *,
    db: Session,
    organisation_id: str,
    before: int | None = None,
    limit: int = 50,
    action: str | None = None,
    subject_id: str | None = None,
) -> Page:
    """An organisation's events, newest first, `limit` at a time: each page's `next_before`
    fetches the next (older) one. Ids only grow, so pages never repeat or skip an event
    while new ones are being added."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
    if before is not None:
        # Ids are 32-bit integers (PostgreSQL refuses a larger number outright); any cursor
        # above them all means "from the newest".
        query = query.where(AuditEvent.id < min(before, LARGEST_ID))
    if action:
        query = query.where(AuditEvent.action == action)
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    rows = list(db.scalars(query.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(events=rows, next_before=rows[-1].id if more and rows else None)


def actor_names(*, db: Session, organisation_id: str, events: list[AuditEvent]) -> dict[str, str]:
    """`user:<id>` actors as their sign-in e-mail, for people reading the trail (users of
    the organisation only; a removed user stays an id)."""
    ids = {e.actor.removeprefix("user:") for e in events if e.actor.startswith("user:")}
    if not ids:
        return {}
    users = db.execute(
        select(User.id, User.email).where(User.organisation_id == organisation_id, User.id.in_(ids))
    )
    return {f"user:{user_id}": email for user_id, email in users}
