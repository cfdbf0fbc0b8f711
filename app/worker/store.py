"""The worker's hold on outbox rows: claiming due messages under a lease, and writing down
what became of each attempt (the delivery log, then delivered, a retry, or dead)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from app.delivery import Delivery, Outcome
from app.models import DeliveryAttempt, OutboxMessage
from app.services.outbox import Status
from app.worker.schedule import gives_up, retry_delay

ERROR_LENGTH = 1000  # the log keeps why, not a receiver's whole error page


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.status == Status.PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
    )


def any_due(*, db: Session, now: datetime) -> bool:
    """A cheap read first: on SQLite a claim takes the database's write lock, which an idle
    worker polling every second should not."""
    return db.scalar(select(OutboxMessage.id).where(_due(now)).limit(1)) is not None


def claim(*, db: Session, now: datetime, limit: int, lease: timedelta) -> list[OutboxMessage]:
    """Up to `limit` due messages, oldest due first, leased to the caller until now + lease.

    On PostgreSQL, FOR UPDATE SKIP LOCKED lets any number of workers claim at once without
    waiting for, or taking, each other's rows; the lease (committed by the caller) keeps them
    off the rows afterwards, while the delivery runs outside any transaction. On SQLite the
    caller's write transaction (BEGIN IMMEDIATE) does the same by letting one claim at a time.
    A worker that dies leaves its lease to run out; the message is then due again."""
    if limit <= 0:
        return []
    messages = list(
        db.scalars(
            select(OutboxMessage)
            .where(_due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for message in messages:
        message.locked_until = now + lease
    return messages


def record(
    *,
    db: Session,
    message: OutboxMessage,
    delivery: Delivery,
    attempted_at: datetime,
    duration_ms: int,
    now: datetime,
    rng: random.Random | None = None,
) -> Status:
    """Log the attempt and move the message on; returns its new status.

    Only a pending message is changed: when a lease ran out under a slow delivery and another
    worker delivered the message meanwhile, `delivered` stays (both attempts are logged)."""
    error = delivery.error[:ERROR_LENGTH] if delivery.error else None
    db.add(
        DeliveryAttempt(
            message_id=message.id,
            attempted_at=attempted_at,
            duration_ms=duration_ms,
            outcome=delivery.outcome.value,
            status_code=delivery.status_code,
            error=error,
        )
    )
    attempts = message.attempts + 1
    changes: dict[str, object]
    if delivery.outcome == Outcome.DELIVERED:
        status = Status.DELIVERED
        changes = {"delivered_at": now, "last_error": None}
    elif delivery.outcome == Outcome.REFUSED or gives_up(
        created_at=message.created_at, attempts=attempts, now=now
    ):
        status = Status.DEAD
        changes = {"last_error": error}
    else:
        status = Status.PENDING
        delay = retry_delay(attempts, rng=rng, retry_after=delivery.retry_after)
        changes = {"last_error": error, "next_attempt_at": now + delay}
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == Status.PENDING)
        .values(
            status=status,
            attempts=OutboxMessage.attempts + 1,
            locked_until=None,
            **changes,
        )
        .execution_options(synchronize_session=False)
    )
    return status
