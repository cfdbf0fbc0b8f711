"""A rep's assessments over time: repeat assessments of one person (the same participant, or
one with the same e-mail or external id in the organisation), for "did the coaching work?"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app import models
from app.clock import utcnow
from app.models import Assessment, Participant
from app.scoring.result import Result
from app.scoring.result_reader import StoredResultError
from app.services.access import Scope
from app.vocabulary import AssessmentStatus, status_at


@dataclass(frozen=True)
class Previous:
    """The result a newer one is compared with."""

    assessment_id: str
    result_id: str
    completed_on: str  # YYYY-MM-DD
    result: Result


@dataclass(frozen=True)
class HistoryEntry:
    assessment_id: str
    status: AssessmentStatus
    invited_at: datetime
    completed_at: datetime | None
    instrument: str
    validity: str | None  # of a completed result


def _same_person(participant: Participant) -> ColumnElement[bool]:
    # E-mail and external id are each unique within an organisation, so in practice this is one
    # participant; the ids are compared too in case an HR system changed one of them.
    same = [Participant.id == participant.id, Participant.email == participant.email]
    if participant.external_id:
        same.append(Participant.external_id == participant.external_id)
    return or_(*same)


def history(*, db: Session, scope: Scope, assessment: Assessment) -> list[HistoryEntry]:
    """Every assessment of the same person that the scope sees, newest invitation first."""
    rows = db.execute(
        select(Assessment, models.Result.payload[("validity", "status")].as_string())
        .join(Participant, Participant.id == Assessment.participant_id)
        .outerjoin(models.Result, models.Result.assessment_id == Assessment.id)
        .where(scope.assessments())
        .where(Assessment.organisation_id == assessment.organisation_id)
        .where(Participant.organisation_id == assessment.organisation_id)
        .where(_same_person(assessment.participant))
        .order_by(Assessment.created_at.desc(), Assessment.id)
    ).all()
    now = utcnow()
    return [
        HistoryEntry(
            assessment_id=a.id,
            status=status_at(a.status, a.expires_at, now),
            invited_at=a.created_at,
            completed_at=a.completed_at,
            instrument=f"{a.instrument_version.title} {a.instrument_version.version}",
            validity=validity,
        )
        for a, validity in rows
    ]


def previous_result(*, db: Session, assessment: Assessment) -> Previous | None:
    """The same person's latest result completed before this one with the same instrument
    version (only then do scores compare); None when there is none."""
    if assessment.completed_at is None:
        return None
    row = db.execute(
        select(Assessment, models.Result)
        .join(models.Result, models.Result.assessment_id == Assessment.id)
        .join(Participant, Participant.id == Assessment.participant_id)
        .where(Assessment.organisation_id == assessment.organisation_id)
        .where(Participant.organisation_id == assessment.organisation_id)
        .where(_same_person(assessment.participant))
        .where(Assessment.id != assessment.id)
        .where(Assessment.status == AssessmentStatus.COMPLETED)
        .where(Assessment.instrument_version_id == assessment.instrument_version_id)
        .where(Assessment.completed_at < assessment.completed_at)
        .order_by(Assessment.completed_at.desc(), Assessment.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    earlier, stored = row
    try:
        result = Result.from_json(stored.payload)
    except StoredResultError:
        return None  # a damaged earlier result must not break today's report
    assert earlier.completed_at is not None
    return Previous(earlier.id, stored.id, earlier.completed_at.strftime("%Y-%m-%d"), result)
