"""The Greenhouse flow end to end, with real parts only: Greenhouse's send_test over HTTP with
Basic auth, the e-mail through aiosmtpd on loopback, the candidate following the link in that
e-mail in chromium and answering every page, test_status as Greenhouse reads it, and the
completion PATCH retried until a stand-in Greenhouse accepts it."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.config import Settings
from app.delivery import Outcome
from app.models import InstrumentVersion, Organisation
from app.services import assessments
from app.services.apikeys import create_api_key
from tests.e2e.browser import chromium
from tests.e2e.test_participant_browser import answer, choose, items_on
from tests.greenhouse_stand_in import greenhouse_stand_in
from tests.smtp_server import Mailbox, smtp_server


def test_a_candidate_ordered_from_greenhouse_takes_the_test_and_greenhouse_hears_of_it(
    live_server: str,
    db: Session,
    org: Organisation,
    settings: Settings,
    mini_instrument_version: InstrumentVersion,
    deliver_outbox: Any,
) -> None:
    key = create_api_key(db=db, organisation=org, name="Greenhouse").key
    db.commit()
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    mailbox = Mailbox()
    with (
        smtp_server(mailbox) as smtp_port,
        greenhouse_stand_in([500, 500]) as greenhouse,
        httpx.Client(base_url=f"{live_server}/integrations/greenhouse", timeout=30) as api,
    ):
        mail = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{smtp_port}"})
        tests = api.get("/list_tests", headers=auth).json()
        test_id = next(
            t["partner_test_id"] for t in tests if t["partner_test_id"].startswith("mini")
        )
        callback = f"{greenhouse.url}/integrations/testing_partners/take_home_tests/42"
        sent = api.post(
            "/send_test",
            headers=auth,
            json={
                "partner_test_id": test_id,
                "candidate": {
                    "first_name": "Hermione",
                    "last_name": "Granger",
                    "email": "hgranger@hogwarts.example",
                    "greenhouse_profile_url": "https://app.greenhouse.io/people/1",
                },
                "url": callback,
            },
        )
        assert sent.status_code == 200
        interview_id = sent.json()["partner_interview_id"]

        [e_mail] = [d for d in deliver_outbox(settings=mail) if d.kind == "email"]
        assert e_mail.delivery.outcome == Outcome.DELIVERED
        [received] = mailbox.wait_for(1)
        assert received["To"].addresses[0].addr_spec == "hgranger@hogwarts.example"
        text = received.get_body(("plain",)).get_content()
        html = received.get_body(("html",)).get_content()
        [link] = set(re.findall(r"http://\S+/a/[A-Za-z0-9_-]+", text))
        assert f'href="{link}"' in html

        with chromium() as browser:
            _take_the_test(browser, link)

        status = api.get(
            "/test_status", params={"partner_interview_id": interview_id}, headers=auth
        ).json()
        db.rollback()
        stored = assessments.get_result(db=db, assessment_id=interview_id)
        assert stored is not None
        assert status["partner_status"] == "complete"
        assert (
            status["partner_profile_url"] == f"{settings.base_url}/app/assessments/{interview_id}"
        )
        validity = stored.payload["validity"]["status"]
        assert status["metadata"]["Validity Status"] == validity
        # Answered by a machine, the test may well be too fast to be valid: then Greenhouse
        # gets no number, and the metadata says why.
        score = None if validity == "invalid" else stored.payload["summary"]["score"]
        assert status["partner_score"] == score
        stages = [k for k in status["metadata"] if k.startswith("Stage ")]
        assert len(stages) == 7

        outcomes = []
        for _ in range(3):
            outcomes += [d.delivery.outcome for d in deliver_outbox(settings=mail)]
        assert outcomes == [Outcome.FAILED, Outcome.FAILED, Outcome.DELIVERED]
        assert deliver_outbox(settings=mail) == []
    assert [c["path"] for c in greenhouse.calls] == [
        "/integrations/testing_partners/take_home_tests/42"
    ] * 3
    assert {c["authorization"] for c in greenhouse.calls} == {auth["Authorization"]}


def _take_the_test(browser: Any, link: str) -> None:
    page = browser.new_page()
    page.goto(link)
    page.locator("label[for=consent]").click()
    page.get_by_role("button", name="Start").click()
    k = 0
    while True:
        expect(page.locator("h1")).to_be_visible()
        if "/review" in page.url:
            break
        for item in items_on(page):
            answer(page, item, choose(item, k))
            k += 1
        page.get_by_role("button", name="Next").or_(
            page.get_by_role("button", name="Continue to review")
        ).click()
        page.wait_for_load_state()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator("h1")).to_have_text("Thank you, your answers have been submitted")
