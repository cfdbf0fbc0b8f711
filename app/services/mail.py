"""What an e-mail to a participant says: the invitation, the reminder and the Greenhouse
candidate's invitation, drawn when it is sent from the assessment as it is then, in the
organisation's colours, with the link in the HTML and the plain-text part alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.clock import as_utc
from app.instrument.text import t
from app.models import Assessment, Organisation
from app.services.instruments import instrument_of
from app.services.notice import Purpose, kept_for, notice_for
from app.services.notifications import Message
from app.web.i18n import catalogue

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates" / "email"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
DEFAULT_COLOUR = "#1f4e79"


def purpose_of(message: Message, assessment: Assessment) -> Purpose:
    """What the results are for, as the inviting manager chose; a Greenhouse candidate is
    always being selected."""
    if message == Message.GREENHOUSE:
        return Purpose.SELECTION
    try:
        return Purpose(assessment.purpose)
    except ValueError:
        return Purpose.DEVELOPMENT


@dataclass(frozen=True)
class EmailView:
    """Everything the two templates show; the HTML and the text part say the same."""

    locale: str
    subject: str
    organisation: str
    colour: str
    button_text_colour: str
    logo_cid: str | None  # the logo's Content-ID, attached beside the HTML
    greeting: str
    intro: str
    facts: list[tuple[str, str]]  # (heading, sentence)
    button: str
    link: str
    expiry: str | None
    fallback: str
    footer: str


def link_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    moment = as_utc(moment)
    return f"{moment.day} {moment.strftime('%B %Y, %H:%M')} UTC"


def _relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def readable_text_on(colour: str) -> str:
    """White or near-black, whichever reads better on the brand colour (WCAG contrast)."""
    luminance = _relative_luminance(colour)
    on_white = 1.05 / (luminance + 0.05)
    on_dark = (luminance + 0.05) / 0.0601  # #1a1a1a
    return "#ffffff" if on_white >= on_dark else "#1a1a1a"


def _colour(organisation: Organisation) -> str:
    colour = organisation.brand_colour or DEFAULT_COLOUR
    valid = len(colour) == 7 and colour.startswith("#")
    return (
        colour
        if valid and all(c in "0123456789abcdefABCDEF" for c in colour[1:])
        else (DEFAULT_COLOUR)
    )


def view(
    *,
    message: Message,
    organisation: Organisation,
    assessment: Assessment,
    link: str,
    sender_name: str | None,
    logo_cid: str | None = None,
) -> EmailView:
    instrument = instrument_of(assessment.instrument_version)
    locale = assessment.locale if assessment.locale in instrument.locales else "en"
    say = catalogue(locale)
    words: dict[str, Any] = {
        "organisation": organisation.name,
        "title": t(instrument.title, locale),
        "link_date": link_date(assessment.expires_at),
        "sender": sender_name or "",
    }
    by = "_by" if sender_name and f"email.{message.value}.intro_by" in say else ""
    notice = notice_for(
        organisation=organisation.name,
        purpose=purpose_of(message, assessment),
        minutes=instrument.estimated_minutes,
        locale=locale,
        kept=kept_for(
            organisation=organisation.name,
            retention_days=organisation.retention_days,
            deidentified_norming=organisation.deidentified_norming,
            locale=locale,
        ),
    )
    colour = _colour(organisation)
    started = assessment.started_at is not None
    return EmailView(
        locale=locale,
        subject=say(f"email.{message.value}.subject", **words),
        organisation=organisation.name,
        colour=colour,
        button_text_colour=readable_text_on(colour),
        logo_cid=logo_cid,
        greeting=say("email.greeting", name=assessment.participant.first_name),
        intro=say(f"email.{message.value}.intro{by}", **words),
        facts=[
            (say("email.heading.purpose"), f"{notice.purpose} {t(instrument.purpose, locale)}"),
            (say("email.heading.time"), notice.time),
            (say("email.heading.who_sees"), notice.who_sees),
            (say("email.heading.kept"), notice.kept),
        ],
        button=say("email.button_resume") if started else say("email.button"),
        link=link,
        expiry=say("email.expiry", **words) if assessment.expires_at else None,
        fallback=say("email.fallback"),
        footer=say("email.footer", **words),
    )


def compose(
    *,
    message: Message,
    organisation: Organisation,
    assessment: Assessment,
    link: str,
    sender_name: str | None,
    mail_from: str,
    message_id: str,
    now: datetime,
) -> EmailMessage:
    """The e-mail, multipart/alternative (text, then HTML with the logo beside it). Its
    Message-ID is the outbox message's, so a retried send is recognisably the same e-mail."""
    name, address = parseaddr(mail_from)
    domain = address.rpartition("@")[2] or "localhost"
    logo_cid = make_msgid("logo", domain=domain) if organisation.logo_svg else None
    content = view(
        message=message,
        organisation=organisation,
        assessment=assessment,
        link=link,
        sender_name=sender_name,
        logo_cid=logo_cid[1:-1] if logo_cid else None,
    )
    participant = assessment.participant
    email = EmailMessage()
    email["Subject"] = content.subject
    email["From"] = Address(
        display_name=name or f"{organisation.name} via StageFit", addr_spec=address
    )
    # By its parts: the email package refuses a non-ASCII local part given whole, yet sends
    # it (SMTPUTF8) when the server offers that.
    username, _, host = participant.email.rpartition("@")
    email["To"] = Address(display_name=participant.full_name, username=username, domain=host)
    email["Date"] = format_datetime(as_utc(now))
    email["Message-ID"] = f"<{message_id}@{domain}>"
    # An automatic message (RFC 3834): out-of-office replies should not answer it.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(_env.get_template("message.txt").render(e=content))
    email.add_alternative(_env.get_template("message.html").render(e=content), subtype="html")
    if logo_cid and organisation.logo_svg:
        html_part = email.get_body(("html",))
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(
            organisation.logo_svg.encode(), "image", "svg+xml", cid=logo_cid, filename="logo.svg"
        )
    return email
