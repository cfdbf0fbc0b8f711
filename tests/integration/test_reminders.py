"""Reaching reps who have not finished: automatic reminders on the organisation's days (a
controlled clock, no sleeping), by the inline worker and by procrastinate; the one-click
reminder; a new link that stops the old one; the warning before inviting someone twice; the
reminder setting; and the dashboard's progress."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.models import Assessment, Organisation, OutboxMessage, Reminder
from app.services import assessments, invitations, notifications
from app.services.instruments import instrument_of
from app.services.organisations import create_organisation
from app.services.reminders import send_due
from app.services.users import create_user
from app.vocabulary import AssessmentStatus
from app.worker import queue
from app.worker.drain import Drainer
from tests.integration.delivery_helpers import running_worker, wait_until, worker_settings
from tests.integration.participant_client import ParsedPage, first_values, parse
from tests.integration.participant_client import Participant as Rep
from tests.integration.test_manager_auth import EMAIL, manager, sign_in  # noqa: F401 (fixture)
from tests.smtp_server import Mailbox, smtp_server

DAY = timedelta(days=1)


def page_of(response: httpx.Response) -> ParsedPage:
    """The page as a reader sees it: entities such as &#39; read as the characters."""
    page = parse(response)
    page.html = html.unescape(page.html)
    return page


@pytest.fixture
def signed_in(http: httpx.Client, manager: str, mini_instrument_version: Any) -> httpx.Client:  # noqa: F811
    assert sign_in(http).status_code == 303
    return http


@pytest.fixture
def sealed_invite(invite: Any, settings: Settings, db: Session) -> Any:
    """Invitations as the web app makes them: the link kept sealed, so it can be e-mailed."""

    def _invite(emailed: bool = False, **kwargs: Any) -> Any:
        invitation = invite(seal_with=settings.secret_key, **kwargs)
        if emailed:  # as the invite form does with "Send the invitation by e-mail"
            notifications.enqueue_email(
                db=db,
                assessment=invitation.assessment,
                message=notifications.Message.INVITATION,
                now=kwargs.get("now"),
            )
            db.commit()
        return invitation

    return _invite


def reminder_emails(db: Session) -> list[str]:
    db.rollback()
    return list(
        db.scalars(
            select(OutboxMessage.recipient)
            .where(OutboxMessage.topic == "reminder")
            .order_by(OutboxMessage.created_at, OutboxMessage.recipient)
        )
    )


def test_automatic_reminders_on_the_default_days_once_per_slot_never_when_closed(
    db: Session, org: Organisation, sealed_invite: Any
) -> None:
    t0 = utcnow()
    waiting = sealed_invite(email="waiting@example.com", now=t0, emailed=True)
    started = sealed_invite(email="started@example.com", now=t0, emailed=True)
    assessments.start(db=db, assessment=started.assessment, now=t0)
    cancelled = sealed_invite(email="cancelled@example.com", now=t0, emailed=True)
    assessments.cancel(db=db, assessment=cancelled.assessment, now=t0)
    done = sealed_invite(email="done@example.com", now=t0, emailed=True)
    sealed_invite(email="link-only@example.com", now=t0)  # its link was not e-mailed
    db.execute(
        update(Assessment)
        .where(Assessment.id == done.assessment.id)
        .values(status=AssessmentStatus.COMPLETED)
    )
    db.commit()
    expires = waiting.assessment.expires_at

    assert send_due(db=db, now=expires - 4 * DAY - timedelta(minutes=1)) == []
    first = send_due(db=db, now=expires - 4 * DAY + timedelta(minutes=1))
    db.commit()
    assert sorted(first) == sorted([(waiting.assessment.id, 3), (started.assessment.id, 3)])
    # The job runs every 15 minutes: the same slot is not reminded again.
    assert send_due(db=db, now=expires - 3 * DAY) == []
    db.commit()
    last_day = send_due(db=db, now=expires - timedelta(hours=20))
    db.commit()
    assert {slot for _, slot in last_day} == {0}
    assert send_due(db=db, now=expires - timedelta(hours=1)) == []
    assert send_due(db=db, now=expires + timedelta(minutes=1)) == []  # expired: never
    db.commit()
    assert reminder_emails(db) == [
        "started@example.com",
        "waiting@example.com",
        "started@example.com",
        "waiting@example.com",
    ]


