"""Idempotency keys of HR API calls: the first request under a key is remembered with the
response it got, in the same transaction as its work, so a retry after a lost response gets
that response again and nothing is done twice.

One request per key at a time: a second request under the key waits (on the unique index)
until the first has committed or rolled back, then replays its response or, if it failed,
does the work itself. Only successful responses are remembered: a request that failed may be
retried under the same key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UserError
from app.models import IdempotencyKey

# How long a retry waits for the first request under its key on PostgreSQL before a 409.
WAIT_FOR_FIRST = "10s"
KEPT_FOR = timedelta(hours=24)


class KeyReused(UserError):
    """The key was used before for a different request."""

    status_code = 422


class StillRunning(UserError):
    """The first request under the key has not finished yet."""

    status_code = 409


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: Any) -> str:
    """sha256 of the request: method, path and the body as parsed (so a retry that sends the
    same fields in another order or spacing is the same request)."""
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(
    *, db: Session, api_key_id: str, key: str, request_hash: str, now: datetime | None = None
) -> IdempotencyKey | Stored:
    """The row to remember this request's response in, or the response already given to the
    same request under the key (KeyReused for a different request)."""
    row = IdempotencyKey(
        api_key_id=api_key_id, key=key, request_hash=request_hash, created_at=now or utcnow()
    )
    try:
        with db.begin_nested():
            if db.get_bind().dialect.name == "postgresql":
                # Waiting on another transaction's row: bounded, then 409.
                db.execute(text(f"SET LOCAL lock_timeout = '{WAIT_FOR_FIRST}'"))
            db.add(row)
            db.flush()
    except IntegrityError:
        pass  # the first request under the key has committed: replay it below
    except OperationalError as exc:
        if "lock" not in str(exc).lower():
            raise
        raise StillRunning(
            "a request with this Idempotency-Key is still being processed; retry later"
        ) from None
    else:
        if db.get_bind().dialect.name == "postgresql":
            db.execute(text("SET LOCAL lock_timeout = 0"))
        return row
    first = db.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.api_key_id == api_key_id, IdempotencyKey.key == key
        )
    )
    if first is None or first.status_code is None:  # pragma: no cover - rolled back meanwhile
        raise StillRunning(
            "a request with this Idempotency-Key is still being processed; retry later"
        )
    if first.request_hash != request_hash:
        raise KeyReused(
            "this Idempotency-Key was used for a different request; use a new key for a new request"
        )
    return Stored(status_code=first.status_code, body=first.response)


def remember(*, db: Session, row: IdempotencyKey, status_code: int, body: Any) -> None:
    row.status_code = status_code
    row.response = body
    db.flush()


def purge(*, db: Session, now: datetime | None = None) -> int:
    """Forget keys older than a day: clients retry within minutes, not days."""
    cutoff = (now or utcnow()) - KEPT_FOR
    result = db.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
