"""The outbox: e-mails, webhooks and partner callbacks are written here, in the transaction of
the change that causes them, and delivered afterwards by the worker (app/worker). Nothing is
sent from inside a request, and nothing caused by a committed change is lost."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UserError
from app.models import OutboxMessage
from app.models.base import new_id


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
        id=new_id(),  # known before the flush: callers hand it out (webhook-id, API replies)
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


class NotFound(UserError):
    status_code = 404


# What admins look at: messages that did not go out. `retrying` = pending after a failure.
TROUBLE = ("dead", "retrying")
FILTERS = (*TROUBLE, "pending", "delivered")


def _status_filter(status: str) -> ColumnElement[bool]:
    if status == "retrying":
        return and_(OutboxMessage.status == Status.PENDING, OutboxMessage.attempts > 0)
    if status not in FILTERS:
        raise UserError(f"unknown status {status!r}: use {', '.join(FILTERS)}")
    return OutboxMessage.status == status


def list_messages(
    *,
    db: Session,
    organisation_id: str,
    status: str | None = None,
    limit: int = 100,
) -> list[OutboxMessage]:
    """An organisation's messages, newest first: by default those that did not go out (dead,
    or failed and waiting for a retry), with why in `last_error`; or those of one `status`
    (dead, retrying, pending, delivered)."""
    condition = _status_filter(status) if status else or_(*map(_status_filter, TROUBLE))
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.organisation_id == organisation_id, condition)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
            .limit(limit)
        )
    )


def retry(
    *,
    db: Session,
    message_id: str,
    organisation_id: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Send a message that has not been delivered again now (a dead one comes back to life,
    for one more attempt; see app/worker/schedule.py). A delivered message is not sent twice
    this way: e-mails cannot be taken back (webhooks have redelivery for that)."""
    message = db.get(OutboxMessage, message_id)
    if message is None or (
        organisation_id is not None and message.organisation_id != organisation_id
    ):
        raise NotFound(f"no outbox message {message_id}")
    if message.status == Status.DELIVERED:
        raise UserError(f"message {message_id} was delivered already; nothing to retry")
    message.status = Status.PENDING
    message.next_attempt_at = now or utcnow()
    message.locked_until = None
    return message
