"""The outbox: e-mails, webhooks and partner callbacks are written here, in the transaction of
the change that causes them, and delivered afterwards by the worker (app/worker). Nothing is
sent from inside a request, and nothing caused by a committed change is lost."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import OutboxMessage


class Kind(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    GREENHOUSE = "greenhouse"


class Status(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up after the retry period, or refused for good; shown to admins


def enqueue(
    *,
    db: Session,
    kind: Kind,
    topic: str,
    recipient: str,
    payload: dict[str, Any],
    organisation_id: str | None = None,
    assessment_id: str | None = None,
    endpoint_id: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Add a message to the caller's transaction; due at once."""
    now = now or utcnow()
    message = OutboxMessage(
        kind=kind,
        topic=topic,
        recipient=recipient,
        payload=payload,
        organisation_id=organisation_id,
        assessment_id=assessment_id,
        endpoint_id=endpoint_id,
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.add(message)
    return message
