"""Delivering outbox messages: one deliverer per kind of message (e-mail, webhook, partner
callback), each a function of the message and the delivery context that says what happened.
The worker (app/worker) claims due messages, calls the deliverer of their kind, logs the
attempt and schedules a retry or gives up. Deliverers never touch the outbox row themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.models import OutboxMessage


class Outcome(StrEnum):
    DELIVERED = "delivered"  # the other side accepted it: done
    FAILED = "failed"  # may work later (timeout, 5xx, 429, SMTP 4xx): retry with backoff
    REFUSED = "refused"  # will not work (SMTP 5xx on the recipient, 410 Gone): dead at once


@dataclass(frozen=True)
class Delivery:
    """What became of one attempt: the outcome, the other side's status code (HTTP or SMTP
    reply code) and, unless delivered, why, in words an admin can act on."""

    outcome: Outcome
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class DeliveryContext:
    """What a deliverer may use: the settings (SMTP URL, base URL, secret key), a database
    session for reading what the message refers to (read only), and a shared HTTP client."""

    settings: Settings
    db: Session
    http: Any  # an httpx.Client with the worker's timeouts


Deliverer = Callable[[OutboxMessage, DeliveryContext], Delivery]
DELIVERERS: dict[str, Deliverer] = {}


def deliverer(kind: str) -> Callable[[Deliverer], Deliverer]:
    """Register the deliverer of a kind of message (app.services.outbox.Kind)."""

    def register(function: Deliverer) -> Deliverer:
        DELIVERERS[kind] = function
        return function

    return register
