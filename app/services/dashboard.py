"""Read models of the manager app's pages, every query scoped to one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.instrument.process import STAGE_KEYS
from app.models import Assessment, InstrumentVersion, Organisation, Participant, Team
from app.reports.context import RepReport
from app.reports.progress import describe_target
from app.reports.team_context import TeamReport, sort_members
from app.reports.views import text
from app.scoring.roles import ROLES, read_target
from app.services import assessments as assessment_service
from app.services.access import Scope
from app.services.access import find_assessment as find_assessment
from app.services.access import find_team as find_team
from app.services.history import HistoryEntry, history
from app.services.instruments import instrument_of, list_instrument_versions
from app.services.mail_status import EmailDelivery, email_deliveries
from app.services.progress import Progress, progress_of
from app.services.report_inputs import (
    ReportNotReady,
    assessment_inputs,
    rep_view,
    team_inputs,
    team_view,
)
from app.vocabulary import AssessmentStatus, status_at

STATUSES = tuple(AssessmentStatus)
LIST_LIMIT = 200


@dataclass(frozen=True)
class TeamRow:
    id: str
    name: str
    reps: int
    completed: int
    archived: bool = False


@dataclass(frozen=True)
class AssessmentDetail:
    id: str
    rep_name: str
    email: str
    team_id: str | None
    team_name: str | None
    status: AssessmentStatus
    instrument: str
    invited_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    expires_at: datetime | None
    cancelled_at: datetime | None
    share_feedback: bool
    report: RepReport | None  # the result, as the Sales Manager Report sees it
    emails: tuple[EmailDelivery, ...] = ()  # the e-mails to the rep and what became of them
    progress: Progress | None = None
    purpose: str = "development"
    participant_id: str = ""
    history: tuple[HistoryEntry, ...] = ()  # every assessment of the same person, newest first
    target: str | None = None  # the role or stage named when inviting, in words

    @property
    def can_reinvite(self) -> bool:
        return self.report is not None and self.report.validity.status != "valid"

    @property
    def is_open(self) -> bool:
        return self.status.is_open


@dataclass(frozen=True)
class TeamDetail:
    id: str
    name: str
    archived: bool
    status_counts: dict[str, int]
    report: TeamReport | None  # None until a rep of the team has completed
    include_caution: bool = False  # whether caution results are ranked and assigned too


def status_counts(*, db: Session, scope: Scope, team_id: str | None = None) -> dict[str, int]:
    seen = assessment_service.status_seen(utcnow()).label("status")
    query = (
        select(seen, func.count())
        .join(Participant, Participant.id == Assessment.participant_id)
        .where(scope.assessments())
        .group_by(seen)
    )
    if team_id is not None:
        query = query.where(Assessment.team_id == team_id)
    found = {status: count for status, count in db.execute(query)}
    return {status: found.get(status, 0) for status in STATUSES}


def teams(*, db: Session, scope: Scope, archived: bool = False) -> list[TeamRow]:
    """The teams the scope sees: live ones, or with `archived` the archived ones only."""
    organisation_id = scope.organisation_id
    reps = (
        select(Participant.team_id, func.count().label("n"))
        .where(Participant.organisation_id == organisation_id)
        .group_by(Participant.team_id)
        .subquery()
    )
    completed = (
        select(Assessment.team_id, func.count().label("n"))
        .where(
            Assessment.organisation_id == organisation_id,
            Assessment.status == AssessmentStatus.COMPLETED,
        )
        .group_by(Assessment.team_id)
        .subquery()
    )
    rows = db.execute(
        select(Team.id, Team.name, reps.c.n, completed.c.n)
        .outerjoin(reps, reps.c.team_id == Team.id)
        .outerjoin(completed, completed.c.team_id == Team.id)
        .where(scope.teams())
        .where(Team.archived_at.is_not(None) if archived else Team.archived_at.is_(None))
        .order_by(Team.name)
    )
    return [TeamRow(id, name, r or 0, c or 0, archived) for id, name, r, c in rows]


def assessment_detail(*, db: Session, scope: Scope, assessment_id: str) -> AssessmentDetail | None:
    """One assessment the scope sees with, once completed, its report view model (the same
    one the PDF is made from, charts included); None when the scope does not see it."""
    assessment = find_assessment(db=db, scope=scope, assessment_id=assessment_id)
    if assessment is None:
        return None
    organisation_id = scope.organisation_id
    organisation = db.get(Organisation, organisation_id)
    assert organisation is not None
    team = db.get(Team, assessment.team_id) if assessment.team_id else None
    participant = assessment.participant
    version = assessment.instrument_version
    report = None
    if assessment.status == AssessmentStatus.COMPLETED:
        # The same inputs and view model as the PDF, so the page and the PDF agree.
        inputs = assessment_inputs(
            db=db, assessment_id=assessment.id, organisation_id=organisation_id
        )
        report = rep_view(inputs=inputs, kind="manager")
    return AssessmentDetail(
        id=assessment.id,
        rep_name=participant.full_name,
        email=participant.email,
        team_id=team.id if team else None,
        team_name=team.name if team else None,
        status=status_at(assessment.status, assessment.expires_at, utcnow()),
        instrument=f"{version.title} {version.version}",
        invited_at=assessment.created_at,
        started_at=assessment.started_at,
        completed_at=assessment.completed_at,
        expires_at=assessment.expires_at,
        cancelled_at=assessment.cancelled_at,
        share_feedback=bool(organisation.share_feedback),
        report=report,
        emails=tuple(email_deliveries(db=db, assessment_id=assessment.id)),
        progress=progress_of(db=db, assessments=[assessment]).get(assessment.id),
        purpose=assessment.purpose,
        participant_id=participant.id,
        history=tuple(history(db=db, scope=scope, assessment=assessment)),
        target=_target_words(assessment),
    )


def _target_words(assessment: Assessment) -> str | None:
    target = read_target(assessment.target_role, assessment.target_stage)
    if target is None:
        return None
    instrument = instrument_of(assessment.instrument_version)
    return describe_target(
        target, {s.key: text(s.name, instrument.locales[0]) for s in instrument.stages}
    )


def team_detail(
    *,
    db: Session,
    scope: Scope,
    team_id: str,
    sort: str | None = None,
    include_caution: bool = False,
) -> TeamDetail | None:
    """The team page: counts and the heat map, its reps sorted by the fit for stage `sort`
    (best first) when it names a stage, else by name."""
    team = find_team(db=db, scope=scope, team_id=team_id)
    if team is None:
        return None
    try:
        inputs = team_inputs(db=db, team_id=team.id, organisation_id=scope.organisation_id)
        report: TeamReport | None = team_view(inputs=inputs, include_caution=include_caution)
    except ReportNotReady:
        report = None  # no rep of the team has completed yet
    if report is not None and sort in STAGE_KEYS:
        report.members = sort_members(report.members, sort)
    return TeamDetail(
        id=team.id,
        name=team.name,
        archived=team.archived_at is not None,
        status_counts=status_counts(db=db, scope=scope, team_id=team.id),
        report=report,
        include_caution=include_caution,
    )


def instrument_choices(*, db: Session) -> list[InstrumentVersion]:
    """Instrument versions a manager can invite to, newest first."""
    return list(reversed(list_instrument_versions(db=db)))


def target_choices(*, db: Session) -> list[tuple[str, list[tuple[str, str]]]]:
    """The invite form's role-or-stage options, grouped, as (value, label) pairs; stage names
    from the newest questionnaire."""
    roles = [(f"role:{r.key}", r.label) for r in ROLES.values()]
    versions = instrument_choices(db=db)
    if not versions:
        return [("Role", roles)]
    instrument = instrument_of(versions[0])
    stages = [
        (f"stage:{s.key}", f"{n}. {text(s.name, instrument.locales[0])}")
        for n, s in enumerate(instrument.stages, start=1)
    ]
    return [("Role", roles), ("Stage of the sales process", stages)]


def stage_keys() -> tuple[str, ...]:
    return tuple(STAGE_KEYS)
