"""Retention: each organisation keeps a participant's data for its retention period after
their last assessment ended (completed, expired or cancelled), then the worker erases them
through the one erase function (privacy.erase), audited with the reason "retention"."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.models import Assessment, Organisation, Participant
from app.services import audit, privacy
from app.vocabulary import OPEN_STATUSES

MIN_DAYS = 30  # shorter would erase results before managers have read them
MAX_DAYS = 3650
DEFAULT_DAYS = 730
BATCH = 100  # participants erased per run at most: short transactions; the next run goes on
ACTOR = "system:retention"


def check_days(days: int) -> int:
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise UserError(f"the retention period must be {MIN_DAYS} to {MAX_DAYS} days")
    return days


def _last_ended() -> Any:
    # When an assessment ended: completed, else cancelled, else (expired) its expiry.
    ended = func.coalesce(
        Assessment.completed_at,
        Assessment.cancelled_at,
        Assessment.expires_at,
        Assessment.updated_at,
    )
    return (
        select(func.max(ended))
        .where(Assessment.participant_id == Participant.id)
        .correlate(Participant)
        .scalar_subquery()
    )


def due(*, db: Session, organisation: Organisation, now: datetime, limit: int) -> list[str]:
    """Participants of the organisation with no open assessment whose last one ended
    (or, with none, who were added) more than the retention period ago."""
    cutoff = now - timedelta(days=organisation.retention_days)
    still_open = exists().where(
        Assessment.participant_id == Participant.id,
        Assessment.status.in_(OPEN_STATUSES),
    )
    query = (
        select(Participant.id)
        .where(
            Participant.organisation_id == organisation.id,
            ~still_open,
            func.coalesce(_last_ended(), Participant.created_at) < cutoff,
        )
        .order_by(Participant.id)
        .limit(limit)
        # Two workers purging at once take different people.
        .with_for_update(skip_locked=True)
    )
    return list(db.scalars(query))


def purge_due(*, db: Session, now: datetime, limit: int = BATCH) -> int:
    """Erase up to `limit` participants past their organisation's retention period."""
    erased = 0
    for organisation in list(db.scalars(select(Organisation).order_by(Organisation.id))):
        for participant_id in due(db=db, organisation=organisation, now=now, limit=limit - erased):
            privacy.erase(
                db=db,
                organisation_id=organisation.id,
                participant_id=participant_id,
                actor=ACTOR,
                reason="retention",
            )
            erased += 1
        if erased >= limit:
            break
    return erased


def change_settings(
    *,
    db: Session,
    organisation: Organisation,
    retention_days: int,
    deidentified_norming: bool,
    actor: str,
) -> dict[str, list[object]]:
    """Set the retention period and de-identified norming, audited as `settings.changed`
    with each changed value before and after; returns the changes."""
    wanted = {
        "retention_days": check_days(retention_days),
        "deidentified_norming": deidentified_norming,
    }
    changes: dict[str, list[object]] = {}
    for name, value in wanted.items():
        old = getattr(organisation, name)
        if old != value:
            changes[name] = [old, value]
            setattr(organisation, name, value)
    if changes:
        audit.record(
            db=db,
            action="settings.changed",
            actor=actor,
            organisation_id=organisation.id,
            subject_id=organisation.id,
            detail=changes,
        )
    db.flush()
    return changes
