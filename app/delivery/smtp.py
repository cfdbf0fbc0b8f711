"""Handing an e-mail to the SMTP server of STAGEFIT_SMTP_URL, or, without one, writing it to
var/outbox/ as an .eml file, and saying what became of it in the deliverers' words: a server
that refuses the recipient for good (5xx) is REFUSED, anything that may work later FAILED."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTPUTF8
from pathlib import Path
from urllib.parse import unquote, urlsplit

from app.clock import utcnow
from app.config import Settings, var_dir
from app.delivery import Delivery, Outcome
from app.errors import UserError

log = logging.getLogger("stagefit.mail")

DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpServer:
    """STAGEFIT_SMTP_URL taken apart: user and password percent-decoded."""

    scheme: str  # smtp | smtps | smtp+starttls
    host: str
    port: int
    user: str | None
    password: str | None

    @property
    def shown(self) -> str:
        """The URL without its password, for logs and banners."""
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UserError(
            f"STAGEFIT_SMTP_URL: scheme {scheme or '(none)'!r} is not smtp://, smtps:// "
            "or smtp+starttls://"
        )
    if not parts.hostname:
        raise UserError("STAGEFIT_SMTP_URL: no host, e.g. smtp+starttls://user:pw@mail.example:587")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise UserError("STAGEFIT_SMTP_URL: the port is not a number from 1 to 65535") from None
    return SmtpServer(
        scheme=scheme,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def outbox_dir() -> Path:
    return var_dir() / "outbox"


def describe_transport(settings: Settings) -> str:
    """One line saying where e-mails go, for the start-up log and `make run`'s banner."""
    if not settings.smtp_url:
        return (
            f"E-mails are not sent: no STAGEFIT_SMTP_URL is set, so each one is written to "
            f"{outbox_dir()}/ as an .eml file."
        )
    return f"E-mails are sent through {parse_smtp_url(settings.smtp_url).shown}."


def send(settings: Settings, message: EmailMessage, *, name: str) -> Delivery:
    """Send `message` through STAGEFIT_SMTP_URL, or write it as var/outbox/<time>-<name>.eml."""
    if not settings.smtp_url:
        return _write(message, name)
    server = parse_smtp_url(settings.smtp_url)
    try:
        with _connect(server, settings.smtp_ca_file) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        return _by_code(code, reply, "the recipient was refused")
    except smtplib.SMTPDataError as exc:
        return _by_code(exc.smtp_code, exc.smtp_error, "the message was refused")
    except smtplib.SMTPSenderRefused as exc:
        # Our own From address: the server's setup or ours, not the recipient; it may be fixed.
        said = _text(exc.smtp_error)
        return Delivery(Outcome.FAILED, exc.smtp_code, f"{exc.smtp_code} {said} (sender)")
    except smtplib.SMTPNotSupportedError as exc:
        return Delivery(Outcome.FAILED, None, f"the mail server does not support {exc}")
    except smtplib.SMTPResponseException as exc:  # authentication and other replies
        return Delivery(Outcome.FAILED, exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}")
    except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, TLS, disconnected
        return Delivery(Outcome.FAILED, None, f"{server.shown}: {type(exc).__name__}: {exc}")
    return Delivery(Outcome.DELIVERED, 250)


def _connect(server: SmtpServer, ca_file: Path | None) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    if ca_file:
        context.load_default_certs()  # the company CA as well as the system's, not instead
    smtp: smtplib.SMTP
    if server.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    try:
        smtp.ehlo()
        if server.scheme == "smtp+starttls":
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("STARTTLS, which smtp+starttls:// requires")
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            smtp.login(server.user, server.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _by_code(code: int, reply: bytes | str, what: str) -> Delivery:
    """5xx is the server's final word (a bounce at send time); 4xx means try again later."""
    text = f"{code} {_text(reply)}"
    if 500 <= code < 600:
        return Delivery(Outcome.REFUSED, code, text)
    return Delivery(Outcome.FAILED, code, f"{text} ({what} for now)")


def _write(message: EmailMessage, name: str) -> Delivery:
    directory = outbox_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{utcnow().strftime('%Y%m%dT%H%M%SZ')}-{name}.eml"
    # Written aside and renamed: a reader of the folder never sees half an e-mail.
    partial = path.with_suffix(".eml.partial")
    try:
        # UTF-8 headers (RFC 6532), so an international address reads as it was given.
        partial.write_bytes(message.as_bytes(policy=SMTPUTF8))
        os.replace(partial, path)
    except OSError as exc:
        return Delivery(Outcome.FAILED, None, f"could not write {path}: {exc}")
    return Delivery(Outcome.DELIVERED)
