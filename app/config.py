"""Settings from the environment (prefix STAGEFIT_), with safe local defaults."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.errors import UserError

REPO_DIR = Path(__file__).resolve().parent.parent


def _default_questionnaires_dir() -> Path:
    # A checkout has questionnaires/ beside app/; an installed package looks in the cwd.
    beside = REPO_DIR / "questionnaires"
    return beside if beside.is_dir() else Path.cwd() / "questionnaires"


DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# Secrets people paste from examples; refused in production.
PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "dev", "development", "test"})
MIN_SECRET_LENGTH = 32


def var_dir() -> Path:
    """Where local state lives (SQLite file, generated secret, demo credentials)."""
    return Path(os.environ.get("STAGEFIT_VAR_DIR", "var")).resolve()


def _kept_secret(directory: Path) -> str:
    """The secret key under var/, generated on first use and readable by the owner only."""
    path = directory / "secret_key"
    if path.exists():
        return path.read_text().strip()
    # var/ holds the database and credentials: readable by the owner only.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _default_mail_from(base_url: str) -> str:
    host = urlsplit(base_url).hostname or ""
    # An address needs a domain with a dot; 127.0.0.1 or localhost is only good on this machine.
    domain = host if "." in host and not host.replace(".", "").isdigit() else "localhost"
    return f"stagefit@{domain}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STAGEFIT_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = ""
    secret_key: str = ""
    base_url: str = ""
    # Where e-mails go: smtp://, smtps:// (TLS from the start) or smtp+starttls://, with the
    # user and password in the URL; unset, they are written to var/outbox/ (app/delivery/smtp.py).
    smtp_url: str | None = None
    # The sender of every e-mail; by default stagefit@ the host of the base URL.
    mail_from: str = ""
    # A CA bundle to trust for the SMTP server's certificate (a company CA), besides the system's.
    smtp_ca_file: Path | None = None
    questionnaires_dir: Path = Field(default_factory=_default_questionnaires_dir)
    log_level: str = "INFO"
    # Addresses (comma-separated IPs or CIDR ranges, or "*") of reverse proxies whose
    # X-Forwarded-For and X-Forwarded-Proto are believed; nobody's by default, so a client
    # cannot pose as another address to dodge the sign-in throttle.
    trusted_proxies: str = ""
    # Where outbox messages are delivered from: `inline` runs the worker inside the server
    # process, `off` leaves it to `stagefit worker` processes. Unset: inline on SQLite (so
    # `make run` needs nothing else), off on PostgreSQL and in tests (app/worker).
    worker: Literal["inline", "off"] | None = None
    worker_concurrency: int = Field(default=16, ge=1, le=256)  # deliveries at once, per worker
    delivery_timeout: float = Field(default=10.0, gt=0, le=120)  # seconds, per attempt
    # How long a claimed message stays a worker's; a worker killed mid-delivery leaves its
    # messages to others after this. Longer than any delivery may take.
    worker_lease: float = Field(default=60.0, gt=0)
    # Webhooks to private, loopback and link-local addresses (SSRF): refused in production
    # unless allowed here; allowed elsewhere (tests and development use loopback receivers).
    webhook_allow_private: bool | None = None
    # Webhooks over plain http: refused in production unless allowed here (a receiver on the
    # company's own network), allowed elsewhere. Events are signed, but they carry links to
    # results and reports, which TLS keeps from the wire.
    webhook_allow_http: bool | None = None
    # Requests a minute, counted per server process (app/ratelimit.py); 0 switches a limit off.
    api_rate_limit: int = Field(default=600, ge=0)  # per API key (HR API and Greenhouse)
    participant_rate_limit: int = Field(default=300, ge=0)  # per participant link
    # Per client address on the participant pages: generous, a whole office may share one.
    participant_address_rate_limit: int = Field(default=3000, ge=0)
    # The cost of the argon2id password hash: RFC 9106's low-memory profile (64 MiB, 3 passes;
    # argon2-cffi's default). "cheapest" is argon2-cffi's profile for test suites, which hash
    # hundreds of passwords: the same algorithm and code, no cost. Refused in production; a
    # hash made cheaply is made anew at the full cost when its user next signs in.
    password_hashing: Literal["rfc9106-low-memory", "cheapest"] = "rfc9106-low-memory"

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @model_validator(mode="after")
    def _defaults_and_production_checks(self) -> Settings:
        if self.env == "production":
            problems = []
            if not self.secret_key:
                problems.append("STAGEFIT_SECRET_KEY is not set")
            elif (
                self.secret_key.lower() in PLACEHOLDER_SECRETS
                or len(self.secret_key) < MIN_SECRET_LENGTH
            ):
                problems.append(
                    f"STAGEFIT_SECRET_KEY is a placeholder or shorter than "
                    f"{MIN_SECRET_LENGTH} characters"
                )
            if not self.base_url:
                problems.append("STAGEFIT_BASE_URL is not set (participant links need it)")
            if self.password_hashing == "cheapest":
                problems.append("STAGEFIT_PASSWORD_HASHING=cheapest is for test suites only")
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        if not self.database_url:
            self.database_url = f"sqlite:///{var_dir() / 'stagefit.db'}"
        if not self.base_url:
            self.base_url = DEFAULT_BASE_URL
        self.base_url = self.base_url.rstrip("/")
        if not self.mail_from:
            self.mail_from = _default_mail_from(self.base_url)
        if not self.secret_key:
            self.secret_key = _kept_secret(var_dir())
        if self.worker is None:
            sqlite = self.database_url.startswith("sqlite")
            self.worker = "inline" if sqlite and self.env != "test" else "off"
        if self.webhook_allow_private is None:
            self.webhook_allow_private = self.env != "production"
        if self.webhook_allow_http is None:
            self.webhook_allow_http = self.env != "production"
        if self.worker_lease < self.delivery_timeout + 2:
            raise ValueError(
                "STAGEFIT_WORKER_LEASE must exceed STAGEFIT_DELIVERY_TIMEOUT by 2 s or more, "
                "or a slow delivery could be sent twice at once"
            )
        return self


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value becomes one readable line."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"STAGEFIT_{where.upper()}: {message}" if where else message)
        raise UserError("settings: " + "; ".join(lines)) from None


@lru_cache
def get_settings() -> Settings:
    """The process's settings (the CLI's, and the server's unless given others)."""
    from app.services.users import use_password_hashing

    settings = load_settings()
    use_password_hashing(settings.password_hashing)
    return settings
