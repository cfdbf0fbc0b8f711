"""Shared set-up of the delivery tests: a worker with short timeouts, endpoints, and moving
a retry's time forward (what waiting out the backoff would do, without the wait)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from app.services.outbox import Status
from app.services.webhooks import create_endpoint
from app.worker.inline import InlineWorker


def worker_settings(settings: Settings, **changes: Any) -> Settings:
    """The test settings with a worker that gives up on a receiver after 2 s and leases a
    message for 5 s (a killed worker's messages come back quickly)."""
    values: dict[str, Any] = {
        "worker": "inline",
        "delivery_timeout": 2.0,
        "worker_lease": 5.0,
        "worker_concurrency": 8,
        "webhook_allow_private": True,
    }
    values.update(changes)
    return settings.model_copy(update=values)


@contextmanager
def running_worker(settings: Settings) -> Iterator[InlineWorker]:
    worker = InlineWorker(settings)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def add_endpoint(db: Session, organisation: Any, url: str, events: list[str] | None = None) -> Any:
    endpoint = create_endpoint(
        db=db, organisation_id=organisation.id, url=url, events=events or [], actor="test"
    )
    db.commit()
    return endpoint


def make_due(database: Database) -> int:
    """Every message waiting for a retry becomes due now, as if its backoff had passed."""
    with database.session(write=True) as db:
        result = db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == Status.PENDING, OutboxMessage.locked_until.is_(None))
            .values(next_attempt_at=utcnow())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def wait_until(check: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


def outbox(database: Database) -> list[OutboxMessage]:
    with database.session() as db:
        return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def statuses(database: Database) -> list[str]:
    return [m.status for m in outbox(database)]


def attempts_of(database: Database, message_id: str) -> list[DeliveryAttempt]:
    with database.session() as db:
        return list(
            db.scalars(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.message_id == message_id)
                .order_by(DeliveryAttempt.id)
            )
        )


def endpoint_of(database: Database, endpoint_id: str) -> WebhookEndpoint | None:
    with database.session() as db:
        return db.get(WebhookEndpoint, endpoint_id)
