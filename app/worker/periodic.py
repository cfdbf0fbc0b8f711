"""Jobs the worker runs on a schedule, wherever it runs: in the server process on SQLite
(app/worker/inline.py), as procrastinate periodic tasks on PostgreSQL (app/worker/queue.py),
where each tick runs once across all machines.

To add one (reminders, purges, ...): write `def job(*, db, now, settings) -> None` that does
its work in the given transaction, and register it here with `@periodic(name, every=...)`
(or `register(...)` from this module), so that every worker knows it. A job must be safe to
run twice for the same tick and to overlap with itself on another machine: take rows with
FOR UPDATE SKIP LOCKED, or make the change idempotent, as assessments.expire_due does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Settings
from app.db import Database

Job = Callable[..., None]  # (*, db: Session, now: datetime, settings: Settings) -> None


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: int  # seconds: a divisor of 60, whole minutes dividing 60, or whole hours dividing 24
    run: Job


PERIODIC_JOBS: list[PeriodicJob] = []


def cron(every: int) -> str:
    """The cron line (seconds as a sixth field, as procrastinate reads it) of a period."""
    if every < 60 and 60 % every == 0:
        return f"* * * * * */{every}"
    minutes, hours = every // 60, every // 3600
    if every % 60 == 0 and minutes < 60 and 60 % minutes == 0:
        return f"*/{minutes} * * * *"
    if every % 3600 == 0 and hours <= 24 and 24 % hours == 0:
        return f"0 */{hours} * * *"
    raise ValueError(f"a period of {every} s does not divide a minute, an hour or a day")


def register(name: str, every: int, run: Job) -> PeriodicJob:
    cron(every)  # refuse an impossible period at import time, not in production at night
    if any(job.name == name for job in PERIODIC_JOBS):
        raise ValueError(f"a periodic job named {name!r} is registered already")
    job = PeriodicJob(name=name, every=every, run=run)
    PERIODIC_JOBS.append(job)
    return job


def periodic(name: str, *, every: int) -> Callable[[Job], Job]:
    def decorate(run: Job) -> Job:
        register(name, every, run)
        return run

    return decorate


def run_job(job: PeriodicJob, *, database: Database, settings: Settings) -> None:
    """One run of `job` in its own write transaction."""
    with database.session(write=True) as db:
        job.run(db=db, now=utcnow(), settings=settings)


@periodic("expire-assessments", every=60)
def expire_assessments(*, db: Session, now: datetime, settings: Settings) -> None:
    """Invitations past their expiry become expired; each raises assessment.expired."""
    from app.services.assessments import expire_due

    expire_due(db=db, now=now)


@periodic("purge-idempotency-keys", every=3600)
def purge_idempotency_keys(*, db: Session, now: datetime, settings: Settings) -> None:
    """Idempotency keys of HR API calls are kept for a day (app/services/idempotency.py)."""
    from app.services.idempotency import purge

    purge(db=db, now=now)
