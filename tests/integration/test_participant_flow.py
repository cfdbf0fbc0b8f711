"""Taking an assessment over real HTTP, without JavaScript: consent, pages, resume, submit."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Answer, Assessment, AuditEvent, PageTiming, Result
from tests.conftest import TLS
from tests.integration.participant_client import Participant, first_values


def fresh(db: Session) -> Session:
    # End the test session's transaction so it sees what the server committed.
    db.rollback()
    db.expire_all()
    return db


def test_welcome_page_says_what_how_long_and_who_sees_results(
    live_server: str, invite: Callable[..., Any]
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        response = rep.client.get(rep.path())
        page = rep.open()
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="en">' in page.html
    text = page.text
    assert "A short test version of the sales process inventory." in text  # instrument purpose
    assert "About 6 minutes" in text
    assert "saved" in text.lower()
    assert "Test Org" in text  # who sees the results
    assert 'name="consent"' in page.html
    assert page.forms[0]["action"] == rep.path("consent")
    assert page.radios == {}  # no questionnaire before consent


def test_consent_is_required_before_the_questions(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        refused = rep.post(rep.path("consent"), {})
        assert refused.status == 422
        assert refused.alerts and "Tick the box" in refused.alerts[0]
        assert "#consent" in refused.links
        assert rep.open(rep.path("page", 1)).forms[0]["action"] == rep.path("consent")

        first = rep.consent()
    assert first.url.endswith(rep.path("page", 1))
    assessment = fresh(db).get(Assessment, invitation.assessment.id)
    assert assessment is not None
    assert assessment.status == "started"
    assert assessment.consented_at is not None and assessment.started_at is not None


def test_answer_go_back_resume_elsewhere_review_and_submit_once(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    given: dict[str, str] = {}
    with Participant(live_server, invitation.token) as phone:
        page = phone.consent()
        assert page.progress is not None
        current, total = page.progress
        assert (current, total) == (1, total) and total >= 4
        assert f"Page 1 of {total}" in page.text
        # Every item is a fieldset whose radios carry the scale labels or SJT options.
        assert len(page.fieldsets) == len(page.item_ids) > 0
        assert "Strongly agree" in page.text

        half = total // 2
        for number in range(1, half + 1):
            answers = first_values(page)
            if number == 2:
                skipped = sorted(answers)[0]  # people may skip an item
                del answers[skipped]
            given.update(answers)
            page = phone.send_page(page, answers)
            assert page.status == 200
            assert page.progress == (number + 1, total)

        # Back shows the earlier page with every answer checked as given.
        previous = phone.send_page(page, {}, nav="back")
        assert previous.progress == (half, total)
        expected = {f"answer:{item}": value for item, value in given.items()}
        assert {k: v for k, v in expected.items() if k in previous.radios} == previous.checked

    # A new device opens the link and resumes where the phone left off (after the furthest
    # answer), saying that a question was skipped earlier.
    with Participant(live_server, invitation.token) as laptop:
        resumed = laptop.open()
        assert resumed.progress == (half + 1, total)
        assert resumed.url.endswith("?resumed=1")
        assert "You are where you left off" in resumed.text
        assert "You skipped 1 question earlier" in resumed.text
        assert laptop.path("review") in resumed.links
        gap = laptop.open(laptop.path("page", 2))
        assert f"answer:{skipped}" not in gap.checked
        assert len(gap.checked) == len(gap.radios) - 1
        # Skip to the end, answering everything else.
        page = laptop.open(laptop.path("page", half + 1))
        for _ in range(half + 1, total + 1):
            answers = first_values(page)
            given.update(answers)
            page = laptop.send_page(page, answers)
        assert page.url.endswith(laptop.path("review"))
        assert page.h1 == "Check before you submit"
        # The review lists the one skipped item with a link to its page.
        assert f"{laptop.path('page', 2)}?from=review#item-{skipped}" in page.links
        assert "You have not answered 1 question." in page.text

        done = laptop.post(laptop.path("submit"), {})
        assert done.url.endswith(laptop.path("thanks"))
        assert done.h1 == "Thank you, your answers have been submitted"
        # Submitting again is harmless and leads to the same thank-you page.
        again = laptop.post(laptop.path("submit"), {})
        assert again.url.endswith(laptop.path("thanks"))
        # The link now says it is done, with no questionnaire.
        closed = laptop.open()
        assert closed.h1 == "You have already submitted your answers"
        assert closed.radios == {}

    db = fresh(db)
    assessment_id = invitation.assessment.id
    rows = db.execute(
        select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment_id)
    )
    stored = {item_id: value for item_id, value in rows}
    assert stored == given
    results = db.scalars(select(Result).where(Result.assessment_id == assessment_id)).all()
    assert len(results) == 1
    assert results[0].payload["assessment_id"] == assessment_id
    assert {c["key"] for c in results[0].payload["competencies"]}
    assessment = db.get(Assessment, assessment_id)
    assert assessment is not None and assessment.status == "completed"
    # Time per page was recorded for every page sent, for the validity indices.
    pages_timed = set(
        db.scalars(select(PageTiming.page).where(PageTiming.assessment_id == assessment_id))
    )
    assert pages_timed == set(range(1, total + 1))
    completed = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.subject_id == assessment_id, AuditEvent.action == "assessment.completed")
    )
    assert completed == 1


def _answer_everything(rep: Participant) -> None:
    page = rep.consent()
    while page.radios:
        page = rep.send_page(page, first_values(page))


def test_concurrent_submits_give_exactly_one_result(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        _answer_everything(rep)

    def submit(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server, timeout=30, verify=TLS) as client:
            return client.post(f"/a/{invitation.token}/submit")

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(submit, range(8)))
    assert [r.status_code for r in responses] == [303] * 8
    assert {r.headers["location"] for r in responses} == {f"/a/{invitation.token}/thanks"}
    count = fresh(db).scalar(
        select(func.count())
        .select_from(Result)
        .where(Result.assessment_id == invitation.assessment.id)
    )
    assert count == 1


def test_timing_comes_from_the_signed_stamp_and_the_browser_measure(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
        stamp = page.hidden["stamp"]
        assert re.fullmatch(r"\d+\.[0-9a-f]{32}", stamp)
        # A forged stamp records no time (but the answers are still saved).
        forged = stamp.split(".")[0] + "." + "0" * 32
        data = {
            "stamp": forged,
            "nav": "next",
            **{f"answer:{k}": v for k, v in first_values(page).items()},
        }
        second = rep.post(rep.path("page", 1), data)
        assert second.progress is not None and second.progress[0] == 2
        # The browser's active time is taken when it is not longer than the page was open.
        rep.post(
            rep.path("page", 2),
            {"stamp": second.hidden["stamp"], "active": "0.25", "nav": "next"},
        )
        # ...and ignored when it claims more time than the page was open.
        third = rep.open(rep.path("page", 3))
        rep.post(
            rep.path("page", 3),
            {"stamp": third.hidden["stamp"], "active": "99999", "nav": "next"},
        )
    rows = fresh(db).execute(
        select(PageTiming.page, PageTiming.seconds).where(
            PageTiming.assessment_id == invitation.assessment.id
        )
    )
    timings = {page: seconds for page, seconds in rows}
    assert sorted(timings) == [2, 3]
    assert timings[2] == 0.25
    assert 0 <= timings[3] < 60
    assert db.scalar(
        select(func.count())
        .select_from(Answer)
        .where(Answer.assessment_id == invitation.assessment.id)
    ) == len(first_values(page))
