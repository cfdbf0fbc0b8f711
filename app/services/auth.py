"""Manager sign-in: the password check behind the throttle, and the session it opens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import User
from app.services import audit, sessions, throttle
from app.services.users import authenticate_user, find_user

TooManyAttempts = throttle.TooManyAttempts


def sign_in(
    *,
    db: Session,
    email: str,
    password: str,
    ip: str,
    user_agent: str = "",
    now: datetime | None = None,
) -> tuple[User, str] | None:
    """The user and a new session token when e-mail and password match; None when not (the
    same for unknown e-mails). Raises TooManyAttempts when this account or address has
    failed too often, whether or not the password is right."""
    now = now or utcnow()
    throttle.check(db=db, email=email, ip=ip, now=now)
    user = authenticate_user(db=db, email=email, password=password) if email else None
    if user is None:
        throttle.failed(db=db, email=email, ip=ip, now=now)
        # A wrong password for a known account goes to that organisation's trail; what was
        # typed as an unknown e-mail is not kept (it may be a password typed in the wrong box).
        known = find_user(db=db, email=email) if email else None
        audit.record(
            db=db,
            action="user.sign_in_failed",
            actor="anonymous",
            organisation_id=known.organisation_id if known else None,
            subject_id=known.id if known else None,
            detail={"ip": ip},
        )
        return None
    throttle.succeeded(db=db, email=email, ip=ip)
    token = sessions.open_session(db=db, user=user, ip=ip, user_agent=user_agent, now=now)
    audit.record(
        db=db,
        action="user.signed_in",
        actor=f"user:{user.id}",
        organisation_id=user.organisation_id,
        subject_id=user.id,
        detail={"ip": ip},
    )
    return user, token


def sign_out(*, db: Session, token: str | None) -> None:
    sessions.end_session(db=db, token=token)
