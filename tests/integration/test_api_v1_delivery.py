"""What leaves StageFit when an HR system uses the API: the invitation e-mail (real SMTP on
loopback) and signed webhooks managed over the API (a receiver on loopback that verifies every
signature with the Standard Webhooks reference library), with the delivery log, test events
and redelivery."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.models import Organisation, WebhookEndpoint
from app.services.organisations import create_organisation
from tests.integration.api_v1_helpers import bearer, key_of, order, problem_of
from tests.integration.delivery_helpers import worker_settings
from tests.integration.webhook_receiver import Receiver
from tests.smtp_server import Mailbox, smtp_server


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp_settings(settings: Settings, mailbox: Mailbox) -> Iterator[Settings]:
    with smtp_server(mailbox) as port:
        yield settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})


def test_send_email_delivers_the_invitation_with_the_participants_link(
    http: httpx.Client,
    db: Session,
    org: Organisation,
    mini_instrument_version: Any,
    smtp_settings: Settings,
    mailbox: Mailbox,
    deliver_outbox: Any,
) -> None:
    key = key_of(db, org)
    quiet = http.post(
        "/api/v1/assessments", json=order(email="quiet@example.com"), headers=bearer(key)
    )
    made = http.post(
        "/api/v1/assessments",
        json=order(email="Dana.Ruiz@Example.com", send_email=True),
        headers=bearer(key),
    )
    assert quiet.status_code == made.status_code == 201
    deliver_outbox(settings=smtp_settings)
    [received] = mailbox.wait_for(1)
    assert mailbox.envelopes[0][1] == ["dana.ruiz@example.com"]  # not quiet@: no send_email
    assert received["Subject"] == "Test Org invites you to the Mini Sales Inventory"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    link = made.json()["participant_url"]
    assert re.findall(r"https?://\S+/a/[A-Za-z0-9_-]+", text) == [link]
    assert f'href="{link}"' in html
    assert "Hello Dana," in text
    assert http.get(link).status_code == 200

    # A reminder goes the same way.
    reminded = http.post(f"/api/v1/assessments/{made.json()['id']}/remind", headers=bearer(key))
    assert reminded.status_code == 202
    deliver_outbox(settings=smtp_settings)
    second = mailbox.wait_for(2)[1]
    assert second["Subject"].startswith("Reminder:")
    assert link in second.get_body(("plain",)).get_content()


def test_webhooks_managed_over_the_api_arrive_signed_and_are_logged(
    http: httpx.Client,
    db: Session,
    org: Organisation,
    mini_instrument_version: Any,
    settings: Settings,
    deliver_outbox: Any,
) -> None:
    key = key_of(db, org)
    sender = worker_settings(settings)
    with Receiver() as receiver:
        body = {"url": receiver.url, "events": ["assessment.invited", "assessment.cancelled"]}
        headers = {**bearer(key), "Idempotency-Key": "hook-1"}
        added = http.post("/api/v1/webhooks", json=body, headers=headers)
        assert added.status_code == 201, added.text
        hook = added.json()
        assert hook["secret"].startswith("whsec_") and hook["events"] == body["events"]
        replay = http.post("/api/v1/webhooks", json=body, headers=headers)
        assert replay.json() == hook  # a lost response can be fetched again, secret included
        db.rollback()
        assert db.scalar(select(func.count()).select_from(WebhookEndpoint)) == 1
        receiver.trust(hook["secret"])
        listed = http.get("/api/v1/webhooks", headers=bearer(key)).json()
        assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]

        made = http.post("/api/v1/assessments", json=order(), headers=bearer(key)).json()
        deliver_outbox(settings=sender)
        [invited] = receiver.wait_for(1)
        assert invited.verified, invited.error
        assert invited.event["type"] == "assessment.invited"
        assert invited.event["data"]["assessment_id"] == made["id"]

        tested = http.post(f"/api/v1/webhooks/{hook['id']}/test", headers=bearer(key))
        assert tested.status_code == 202
        deliver_outbox(settings=sender)
        test_event = receiver.wait_for(2)[1]
        assert test_event.verified and test_event.event["type"] == "webhook.test"
        assert test_event.webhook_id == tested.json()["message_id"]

        log = http.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=bearer(key))
        assert log.status_code == 200
        entries = {d["event"]: d for d in log.json()}
        assert set(entries) == {"assessment.invited", "webhook.test"}
        first = entries["assessment.invited"]
        assert first["status"] == "delivered" and first["message_id"] == invited.webhook_id
        assert [(a["outcome"], a["status_code"]) for a in first["log"]] == [("delivered", 200)]

        again = http.post(
            f"/api/v1/webhooks/{hook['id']}/deliveries/{invited.webhook_id}/redeliver",
            headers=bearer(key),
        )
        assert again.status_code == 202
        deliver_outbox(settings=sender)
        redelivered = receiver.wait_for(3)[2]
        assert redelivered.webhook_id == invited.webhook_id and redelivered.verified

        db.rollback()  # a fresh transaction: the server has written since we last read
        rival = create_organisation(db=db, name="Rival", slug="rival")
        db.commit()
        rival_key = key_of(db, rival)
        for method, path in [
            ("GET", f"/api/v1/webhooks/{hook['id']}/deliveries"),
            ("POST", f"/api/v1/webhooks/{hook['id']}/test"),
            ("POST", f"/api/v1/webhooks/{hook['id']}/deliveries/{invited.webhook_id}/redeliver"),
            ("DELETE", f"/api/v1/webhooks/{hook['id']}"),
        ]:
            problem_of(http.request(method, path, headers=bearer(rival_key)), 404)
        assert http.get("/api/v1/webhooks", headers=bearer(rival_key)).json() == []

        removed = http.delete(f"/api/v1/webhooks/{hook['id']}", headers=bearer(key))
        assert removed.status_code == 204 and removed.content == b""
        assert http.get("/api/v1/webhooks", headers=bearer(key)).json() == []
        http.post(f"/api/v1/assessments/{made['id']}/cancel", headers=bearer(key))
        deliver_outbox(settings=sender)
        assert len(receiver.requests) == 3  # nothing more after removal

    bad = http.post(
        "/api/v1/webhooks", json={"url": "ftp://x.example", "events": []}, headers=bearer(key)
    )
    assert problem_of(bad, 422)["errors"][0]["location"] == "body.url"
    unknown_event = http.post(
        "/api/v1/webhooks",
        json={"url": "https://ats.example/h", "events": ["assessment.eaten"]},
        headers=bearer(key),
    )
    assert problem_of(unknown_event, 422)["errors"][0]["location"].startswith("body.events")
