"""API keys for HR systems: `sf_live_<prefix>_<secret>`, shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UserError
from app.models import ApiKey, Organisation
from app.services import audit

KEY_PREFIX = "sf_live_"
SCOPES = ("read", "write")
# Last use is written at most this often: an API call should not always be a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiKey:
    api_key: ApiKey
    key: str  # the only time the full key exists outside the caller's HR system


def _hash(key: str) -> str:
    # sha256 rather than argon2: the secret has 256 random bits, so a slow hash buys nothing
    # and would slow every API request.
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def check_scopes(scopes: str) -> str:
    """`scopes` as stored ("read", "read write"), or a UserError naming the wrong one."""
    given = scopes.replace(",", " ").split()
    for scope in given:
        if scope not in SCOPES:
            raise UserError(f"unknown scope {scope!r}: use read, write or both")
    if not given:
        raise UserError("give at least one scope: read, write")
    return " ".join(scope for scope in SCOPES if scope in given)


def create_api_key(
    *,
    db: Session,
    organisation: Organisation,
    name: str,
    scopes: str = "read write",
    actor: str = "cli",
) -> NewApiKey:
    name = name.strip()
    if not name:
        raise UserError("API key name must not be empty")
    scopes = check_scopes(scopes)
    prefix = secrets.token_hex(4)  # looked up by index; 8 hex digits
    while db.scalar(select(ApiKey).where(ApiKey.prefix == prefix)) is not None:
        prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(
        organisation_id=organisation.id,
        name=name,
        prefix=prefix,
        key_hash=_hash(key),
        scopes=scopes,
    )
    db.add(api_key)
    db.flush()
    audit.record(
        db=db,
        action="apikey.created",
        actor=actor,
        organisation_id=organisation.id,
        subject_id=api_key.id,
        detail={"name": name, "scopes": scopes, "prefix": prefix},
    )
    return NewApiKey(api_key=api_key, key=key)


def authenticate_api_key(*, db: Session, key: str) -> ApiKey | None:
    """The key's record if it is valid and not revoked, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, _, secret = key.removeprefix(KEY_PREFIX).partition("_")
    if not prefix or not secret:
        return None
    api_key = db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if api_key is None or api_key.revoked_at is not None:
        return None
    if not hmac.compare_digest(api_key.key_hash, _hash(key)):
        return None
    return api_key


def touch(*, db: Session, api_key_id: str, now: datetime | None = None) -> None:
    """Record a key's last use (shown by `stagefit apikey list`); callers do it at most once
    a minute per key, in a transaction of its own, so a failed request still counts."""
    db.execute(
        update(ApiKey)
        .where(ApiKey.id == api_key_id)
        .values(last_used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def due_for_touch(api_key: ApiKey, now: datetime | None = None) -> bool:
    last = api_key.last_used_at
    return last is None or (now or utcnow()) - last >= TOUCH_EVERY


def list_api_keys(*, db: Session, organisation: Organisation) -> list[ApiKey]:
    return list(
        db.scalars(
            select(ApiKey)
            .where(ApiKey.organisation_id == organisation.id)
            .order_by(ApiKey.created_at, ApiKey.id)
        )
    )


def revoke_api_key(
    *, db: Session, api_key: ApiKey, actor: str = "cli", now: datetime | None = None
) -> None:
    """The key stops working at once (the next request with it gets 401)."""
    if api_key.revoked_at is None:
        api_key.revoked_at = now or utcnow()
        audit.record(
            db=db,
            action="apikey.revoked",
            actor=actor,
            organisation_id=api_key.organisation_id,
            subject_id=api_key.id,
        )
    db.flush()


def find_api_key(*, db: Session, organisation: Organisation, key_id: str) -> ApiKey:
    api_key = db.get(ApiKey, key_id)
    if api_key is None or api_key.organisation_id != organisation.id:
        raise UserError(f"no API key {key_id} in organisation {organisation.slug}")
    return api_key
