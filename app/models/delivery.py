"""What leaves the service, and what HR systems asked it to do: the outbox of e-mails, webhooks
and partner callbacks with its delivery log, webhook endpoints, partner orders (Greenhouse) and
the idempotency keys of API calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.models.base import Base, new_id


class OutboxMessage(Base):
    """One message to deliver, written in the same transaction as the change that caused it;
    the worker delivers it at least once, retrying with backoff until it is delivered or dead.
    Its id is the webhook-id receivers de-duplicate by."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # email | webhook | greenhouse
    topic: Mapped[str] = mapped_column(String(64))  # e.g. invitation, assessment.completed
    assessment_id: Mapped[str | None] = mapped_column(ForeignKey("assessments.id"), index=True)
    endpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(2048))  # an e-mail address or a URL
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()  # a worker's lease while sending
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column()


class DeliveryAttempt(Base):
    """The delivery log: every attempt at a message, with what the other side said."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | failed | refused
    status_code: Mapped[int | None] = mapped_column(Integer)  # HTTP or SMTP reply code
    error: Mapped[str | None] = mapped_column(Text)


class WebhookEndpoint(Base):
    """Where an organisation wants its events, signed with its own secret (Standard Webhooks)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column()  # event types; empty means every event
    secret: Mapped[str] = mapped_column(String(100))  # whsec_<base64>, needed to sign
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column()


class PartnerOrder(Base):
    """An assessment ordered through an ATS partner API (Greenhouse): where to report back."""

    __tablename__ = "partner_orders"
    # One order per callback URL: Greenhouse's URL names one test sent to one candidate, so a
    # send_test retried after a timeout finds the first order instead of e-mailing twice.
    __table_args__ = (UniqueConstraint("organisation_id", "partner", "callback_url"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), unique=True)
    partner: Mapped[str] = mapped_column(String(32))  # greenhouse
    partner_test_id: Mapped[str] = mapped_column(String(64))
    callback_url: Mapped[str | None] = mapped_column(String(2048))
    request: Mapped[dict[str, Any]] = mapped_column()  # what the partner sent, as sent
    # The API key the partner called with, sealed (app/sealing.py): Greenhouse expects it
    # back as the Basic credentials of the PATCH on completion, and only its hash is kept.
    credential_sealed: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKey(Base):
    """A POST made with an Idempotency-Key: its request's fingerprint and the response given,
    so a retry gets the same response and a different request under the key is refused."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    api_key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first is running
    response: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
