"""E-mails to participants, put in the outbox: the invitation, reminders, and the Greenhouse
candidate e-mail. Only what to send is stored (which assessment, which message); the e-mail
itself, with the link unsealed, is drawn when it is sent (app/delivery/email.py), so no
participant link is ever stored in the outbox in the clear."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from app.models import Assessment, OutboxMessage, Participant
from app.services.outbox import Kind, enqueue


class Message(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    GREENHOUSE = "greenhouse_invitation"  # a candidate invited from Greenhouse


def enqueue_email(
    *,
    db: Session,
    assessment: Assessment,
    message: Message,
    sender_name: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """An e-mail about `assessment` to its participant; `sender_name` is the inviting manager
    (shown in the e-mail when known)."""
    participant = db.get(Participant, assessment.participant_id)
    assert participant is not None
    return enqueue(
        db=db,
        kind=Kind.EMAIL,
        topic=message.value,
        recipient=participant.email,
        payload={"message": message.value, "sender_name": sender_name},
        organisation_id=assessment.organisation_id,
        assessment_id=assessment.id,
        now=now,
    )
