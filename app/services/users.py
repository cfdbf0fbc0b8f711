"""Sign-ins for managers and HR admins; passwords kept as argon2id hashes."""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.limits import has_control_characters, max_length
from app.models import Organisation, SignInSession, TeamManager, User
from app.services.sessions import end_all_sessions
from app.vocabulary import Role

ROLES = tuple(Role)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000  # argon2 takes any length; this bounds the work per try
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PROFILES = {"rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}
_hasher = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
_dummy_hash: str | None = None


def use_password_hashing(profile: str) -> None:
    """Hash passwords at this cost from now on (Settings.password_hashing), set at start-up.
    Stored hashes of another cost still verify, and are remade on the next sign-in."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher.from_parameters(_PROFILES[profile])
    _dummy_hash = None


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    too_long = len(email) > max_length(User.email)
    if too_long or has_control_characters(email) or not EMAIL_PATTERN.match(email):
        raise UserError(f"{email[:80]!r} is not an e-mail address")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"password must have at most {MAX_PASSWORD_LENGTH} characters")


def generate_password() -> str:
    return secrets.token_urlsafe(12)  # 96 bits, easy to copy


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    *, db: Session, organisation: Organisation, email: str, role: str, password: str
) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    check_password(password)
    if find_user(db=db, email=email) is not None:
        raise UserError(f"a user with e-mail {email} already exists")
    user = User(
        organisation_id=organisation.id,
        email=email,
        role=role,
        password_hash=hash_password(password),
    )
    db.add(user)
    db.flush()
    return user


def find_user(*, db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def set_password(*, db: Session, user: User, password: str) -> None:
    """A new password; every session signed in with the old one ends."""
    check_password(password)
    user.password_hash = hash_password(password)
    end_all_sessions(db=db, user_id=user.id)
    db.flush()


def remove_user(*, db: Session, email: str) -> None:
    """Remove a sign-in; its sessions end with it (the audit trail keeps its id)."""
    user = find_user(db=db, email=email)
    if user is None:
        raise UserError(f"no user with e-mail {email.strip().lower()}")
    end_all_sessions(db=db, user_id=user.id)
    db.execute(delete(SignInSession).where(SignInSession.user_id == user.id))
    db.execute(delete(TeamManager).where(TeamManager.user_id == user.id))
    db.delete(user)
    db.flush()


def authenticate_user(*, db: Session, email: str, password: str) -> User | None:
    """The user if the password is right, else None (same answer for unknown e-mails)."""
    user = find_user(db=db, email=email)
    if user is None:
        # Spend the same time as a real check, so timing does not reveal who has an account.
        verify_password(_dummy(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _dummy() -> str:
    """A hash of today's cost, checked for unknown e-mails."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a real password")
    return _dummy_hash
