"""Throttling password guessing: failed sign-ins counted per account, per address and per
pair, in the database (every server process sees the same counts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.limits import clip
from app.models import SignInFailure

WINDOW = timedelta(minutes=15)
# The pair limit stops one guesser quickly. The account limit stops guessing spread over many
# addresses (it can lock the owner out for WINDOW, the price of stopping that). The address
# limit stops one address trying many accounts.
PAIR_LIMIT = 5
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 20


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _key(email: str) -> str:
    return clip(SignInFailure.email, email.strip().lower())


def _wait(db: Session, condition: object, limit: int, now: datetime) -> int:
    """Seconds until fewer than `limit` failures matching `condition` are within WINDOW."""
    since = now - WINDOW
    times = db.scalars(
        select(SignInFailure.created_at)
        .where(condition, SignInFailure.created_at > since)  # type: ignore[arg-type]
        .order_by(SignInFailure.created_at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0
    oldest_that_counts = times[-1]
    return max(1, int((oldest_that_counts + WINDOW - now).total_seconds()) + 1)


def check(*, db: Session, email: str, ip: str, now: datetime | None = None) -> None:
    """Raise TooManyAttempts when this account, this address or the pair has failed too often,
    before the password is even checked (a right password must not get through then)."""
    now = now or utcnow()
    email, ip = _key(email), clip(SignInFailure.ip, ip)
    wait = max(
        _wait(db, and_(SignInFailure.email == email, SignInFailure.ip == ip), PAIR_LIMIT, now),
        _wait(db, SignInFailure.email == email, ACCOUNT_LIMIT, now),
        _wait(db, SignInFailure.ip == ip, ADDRESS_LIMIT, now),
    )
    if wait:
        raise TooManyAttempts(wait)


def failed(*, db: Session, email: str, ip: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    db.add(SignInFailure(email=_key(email), ip=clip(SignInFailure.ip, ip), created_at=now))
    # Old failures count for nothing; dropping them here keeps the table small.
    db.execute(delete(SignInFailure).where(SignInFailure.created_at < now - 4 * WINDOW))


def succeeded(*, db: Session, email: str, ip: str) -> None:
    """A right password clears this pair's failures (not other addresses' failures)."""
    db.execute(
        delete(SignInFailure).where(
            SignInFailure.email == _key(email), SignInFailure.ip == clip(SignInFailure.ip, ip)
        )
    )
