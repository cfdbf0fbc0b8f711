"""The worker's hold on outbox rows: claiming due messages under a lease, and writing down
what became of each attempt (the delivery log, then delivered, a retry, or dead)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, insert, or_, select, update
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


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt, done, to be written down."""

    message: OutboxMessage
    delivery: Delivery
    attempted_at: datetime
    duration_ms: int


def record(
    *, db: Session, attempts: Sequence[Attempt], now: datetime, rng: random.Random | None = None
) -> list[Status]:
    """Log the attempts and move their messages on; returns their new statuses.

    Only a pending message is changed: when a lease ran out under a slow delivery and another
    worker delivered the message meanwhile, `delivered` stays (both attempts are logged).
    Core statements, not ORM objects, and one UPDATE for all that were delivered: this runs
    for every attempt, hundreds a second."""
    connection = db.connection()
    if not attempts:
        return []
    connection.execute(
        insert(DeliveryAttempt),
        [
            {
                "message_id": a.message.id,
                "attempted_at": a.attempted_at,
                "duration_ms": a.duration_ms,
                "outcome": a.delivery.outcome.value,
                "status_code": a.delivery.status_code,
                "error": _error(a.delivery),
            }
            for a in attempts
        ],
    )
    delivered = [a.message.id for a in attempts if a.delivery.outcome == Outcome.DELIVERED]
    if delivered:
        _move_on(connection, delivered, status=Status.DELIVERED, delivered_at=now, last_error=None)
    statuses = []
    for attempt in attempts:
        status = _next_status(attempt, now)
        statuses.append(status)
        if status == Status.DELIVERED:
            continue
        changes: dict[str, object] = {"last_error": _error(attempt.delivery)}
        if status == Status.PENDING:
            delay = retry_delay(
                attempt.message.attempts + 1, rng=rng, retry_after=attempt.delivery.retry_after
            )
            changes["next_attempt_at"] = now + delay
        _move_on(connection, [attempt.message.id], status=status, **changes)
    return statuses


def _error(delivery: Delivery) -> str | None:
    return delivery.error[:ERROR_LENGTH] if delivery.error else None


def _next_status(attempt: Attempt, now: datetime) -> Status:
    if attempt.delivery.outcome == Outcome.DELIVERED:
        return Status.DELIVERED
    if attempt.delivery.outcome == Outcome.REFUSED:
        return Status.DEAD
    message = attempt.message
    if gives_up(created_at=message.created_at, attempts=message.attempts + 1, now=now):
        return Status.DEAD
    return Status.PENDING


def _move_on(connection: Connection, ids: list[str], *, status: Status, **changes: object) -> None:
    connection.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == Status.PENDING)
        .values(status=status, attempts=OutboxMessage.attempts + 1, locked_until=None, **changes)
    )
