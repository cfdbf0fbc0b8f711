"""HR API: webhook endpoints of the organisation, their delivery log, a test event and
redelivery (app/services/webhooks.py)."""

from __future__ import annotations

from fastapi import Response

from app.api.content import AUTH, json_router
from app.api.schemas import (
    AttemptOut,
    DeliveryOut,
    NewWebhookOut,
    QueuedOut,
    WebhookIn,
    WebhookOut,
)
from app.deps import ApiKeyDep, IdempotencyDep, SessionDep, SettingsDep, WriteApiKeyDep
from app.models import WebhookEndpoint
from app.problems import problem_responses
from app.services import webhooks

router = json_router("webhooks")
NOT_FOUND = problem_responses(404, s404="No such webhook endpoint in your organisation.")
POSTED = problem_responses(
    400,
    409,
    413,
    415,
    422,
    s400="The body is not JSON (it cannot be parsed).",
    s409="A request with the same Idempotency-Key is still running.",
    s413="The body is larger than 1 MiB.",
    s415="The body is not JSON.",
    s422=(
        "Invalid body, a plain http URL where only https is allowed (production), or an "
        "Idempotency-Key used before with another request."
    ),
)


def webhook_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(
        id=endpoint.id,
        url=endpoint.url,
        events=endpoint.events,
        description=endpoint.description,
        created_at=endpoint.created_at,
    )


def actor(api_key_id: str) -> str:
    return f"apikey:{api_key_id}"


@router.post(
    "/webhooks", status_code=201, response_model=NewWebhookOut, responses={**AUTH, **POSTED}
)
def add_webhook(
    body: WebhookIn,
    api_key: WriteApiKeyDep,
    db: SessionDep,
    idempotency: IdempotencyDep,
    settings: SettingsDep,
) -> Response:
    """Send events to `url`, signed the Standard Webhooks way with the `secret` returned
    (shown only in this response; a replay under the same Idempotency-Key shows it again)."""

    def add() -> NewWebhookOut:
        endpoint = webhooks.create_endpoint(
            db=db,
            organisation_id=api_key.organisation_id,
            url=body.url,
            events=list(body.events),
            description=body.description,
            actor=actor(api_key.id),
            allow_http=bool(settings.webhook_allow_http),
        )
        return NewWebhookOut(**webhook_out(endpoint).model_dump(), secret=endpoint.secret)

    return idempotency.respond(201, add, body=body)


@router.get("/webhooks", responses=AUTH)
def list_webhooks(api_key: ApiKeyDep, db: SessionDep) -> list[WebhookOut]:
    """Your endpoints that receive events (removed ones are not listed)."""
    return [
        webhook_out(e)
        for e in webhooks.list_endpoints(db=db, organisation_id=api_key.organisation_id)
    ]


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=204,
    response_class=Response,
    responses={**AUTH, **NOT_FOUND},
)
def remove_webhook(webhook_id: str, api_key: WriteApiKeyDep, db: SessionDep) -> Response:
    """Stop sending to the endpoint; its delivery log stays readable."""
    webhooks.remove_endpoint(
        db=db,
        organisation_id=api_key.organisation_id,
        endpoint_id=webhook_id,
        actor=actor(api_key.id),
    )
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", responses={**AUTH, **NOT_FOUND})
def list_deliveries(webhook_id: str, api_key: ApiKeyDep, db: SessionDep) -> list[DeliveryOut]:
    """The endpoint's last 100 messages, newest first, each with every attempt."""
    return [
        DeliveryOut(
            message_id=message.id,
            event=message.topic,
            status=message.status,
            attempts=message.attempts,
            created_at=message.created_at,
            delivered_at=message.delivered_at,
            next_attempt_at=message.next_attempt_at if message.status == "pending" else None,
            last_error=message.last_error,
            log=[
                AttemptOut(
                    attempted_at=a.attempted_at,
                    outcome=a.outcome,
                    status_code=a.status_code,
                    duration_ms=a.duration_ms,
                    error=a.error,
                )
                for a in attempts
            ],
        )
        for message, attempts in webhooks.deliveries(
            db=db, organisation_id=api_key.organisation_id, endpoint_id=webhook_id
        )
    ]


@router.post(
    "/webhooks/{webhook_id}/test",
    status_code=202,
    response_model=QueuedOut,
    responses={**AUTH, **NOT_FOUND, **POSTED},
)
def test_webhook(
    webhook_id: str, api_key: WriteApiKeyDep, db: SessionDep, idempotency: IdempotencyDep
) -> Response:
    """Queue a `webhook.test` event to the endpoint, delivered and signed like any other."""

    def send() -> QueuedOut:
        message = webhooks.send_test(
            db=db, organisation_id=api_key.organisation_id, endpoint_id=webhook_id
        )
        return QueuedOut(message_id=message.id, status=message.status)

    return idempotency.respond(202, send)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{message_id}/redeliver",
    status_code=202,
    response_model=QueuedOut,
    responses={
        **AUTH,
        **problem_responses(404, s404="No such endpoint, or no such message of it."),
        **POSTED,
    },
)
def redeliver(
    webhook_id: str,
    message_id: str,
    api_key: WriteApiKeyDep,
    db: SessionDep,
    idempotency: IdempotencyDep,
) -> Response:
    """Send a message again as it was, with the same `webhook-id` (a dead one too)."""

    def again() -> QueuedOut:
        webhooks.find_endpoint(
            db=db, organisation_id=api_key.organisation_id, endpoint_id=webhook_id
        )
        message = webhooks.redeliver(
            db=db, organisation_id=api_key.organisation_id, message_id=message_id
        )
        if message.endpoint_id != webhook_id:
            raise webhooks.NotFound(f"no message {message_id} of webhook endpoint {webhook_id}")
        return QueuedOut(message_id=message.id, status=message.status)

    return idempotency.respond(202, again)
