"""Delivering the outbox in tests as the worker does: each due message to its kind's
registered deliverer, the attempt logged, the message marked delivered, dead (refused) or
due again (failed). The seam where the real worker's one-pass call replaces this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

import app.delivery.email
import app.delivery.greenhouse  # noqa: F401 (registers the deliverers)
from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.delivery import DELIVERERS, Delivery, DeliveryContext, Outcome
from app.models import DeliveryAttempt, OutboxMessage
from app.services.outbox import Status


@dataclass(frozen=True)
class Delivered:
    message_id: str
    kind: str
    topic: str
    delivery: Delivery


def deliver_due(
    database: Database, settings: Settings, *, now: datetime | None = None
) -> list[Delivered]:
    """One pass over the due messages whose kind has a deliverer here, oldest first."""
    now = now or utcnow()
    with database.session() as db:
        due = db.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == Status.PENDING,
                OutboxMessage.next_attempt_at <= now,
                OutboxMessage.kind.in_(list(DELIVERERS)),
            )
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        ).all()
    done = []
    with httpx.Client(timeout=10) as http:
        for message_id in due:
            with database.session(write=True) as db:
                message = db.get(OutboxMessage, message_id)
                assert message is not None
                context = DeliveryContext(settings=settings, db=db, http=http)
                delivery = DELIVERERS[message.kind](message, context)
                _record(db, message, delivery, now)
                done.append(Delivered(message.id, message.kind, message.topic, delivery))
    return done


def _record(db: Session, message: OutboxMessage, delivery: Delivery, now: datetime) -> None:
    db.add(
        DeliveryAttempt(
            message_id=message.id,
            attempted_at=now,
            outcome=delivery.outcome,
            status_code=delivery.status_code,
            error=delivery.error,
        )
    )
    message.attempts += 1
    if delivery.outcome == Outcome.DELIVERED:
        message.status = Status.DELIVERED
        message.delivered_at = now
        message.last_error = None
    elif delivery.outcome == Outcome.REFUSED:
        message.status = Status.DEAD
        message.last_error = delivery.error
    else:
        message.last_error = delivery.error
        message.next_attempt_at = now  # when to retry is the worker's business, not the test's