def test_the_organisation_chooses_its_reminder_days(
    db: Session, org: Organisation, sealed_invite: Any, mini_instrument_version: Any
) -> None:
    quiet = create_organisation(db=db, name="Quiet", slug="quiet")
    quiet.reminder_days = ""
    org.reminder_days = "7"
    db.commit()
    t0 = utcnow()
    ours = sealed_invite(email="ours@example.com", now=t0, emailed=True)
    theirs = invitations.invite(
        db=db,
        organisation=quiet,
        instrument_version=mini_instrument_version,
        email="theirs@example.com",
        first_name="T",
        last_name="Q",
        now=t0,
    )
    notifications.enqueue_email(
        db=db, assessment=theirs.assessment, message=notifications.Message.INVITATION, now=t0
    )
    db.commit()
    expires = ours.assessment.expires_at
    assert send_due(db=db, now=expires - 8 * DAY - timedelta(minutes=1)) == []
    assert send_due(db=db, now=expires - 8 * DAY + timedelta(minutes=1)) == [
        (ours.assessment.id, 7)
    ]
    assert send_due(db=db, now=expires - 4 * DAY) == []  # 3 is no longer one of ours
    assert send_due(db=db, now=expires - timedelta(hours=1)) == []  # nor 0
    db.commit()
    assert reminder_emails(db) == ["ours@example.com"]


def _due_now(db: Session, sealed_invite: Any) -> Any:
    """An invitation made two days ago whose link expires in 12 hours: its last-day slot is
    due at the real time now, for the jobs that read the real clock."""
    now = utcnow()
    invitation = sealed_invite(
        email="due@example.com",
        now=now - 2 * DAY,
        expires_at=now + timedelta(hours=12),
        emailed=True,
    )
    return invitation


def test_the_inline_worker_sends_due_reminders(
    db: Session, database: Database, settings: Settings, sealed_invite: Any
) -> None:
    if settings.database_url.startswith("postgresql"):
        pytest.skip("the inline worker is the SQLite set-up")
    invitation = _due_now(db, sealed_invite)
    with running_worker(worker_settings(settings)):
        wait_until(lambda: reminder_emails(db), 20, "the reminder")
    db.rollback()
    [reminder] = db.scalars(select(Reminder)).all()
    assert (reminder.assessment_id, reminder.slot) == (invitation.assessment.id, 0)


def test_procrastinate_sends_due_reminders_on_postgresql(
    db: Session, database: Database, settings: Settings, sealed_invite: Any
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("procrastinate is the PostgreSQL set-up")
    invitation = _due_now(db, sealed_invite)
    fast = worker_settings(settings)
    runtime = queue.Runtime()
    runtime.settings, runtime.database = fast, database
    runtime.drainer = Drainer(settings=fast, database=database, concurrency=1)
    app = queue.build_app(fast, worker=True, runtime=runtime)

    async def run() -> None:
        async with app.open_async():
            await app.tasks["stagefit.periodic.send-reminders"].defer_async(timestamp=0)
            await app.run_worker_async(
                queues=[queue.QUEUE], wait=False, install_signal_handlers=False
            )

    try:
        asyncio.run(run())
    finally:
        runtime.drainer.close()
    assert reminder_emails(db) == ["due@example.com"]
    [reminder] = db.scalars(select(Reminder)).all()
    assert reminder.assessment_id == invitation.assessment.id


def smtp(settings: Settings, deliver_outbox: Any, count: int) -> list[Any]:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        deliver_outbox(
            settings=settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
        )
        return mailbox.wait_for(count)


def link_in(message: Any) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"http://\S+/a/[A-Za-z0-9_-]+", text)
    assert found
    return found.group(0)


