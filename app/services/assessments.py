"""Assessments: invite, start, expire, cancel, and store the one result of a completion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import UserError
from app.models import Assessment, InstrumentVersion, Organisation, Participant, Result, Team
from app.services import audit
from app.services.instruments import default_norm_table
from app.services.tokens import hash_token, new_token
from app.services.users import normalise_email

DEFAULT_VALIDITY = timedelta(days=30)
OPEN_STATUSES = ("invited", "started")


class ScoredResult(Protocol):
    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Invitation:
    assessment: Assessment
    token: str  # shown once: only its hash is stored


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def participant_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/a/{token}"


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
    now: datetime | None = None,
) -> Invitation:
    """A new assessment with the instrument version and its norm table frozen now."""
    now = _now(now)
    if team_id is not None:
        team = db.get(Team, team_id)
        if team is None or team.organisation_id != organisation.id:
            raise UserError(f"no team {team_id} in this organisation")
    expires_at = _aware(expires_at) if expires_at else now + DEFAULT_VALIDITY
    if expires_at <= now:
        raise UserError("expires_at must be in the future")
    participant = find_or_create_participant(
        db=db,
        organisation=organisation,
        email=email,
        first_name=first_name,
        last_name=last_name,
        external_id=external_id,
        team_id=team_id,
    )
    token, token_hash = new_token()
    assessment = Assessment(
        organisation_id=organisation.id,
        participant_id=participant.id,
        team_id=team_id if team_id is not None else participant.team_id,
        instrument_version_id=instrument_version.id,
        norm_table_id=default_norm_table(db, instrument_version).id,
        status="invited",
        token_hash=token_hash,
        locale=locale,
        created_at=now,
        updated_at=now,
        expires_at=expires_at,
    )
    db.add(assessment)
    db.flush()
    audit.record(
        db=db,
        action="assessment.invited",
        actor=actor,
        organisation_id=organisation.id,
        subject_id=assessment.id,
        detail={"instrument": f"{instrument_version.key} {instrument_version.version}"},
    )
    return Invitation(assessment=assessment, token=token)


def _record_transition(
    db: Session, assessment: Assessment, status: str, *, actor: str, now: datetime
) -> None:
    """Move to `status` and audit it as `assessment.<status>`."""
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


def find_by_token(*, db: Session, token: str) -> Assessment | None:
    return db.scalar(select(Assessment).where(Assessment.token_hash == hash_token(token)))


def expire_if_due(*, db: Session, assessment: Assessment, now: datetime | None = None) -> bool:
    """Mark an open assessment past its expiry as expired; True if it is (now) expired."""
    now = _now(now)
    if assessment.status == "expired":
        return True
    if (
        assessment.status in OPEN_STATUSES
        and assessment.expires_at is not None
        and _aware(assessment.expires_at) <= now
    ):
        _record_transition(db, assessment, "expired", actor="system", now=now)
        return True
    return False


def expire_due(db: Session, now: datetime | None = None) -> int:
    """Expire every open assessment past its expiry; returns how many."""
    now = _now(now)
    due = db.scalars(
        select(Assessment).where(
            Assessment.status.in_(OPEN_STATUSES),
            Assessment.expires_at.is_not(None),
            Assessment.expires_at <= now,
        )
    ).all()
    return sum(expire_if_due(db=db, assessment=assessment, now=now) for assessment in due)


def start(
    *, db: Session, assessment: Assessment, actor: str = "participant", now: datetime | None = None
) -> Assessment:
    """invited → started (on consent); starting again changes nothing."""
    now = _now(now)
    if assessment.status != "invited":
        return assessment
    assessment.started_at = now
    assessment.consented_at = assessment.consented_at or now
    _record_transition(db, assessment, "started", actor=actor, now=now)
    return assessment


def cancel(
    *, db: Session, assessment: Assessment, actor: str = "cli", now: datetime | None = None
) -> Assessment:
    now = _now(now)
    if assessment.status == "cancelled":
        return assessment
    if assessment.status not in OPEN_STATUSES:
        raise UserError(
            f"assessment {assessment.id} is {assessment.status} and cannot be cancelled"
        )
    assessment.cancelled_at = now
    _record_transition(db, assessment, "cancelled", actor=actor, now=now)
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
    now = _now(now)
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
        .values(status="completed", completed_at=now, updated_at=now)
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
    return row
