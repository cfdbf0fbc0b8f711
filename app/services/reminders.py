"""Reminders to reps who have not finished: one click by a manager, or automatic on the
organisation's reminder days (by default three days before the link expires and on its last
day). Each automatic slot is recorded, so no rep is reminded twice for the same slot however
often or on however many machines the job runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import as_utc, utcnow
from app.errors import UserError
from app.models import Assessment, Organisation, OutboxMessage, Participant, Reminder
from app.services import assessments, audit, notifications
from app.services.access import Scope
from app.services.notifications import Message
from app.services.outbox import Kind
from app.vocabulary import OPEN_STATUSES, AssessmentStatus

DEFAULT_DAYS = "3,0"
MAX_DAY = 60
MAX_SLOTS = 5
DAY = timedelta(days=1)


def parse_days(text: str) -> tuple[int, ...]:
    """Reminder days from "3,0" (days before expiry; 0 = the last day), largest first; empty
    text means no automatic reminders. UserError says what is wrong, in words for an admin."""
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit() or int(part) > MAX_DAY:
            raise UserError(
                f"{part[:10]!r} is not a number of days from 0 to {MAX_DAY}; "
                'write days before expiry separated by commas, such as "3,0"'
            )
        days.add(int(part))
    if len(days) > MAX_SLOTS:
        raise UserError(f"at most {MAX_SLOTS} reminder days, so reps are not pestered")
    return tuple(sorted(days, reverse=True))


def days_text(days: tuple[int, ...]) -> str:
    return ",".join(str(d) for d in days)


def set_days(*, db: Session, organisation: Organisation, text: str, actor: str) -> None:
    organisation.reminder_days = days_text(parse_days(text))
    audit.record(
        db=db,
        action="organisation.reminder_days",
        actor=actor,
        organisation_id=organisation.id,
        subject_id=organisation.id,
        detail={"reminder_days": organisation.reminder_days},
    )


def slot_starts(expires_at: datetime, day: int) -> datetime:
    """When slot `day` opens: `day` whole days are left before the link expires (day 0 is
    the last 24 hours)."""
    return as_utc(expires_at) - (day + 1) * DAY


def due_slots(assessment: Assessment, days: tuple[int, ...], now: datetime) -> list[int]:
    """The slots open at `now`. A slot that opened before the invitation was made is not due:
    a rep invited two days before expiry is not reminded at once of a three-day slot."""
    if assessment.expires_at is None or as_utc(assessment.expires_at) <= now:
        return []
    created = as_utc(assessment.created_at)
    return [day for day in days if created <= slot_starts(assessment.expires_at, day) <= now]


def remind(
    *,
    db: Session,
    assessment: Assessment,
    actor: str,
    sender_name: str | None = None,
    now: datetime | None = None,
) -> Reminder:
    """A manager's one-click reminder: an e-mail with the rep's link, now."""
    now = now or utcnow()
    assessments.expire_due(db=db, now=now, assessment_id=assessment.id)
    if assessment.status not in OPEN_STATUSES:
        raise UserError(f"this assessment is {assessment.status}; only open ones are reminded")
    notifications.enqueue_email(
        db=db,
        assessment=assessment,
        message=notifications.Message.REMINDER,
        sender_name=sender_name,
        now=now,
    )
    reminder = Reminder(assessment_id=assessment.id, slot=None, actor=actor, sent_at=now)
    db.add(reminder)
    audit.record(
        db=db,
        action="assessment.reminded",
        actor=actor,
        organisation_id=assessment.organisation_id,
        subject_id=assessment.id,
    )
    db.flush()
    return reminder


def _claim(db: Session, assessment: Assessment, slots: list[int], now: datetime) -> bool:
    """Record the slots as reminded; False when another run recorded one of them first."""
    try:
        with db.begin_nested():
            for slot in slots:
                db.add(
                    Reminder(assessment_id=assessment.id, slot=slot, actor="system", sent_at=now)
                )
            db.flush()
    except IntegrityError:
        return False
    return True


# Automatic reminders follow only an invitation StageFit e-mailed: a rep whose link the
# manager or an HR system delivered some other way is not e-mailed out of the blue.
_invited_by_email = (
    select(OutboxMessage.id)
    .where(
        OutboxMessage.assessment_id == Assessment.id,
        OutboxMessage.kind == Kind.EMAIL,
        OutboxMessage.topic.in_((Message.INVITATION.value, Message.GREENHOUSE.value)),
    )
    .exists()
)


def send_due(*, db: Session, now: datetime | None = None) -> list[tuple[str, int]]:
    """The worker's job: each open assessment with an unreminded slot open now gets one
    reminder (several slots open together, after a worker outage, give one e-mail, not a
    burst), if StageFit e-mailed its invitation. Returns (assessment id, slot) of the
    reminders sent."""
    now = now or utcnow()
    sent: list[tuple[str, int]] = []
    organisations = db.execute(select(Organisation.id, Organisation.reminder_days)).all()
    for organisation_id, text in organisations:
        try:
            days = parse_days(text or "")
        except UserError:
            days = parse_days(DEFAULT_DAYS)  # a bad setting must not silence reminders
        if not days:
            continue
        horizon = now + (max(days) + 1) * DAY
        candidates = db.scalars(
            select(Assessment)
            .where(
                Assessment.organisation_id == organisation_id,
                Assessment.status.in_((AssessmentStatus.INVITED, AssessmentStatus.STARTED)),
                Assessment.expires_at > now,
                Assessment.expires_at <= horizon,
                _invited_by_email,
            )
            .order_by(Assessment.expires_at)
            .with_for_update(skip_locked=True)
        ).all()
        for assessment in candidates:
            done = set(
                db.scalars(
                    select(Reminder.slot).where(
                        Reminder.assessment_id == assessment.id, Reminder.slot.is_not(None)
                    )
                )
            )
            slots = [s for s in due_slots(assessment, days, now) if s not in done]
            if not slots or not _claim(db, assessment, slots, now):
                continue
            notifications.enqueue_email(
                db=db, assessment=assessment, message=notifications.Message.REMINDER, now=now
            )
            sent.append((assessment.id, min(slots)))
    return sent


def sent(*, db: Session, assessment_id: str) -> list[Reminder]:
    """The reminders of an assessment, oldest first."""
    return list(
        db.scalars(
            select(Reminder)
            .where(Reminder.assessment_id == assessment_id)
            .order_by(Reminder.sent_at, Reminder.id)
        )
    )


def _not_started(scope: Scope, now: datetime) -> Select[Assessment]:
    """Open invitations the scope sees, not started yet, nor reminded in the last day
    (a second click, or this morning's automatic reminder, does not send again)."""
    recently = select(Reminder.assessment_id).where(Reminder.sent_at > now - DAY)
    return (
        select(Assessment)
        .join(Participant, Participant.id == Assessment.participant_id)
        .where(
            scope.assessments(),
            Assessment.status == AssessmentStatus.INVITED,
            Assessment.expires_at > now,
            Assessment.id.not_in(recently),
        )
    )


def remind_not_started(
    *,
    db: Session,
    scope: Scope,
    actor: str,
    sender_name: str | None = None,
    now: datetime | None = None,
) -> int:
    """Remind every rep the scope sees who has not started (see _not_started)."""
    now = now or utcnow()
    waiting = db.scalars(_not_started(scope, now)).all()
    for assessment in waiting:
        remind(db=db, assessment=assessment, actor=actor, sender_name=sender_name, now=now)
    return len(waiting)


def not_started(*, db: Session, scope: Scope, now: datetime | None = None) -> int:
    """How many reps remind_not_started would remind now."""
    query = _not_started(scope, now or utcnow()).subquery()
    return int(db.scalar(select(func.count()).select_from(query)) or 0)