def test_one_click_reminder_e_mails_the_rep_their_link(
    signed_in: httpx.Client,
    db: Session,
    settings: Settings,
    sealed_invite: Any,
    deliver_outbox: Any,
) -> None:
    invitation = sealed_invite(email="late@example.com")
    path = f"/app/assessments/{invitation.assessment.id}"
    page = page_of(signed_in.get(path))
    link = f"{settings.base_url}/a/{invitation.token}"
    assert f'value="{link}"' in page.html and 'data-copy="rep-link"' in page.html
    response = signed_in.post(f"{path}/remind")
    assert response.status_code == 303
    after = page_of(signed_in.get(response.headers["location"]))
    assert "A reminder is on its way to late@example.com" in after.text
    assert "sent by a manager" in after.text
    [received] = smtp(settings, deliver_outbox, 1)
    assert received["Subject"].startswith("Reminder: your Mini Sales Inventory for Test Org")
    assert (
        f"This is a reminder from {EMAIL} of Test Org"
        in received.get_body(("plain",)).get_content()
    )
    assert link_in(received) == link


def test_no_reminder_or_new_link_for_a_closed_or_foreign_assessment(
    signed_in: httpx.Client, db: Session, sealed_invite: Any, mini_instrument_version: Any
) -> None:
    closed = sealed_invite(email="gone@example.com")
    assessments.cancel(db=db, assessment=closed.assessment)
    db.commit()
    other = create_organisation(db=db, name="Rival", slug="rival")
    theirs = invitations.invite(
        db=db,
        organisation=other,
        instrument_version=mini_instrument_version,
        email="x@rival.example",
        first_name="X",
        last_name="Y",
    )
    db.commit()
    for action in ("remind", "new-link"):
        assert (
            signed_in.post(f"/app/assessments/{closed.assessment.id}/{action}").status_code == 409
        )
        assert (
            signed_in.post(f"/app/assessments/{theirs.assessment.id}/{action}").status_code == 404
        )
    assert reminder_emails(db) == []


def test_a_new_link_stops_the_old_one_and_is_e_mailed(
    signed_in: httpx.Client,
    db: Session,
    settings: Settings,
    sealed_invite: Any,
    deliver_outbox: Any,
) -> None:
    invitation = sealed_invite(email="lost@example.com")
    old = f"{settings.base_url}/a/{invitation.token}"
    with Rep(settings.base_url, invitation.token) as rep:
        rep.open()
        page = rep.consent()
        rep.send_page(page, first_values(page))
    response = signed_in.post(f"/app/assessments/{invitation.assessment.id}/new-link")
    assert response.status_code == 303
    assert (
        "The old link no longer works" in page_of(signed_in.get(response.headers["location"])).text
    )
    [received] = smtp(settings, deliver_outbox, 1)
    new = link_in(received)
    assert new != old
    assert 'name="consent"' not in httpx.get(old, timeout=15, follow_redirects=True).text
    assert httpx.get(old, timeout=15).status_code == 404
    with Rep(settings.base_url, new.rsplit("/", 1)[-1]) as rep:
        resumed = rep.open()
        assert resumed.status == 200 and resumed.radios  # the questionnaire, answers kept
    db.expire_all()
    assert db.get(Assessment, invitation.assessment.id).status == "started"


