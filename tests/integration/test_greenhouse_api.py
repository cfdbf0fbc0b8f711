"""The Greenhouse Assessment Partner API over real HTTP, as Greenhouse calls it: HTTP Basic with
the API key as the user name; list_tests, send_test (and its retry), test_status before and
after completion (the score withheld for an invalid result), request_errors, and the
completion PATCH to a stand-in Greenhouse that fails twice before it accepts."""

from __future__ import annotations

import base64
import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.delivery import Outcome
from app.instrument.process import STAGE_KEYS
from app.models import AuditEvent, InstrumentVersion, Organisation, OutboxMessage, PartnerOrder
from app.services.apikeys import create_api_key, revoke_api_key
from app.services.organisations import create_organisation
from tests.conftest import TLS
from tests.greenhouse_stand_in import greenhouse_stand_in
from tests.integration.test_manager_pages import complete

BASE = "/integrations/greenhouse"
CALLBACK = "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345"


def basic(key: str, password: str = "") -> dict[str, str]:
    token = base64.b64encode(f"{key}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def key(db: Session, org: Organisation) -> str:
    created = create_api_key(db=db, organisation=org, name="Greenhouse")
    db.commit()
    return created.key


def order(
    http: httpx.Client, key: str, version: InstrumentVersion, url: str = CALLBACK, **extra: Any
) -> httpx.Response:
    body = {
        "partner_test_id": f"{version.key}@{version.version}",
        "candidate": {
            "first_name": "Harry",
            "last_name": "Potter",
            "resume_url": None,
            "phone_number": "123-456-7890",
            "email": "hpotter@hogwarts.example",
            "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532",
        },
        "url": url,
        **extra,
    }
    return http.post(f"{BASE}/send_test", json=body, headers=basic(key))


def test_list_tests_names_every_installed_questionnaire(
    http: httpx.Client, key: str, mini_instrument_version: InstrumentVersion
) -> None:
    response = http.get(f"{BASE}/list_tests", headers=basic(key))
    assert response.status_code == 200
    assert {
        "partner_test_id": "mini-inventory@0.1",
        "partner_test_name": "Mini Sales Inventory 0.1",
    } in (response.json())


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic"},
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        basic("sf_live_00000000_wrong"),
    ],
    ids=["none", "empty", "not base64", "no colon", "unknown key"],
)
def test_no_or_a_wrong_key_is_401_with_a_basic_challenge(
    http: httpx.Client, key: str, headers: dict[str, str]
) -> None:
    response = http.get(f"{BASE}/list_tests", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_bearer_key_a_password_or_a_revoked_key_is_401(
    http: httpx.Client, db: Session, org: Organisation, key: str
) -> None:
    assert (
        http.get(f"{BASE}/list_tests", headers={"Authorization": f"Bearer {key}"}).status_code
        == 401
    )
    with_password = http.get(f"{BASE}/list_tests", headers=basic(key, "secret"))
    assert with_password.status_code == 401 and "password must be empty" in with_password.text
    assert http.get(f"{BASE}/list_tests", headers=basic(key)).status_code == 200
    from app.services.apikeys import authenticate_api_key

    api_key = authenticate_api_key(db=db, key=key)
    assert api_key is not None
    revoke_api_key(db=db, api_key=api_key)
    db.commit()
    assert http.get(f"{BASE}/list_tests", headers=basic(key)).status_code == 401


def test_send_test_invites_and_e_mails_the_candidate_once_even_when_retried(
    http: httpx.Client, db: Session, key: str, mini_instrument_version: InstrumentVersion
) -> None:
    first = order(http, key, mini_instrument_version, future_field={"added": "later"})
    assert first.status_code == 200
    interview_id = first.json()["partner_interview_id"]
    assert isinstance(interview_id, str) and first.json() == {"partner_interview_id": interview_id}
    again = order(http, key, mini_instrument_version)  # Greenhouse retrying after a timeout
    assert again.status_code == 200 and again.json()["partner_interview_id"] == interview_id

    [stored] = db.scalars(select(PartnerOrder)).all()
    assert stored.assessment_id == interview_id and stored.callback_url == CALLBACK
    assert stored.request["candidate"]["email"] == "hpotter@hogwarts.example"
    assert stored.credential_sealed and key not in stored.credential_sealed
    [mail] = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email")).all()
    assert (mail.recipient, mail.topic) == ("hpotter@hogwarts.example", "greenhouse_invitation")

    other = order(http, key, mini_instrument_version, url=CALLBACK + "6")  # another test
    assert other.json()["partner_interview_id"] != interview_id


def test_concurrent_retries_of_one_send_test_make_one_order(
    live_server: str, db: Session, key: str, mini_instrument_version: InstrumentVersion
) -> None:
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=live_server, timeout=30, verify=TLS) as client:
            answers.append(order(client, key, mini_instrument_version))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.json()["partner_interview_id"] for a in answers}) == 1
    assert db.scalar(select(func.count()).select_from(PartnerOrder)) == 1
    assert (
        db.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "email")
        )
        == 1
    )


