"""E-mails to reps through a real SMTP server on loopback (aiosmtpd): what arrives (both parts,
the link in each, branding, headers), over smtp://, smtp+starttls:// with AUTH and smtps://;
refusals recorded on the assessment and shown to its manager; temporary failures retried."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.delivery import Outcome
from app.delivery.smtp import describe_transport
from app.models import Organisation, OutboxMessage
from app.services import notifications
from app.services.mail_status import EmailState, email_deliveries
from app.services.notifications import Message
from tests.integration.participant_client import parse
from tests.integration.test_manager_auth import manager, sign_in  # noqa: F401 (fixture)
from tests.smtp_server import Mailbox, self_signed, smtp_server

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect width="9"/></svg>'


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp_settings(settings: Settings, mailbox: Mailbox) -> Iterator[Settings]:
    with smtp_server(mailbox) as port:
        yield settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})


def queue(db: Session, invite: Any, message: Message = Message.INVITATION, **kwargs: Any) -> Any:
    """An invitation with its link kept sealed (as every real one is) and an e-mail queued."""
    sender = kwargs.pop("sender_name", None)
    invitation = invite(seal_with="test-secret-key-that-is-long-enough-0123456789", **kwargs)
    notifications.enqueue_email(
        db=db, assessment=invitation.assessment, message=message, sender_name=sender
    )
    db.commit()
    return invitation


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def link_in(text: str) -> str:
    found = re.findall(r"https?://\S+/a/[A-Za-z0-9_-]+", text)
    assert len(set(found)) == 1, found
    return found[0]


def test_invitation_arrives_with_both_parts_the_link_branding_and_headers(
    db: Session,
    org: Organisation,
    invite: Any,
    smtp_settings: Settings,
    mailbox: Mailbox,
    deliver_outbox: Any,
    http: httpx.Client,
) -> None:
    org.brand_colour = "#0a7d32"
    org.logo_svg = LOGO
    db.commit()
    invitation = queue(db, invite, email="dana@example.com", sender_name="mara@test-org.example")
    done = deliver_outbox(settings=smtp_settings)
    assert [d.delivery.outcome for d in done] == [Outcome.DELIVERED]
    [received] = mailbox.wait_for(1)
    assert mailbox.envelopes[0][1] == ["dana@example.com"]

    assert received["Subject"] == "Test Org invites you to the Mini Sales Inventory"
    assert received["To"].addresses[0].addr_spec == "dana@example.com"
    assert received["To"].addresses[0].display_name == "Robin Rep"
    assert received["From"].addresses[0].display_name == "Test Org via StageFit"
    assert received["From"].addresses[0].addr_spec == smtp_settings.mail_from
    assert received["Message-ID"] == f"<{done[0].message_id}@localhost>"
    assert received["Date"].datetime is not None
    assert received.get_content_type() == "multipart/alternative"

    text, html = parts(received)
    link = f"{smtp_settings.base_url}/a/{invitation.token}"
    assert link_in(text) == link
    assert f'href="{link}"' in html and f">{link}</a>" in html
    for body in (text, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))):
        assert "Hello Robin," in body
        assert "mara@test-org.example of Test Org has invited you" in body
        assert "About 6 minutes" in body  # the instrument's estimated_minutes
        assert "Your results are seen by Test Org" in body
        # What is kept, how long and for what: the organisation's retention and norming.
        flat = re.sub(r"\s+", " ", body)
        assert "keeps your name, e-mail address, answers and results for 2 years" in flat
        assert "comparison figures (norms)" in flat
        expires = invitation.assessment.expires_at
        assert f"{expires.day} {expires.strftime('%B %Y')}" in body
    assert '<html lang="en">' in html
    assert "background:#0a7d32" in html  # the organisation's colour on the header and button
    assert ">Start the questionnaire</a>" in html
    # The logo travels beside the HTML (multipart/related), named by its Content-ID.
    logo = next(p for p in received.walk() if p.get_content_type() == "image/svg+xml")
    assert f'src="cid:{logo["Content-ID"][1:-1]}"' in html
    assert logo.get_content() == LOGO.encode()

    welcome = http.get(link)  # the link in the e-mail opens the rep's questionnaire
    assert welcome.status_code == 200 and "Mini Sales Inventory" in welcome.text
    [state] = email_deliveries(db=db, assessment_id=invitation.assessment.id)
    assert state.state == EmailState.SENT and state.reason is None


def test_reminder_and_greenhouse_e_mails_say_what_they_are(
    db: Session, invite: Any, smtp_settings: Settings, mailbox: Mailbox, deliver_outbox: Any
) -> None:
    reminded = queue(db, invite, Message.REMINDER, email="late@example.com")
    queue(db, invite, Message.GREENHOUSE, email="candidate@example.com")
    deliver_outbox(settings=smtp_settings)
    by_address = {m["To"].addresses[0].addr_spec: m for m in mailbox.wait_for(2)}
    reminder, candidate = by_address["late@example.com"], by_address["candidate@example.com"]
    day = reminded.assessment.expires_at.day
    assert reminder["Subject"].startswith("Reminder: your Mini Sales Inventory for Test Org")
    assert f"open until {day} " in reminder["Subject"]
    assert candidate["Subject"] == (
        "Your application to Test Org: please take the Mini Sales Inventory"
    )
    text, html = parts(candidate)
    assert "Thank you for your application to Test Org" in text
    assert "part of its decision on your application" in text and "decision on your" in html
    assert link_in(text) in html


def test_odd_unicode_names_are_escaped_in_html_and_encoded_in_headers(
    db: Session,
    org: Organisation,
    invite: Any,
    smtp_settings: Settings,
    mailbox: Mailbox,
    deliver_outbox: Any,
) -> None:
    org.name = "Ünïcødé <Sales> & Co 🚀"
    db.commit()
    queue(db, invite, email="josé@exämple.com", first_name="Zoë 😀", last_name="O'Brien")
    assert deliver_outbox(settings=smtp_settings)[0].delivery.outcome == Outcome.DELIVERED
    [received] = mailbox.wait_for(1)
    assert received["Subject"] == "Ünïcødé <Sales> & Co 🚀 invites you to the Mini Sales Inventory"
    assert received["To"].addresses[0].display_name == "Zoë 😀 O'Brien"
    assert mailbox.envelopes[0][1] == ["josé@exämple.com"]  # SMTPUTF8
    text, html = parts(received)
    assert "Ünïcødé &lt;Sales&gt; &amp; Co 🚀" in html and "<Sales>" not in html
    assert "Ünïcødé <Sales> & Co 🚀" in text and "Hello Zoë 😀," in text


def test_starttls_with_a_self_signed_certificate_and_auth(
    db: Session, invite: Any, settings: Settings, tmp_path: Path, deliver_outbox: Any
) -> None:
    certificate = self_signed(tmp_path)
    mailbox = Mailbox()
    password = "p@ss:w/rd %20"  # every character that needs percent-encoding in a URL
    with smtp_server(
        mailbox, tls="starttls", certificate=certificate, login=("mailer", password)
    ) as port:
        url = f"smtp+starttls://mailer:{quote(password, safe='')}@127.0.0.1:{port}"
        good = settings.model_copy(update={"smtp_url": url, "smtp_ca_file": certificate.cert})
        untrusted = settings.model_copy(update={"smtp_url": url})
        wrong = good.model_copy(
            update={"smtp_url": f"smtp+starttls://mailer:nope@127.0.0.1:{port}"}
        )
        queue(db, invite, email="tls@example.com")

        [failed] = deliver_outbox(settings=untrusted)  # certificates are checked, always
        assert failed.delivery.outcome == Outcome.FAILED
        assert "CERTIFICATE_VERIFY_FAILED" in (failed.delivery.error or "")
        [refused_login] = deliver_outbox(settings=wrong)
        assert refused_login.delivery.outcome == Outcome.FAILED
        assert refused_login.delivery.status_code == 535
        [sent] = deliver_outbox(settings=good)
        assert sent.delivery.outcome == Outcome.DELIVERED
        [received] = mailbox.wait_for(1)
    assert "/a/" in parts(received)[0]
    assert password not in describe_transport(good) and "nope" not in describe_transport(wrong)


def test_smtps_with_tls_from_the_start(
    db: Session, invite: Any, settings: Settings, tmp_path: Path, deliver_outbox: Any
) -> None:
    certificate = self_signed(tmp_path)
    mailbox = Mailbox()
    with smtp_server(mailbox, tls="implicit", certificate=certificate, login=("u", "pw")) as port:
        tls = settings.model_copy(
            update={"smtp_url": f"smtps://u:pw@127.0.0.1:{port}", "smtp_ca_file": certificate.cert}
        )
        queue(db, invite, email="smtps@example.com")
        assert deliver_outbox(settings=tls)[0].delivery.outcome == Outcome.DELIVERED
        assert mailbox.wait_for(1)[0]["To"].addresses[0].addr_spec == "smtps@example.com"


def test_a_refused_recipient_is_recorded_and_shown_to_the_manager(
    db: Session,
    invite: Any,
    smtp_settings: Settings,
    mailbox: Mailbox,
    deliver_outbox: Any,
    http: httpx.Client,
    manager: str,  # noqa: F811
) -> None:
    mailbox.refuse["gone@example.com"] = "550 5.1.1 <gone@example.com>: user unknown"
    invitation = queue(db, invite, email="gone@example.com")
    [done] = deliver_outbox(settings=smtp_settings)
    assert done.delivery.outcome == Outcome.REFUSED and done.delivery.status_code == 550
    assert deliver_outbox(settings=smtp_settings) == []  # refused for good: never tried again
    assert mailbox.received == []
    [state] = email_deliveries(db=db, assessment_id=invitation.assessment.id)
    assert state.state == EmailState.REFUSED
    assert state.reason == "550 5.1.1 <gone@example.com>: user unknown"

    assert sign_in(http).status_code == 303
    page = parse(http.get(f"/app/assessments/{invitation.assessment.id}"))
    assert "Invitation e-mail to gone@example.com: could not be delivered: 550 5.1.1" in page.text


def test_a_temporary_refusal_is_retried_until_it_is_accepted(
    db: Session,
    invite: Any,
    smtp_settings: Settings,
    mailbox: Mailbox,
    deliver_outbox: Any,
    http: httpx.Client,
    manager: str,  # noqa: F811
) -> None:
    mailbox.busy["busy@example.com"] = 1
    invitation = queue(db, invite, email="busy@example.com")
    [first] = deliver_outbox(settings=smtp_settings)
    assert first.delivery.outcome == Outcome.FAILED and first.delivery.status_code == 451
    [state] = email_deliveries(db=db, assessment_id=invitation.assessment.id)
    assert state.state == EmailState.RETRYING and "451 4.3.0" in (state.reason or "")
    assert sign_in(http).status_code == 303
    path = f"/app/assessments/{invitation.assessment.id}"
    assert "not delivered yet" in parse(http.get(path)).text

    [second] = deliver_outbox(settings=smtp_settings)
    assert second.delivery.outcome == Outcome.DELIVERED
    assert len(mailbox.wait_for(1)) == 1
    db.rollback()  # a new transaction sees what the delivery committed
    [state] = email_deliveries(db=db, assessment_id=invitation.assessment.id)
    assert state.state == EmailState.SENT and state.attempts == 2
    assert "Invitation e-mail to busy@example.com: sent" in parse(http.get(path)).text


def test_a_mail_server_that_is_down_is_a_failure_to_retry(
    db: Session, invite: Any, settings: Settings, deliver_outbox: Any
) -> None:
    from tests.conftest import free_port

    down = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    queue(db, invite, email="later@example.com")
    [done] = deliver_outbox(settings=down)
    assert done.delivery.outcome == Outcome.FAILED
    assert "ConnectionRefusedError" in (done.delivery.error or "")


def test_without_an_smtp_url_each_e_mail_is_written_to_var_outbox(
    db: Session, invite: Any, settings: Settings, deliver_outbox: Any
) -> None:
    from app.delivery.smtp import outbox_dir

    assert settings.smtp_url is None
    invitation = queue(db, invite, email="file@example.com")
    [done] = deliver_outbox()
    assert done.delivery.outcome == Outcome.DELIVERED
    [path] = outbox_dir().glob(f"*-{done.message_id}.eml")
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f-]{36}\.eml", path.name)
    assert str(outbox_dir()) in describe_transport(settings)
    import email
    import email.policy

    written = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(written, EmailMessage)
    assert link_in(parts(written)[0]) == f"{settings.base_url}/a/{invitation.token}"


def test_a_link_that_cannot_be_unsealed_or_a_closed_invitation_is_not_sent(
    db: Session, invite: Any, smtp_settings: Settings, mailbox: Mailbox, deliver_outbox: Any
) -> None:
    from app.services import assessments

    unsealed = invite(email="old@example.com")  # made without a sealed copy of its link
    notifications.enqueue_email(db=db, assessment=unsealed.assessment, message=Message.REMINDER)
    cancelled = queue(db, invite, email="cancelled@example.com")
    assessments.cancel(db=db, assessment=cancelled.assessment)
    db.commit()
    done = {d.message_id: d.delivery for d in deliver_outbox(settings=smtp_settings)}
    assert all(d.outcome == Outcome.REFUSED for d in done.values()) and len(done) == 2
    [old] = email_deliveries(db=db, assessment_id=unsealed.assessment.id)
    assert old.state == EmailState.REFUSED and "cannot be unsealed" in (old.reason or "")
    [closed] = email_deliveries(db=db, assessment_id=cancelled.assessment.id)
    assert "the assessment was cancelled before the e-mail went out" in (closed.reason or "")
    assert mailbox.received == []


def test_the_invite_form_e_mails_the_invitation_unless_told_not_to(
    db: Session,
    http: httpx.Client,
    manager: str,  # noqa: F811
    mini_instrument_version: Any,
) -> None:
    assert sign_in(http).status_code == 303
    form = {"first_name": "Ada", "last_name": "Lovelace", "instrument": mini_instrument_version.id}
    mailed = http.post(
        "/app/invite", data={**form, "email": "ada@example.com", "send_email": "yes"}
    )
    not_mailed = http.post("/app/invite", data={**form, "email": "quiet@example.com"})
    assert mailed.status_code == not_mailed.status_code == 303
    rows = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email")).all()
    assert [(r.recipient, r.topic, r.payload["sender_name"]) for r in rows] == [
        ("ada@example.com", "invitation", "mara@test-org.example")
    ]
    page = parse(http.get(mailed.headers["location"]))
    assert "StageFit is e-mailing the invitation to ada@example.com" in page.text
    assert "Invitation e-mail to ada@example.com: waiting to be sent" in page.text
    assert page.text.count("/a/") >= 1  # the shown-once link is still there
    form_page = parse(http.get("/app/invite"))
    assert 'id="send_email" name="send_email" value="yes" checked' in form_page.html
