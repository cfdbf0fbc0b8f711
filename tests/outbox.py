"""Delivering the outbox in tests with the real worker: one drain of app.worker.drain.Drainer
(the code `stagefit worker` and the in-server worker run), after making every pending message
due now (a test does not sit out the retry backoff). Returns what the drain did, from the
delivery log."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select, update

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.delivery import Delivery, Outcome
from app.models import DeliveryAttempt, OutboxMessage
from app.services.outbox import Status
from app.worker.drain import Drainer


@dataclass(frozen=True)
class Delivered:
    message_id: str
    kind: str
    topic: str
    delivery: Delivery


def deliver_due(database: Database, settings: Settings) -> list[Delivered]:
    """One drain of the due messages by one worker slot (so in claim order, oldest first)."""
    with database.session(write=True) as db:
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == Status.PENDING)
            .values(next_attempt_at=utcnow(), locked_until=None)
        )
        seen = max(db.scalars(select(DeliveryAttempt.id)), default=0)
    drainer = Drainer(settings=settings, database=database, concurrency=1)
    try:
        drainer.drain(until=time.monotonic() + 60)
    finally:
        drainer.close()
    with database.session() as db:
        rows = db.execute(
            select(DeliveryAttempt, OutboxMessage)
            .join(OutboxMessage, OutboxMessage.id == DeliveryAttempt.message_id)
            .where(DeliveryAttempt.id > seen)
            .order_by(DeliveryAttempt.id)
        ).all()
    return [
        Delivered(m.id, m.kind, m.topic, Delivery(Outcome(a.outcome), a.status_code, a.error))
        for a, m in rows
    ]
