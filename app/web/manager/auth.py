"""The manager app's side of signing in: the session cookie, who the request's user is, and
where to go after signing in."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.orm import Session

from app.config import Settings
from app.services.sessions import ABSOLUTE, SignedInUser, signed_in_user

SESSION_COOKIE = "stagefit_session"


class SignInRequired(Exception):
    """No valid session: the manager pages answer with a redirect to /login?next=…."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _secure(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ABSOLUTE.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(settings),
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(settings)
    )


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def client_ip(request: Request) -> str:
    """The caller's address. Behind a proxy listed in STAGEFIT_TRUSTED_PROXIES it is the
    address that proxy reports (app/main.py); X-Forwarded-For from anyone else is ignored."""
    return request.client.host if request.client else ""


def user_of(request: Request, db: Session) -> SignedInUser | None:
    return signed_in_user(db=db, token=session_token(request))


def current_user(request: Request, db: Session) -> SignedInUser:
    """The signed-in user, or SignInRequired (a redirect to the sign-in page)."""
    user = user_of(request, db)
    if user is None:
        query = request.url.query
        raise SignInRequired(request.url.path + (f"?{query}" if query else ""))
    return user


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
