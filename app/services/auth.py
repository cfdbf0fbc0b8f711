"""Manager sign-in: password check, a signed session cookie, throttled failures, CurrentUser."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import Database
from app.models import Organisation, User
from app.services.users import authenticate_user

SESSION_COOKIE = "stagefit_session"
SESSION_SECONDS = 12 * 3600  # a working day; then sign in again
MAX_FAILURES = 5  # per e-mail and IP address within FAILURE_WINDOW
FAILURE_WINDOW = 15 * 60


@dataclass(frozen=True)
class SignedInUser:
    """Who is signed in, read once per request; every page query is scoped by organisation_id."""

    id: str
    email: str
    role: str
    organisation_id: str
    organisation_name: str


class SignInRequired(Exception):
    """No valid session: the manager pages answer with a redirect to /login?next=…."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


# --- signed values (session cookie, one-time notices) ---------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, purpose: str, body: str) -> str:
    # The purpose is part of the MAC, so a value signed for one use is refused for another.
    key = hashlib.sha256(f"stagefit:{purpose}:{secret}".encode()).digest()
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def sign(secret: str, purpose: str, data: dict[str, Any], *, seconds: int) -> str:
    """`data` as a tamper-proof (not secret) string that stops being valid after `seconds`."""
    body = _b64(json.dumps({**data, "exp": int(time.time()) + seconds}).encode())
    return f"{body}.{_mac(secret, purpose, body)}"


def unsign(secret: str, purpose: str, value: str | None) -> dict[str, Any] | None:
    """The data of a value made by sign(), or None when forged, altered or expired."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(secret, purpose, body)):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(data, dict) or int(data.get("exp", 0)) < time.time():
        return None
    return data


def _password_mark(user: User) -> str:
    # Changing the password changes this, which ends every session made with the old one.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def set_session(response: Response, settings: Settings, user: User) -> None:
    value = sign(
        settings.secret_key,
        "session",
        {"uid": user.id, "pw": _password_mark(user)},
        seconds=SESSION_SECONDS,
    )
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


# --- failed sign-ins ----------------------------------------------------------------------


class LoginThrottle:
    """Failed sign-ins per (e-mail, IP address), in memory: after MAX_FAILURES within
    FAILURE_WINDOW further attempts are refused until the oldest failure ages out.

    In memory is enough for one process; several workers each count on their own, which
    multiplies the allowance but still stops online guessing (argon2 slows each try too).
    """

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = FAILURE_WINDOW) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, key: tuple[str, str], now: float | None = None) -> int:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(times[0] + self.window - now) + 1)

    def failed(self, key: tuple[str, str], now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # bound the memory an attacker can make us use
                for stale in [k for k, v in self._failures.items() if not v]:
                    del self._failures[stale]

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


def throttle_of(request: Request) -> LoginThrottle:
    """The app's throttle (one per app, so test apps do not share counts)."""
    state = request.app.state
    if getattr(state, "login_throttle", None) is None:
        state.login_throttle = LoginThrottle()
    throttle: LoginThrottle = state.login_throttle
    return throttle


def sign_in(
    *, db: Session, throttle: LoginThrottle, email: str, password: str, ip: str
) -> User | None:
    """The user when e-mail and password match; None when not (the same for unknown e-mails).
    Raises TooManyAttempts after too many failures for this e-mail from this address."""
    key = (email.strip().lower(), ip)
    wait = throttle.retry_after(key)
    if wait:
        raise TooManyAttempts(wait)
    user = authenticate_user(db=db, email=email, password=password) if email else None
    if user is None:
        throttle.failed(key)
        return None
    throttle.succeeded(key)
    return user


# --- the signed-in user of a request ------------------------------------------------------


def _requested_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def signed_in_user(request: Request) -> SignedInUser | None:
    """The user of the request's session cookie, or None when there is no valid session."""
    settings: Settings = request.app.state.settings
    data = unsign(settings.secret_key, "session", request.cookies.get(SESSION_COOKIE))
    if data is None:
        return None
    database: Database = request.app.state.database
    with database.session() as db:
        user = db.get(User, str(data.get("uid")))
        if user is None or not hmac.compare_digest(str(data.get("pw")), _password_mark(user)):
            return None
        organisation = db.get(Organisation, user.organisation_id)
        return SignedInUser(
            id=user.id,
            email=user.email,
            role=user.role,
            organisation_id=user.organisation_id,
            organisation_name=organisation.name if organisation else "",
        )


def current_user(request: Request) -> SignedInUser:
    """FastAPI dependency (a plain def: it runs in the thread pool, off the event loop)."""
    user = signed_in_user(request)
    if user is None:
        raise SignInRequired(_requested_path(request))
    return user


CurrentUser = Annotated[SignedInUser, Depends(current_user)]


def safe_next(value: str | None, default: str = "/app") -> str:
    """Where to go after signing in: only a path of this site's manager app, never elsewhere
    (no scheme, no host, no //, no backslash tricks browsers read as another host)."""
    if not value or not value.startswith("/app") or "\\" in value:
        return default
    if value != "/app" and not value.startswith(("/app/", "/app?")):
        return default  # e.g. /apple or /app.evil.example
    if any(ord(ch) < 32 for ch in value):
        return default
    return value
