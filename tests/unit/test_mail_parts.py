"""Pure parts of e-mail: reading STAGEFIT_SMTP_URL and a readable button on any brand colour."""

from __future__ import annotations

import pytest

from app.delivery.smtp import parse_smtp_url
from app.errors import UserError
from app.services.mail import readable_text_on


@pytest.mark.parametrize(
    ("url", "scheme", "port"),
    [
        ("smtp://relay.internal", "smtp", 25),
        ("smtps://mail.example.com", "smtps", 465),
        ("smtp+starttls://mail.example.com", "smtp+starttls", 587),
        ("SMTP+STARTTLS://mail.example.com:2525", "smtp+starttls", 2525),
    ],
)
def test_schemes_and_their_default_ports(url: str, scheme: str, port: int) -> None:
    server = parse_smtp_url(url)
    assert (server.scheme, server.port) == (scheme, port)


def test_user_and_password_are_percent_decoded_and_never_shown() -> None:
    server = parse_smtp_url("smtp+starttls://mailer%40acme:p%40ss%3Aw%2Frd%25@mail.acme:587")
    assert (server.user, server.password) == ("mailer@acme", "p@ss:w/rd%")
    assert server.shown == "smtp+starttls://mailer@acme@mail.acme:587"
    assert "p@ss" not in server.shown


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.com", "scheme 'http'"),
        ("mail.example.com:25", "is not smtp://"),
        ("smtp://", "no host"),
        ("smtp://mail.example.com:99999", "port"),
    ],
)
def test_a_bad_url_is_one_readable_line(url: str, says: str) -> None:
    with pytest.raises(UserError, match="STAGEFIT_SMTP_URL") as error:
        parse_smtp_url(url)
    assert says in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        ("#1f4e79", "#ffffff"),
        ("#000000", "#ffffff"),
        ("#ffeb3b", "#1a1a1a"),
        ("#ffffff", "#1a1a1a"),
    ],
)
def test_button_text_reads_on_the_brand_colour(colour: str, text: str) -> None:
    assert readable_text_on(colour) == text
