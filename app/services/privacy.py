"""A participant's rights over their data: export everything held about them, and erasure.

Erasing deletes the person and everything that leads to them: assessments, answers, page
times, results, the e-mails, webhooks and partner callbacks about them with their delivery
log (and e-mails written to var/outbox/), partner orders, stored API responses naming them
and every cached PDF that shows them. What survives, only where the organisation allows
de-identified norming and the person consented, is each completed assessment's answers and
scores under a new random id (DeidentifiedResult), for norm statistics. The audit trail
keeps its events: they hold ids, never names or addresses. Retention purges (retention.py)
erase through the same function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, Text, cast, delete, or_, select
from sqlalchemy.orm import Session

from app.db import forget_deleted_after_commit
from app.delivery.smtp import outbox_dir
from app.errors import UserError
from app.models import (
    Answer,
    ApiKey,
    Assessment,
    Base,
    DeidentifiedResult,
    DeliveryAttempt,
    IdempotencyKey,
    Organisation,
    OutboxMessage,
    PageTiming,
    Participant,
    Result,
)
from app.reports import cache
from app.services import audit
from app.services.privacy_export import export_document, messages_about
from app.vocabulary import AssessmentStatus


class ParticipantNotFound(UserError):
    status_code = 404


@dataclass(frozen=True)
class Erasure:
    participant_id: str
    assessments: int  # deleted
    kept_deidentified: int  # completed results kept without the person, for norms
    messages: int  # outbox messages purged, with their delivery log
    files: int  # cached PDFs and written e-mails deleted


def find_participant(*, db: Session, organisation_id: str, participant_id: str) -> Participant:
    """The participant if they belong to the organisation; another's is "not found" too."""
    participant = db.get(Participant, participant_id)
    if participant is None or participant.organisation_id != organisation_id:
        raise ParticipantNotFound(f"no participant {participant_id} in your organisation")
    return participant


def export(*, db: Session, organisation_id: str, participant_id: str) -> dict[str, Any]:
    """Everything held about the participant (the caller audits the export: it is a read)."""
    participant = find_participant(
        db=db, organisation_id=organisation_id, participant_id=participant_id
    )
    return export_document(db, participant)


def erase(
    *,
    db: Session,
    organisation_id: str,
    participant_id: str,
    actor: str,
    reason: str = "request",
) -> Erasure:
    """Erase a participant in the caller's transaction, audited as `participant.erased`."""
    participant = find_participant(
        db=db, organisation_id=organisation_id, participant_id=participant_id
    )
    organisation = db.get(Organisation, organisation_id)
    assert organisation is not None  # the participant's foreign key
    assessments = list(
        db.scalars(
            select(Assessment)
            .where(
                Assessment.participant_id == participant.id,
                Assessment.organisation_id == organisation_id,
            )
            .with_for_update()  # a submit racing the erasure waits, then finds nothing
        )
    )
    ids = [a.id for a in assessments]
    kept = 0
    if organisation.deidentified_norming:
        for assessment in assessments:
            kept += _keep_deidentified(db, assessment)
    message_ids = [m.id for m in messages_about(db, participant, ids)]
    _forget_stored_responses(db, organisation_id, [participant.id, *ids])
    if message_ids:
        db.execute(delete(DeliveryAttempt).where(DeliveryAttempt.message_id.in_(message_ids)))
        db.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(message_ids)))
    _delete_with_dependents(db, Base.metadata.tables["participants"], [participant.id])
    db.expunge(participant)
    for assessment in assessments:
        db.expunge(assessment)
    files = cache.purge(set(ids)) + _delete_written_emails(message_ids)
    erasure = Erasure(participant.id, len(ids), kept, len(message_ids), files)
    audit.record(
        db=db,
        action="participant.erased",
        actor=actor,
        organisation_id=organisation_id,
        subject_id=participant.id,
        detail={
            "reason": reason,
            "assessments": erasure.assessments,
            "kept_deidentified": kept,
            "messages": erasure.messages,
            "files": files,
        },
    )
    db.flush()
    forget_deleted_after_commit(db)
    return erasure


def _keep_deidentified(db: Session, assessment: Assessment) -> int:
    """Copy a completed, consented assessment's answers and scores without the person."""
    if assessment.status != AssessmentStatus.COMPLETED or assessment.consented_at is None:
        return 0
    result = db.scalar(select(Result).where(Result.assessment_id == assessment.id))
    if result is None:
        return 0
    answers = dict(
        db.execute(
            select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment.id)
        ).all()
    )
    seconds: dict[str, float] = {}
    for page, spent in db.execute(
        select(PageTiming.page, PageTiming.seconds).where(PageTiming.assessment_id == assessment.id)
    ):
        seconds[str(page)] = seconds.get(str(page), 0.0) + spent
    # No assessment id and no exact time: either would tie the copy back to the audit trail.
    scores = {k: v for k, v in result.payload.items() if k not in ("assessment_id", "scored_at")}
    completed = assessment.completed_at or result.created_at
    db.add(
        DeidentifiedResult(
            organisation_id=assessment.organisation_id,
            instrument_version_id=assessment.instrument_version_id,
            norm_table_id=result.norm_table_id,
            engine_version=result.engine_version,
            completed_month=completed.strftime("%Y-%m"),
            answers=answers,
            page_seconds=seconds,
            scores=scores,
        )
    )
    return 1


def _forget_stored_responses(db: Session, organisation_id: str, ids: list[str]) -> None:
    """API responses kept for Idempotency-Key retries that name the person (an order's
    response holds their name and e-mail); a retry after erasure runs afresh."""
    keys = select(ApiKey.id).where(ApiKey.organisation_id == organisation_id)
    text = cast(IdempotencyKey.response, Text)
    db.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.api_key_id.in_(keys), or_(*(text.contains(i) for i in ids)))
        .execution_options(synchronize_session=False)
    )


def _delete_with_dependents(db: Session, table: Table, ids: list[str]) -> None:
    """Delete rows and, first, every row of any table that refers to them, at any depth:
    a table added later that points at a participant or an assessment is erased with them
    without anyone having to remember to add it here."""
    (key,) = table.primary_key.columns
    for child in Base.metadata.sorted_tables:
        for foreign_key in child.foreign_keys:
            if foreign_key.column is not key:
                continue
            column = foreign_key.parent
            (child_key,) = child.primary_key.columns
            child_ids = list(db.scalars(select(child_key).where(column.in_(ids))))
            if child_ids:
                _delete_with_dependents(db, child, child_ids)
    db.execute(delete(table).where(key.in_(ids)).execution_options(synchronize_session=False))


def _delete_written_emails(message_ids: list[str]) -> int:
    """E-mails written to var/outbox/ (no SMTP server set) are named after their message."""
    directory = outbox_dir()
    if not message_ids or not directory.is_dir():
        return 0
    deleted = 0
    for message_id in message_ids:
        for path in directory.glob(f"*-{message_id}.eml*"):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