def test_inviting_someone_with_an_open_invitation_asks_first(
    signed_in: httpx.Client, db: Session, sealed_invite: Any
) -> None:
    first = sealed_invite(email="twice@example.com")
    data = {"first_name": "Robin", "last_name": "Rep", "email": "Twice@Example.com"}
    warned = signed_in.post("/app/invite", data=data)
    page = page_of(warned)
    assert warned.status_code == 409
    assert "twice@example.com already has an open invitation" in page.text
    assert f"/app/assessments/{first.assessment.id}" in page.links
    db.rollback()
    assert len(db.scalars(select(Assessment)).all()) == 1
    again = signed_in.post("/app/invite", data={**page.hidden, **data})
    assert again.status_code == 303
    db.rollback()
    assert len(db.scalars(select(Assessment)).all()) == 2


def test_admins_set_the_reminder_days_and_managers_cannot(
    http: httpx.Client,
    db: Session,
    org: Organisation,
) -> None:
    create_user(
        db=db, organisation=org, email="admin@test-org.example", role="admin", password="x" * 12
    )
    create_user(
        db=db,
        organisation=org,
        email="team-lead@test-org.example",
        role="manager",
        password="y" * 12,
    )
    db.commit()
    assert sign_in(http, "team-lead@test-org.example", "y" * 12).status_code == 303
    assert http.get("/app/settings").status_code == 403
    assert http.post("/app/settings", data={"reminder_days": ""}).status_code == 403
    http.cookies.clear()
    assert sign_in(http, "admin@test-org.example", "x" * 12).status_code == 303
    assert 'href="/app/settings"' in http.get("/app").text
    bad = page_of(http.post("/app/settings", data={"reminder_days": "3, soon"}))
    assert bad.status == 422 and "'soon' is not a number of days" in bad.text
    assert http.post("/app/settings", data={"reminder_days": " 1, 5 "}).status_code == 303
    db.rollback()
    db.refresh(org)
    assert org.reminder_days == "5,1"


def test_the_dashboard_shows_how_far_started_reps_have_got(
    signed_in: httpx.Client, db: Session, settings: Settings, sealed_invite: Any
) -> None:
    invitation = sealed_invite(email="busy@example.com", first_name="Busy", last_name="Bee")
    sealed_invite(email="idle@example.com", first_name="Idle", last_name="One")
    with Rep(settings.base_url, invitation.token) as rep:
        rep.open()
        page = rep.consent()
        answers = first_values(page)
        rep.send_page(page, answers)
    total = len(instrument_of(invitation.assessment.instrument_version).items)
    dashboard = page_of(signed_in.get("/app"))
    row = re.search(r"Busy Bee.*?</tr>", dashboard.html, re.S)
    assert row
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))
    assert f"{len(answers)} of {total} answered" in text and "last active" in text
    idle = re.search(r"Idle One.*?</tr>", dashboard.html, re.S)
    assert idle and "answered" not in idle.group(0)
    detail = page_of(signed_in.get(f"/app/assessments/{invitation.assessment.id}"))
    assert f"{len(answers)} of {total} answered" in detail.text


def test_remind_everyone_who_has_not_started_once_a_day(
    signed_in: httpx.Client, db: Session, settings: Settings, sealed_invite: Any
) -> None:
    sealed_invite(email="a@example.com")
    sealed_invite(email="b@example.com")
    busy = sealed_invite(email="busy@example.com")
    assessments.start(db=db, assessment=busy.assessment)
    gone = sealed_invite(email="gone@example.com")
    assessments.cancel(db=db, assessment=gone.assessment)
    db.commit()
    dashboard = page_of(signed_in.get("/app"))
    assert "Remind the 2 reps who have not started" in dashboard.text
    response = signed_in.post("/app/assessments/remind-not-started")
    assert response.status_code == 303
    after = page_of(signed_in.get(response.headers["location"]))
    assert "2 reminders are on the way" in after.text
    assert "who have not started" not in after.text and "who has not started" not in after.text
    assert reminder_emails(db) == ["a@example.com", "b@example.com"]
    signed_in.post("/app/assessments/remind-not-started")  # a second click: nobody twice
    assert reminder_emails(db) == ["a@example.com", "b@example.com"]
