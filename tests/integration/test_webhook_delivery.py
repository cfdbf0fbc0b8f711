"""Webhooks as a receiver sees them: delivered by the real worker over real HTTP to a
receiver on loopback that checks every signature with the Standard Webhooks reference
library; retried while the receiver is down; given up on when it says so."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.services.outbox import Status, enqueue, list_messages
from app.services.webhooks import new_secret
from tests.conftest import free_port, serve_app
from tests.integration.api_v1_helpers import bearer, key_of, problem_of
from tests.integration.delivery_helpers import (
    add_endpoint,
    attempts_of,
    make_due,
    outbox,
    running_worker,
    statuses,
    wait_until,
    worker_settings,
)
from tests.integration.webhook_receiver import Receiver


def test_a_webhook_arrives_signed_so_the_reference_verifier_accepts_it(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        endpoint = add_endpoint(db, org, receiver.url, ["assessment.invited"])
        receiver.trust(endpoint.secret)
        invitation = invite(email="ana@example.com")
        with running_worker(worker_settings(settings)):
            (got,) = receiver.wait_for(1)
            wait_until(lambda: statuses(database) == ["delivered"], what="delivered")

    (message,) = outbox(database)
    assert got.verified, got.error
    assert got.webhook_id == message.id
    assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 60
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"].startswith("StageFit/")
    event = got.event
    assert event["type"] == "assessment.invited"
    assert event["data"]["assessment_id"] == invitation.assessment.id
    links = event["data"]["links"]
    assert links["self"] == f"{settings.base_url}/api/v1/assessments/{invitation.assessment.id}"
    assert links["report"].endswith("/report.pdf") and links["report"].startswith("http")
    # The signature really depends on the secret: another endpoint's secret does not verify.
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(got.body, got.headers)
    (attempt,) = attempts_of(database, message.id)
    assert (attempt.outcome, attempt.status_code) == ("delivered", 200)


def test_a_receiver_that_is_down_for_a_while_gets_every_event_once_back(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    endpoint = add_endpoint(db, org, f"http://127.0.0.1:{port}/hooks")
    for n in range(5):
        invite(email=f"rep{n}@example.com")
    ids = {m.id for m in outbox(database)}
    assert len(ids) == 5

    with running_worker(worker_settings(settings)):
        # Nobody listens on the port: every message fails and waits for a retry.
        wait_until(lambda: all(m.attempts == 1 for m in outbox(database)), what="1st try")
        assert statuses(database) == ["pending"] * 5
        assert all("could not reach" in (m.last_error or "") for m in outbox(database))

        with Receiver(port=port) as receiver:
            receiver.trust(endpoint.secret)
            receiver.answer = 503  # up, but not ready
            make_due(database)
            wait_until(lambda: all(m.attempts == 2 for m in outbox(database)), what="2nd try")
            assert statuses(database) == ["pending"] * 5
            assert {r.webhook_id for r in receiver.requests} == ids

            receiver.answer = 200  # back for good
            make_due(database)
            wait_until(lambda: statuses(database) == ["delivered"] * 5, what="all delivered")

    assert all(r.verified for r in receiver.requests)
    assert len(receiver.requests) == 10
    assert sorted(receiver.ids()) == sorted([*ids, *ids])  # each retry carries the same id
    for message_id in ids:
        log = [(a.outcome, a.status_code) for a in attempts_of(database, message_id)]
        assert log == [("failed", None), ("failed", 503), ("delivered", 200)]


def test_410_gone_means_dead_at_once_and_admins_see_why(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        receiver.trust(add_endpoint(db, org, receiver.url).secret)
        receiver.answer = 410
        invite()
        with running_worker(worker_settings(settings)):
            wait_until(lambda: statuses(database) == ["dead"], what="dead")
    assert len(receiver.requests) == 1
    (dead,) = list_messages(db=db, organisation_id=org.id, status="dead")
    assert "410 Gone" in (dead.last_error or "") and dead.attempts == 1


def test_slow_down_answers_are_retried_later_and_retry_after_is_honoured(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        receiver.trust(add_endpoint(db, org, receiver.url).secret)
        receiver.answer = 429
        receiver.answer_headers = {"Retry-After": "600"}
        invite()
        before = utcnow()
        with running_worker(worker_settings(settings)):
            wait_until(lambda: outbox(database)[0].attempts == 1, what="an attempt")
    (message,) = outbox(database)
    assert message.status == Status.PENDING
    assert message.next_attempt_at >= before + timedelta(seconds=599)
    assert "429" in (message.last_error or "")


@pytest.mark.parametrize(
    ("answer", "words"),
    [(302, "redirects are not followed"), (400, "rejected the request (400")],
)
def test_redirects_and_client_errors_are_retried_with_a_clear_reason(
    database: Database, db, org, invite, settings: Settings, answer: int, words: str
) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        receiver.trust(add_endpoint(db, org, receiver.url).secret)
        receiver.answer = answer
        receiver.answer_headers = {"Location": "http://127.0.0.1:1/elsewhere"}
        invite()
        with running_worker(worker_settings(settings)):
            wait_until(lambda: outbox(database)[0].attempts == 1, what="an attempt")
    (message,) = outbox(database)
    assert message.status == Status.PENDING and words in (message.last_error or "")
    assert len(receiver.requests) == 1  # the redirect was not followed


def test_urls_that_are_not_http_or_lead_to_private_addresses_are_refused(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        add_endpoint(db, org, receiver.url)  # loopback: a private address
        add_endpoint(db, org, "file:///etc/passwd")
        invite()
        with running_worker(worker_settings(settings, webhook_allow_private=False)):
            wait_until(lambda: statuses(database) == ["dead", "dead"], what="both dead")
    errors = sorted(m.last_error or "" for m in outbox(database))
    assert "not a public address" in errors[0] and "127.0.0.1" in errors[0]
    assert errors[1].startswith("not an http(s) URL")
    assert receiver.requests == []


def test_production_sends_webhooks_over_https_only(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    """Production refuses a plain http URL when it is registered (422, the field named), and
    does not send to one stored before (STAGEFIT_WEBHOOK_ALLOW_HTTP turned off later)."""
    from app.main import create_app

    production = Settings(env="production", secret_key="k" * 40, base_url="https://x.example")
    assert production.webhook_allow_http is False and Settings(env="test").webhook_allow_http
    tls_only = settings.model_copy(update={"webhook_allow_http": False})
    with (
        serve_app(create_app(tls_only)) as url,
        httpx.Client(base_url=url, headers=bearer(key_of(db, org)), timeout=30) as client,
    ):
        events = ["assessment.completed"]
        refused = client.post(
            "/api/v1/webhooks", json={"url": "http://ats.example/hooks", "events": events}
        )
        problem = problem_of(refused, 422)
        assert problem["errors"][0]["location"] == "body.url"
        assert "https://" in problem["detail"]
        tls = client.post(
            "/api/v1/webhooks", json={"url": "https://ats.example/hooks", "events": events}
        )
        assert tls.status_code == 201, tls.text
    with Receiver() as receiver:
        add_endpoint(db, org, receiver.url)  # http, stored while plain http was allowed
        invite()
        with running_worker(worker_settings(settings, webhook_allow_http=False)):
            wait_until(lambda: "dead" in statuses(database), what="refused")
    plain_http = [m for m in outbox(database) if m.recipient == receiver.url]
    assert [m.status for m in plain_http] == ["dead"]
    assert "plain http is refused" in (plain_http[0].last_error or "")
    assert receiver.requests == []


def test_a_kind_without_a_deliverer_is_retried_and_does_not_stop_the_others(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    enqueue(
        db=db,
        kind="carrier-pigeon",  # type: ignore[arg-type]
        topic="coo",
        recipient="loft 7",
        payload={},
        organisation_id=org.id,
    )
    db.commit()
    with Receiver() as receiver:
        receiver.trust(add_endpoint(db, org, receiver.url).secret)
        invite()
        with running_worker(worker_settings(settings)):
            receiver.wait_for(1)
            wait_until(lambda: sorted(statuses(database)) == ["delivered", "pending"], what="")
    pigeon = next(m for m in outbox(database) if m.kind == "carrier-pigeon")
    assert pigeon.attempts == 1 and "cannot deliver messages of kind 'carrier-pigeon'" in (
        pigeon.last_error or ""
    )
