"""Sending a webhook: the event as JSON, signed the Standard Webhooks way, POSTed to the
endpoint; the receiver's answer decides delivered, retry, or refused.

Headers: `webhook-id` (the outbox message id, the same on every retry, so receivers can
de-duplicate), `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature:
v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64-decoded part of
the endpoint's `whsec_` secret (https://www.standardwebhooks.com/).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from app.clock import utcnow
from app.delivery import Delivery, DeliveryContext, Outcome, deliverer
from app.delivery.addresses import BlockedAddress, pinned_request
from app.models import OutboxMessage, WebhookEndpoint

SECRET_PREFIX = "whsec_"
BODY_EXCERPT = 200  # characters of a receiver's error answer kept in the delivery log
READ_LIMIT = 4096  # bytes of an answer read at most
SECRET_TTL = 5.0  # seconds an endpoint's secret (or its removal) is remembered
SECRET_CACHE_SIZE = 10_000


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def with_absolute_links(payload: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The payload with `data.links` paths made absolute with the service's public address
    (kept as paths in the outbox, so a changed STAGEFIT_BASE_URL applies to retries too)."""
    data = payload.get("data")
    links = data.get("links") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(links, dict):
        return payload
    absolute = {
        name: f"{base_url}{path}" if isinstance(path, str) and path.startswith("/") else path
        for name, path in links.items()
    }
    return {**payload, "data": {**data, "links": absolute}}


def body_of(payload: dict[str, Any], base_url: str) -> bytes:
    return json.dumps(
        with_absolute_links(payload, base_url), ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


@deliverer("webhook")
def deliver_webhook(message: OutboxMessage, context: DeliveryContext) -> Delivery:
    url = message.recipient
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Delivery(Outcome.REFUSED, error=f"not an http(s) URL: {url[:100]!r}")
    if parts.scheme == "http" and not context.settings.webhook_allow_http:
        # An endpoint stored before STAGEFIT_WEBHOOK_ALLOW_HTTP was turned off.
        return Delivery(Outcome.REFUSED, error="plain http is refused: register an https:// URL")
    secret = _secret(context, message.endpoint_id)
    if secret is None:
        return Delivery(Outcome.REFUSED, error="the webhook endpoint was removed")
    body = body_of(message.payload, context.settings.base_url)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": message.id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            secret=secret, message_id=message.id, timestamp=timestamp, body=body
        ),
    }
    try:
        request = pinned_request(
            context.http,
            url,
            content=body,
            headers=headers,
            allow_private=bool(context.settings.webhook_allow_private),
        )
        response = context.http.send(request, stream=True)
        try:
            # Only the start of an answer: a receiver cannot make the worker read megabytes.
            # A short answer read to its end leaves the connection open for the next webhook.
            head = _read_some(response, READ_LIMIT)
        finally:
            response.close()
    except BlockedAddress as exc:
        return Delivery(Outcome.REFUSED, error=str(exc))
    except httpx.TimeoutException:
        timeout = context.settings.delivery_timeout
        return Delivery(Outcome.FAILED, error=f"no answer within {timeout:g} s (timed out)")
    except httpx.HTTPError as exc:
        return Delivery(Outcome.FAILED, error=f"could not reach the receiver: {exc or type(exc)}")
    return judge(response, head)


_secrets: dict[str, tuple[float, str | None]] = {}


def _secret(context: DeliveryContext, endpoint_id: str | None) -> str | None:
    """The endpoint's secret, or None once it was removed. Kept for SECRET_TTL seconds: a
    burst of events to one endpoint reads it once, and a removal is obeyed within seconds."""
    if endpoint_id is None:
        return None
    now = time.monotonic()
    cached = _secrets.get(endpoint_id)
    if cached is not None and now - cached[0] < SECRET_TTL:
        return cached[1]
    secret = context.db.scalar(
        select(WebhookEndpoint.secret).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.disabled_at.is_(None)
        )
    )
    # End the read before the network call: no connection held while a receiver dawdles.
    context.db.rollback()
    if len(_secrets) > SECRET_CACHE_SIZE:
        _secrets.clear()
    _secrets[endpoint_id] = (now, secret)
    return secret


def judge(response: httpx.Response, head: bytes = b"") -> Delivery:
    """What the receiver's answer (its status, headers and the start of its body) means."""
    code = response.status_code
    if 200 <= code < 300:
        return Delivery(Outcome.DELIVERED, status_code=code)
    said = _excerpt(head)
    if code == 410:
        return Delivery(
            Outcome.REFUSED, code, f"410 Gone: the receiver wants no more events here{said}"
        )
    if code in (408, 429) or code >= 500:
        return Delivery(
            Outcome.FAILED,
            code,
            f"the receiver answered {code} {response.reason_phrase}{said}",
            retry_after=retry_after(response),
        )
    if 300 <= code < 400:
        target = response.headers.get("location", "?")[:200]
        return Delivery(
            Outcome.FAILED,
            code,
            f"the receiver redirects ({code} to {target}); redirects are not followed: "
            "register the final URL",
        )
    return Delivery(
        Outcome.FAILED,
        code,
        f"the receiver rejected the request ({code} {response.reason_phrase}){said}; check "
        "that it accepts StageFit's events and signature; retried in case it is fixed",
    )


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (a number or an HTTP date), when the receiver gave one."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def _read_some(response: httpx.Response, limit: int) -> bytes:
    head = b""
    for chunk in response.iter_bytes():
        head += chunk
        if len(head) >= limit:
            break
    return head[:limit]


def _excerpt(head: bytes) -> str:
    text = " ".join(head.decode("utf-8", "replace")[:BODY_EXCERPT].split())
    printable = "".join(c for c in text if c.isprintable())
    return f": {printable}" if printable else ""
