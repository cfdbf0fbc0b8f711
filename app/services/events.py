"""Events an organisation can subscribe to with webhooks, raised by the services when an
assessment changes. Each becomes one outbox message per subscribed endpoint, in the same
transaction as the change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import rfc3339, utcnow
from app.models import Assessment, Participant, WebhookEndpoint
from app.services.outbox import Kind, enqueue

EVENT_TYPES = (
    "assessment.invited",
    "assessment.started",
    "assessment.completed",
    "assessment.expired",
    "assessment.cancelled",
    "report.ready",
)


def assessment_links(assessment_id: str) -> dict[str, str]:
    """Paths of an assessment in the HR API; webhooks send them as absolute URLs (the worker
    prefixes STAGEFIT_BASE_URL when it sends)."""
    base = f"/api/v1/assessments/{assessment_id}"
    return {"self": base, "result": f"{base}/result", "report": f"{base}/report.pdf"}


def _data(db: Session, assessment: Assessment) -> dict[str, Any]:
    participant = db.get(Participant, assessment.participant_id)
    return {
        "assessment_id": assessment.id,
        "status": str(assessment.status),
        "participant_id": assessment.participant_id,
        "external_id": participant.external_id if participant else None,
        "team_id": assessment.team_id,
        "links": assessment_links(assessment.id),
    }


BATCH = "stagefit.events.endpoints"  # db.info: the endpoints of a batch() by organisation


@contextmanager
def batch(db: Session) -> Iterator[None]:
    """Many events raised in one go (a bulk order): each organisation's endpoints are read
    once, not once per event."""
    db.info[BATCH] = {}
    try:
        yield
    finally:
        db.info.pop(BATCH, None)


def subscribers(db: Session, organisation_id: str, event_type: str) -> list[WebhookEndpoint]:
    cache: dict[str, list[WebhookEndpoint]] | None = db.info.get(BATCH)
    endpoints = cache.get(organisation_id) if cache is not None else None
    if endpoints is None:
        endpoints = list(
            db.scalars(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.organisation_id == organisation_id,
                    WebhookEndpoint.disabled_at.is_(None),
                )
            )
        )
        if cache is not None:
            cache[organisation_id] = endpoints
    return [e for e in endpoints if not e.events or event_type in e.events]


def emit(
    *, db: Session, event_type: str, assessment: Assessment, now: datetime | None = None
) -> None:
    """Raise `event_type` about `assessment`: a webhook message for each endpoint of its
    organisation that subscribes to it (payloads as Standard Webhooks describe them)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    now = now or utcnow()
    endpoints = subscribers(db, assessment.organisation_id, event_type)
    if not endpoints:
        return
    payload = {"type": event_type, "timestamp": rfc3339(now), "data": _data(db, assessment)}
    for endpoint in endpoints:
        enqueue(
            db=db,
            kind=Kind.WEBHOOK,
            topic=event_type,
            recipient=endpoint.url,
            payload=payload,
            organisation_id=assessment.organisation_id,
            assessment_id=assessment.id,
            endpoint_id=endpoint.id,
            now=now,
        )