def test_send_test_refusals(
    http: httpx.Client,
    db: Session,
    org: Organisation,
    key: str,
    mini_instrument_version: InstrumentVersion,
) -> None:
    unknown = http.post(
        f"{BASE}/send_test",
        json={
            "partner_test_id": "no-such-test@9",
            "candidate": {"first_name": "A", "last_name": "B", "email": "a@b.example"},
            "url": CALLBACK,
        },
        headers=basic(key),
    )
    assert unknown.status_code == 404 and "list_tests" in unknown.json()["detail"]
    no_url = order(http, key, mini_instrument_version, url="ftp://example.com/x")
    assert no_url.status_code == 422 and no_url.json()["errors"][0]["location"] == "body.url"
    bad_email = http.post(
        f"{BASE}/send_test",
        json={
            "partner_test_id": "mini-inventory@0.1",
            "candidate": {"first_name": "A", "last_name": "B", "email": "not an address"},
            "url": CALLBACK,
        },
        headers=basic(key),
    )
    assert bad_email.status_code == 422
    reader = create_api_key(db=db, organisation=org, name="read only", scopes="read").key
    db.commit()
    assert order(http, reader, mini_instrument_version).status_code == 403
    assert db.scalar(select(func.count()).select_from(PartnerOrder)) == 0


def test_status_before_and_after_completion(
    http: httpx.Client,
    db: Session,
    key: str,
    settings: Any,
    mini_instrument_version: InstrumentVersion,
) -> None:
    interview_id = order(http, key, mini_instrument_version).json()["partner_interview_id"]
    status = http.get(
        f"{BASE}/test_status", params={"partner_interview_id": interview_id}, headers=basic(key)
    )
    assert status.status_code == 200
    assert status.json()["partner_status"] == "pending" and status.json()["partner_score"] is None
    assert (
        db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "greenhouse")
        )
        == 0
    )

    result = complete(db, _invitation(db, interview_id), seed=4)
    assert result["validity"]["status"] == "valid"
    body = http.get(
        f"{BASE}/test_status", params={"partner_interview_id": interview_id}, headers=basic(key)
    ).json()
    assert body["partner_status"] == "complete"
    assert body["partner_score"] == result["summary"]["score"]
    assert body["partner_profile_url"] == f"{settings.base_url}/app/assessments/{interview_id}"
    meta = body["metadata"]
    assert all(not isinstance(v, (dict, list)) for v in meta.values())  # flat, primitives
    stages = {s["key"]: s for s in result["stages"]}
    for number, stage_key in enumerate(STAGE_KEYS, start=1):
        stage = stages[stage_key]
        assert meta[f"Stage {number}: {stage['name']}"] == stage["band_label"]
    best = result["summary"]["best_stage"]
    assert meta["Best-Fit Stage"] == (stages[best]["name"] if best else "No clear best-fit stage")
    assert meta["Validity"] == "Valid" and meta["Validity Status"] == "valid"
    assert meta["Norms Provisional"] is result["norm"]["provisional"]
    assert meta["Score"] == f"{result['summary']['score']} of 100"
    # The PATCH to Greenhouse was put in the outbox with the result, in its transaction.
    [patch] = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "greenhouse")).all()
    assert patch.recipient == CALLBACK and patch.assessment_id == interview_id


def _invitation(db: Session, assessment_id: str) -> Any:
    from types import SimpleNamespace

    from app.models import Assessment

    assessment = db.get(Assessment, assessment_id)
    return SimpleNamespace(assessment=assessment)


def test_an_invalid_result_never_reaches_greenhouse_as_a_number(
    http: httpx.Client, db: Session, key: str, mini_instrument_version: InstrumentVersion
) -> None:
    interview_id = order(http, key, mini_instrument_version).json()["partner_interview_id"]
    result = complete(db, _invitation(db, interview_id), seed=5, seconds_per_item=0.2)
    assert result["validity"]["status"] == "invalid"
    assert result["summary"]["score"] is None or isinstance(result["summary"]["score"], int)
    body = http.get(
        f"{BASE}/test_status", params={"partner_interview_id": interview_id}, headers=basic(key)
    ).json()
    assert body["partner_status"] == "complete"
    assert body["partner_score"] is None
    meta = body["metadata"]
    assert meta["Validity"] == "Not valid" and meta["Validity Status"] == "invalid"
    assert meta["Score"].startswith("Withheld: the answers did not pass the validity checks")
    assert "seconds per item" in meta["Validity Notes"]
    assert not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in meta.values())


def test_another_organisations_or_a_non_greenhouse_interview_is_404(
    http: httpx.Client,
    db: Session,
    key: str,
    invite: Any,
    mini_instrument_version: InstrumentVersion,
) -> None:
    rival = create_organisation(db=db, name="Rival", slug="rival")
    rival_key = create_api_key(db=db, organisation=rival, name="gh").key
    db.commit()
    theirs = order(http, rival_key, mini_instrument_version).json()["partner_interview_id"]
    mine_by_hand = invite(email="manual@example.com").assessment.id
    for interview_id in (theirs, mine_by_hand, "0b6f1c2e-0000-0000-0000-000000000000"):
        response = http.get(
            f"{BASE}/test_status", params={"partner_interview_id": interview_id}, headers=basic(key)
        )
        assert response.status_code == 404, interview_id
        assert response.headers["content-type"].startswith("application/problem+json")


