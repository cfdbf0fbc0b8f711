"""An organisation's webhook endpoints: adding, listing and removing them, their delivery
log, redelivery on request and a test event. Signing and sending: app/delivery/webhooks.py."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import rfc3339, utcnow
from app.errors import UserError
from app.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from app.services import audit
from app.services.events import EVENT_TYPES
from app.services.outbox import Kind, Status, enqueue

SECRET_PREFIX = "whsec_"
TEST_EVENT = "webhook.test"


class NotFound(UserError):
    status_code = 404


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def check_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise UserError(f"unknown event {unknown[0]!r}: use {', '.join(EVENT_TYPES)}")
    return list(dict.fromkeys(events))


class PlainHttpRefused(UserError):
    status_code = 422
    MESSAGE = "use an https:// address: this server sends webhooks over TLS only"

    def __init__(self) -> None:
        super().__init__(f"url: {self.MESSAGE}")
        self.errors = [{"location": "body.url", "message": self.MESSAGE}]


def create_endpoint(
    *,
    db: Session,
    organisation_id: str,
    url: str,
    events: list[str],
    description: str = "",
    actor: str,
    allow_http: bool = True,
) -> WebhookEndpoint:
    """A new endpoint with its own secret (shown to the caller, kept to sign); a plain http
    URL only where `allow_http` (Settings.webhook_allow_http)."""
    if not allow_http and not url.lower().startswith("https://"):
        raise PlainHttpRefused()
    endpoint = WebhookEndpoint(
        organisation_id=organisation_id,
        url=url,
        events=check_events(events),
        secret=new_secret(),
        description=description,
    )
    db.add(endpoint)
    db.flush()
    audit.record(
        db=db,
        action="webhook.created",
        actor=actor,
        organisation_id=organisation_id,
        subject_id=endpoint.id,
        detail={"url": url, "events": endpoint.events},
    )
    return endpoint


def find_endpoint(*, db: Session, organisation_id: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organisation_id != organisation_id:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return endpoint


def list_endpoints(*, db: Session, organisation_id: str) -> list[WebhookEndpoint]:
    return list(
        db.scalars(
            select(WebhookEndpoint)
            .where(
                WebhookEndpoint.organisation_id == organisation_id,
                WebhookEndpoint.disabled_at.is_(None),
            )
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


def remove_endpoint(
    *, db: Session, organisation_id: str, endpoint_id: str, actor: str, now: datetime | None = None
) -> None:
    """Stop sending to an endpoint; its delivery log stays readable."""
    endpoint = find_endpoint(db=db, organisation_id=organisation_id, endpoint_id=endpoint_id)
    endpoint.disabled_at = endpoint.disabled_at or now or utcnow()
    audit.record(
        db=db,
        action="webhook.removed",
        actor=actor,
        organisation_id=organisation_id,
        subject_id=endpoint.id,
    )


def send_test(
    *, db: Session, organisation_id: str, endpoint_id: str, now: datetime | None = None
) -> OutboxMessage:
    """A `webhook.test` event to one endpoint, delivered like any other."""
    endpoint = find_endpoint(db=db, organisation_id=organisation_id, endpoint_id=endpoint_id)
    now = now or utcnow()
    payload = {"type": TEST_EVENT, "timestamp": rfc3339(now), "data": {"endpoint_id": endpoint.id}}
    return enqueue(
        db=db,
        kind=Kind.WEBHOOK,
        topic=TEST_EVENT,
        recipient=endpoint.url,
        payload=payload,
        organisation_id=organisation_id,
        endpoint_id=endpoint.id,
        now=now,
    )


def deliveries(
    *, db: Session, organisation_id: str, endpoint_id: str, limit: int = 100
) -> list[tuple[OutboxMessage, list[DeliveryAttempt]]]:
    """The endpoint's messages, newest first, each with its attempts (oldest first)."""
    find_endpoint(db=db, organisation_id=organisation_id, endpoint_id=endpoint_id)
    messages = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.endpoint_id == endpoint_id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        .limit(limit)
    ).all()
    attempts: dict[str, list[DeliveryAttempt]] = {m.id: [] for m in messages}
    for attempt in db.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.message_id.in_(list(attempts)))
        .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
    ):
        attempts[attempt.message_id].append(attempt)
    return [(m, attempts[m.id]) for m in messages]


def redeliver(
    *, db: Session, organisation_id: str, message_id: str, now: datetime | None = None
) -> OutboxMessage:
    """Send a webhook message again, as it was (same webhook-id, so receivers that have it
    already can tell); a dead message comes back to life."""
    message = db.get(OutboxMessage, message_id)
    if (
        message is None
        or message.organisation_id != organisation_id
        or message.kind != Kind.WEBHOOK
    ):
        raise NotFound(f"no webhook message {message_id}")
    message.status = Status.PENDING
    message.next_attempt_at = now or utcnow()
    message.locked_until = None
    return message
