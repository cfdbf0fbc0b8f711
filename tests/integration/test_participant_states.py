"""Links that can no longer be answered: expired, cancelled, completed, and unknown tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import Assessment
from app.services.assessments import cancel, expire_due
from tests.integration.participant_client import Participant, first_values


def fresh(db: Session) -> Session:
    db.rollback()
    db.expire_all()
    return db


def _assert_closed(rep: Participant, heading: str) -> None:
    """The link and every page under it show the message: no questions, no error status."""
    for path in (rep.path(), rep.path("page", 1), rep.path("review"), rep.path("thanks")):
        page = rep.open(path)
        assert page.status == 200, path
        assert page.h1 == heading, path
        assert page.radios == {} and page.forms == [], path
        assert page.alerts == [], path
    # Sending answers changes nothing and lands on the same message.
    sent = rep.post(rep.path("page", 1), {"answer:X": "1", "nav": "next"})
    assert sent.h1 == heading
    saved = rep.client.post(rep.path("answer"), data={"item": "X", "value": "1"})
    assert saved.status_code == 409
    assert saved.headers["content-type"] == "application/problem+json"


def test_an_expired_link_says_so_and_the_expiry_job_marks_it(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite(expires_at=datetime.now(UTC) + timedelta(days=1))
    with Participant(live_server, invitation.token) as rep:
        rep.consent()
        db.execute(
            update(Assessment)
            .where(Assessment.id == invitation.assessment.id)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        db.commit()
        _assert_closed(rep, "This link has expired")
        assert "ask Test Org for a new link" in rep.open().text
    # Reading the link wrote nothing; the expiry job (the worker) records the expiry once.
    assessment = fresh(db).get(Assessment, invitation.assessment.id)
    assert assessment is not None and assessment.status == "started"
    assert [a.id for a in expire_due(db=db)] == [invitation.assessment.id]
    db.commit()
    assert fresh(db).get(Assessment, invitation.assessment.id).status == "expired"  # type: ignore[union-attr]
    assert expire_due(db=db) == []


def test_a_cancelled_link_says_so(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    cancel(db=db, assessment=invitation.assessment, actor="test")
    db.commit()
    with Participant(live_server, invitation.token) as rep:
        _assert_closed(rep, "This assessment was cancelled")


def test_a_completed_link_says_so(live_server: str, invite: Callable[..., Any]) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
        while page.radios:
            page = rep.send_page(page, first_values(page))
        assert rep.post(rep.path("submit"), {}).url.endswith(rep.path("thanks"))
        page = rep.open(rep.path("thanks"))
        assert page.h1 == "Thank you, your answers have been submitted"
        for path in (rep.path(), rep.path("page", 1), rep.path("review")):
            closed = rep.open(path)
            assert closed.h1 == "You have already submitted your answers", path
            assert closed.radios == {} and closed.forms == []


def test_an_unknown_token_is_a_plain_404_page_without_hints(
    live_server: str, invite: Callable[..., Any]
) -> None:
    invitation = invite()
    unknown = secrets.token_urlsafe(32)
    with Participant(live_server, unknown) as stranger:
        pages = [stranger.open(path) for path in (stranger.path(), stranger.path("page", 1))]
        posted = stranger.post(stranger.path("consent"), {"consent": "yes"})
    with Participant(live_server, invitation.token) as rep:
        rep.consent()
        beyond = [rep.open(rep.path("page", n)) for n in ("0", "999", "abc")]
        elsewhere = rep.open(rep.path("nothing-here"))
    for page in [*pages, posted, *beyond, elsewhere]:
        assert page.status == 404
        assert page.h1 == "Page not found"
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"
    # Exactly the same page for a token that never existed and a wrong page of a real one.
    assert pages[0].html == beyond[1].html
    for word in ("expired", "cancelled", "Test Org", "invalid"):
        assert word not in pages[0].html
