"""The pure parts of sending a webhook: the signature, the links, reading the answer, and
which addresses count as public."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from standardwebhooks import Webhook

from app.delivery import Outcome
from app.delivery.addresses import is_public
from app.delivery.webhooks import body_of, judge, sign

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef01234567").decode()


def test_signature_is_what_the_reference_library_computes_and_accepts() -> None:
    body = body_of({"type": "assessment.completed", "data": {"note": "Grüße, 東京 \u2028"}}, "")
    signature = sign(secret=SECRET, message_id="msg_1", timestamp=1_700_000_000, body=body)
    reference = Webhook(SECRET)
    assert signature == reference.sign("msg_1", _datetime(1_700_000_000), body.decode())
    assert signature.startswith("v1,")


def _datetime(seconds: int):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC)


def test_links_become_absolute_and_nothing_else_changes() -> None:
    payload = {
        "type": "report.ready",
        "data": {"assessment_id": "a1", "links": {"self": "/api/v1/assessments/a1", "x": None}},
    }
    sent = json.loads(body_of(payload, "https://stagefit.example.com"))
    assert sent["data"]["links"] == {
        "self": "https://stagefit.example.com/api/v1/assessments/a1",
        "x": None,
    }
    assert sent["data"]["assessment_id"] == "a1"
    assert payload["data"]["links"]["self"] == "/api/v1/assessments/a1"  # type: ignore[index]
    assert json.loads(body_of({"type": "webhook.test", "data": {}}, "http://h")) == {
        "type": "webhook.test",
        "data": {},
    }


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (410, Outcome.REFUSED),
        (408, Outcome.FAILED),
        (429, Outcome.FAILED),
        (500, Outcome.FAILED),
        (503, Outcome.FAILED),
        (301, Outcome.FAILED),
        (401, Outcome.FAILED),
        (404, Outcome.FAILED),
    ],
)
def test_answers_are_judged_as_the_http_status_says(status: int, outcome: Outcome) -> None:
    delivery = judge(httpx.Response(status), b"<html>nope\x00\n</html>")
    assert delivery.outcome == outcome and delivery.status_code == status
    if outcome != Outcome.DELIVERED:
        assert delivery.error and "\x00" not in delivery.error


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert judge(httpx.Response(503, headers={"Retry-After": "120"})).retry_after == 120
    later = judge(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}))
    assert later.retry_after is not None and later.retry_after > 86400
    assert judge(httpx.Response(503, headers={"Retry-After": "soon"})).retry_after is None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_count_as_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_names_leading_to_private_addresses_are_blocked_before_any_connection() -> None:
    from app.delivery.addresses import BlockedAddress, pinned_request

    with httpx.Client() as client, pytest.raises(BlockedAddress, match="not a public address"):
        pinned_request(
            client, "http://localhost:9/x", content=b"{}", headers={}, allow_private=False
        )


def test_a_checked_address_is_the_one_connected_to_with_the_name_kept() -> None:
    from app.delivery.addresses import pinned_request

    with httpx.Client() as client:
        request = pinned_request(
            client,
            "https://93.184.216.34:8443/hooks?x=1",
            content=b"{}",
            headers={"webhook-id": "m1"},
            allow_private=False,
        )
        plain = pinned_request(
            client, "http://localhost:9/x", content=b"{}", headers={}, allow_private=True
        )
    assert str(request.url) == "https://93.184.216.34:8443/hooks?x=1"
    assert request.headers["host"] == "93.184.216.34:8443"
    assert request.extensions["sni_hostname"] == "93.184.216.34"
    assert request.headers["webhook-id"] == "m1"
    assert str(plain.url) == "http://localhost:9/x"  # allowed: sent as given
