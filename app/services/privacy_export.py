"""Everything StageFit holds about one participant, as one JSON document (the right of access):
the person, their assessments with answers, page times and results, the e-mails, webhooks
and partner callbacks about them with their delivery log, partner orders, and the audit
events that name them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.clock import rfc3339, utcnow
from app.models import (
    Answer,
    Assessment,
    AuditEvent,
    DeliveryAttempt,
    OutboxMessage,
    PageTiming,
    Participant,
    PartnerOrder,
    Result,
)
from app.services.outbox import Kind


def messages_about(
    db: Session, participant: Participant, assessment_ids: list[str]
) -> list[OutboxMessage]:
    """Outbox messages about a person: those of their assessments, and e-mails to them."""
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.organisation_id == participant.organisation_id,
                or_(
                    OutboxMessage.assessment_id.in_(assessment_ids),
                    (OutboxMessage.kind == Kind.EMAIL)
                    & (OutboxMessage.recipient == participant.email),
                ),
            )
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )


def _assessment(db: Session, assessment: Assessment) -> dict[str, Any]:
    answers = db.scalars(
        select(Answer).where(Answer.assessment_id == assessment.id).order_by(Answer.item_id)
    )
    timings = db.scalars(
        select(PageTiming)
        .where(PageTiming.assessment_id == assessment.id)
        .order_by(PageTiming.page, PageTiming.id)
    )
    result = db.scalar(select(Result).where(Result.assessment_id == assessment.id))
    version = assessment.instrument_version
    return {
        "id": assessment.id,
        "status": str(assessment.status),
        "instrument": {"key": version.key, "version": version.version},
        "team_id": assessment.team_id,
        "locale": assessment.locale,
        "created_at": rfc3339(assessment.created_at),
        "consented_at": rfc3339(assessment.consented_at),
        "started_at": rfc3339(assessment.started_at),
        "completed_at": rfc3339(assessment.completed_at),
        "expires_at": rfc3339(assessment.expires_at),
        "cancelled_at": rfc3339(assessment.cancelled_at),
        "answers": [
            {"item_id": a.item_id, "value": a.value, "answered_at": rfc3339(a.answered_at)}
            for a in answers
        ],
        "page_timings": [
            {"page": t.page, "seconds": t.seconds, "recorded_at": rfc3339(t.recorded_at)}
            for t in timings
        ],
        "result": result.payload if result else None,
    }


def _message(message: OutboxMessage, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "topic": message.topic,
        "assessment_id": message.assessment_id,
        "recipient": message.recipient,
        "payload": message.payload,
        "status": message.status,
        "attempts": message.attempts,
        "last_error": message.last_error,
        "created_at": rfc3339(message.created_at),
        "delivered_at": rfc3339(message.delivered_at),
        "deliveries": [
            {
                "attempted_at": rfc3339(a.attempted_at),
                "outcome": a.outcome,
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts
        ],
    }


def _messages(db: Session, participant: Participant, ids: list[str]) -> list[dict[str, Any]]:
    messages = messages_about(db, participant, ids)
    attempts: dict[str, list[DeliveryAttempt]] = {m.id: [] for m in messages}
    for attempt in db.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.message_id.in_(list(attempts)))
        .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
    ):
        attempts[attempt.message_id].append(attempt)
    return [_message(m, attempts[m.id]) for m in messages]


def _orders(db: Session, ids: list[str]) -> list[dict[str, Any]]:
    orders = db.scalars(
        select(PartnerOrder).where(PartnerOrder.assessment_id.in_(ids)).order_by(PartnerOrder.id)
    )
    # Not the sealed credential: it is the partner's API key, not data about the person.
    return [
        {
            "id": o.id,
            "partner": o.partner,
            "assessment_id": o.assessment_id,
            "partner_test_id": o.partner_test_id,
            "callback_url": o.callback_url,
            "request": o.request,
            "created_at": rfc3339(o.created_at),
        }
        for o in orders
    ]


def _audit(db: Session, participant: Participant, ids: list[str]) -> list[dict[str, Any]]:
    events = db.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.organisation_id == participant.organisation_id,
            AuditEvent.subject_id.in_([participant.id, *ids]),
        )
        .order_by(AuditEvent.id)
    )
    return [
        {
            "id": e.id,
            "action": e.action,
            "actor": e.actor,
            "subject_id": e.subject_id,
            "detail": e.detail,
            "created_at": rfc3339(e.created_at),
        }
        for e in events
    ]


def export_document(db: Session, participant: Participant) -> dict[str, Any]:
    assessments = list(
        db.scalars(
            select(Assessment)
            .where(
                Assessment.participant_id == participant.id,
                Assessment.organisation_id == participant.organisation_id,
            )
            .order_by(Assessment.created_at, Assessment.id)
        )
    )
    ids = [a.id for a in assessments]
    return {
        "exported_at": rfc3339(utcnow()),
        "participant": {
            "id": participant.id,
            "email": participant.email,
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "external_id": participant.external_id,
            "team_id": participant.team_id,
            "created_at": rfc3339(participant.created_at),
        },
        "assessments": [_assessment(db, a) for a in assessments],
        "messages": _messages(db, participant, ids),
        "partner_orders": _orders(db, ids),
        "audit_events": _audit(db, participant, ids),
    }
