"""Assessments: invite, start, expire, cancel, and store the one result of a completion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, literal, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import as_utc, utcnow
from app.config import Settings
from app.errors import UserError
from app.models import (
    Assessment,
    InstrumentVersion,
    Organisation,
    Participant,
    Result,
    StatusColumn,
    Team,
)
from app.models.base import new_id
from app.sealing import seal, unseal
from app.services import audit, events, greenhouse_callback
from app.services.instruments import default_norm_table
from app.services.tokens import hash_token, new_token
from app.services.users import normalise_email
from app.vocabulary import OPEN_STATUSES, AssessmentStatus

DEFAULT_VALIDITY = timedelta(days=30)


class ScoredResult(Protocol):
    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Invitation:
    assessment: Assessment
    token: str  # shown once: only its hash is stored


LINK = "participant-link"  # the sealing purpose of participant tokens


def participant_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/a/{token}"


def link_of(settings: Settings, assessment: Assessment) -> str | None:
    """The participant's link again, from its sealed copy; None when there is none (made
    before links were kept, or under another secret key)."""
    token = unseal(settings.secret_key, LINK, assessment.token_sealed)
    return participant_url(settings, token) if token else None


def find_or_create_participant(
    *,
    db: Session,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    external_id: str | None = None,
    team_id: str | None = None,
) -> Participant:
    email = normalise_email(email)
    participant = db.scalar(
        select(Participant).where(
            Participant.organisation_id == organisation.id, Participant.email == email
        )
    )
    if participant is None:
        participant = Participant(
            organisation_id=organisation.id,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        db.add(participant)
    if external_id is not None:
        participant.external_id = external_id
    if team_id is not None:
        participant.team_id = team_id
    db.flush()
    return participant


def invite(
    *,
    db: Session,
    organisation: Organisation,
    instrument_version: InstrumentVersion,
    email: str,
    first_name: str,
    last_name: str,
    external_id: str | None = None,
    team_id: str | None = None,
    expires_at: datetime | None = None,
    locale: str = "en",
    actor: str = "cli",
    seal_with: str | None = None,
    participant: Participant | None = None,
    now: datetime | None = None,
) -> Invitation:
    """A new assessment with the instrument version and its norm table frozen now.
    `seal_with` (the secret key) keeps a sealed copy of the link, to send or show it again.
    `participant`: the one found or created by the caller already (else found by e-mail)."""
    now = now or utcnow()
    if team_id is not None:
        team = db.get(Team, team_id)
        if team is None or team.organisation_id != organisation.id:
            raise UserError(f"no team {team_id} in this organisation")
    expires_at = as_utc(expires_at) if expires_at else now + DEFAULT_VALIDITY
    if expires_at <= now:
        raise UserError("expires_at must be in the future")
    if participant is None:
        participant = find_or_create_participant(
            db=db,
            organisation=organisation,
            email=email,
            first_name=first_name,
            last_name=last_name,
            external_id=external_id,
            team_id=team_id,
        )
    elif team_id is not None:
        participant.team_id = team_id
    token, token_hash = new_token()
    assessment = Assessment(
        id=new_id(),
        organisation_id=organisation.id,
        participant_id=participant.id,
        team_id=team_id if team_id is not None else participant.team_id,
        instrument_version_id=instrument_version.id,
        norm_table_id=default_norm_table(db, instrument_version).id,
        status=AssessmentStatus.INVITED,
        token_hash=token_hash,
        token_sealed=seal(seal_with, LINK, token) if seal_with else None,
        locale=locale,
        created_at=now,
        updated_at=now,
        expires_at=expires_at,
    )
    # No flush here: the id is set above, so many invitations in one transaction are
    # written together (the HR API's bulk order) at the next flush or the commit.
    db.add(assessment)
    audit.record(
        db=db,
        action="assessment.invited",
        actor=actor,
        organisation_id=organisation.id,
        subject_id=assessment.id,
        detail={"instrument": f"{instrument_version.key} {instrument_version.version}"},
    )
    events.emit(db=db, event_type="assessment.invited", assessment=assessment, now=now)
    return Invitation(assessment=assessment, token=token)


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
