"""What became of the e-mails about an assessment: sent, waiting, being retried, refused by the
recipient's server (a bounce at send time, with the server's reply) or given up. Read from the
outbox and its delivery log, for the manager's assessment page and the HR API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import DeliveryAttempt, OutboxMessage
from app.services.outbox import Kind, Status


class EmailState(StrEnum):
    QUEUED = "queued"  # not tried yet
    SENT = "sent"  # accepted by the mail server (or written to var/outbox/)
    RETRYING = "retrying"  # failed for now (4xx, server down); tried again later
    REFUSED = "refused"  # the recipient's server said no for good, or it could not be sent
    FAILED = "failed"  # retried for the whole retry period without success


@dataclass(frozen=True)
class EmailDelivery:
    id: str  # the outbox message's id (also the e-mail's Message-ID)
    message: str  # invitation | reminder | greenhouse_invitation
    recipient: str
    state: EmailState
    at: datetime  # when queued, sent, or last tried
    attempts: int
    reason: str | None  # the server's reply or our reason, unless sent
    status_code: int | None  # the SMTP reply code of the last attempt, if any
    next_attempt_at: datetime | None  # when retrying


def _state(row: OutboxMessage, last: DeliveryAttempt | None) -> EmailState:
    if row.status == Status.DELIVERED:
        return EmailState.SENT
    if row.status == Status.DEAD:
        refused = last is None or last.outcome == "refused"
        return EmailState.REFUSED if refused else EmailState.FAILED
    return EmailState.RETRYING if row.attempts else EmailState.QUEUED


def email_deliveries(*, db: Session, assessment_id: str) -> list[EmailDelivery]:
    """The assessment's e-mails, oldest first, each with its state and, unless sent, why."""
    rows = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.assessment_id == assessment_id, OutboxMessage.kind == Kind.EMAIL)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    last: dict[str, DeliveryAttempt] = {}
    if rows:
        attempts = db.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.message_id.in_([row.id for row in rows]))
            .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
        )
        last = {attempt.message_id: attempt for attempt in attempts}
    return [_delivery(row, last.get(row.id)) for row in rows]


def _reason(row: OutboxMessage, last: DeliveryAttempt | None) -> str | None:
    return (last.error if last else None) or row.last_error


def _delivery(row: OutboxMessage, last: DeliveryAttempt | None) -> EmailDelivery:
    state = _state(row, last)
    if state == EmailState.SENT:
        at = row.delivered_at or (last.attempted_at if last else row.created_at)
    else:
        at = last.attempted_at if last else row.created_at
    return EmailDelivery(
        id=row.id,
        message=row.topic,
        recipient=row.recipient,
        state=state,
        at=at,
        attempts=row.attempts,
        reason=None if state == EmailState.SENT else _reason(row, last),
        status_code=last.status_code if last else None,
        next_attempt_at=row.next_attempt_at if state == EmailState.RETRYING else None,
    )
