"""Retention: the worker's periodic job erases participants whose last assessment ended more
than their organisation's retention period ago, with a controlled clock; open assessments
keep a person; each organisation's own period applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.models import AuditEvent, Organisation, Participant
from app.scoring.simulate import simulate_answers
from app.services import assessments, invitations, participation
from app.services.instruments import instrument_of
from app.services.organisations import create_organisation
from app.worker.periodic import PERIODIC_JOBS

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _purge(db: Session, settings: Settings, now: datetime) -> None:
    """One run of the worker's purge job at `now` (the function the worker schedules)."""
    (job,) = [j for j in PERIODIC_JOBS if j.name == "purge-past-retention"]
    job.run(db=db, now=now, settings=settings)
    db.commit()


def _invite(
    db: Session, organisation: Organisation, version: Any, name: str, days_valid: int = 30
) -> Any:
    invitation = invitations.invite(
        db=db,
        organisation=organisation,
        instrument_version=version,
        email=f"{name}@example.com",
        first_name=name.capitalize(),
        last_name="Kept",
        now=T0,
        expires_at=T0 + days_valid * DAY,
    )
    db.commit()
    return invitation.assessment


def _complete(db: Session, assessment: Any, at: datetime) -> None:
    answers, seconds = simulate_answers(
        instrument_of(assessment.instrument_version), {}, np.random.default_rng(1)
    )
    participation.complete(
        db=db, assessment=assessment, answers=answers, seconds=seconds, started=at, now=at
    )
    db.commit()


def _present(db: Session) -> set[str]:
    db.expire_all()
    return {p.first_name for p in db.scalars(select(Participant))}


def test_participants_are_purged_after_the_retention_period_only(
    db: Session, org: Organisation, mini_instrument_version: Any, settings: Settings
) -> None:
    done = _invite(db, org, mini_instrument_version, "ada")
    _complete(db, done, T0 + DAY)
    _invite(db, org, mini_instrument_version, "open")
    late = _invite(db, org, mini_instrument_version, "cai", days_valid=500)
    assessments.cancel(db=db, assessment=late, now=T0 + 400 * DAY)
    db.commit()
    brief = create_organisation(db=db, name="Brief Co", slug="brief")
    brief.retention_days = 30
    db.commit()
    _complete(db, _invite(db, brief, mini_instrument_version, "bea"), T0 + DAY)

    _purge(db, settings, T0 + DAY + 30 * DAY - timedelta(seconds=1))
    assert _present(db) == {"Ada", "Open", "Cai", "Bea"}
    _purge(db, settings, T0 + DAY + 31 * DAY)  # Brief Co keeps data 30 days
    assert _present(db) == {"Ada", "Open", "Cai"}
    _purge(db, settings, T0 + DAY + 729 * DAY)
    assert _present(db) == {"Ada", "Open", "Cai"}
    _purge(db, settings, T0 + DAY + 731 * DAY)  # Test Org: the default 730 days
    assert _present(db) == {"Open", "Cai"}  # cancelled on day 400: 730 days from then
    _purge(db, settings, T0 + 1131 * DAY)
    # An invitation that was never answered nor expired by the worker stays open: kept.
    assert _present(db) == {"Open"}

    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "participant.erased")).all()
    assert len(events) == 3
    assert {e.actor for e in events} == {"system:retention"}
    assert {e.detail["reason"] for e in events} == {"retention"}


def test_the_purge_is_scheduled_for_the_postgresql_worker_too(settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("procrastinate runs the periodic jobs on PostgreSQL")
    from app.worker.queue import build_app

    app = build_app(settings, worker=False)
    assert "stagefit.periodic.purge-past-retention" in app.tasks
    periodic = {task.periodic_id for task in app.periodic_registry.periodic_tasks.values()}
    assert "purge-past-retention" in periodic