def test_request_errors_are_kept_for_admins(http: httpx.Client, db: Session, key: str) -> None:
    report = {
        "api_call": "test_status",
        "errors": ["partner_status is 'complete' but partner_profile url is missing"],
        "partner_test_id": "mini-inventory@0.1",
        "partner_interview_id": "299506",
        "candidate_email": "hpotter@hogwarts.example",
    }
    response = http.post(f"{BASE}/request_errors", json=report, headers=basic(key))
    assert response.status_code == 200 and response.json() == {"status": 200}
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "greenhouse.request_error")
    ).all()
    assert event.detail["errors"] == report["errors"] and event.subject_id == "299506"


def test_the_completion_patch_is_retried_until_greenhouse_accepts_it(
    http: httpx.Client,
    db: Session,
    key: str,
    mini_instrument_version: InstrumentVersion,
    deliver_outbox: Any,
) -> None:
    with greenhouse_stand_in([500, 503]) as greenhouse:
        url = f"{greenhouse.url}/integrations/testing_partners/take_home_tests/777"
        answer = order(http, key, mini_instrument_version, url=url)
        assert answer.status_code == 200, answer.text
        interview_id = answer.json()["partner_interview_id"]
        deliver_outbox()  # the invitation e-mail (written to var/outbox/)
        complete(db, _invitation(db, interview_id), seed=4)
        outcomes = [d.delivery.outcome for d in deliver_outbox() + deliver_outbox()]
        assert outcomes == [Outcome.FAILED, Outcome.FAILED]
        [third] = deliver_outbox()
        assert third.delivery.outcome == Outcome.DELIVERED and third.kind == "greenhouse"
        assert deliver_outbox() == []
    assert [c["path"] for c in greenhouse.calls] == [
        "/integrations/testing_partners/take_home_tests/777"
    ] * 3
    # As Greenhouse authenticates itself: the API key as the Basic user name, no password.
    assert {c["authorization"] for c in greenhouse.calls} == {basic(key)["Authorization"]}
    assert {c["body"] for c in greenhouse.calls} == {""}


def test_a_patch_to_a_test_greenhouse_no_longer_has_is_not_retried(
    http: httpx.Client,
    db: Session,
    key: str,
    mini_instrument_version: InstrumentVersion,
    deliver_outbox: Any,
) -> None:
    with greenhouse_stand_in([410]) as greenhouse:
        url = f"{greenhouse.url}/take_home_tests/1"
        answer = order(http, key, mini_instrument_version, url=url)
        assert answer.status_code == 200, answer.text
        interview_id = answer.json()["partner_interview_id"]
        complete(db, _invitation(db, interview_id), seed=4)
        kinds = {d.kind: d.delivery for d in deliver_outbox()}
        assert kinds["greenhouse"].outcome == Outcome.REFUSED
        assert kinds["greenhouse"].status_code == 410
        assert deliver_outbox() == []


@pytest.mark.parametrize(
    ("candidate", "status"),
    [
        ({"first_name": "Nul\u0000"}, 422),
        ({"first_name": "x" * 101}, 422),
        ({"first_name": "   "}, 422),
        ({"email": "a@b"}, 422),
        ({"email": "ümlaut@exämple.com", "first_name": "Zoë 😀"}, 200),
    ],
    ids=["NUL", "too long", "blank", "no domain", "unicode"],
)
def test_careless_or_hostile_candidates(
    http: httpx.Client,
    db: Session,
    key: str,
    mini_instrument_version: InstrumentVersion,
    candidate: dict[str, str],
    status: int,
) -> None:
    body = {
        "partner_test_id": "mini-inventory@0.1",
        "candidate": {"first_name": "A", "last_name": "B", "email": "a@b.example", **candidate},
        "url": CALLBACK,
    }
    response = http.post(f"{BASE}/send_test", json=body, headers=basic(key))
    assert response.status_code == status, response.text
    expected = 1 if status == 200 else 0
    assert db.scalar(select(func.count()).select_from(PartnerOrder)) == expected


def test_a_lone_surrogate_or_a_huge_body_is_refused_cleanly(
    http: httpx.Client, db: Session, key: str, mini_instrument_version: InstrumentVersion
) -> None:
    raw = (
        '{"partner_test_id": "mini-inventory@0.1", "url": "' + CALLBACK + '", "candidate": '
        '{"first_name": "\\ud800", "last_name": "B", "email": "a@b.example"}}'
    )
    headers = {**basic(key), "Content-Type": "application/json"}
    lone = http.post(f"{BASE}/send_test", content=raw, headers=headers)
    assert lone.status_code in (400, 422), lone.text
    huge = http.post(
        f"{BASE}/request_errors", content=b"[" + b"1," * 1_000_000 + b"1]", headers=headers
    )
    assert huge.status_code == 413
    assert db.scalar(select(func.count()).select_from(PartnerOrder)) == 0
