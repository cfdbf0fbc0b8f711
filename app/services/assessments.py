"""Assessments after the invitation: start, expire, cancel, and store the one result of a
completion (invitations: app/services/invitations.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, literal, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UserError
from app.models import Assessment, Result, StatusColumn
from app.services import audit, events, greenhouse_callback
from app.services.tokens import hash_token
from app.vocabulary import OPEN_STATUSES, AssessmentStatus


class ScoredResult(Protocol):
    def to_json(self) -> dict[str, Any]: ...


def _record_transition(
    db: Session, assessment: Assessment, status: AssessmentStatus, *, actor: str, now: datetime
) -> None:
    """Move to `status`, audit it and raise the event `assessment.<status>`."""
    assessment.status = status
    assessment.updated_at = now
    audit.record(
        db=db,
        action=f"assessment.{status}",
        actor=actor,
        organisation_id=assessment.organisation_id,
        subject_id=assessment.id,
    )
    db.flush()
    events.emit(db=db, event_type=f"assessment.{status}", assessment=assessment, now=now)


def find_by_token(*, db: Session, token: str) -> Assessment | None:
    return db.scalar(select(Assessment).where(Assessment.token_hash == hash_token(token)))


def status_seen(now: datetime) -> ColumnElement[AssessmentStatus]:
    """The status as readers see it at `now` (app.vocabulary.status_at, in SQL): lists, counts
    and filters show an open invitation past its expiry as expired before the expiry job ran."""
    overdue = and_(
        Assessment.status.in_(OPEN_STATUSES),
        Assessment.expires_at.is_not(None),
        Assessment.expires_at <= now,
    )
    expired = literal(AssessmentStatus.EXPIRED.value)
    return type_coerce(case((overdue, expired), else_=Assessment.status), StatusColumn)


def expire_due(
    *, db: Session, now: datetime | None = None, assessment_id: str | None = None
) -> list[Assessment]:
    """The one place expiry is applied: open assessments past their expiry become expired
    (audited). The worker runs it for all; a write to one assessment runs it for that one."""
    now = now or utcnow()
    query = select(Assessment).where(
        Assessment.status.in_(OPEN_STATUSES),
        Assessment.expires_at.is_not(None),
        Assessment.expires_at <= now,
    )
    if assessment_id is not None:
        query = query.where(Assessment.id == assessment_id)
    due = list(db.scalars(query.with_for_update(skip_locked=True)))
    for assessment in due:
        _record_transition(db, assessment, AssessmentStatus.EXPIRED, actor="system", now=now)
    return due


def start(
    *, db: Session, assessment: Assessment, actor: str = "participant", now: datetime | None = None
) -> Assessment:
    """invited → started (on consent); starting again changes nothing."""
    now = now or utcnow()
    if assessment.status != AssessmentStatus.INVITED:
        return assessment
    assessment.started_at = now
    assessment.consented_at = assessment.consented_at or now
    _record_transition(db, assessment, AssessmentStatus.STARTED, actor=actor, now=now)
    return assessment


def cancel(
    *, db: Session, assessment: Assessment, actor: str = "cli", now: datetime | None = None
) -> Assessment:
    now = now or utcnow()
    expire_due(db=db, now=now, assessment_id=assessment.id)
    if assessment.status == AssessmentStatus.CANCELLED:
        return assessment
    if assessment.status not in OPEN_STATUSES:
        raise UserError(
            f"assessment {assessment.id} is {assessment.status} and cannot be cancelled"
        )
    assessment.cancelled_at = now
    _record_transition(db, assessment, AssessmentStatus.CANCELLED, actor=actor, now=now)
    return assessment


def get_result(*, db: Session, assessment_id: str) -> Result | None:
    return db.scalar(select(Result).where(Result.assessment_id == assessment_id))


def store_result(
    *,
    db: Session,
    assessment: Assessment,
    result: ScoredResult | dict[str, Any],
    actor: str = "participant",
    now: datetime | None = None,
) -> Result:
    """Keep the one result of an assessment; a second attempt returns the first result."""
    existing = get_result(db=db, assessment_id=assessment.id)
    if existing is not None:
        return existing
    if assessment.status not in OPEN_STATUSES:
        raise UserError(
            f"assessment {assessment.id} is {assessment.status}; it cannot be completed"
        )
    now = now or utcnow()
    payload = result if isinstance(result, dict) else result.to_json()
    row = Result(
        assessment_id=assessment.id,
        payload=payload,
        instrument_checksum=payload["instrument"]["checksum"],
        norm_table_id=payload["norm"]["id"],
        engine_version=payload["engine_version"],
        created_at=now,
    )
    try:
        # A savepoint: if another request stored the result first (two tabs, a retry), the
        # unique constraint stops us and we return theirs.
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        existing = get_result(db=db, assessment_id=assessment.id)
        if existing is None:
            raise
        return existing
    db.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(status=AssessmentStatus.COMPLETED, completed_at=now, updated_at=now)
    )
    db.refresh(assessment)
    audit.record(
        db=db,
        action="assessment.completed",
        actor=actor,
        organisation_id=assessment.organisation_id,
        subject_id=assessment.id,
        detail={"result_id": row.id, "engine_version": row.engine_version},
    )
    db.flush()
    events.emit(db=db, event_type="assessment.completed", assessment=assessment, now=now)
    # Reports are drawn on demand from the stored result, so the PDF can be fetched now.
    events.emit(db=db, event_type="report.ready", assessment=assessment, now=now)
    greenhouse_callback.enqueue_completion(db=db, assessment=assessment, now=now)
    return row
