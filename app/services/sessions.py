"""Manager sign-in sessions, kept server-side: opened at sign-in, ended by signing out, a
password change or removing the user, and by idle and absolute timeouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.limits import clip
from app.models import Organisation, SignInSession, User
from app.services.tokens import hash_token, new_token
from app.vocabulary import Role

ABSOLUTE = timedelta(hours=12)  # a working day; then sign in again
IDLE = timedelta(hours=2)  # a browser left alone this long is signed out
# Activity is written at most this often: a page view should not always be a write.
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class SignedInUser:
    """Who is signed in, read once per request; every page query is scoped by organisation_id."""

    id: str
    email: str
    role: Role
    organisation_id: str
    organisation_name: str
    session_id: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def open_session(
    *, db: Session, user: User, ip: str = "", user_agent: str = "", now: datetime | None = None
) -> str:
    """A new session for `user`; returns the token for the cookie (only its hash is kept)."""
    now = now or utcnow()
    token, token_hash = new_token()
    db.add(
        SignInSession(
            user_id=user.id,
            token_hash=token_hash,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE,
            ip=clip(SignInSession.ip, ip),
            user_agent=clip(SignInSession.user_agent, user_agent),
        )
    )
    db.flush()
    return token


def signed_in_user(
    *, db: Session, token: str | None, now: datetime | None = None
) -> SignedInUser | None:
    """The user of a live session, or None: unknown, revoked, idle too long or too old."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    found = db.execute(
        select(SignInSession, User, Organisation)
        .join(User, User.id == SignInSession.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(SignInSession.token_hash == hash_token(token))
    ).first()
    if found is None:
        return None
    session, user, organisation = found
    if session.revoked_at is not None or session.expires_at <= now:
        return None
    if session.last_seen_at + IDLE <= now:
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        _touch(db, session.id, now)
    return SignedInUser(
        id=user.id,
        email=user.email,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        organisation_name=organisation.name,
        session_id=session.id,
    )


def _touch(db: Session, session_id: str, now: datetime) -> None:
    # In a savepoint: on SQLite a read transaction cannot always become a write one (another
    # writer got there first); missing one touch only makes the idle timeout a little early.
    try:
        with db.begin_nested():
            db.execute(
                update(SignInSession)
                .where(SignInSession.id == session_id)
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
    except OperationalError:
        pass


def end_session(*, db: Session, token: str | None, now: datetime | None = None) -> None:
    """Sign out: the session's token stops working at once, wherever it was copied to."""
    if not token:
        return
    db.execute(
        update(SignInSession)
        .where(SignInSession.token_hash == hash_token(token), SignInSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def end_all_sessions(*, db: Session, user_id: str, now: datetime | None = None) -> int:
    """End every session of a user (password changed, user removed); returns how many."""
    done = db.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user_id, SignInSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0)
