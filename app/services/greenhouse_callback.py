"""Telling Greenhouse that a test it ordered is completed: the PATCH to the `url` of its
send_test request, put in the outbox in the transaction that stores the result (the
deliverer is app/delivery/greenhouse.py; Greenhouse then asks test_status)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assessment, OutboxMessage, PartnerOrder
from app.services.outbox import Kind, enqueue

PARTNER = "greenhouse"
CREDENTIAL = "greenhouse-credential"  # the sealing purpose of the partner's API key
TOPIC = "test.completed"


def order_of(db: Session, assessment_id: str) -> PartnerOrder | None:
    return db.scalar(
        select(PartnerOrder).where(
            PartnerOrder.assessment_id == assessment_id, PartnerOrder.partner == PARTNER
        )
    )


def enqueue_completion(
    *, db: Session, assessment: Assessment, now: datetime | None = None
) -> OutboxMessage | None:
    """The PATCH for an assessment Greenhouse ordered; None for any other assessment."""
    order = order_of(db, assessment.id)
    if order is None or not order.callback_url:
        return None
    return enqueue(
        db=db,
        kind=Kind.GREENHOUSE,
        topic=TOPIC,
        recipient=order.callback_url,
        payload={"partner_order_id": order.id, "partner_interview_id": assessment.id},
        organisation_id=assessment.organisation_id,
        assessment_id=assessment.id,
        now=now,
    )
