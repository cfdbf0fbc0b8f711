"""API keys for HR systems: `sf_live_<prefix>_<secret>`, shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.models import ApiKey, Organisation

KEY_PREFIX = "sf_live_"


@dataclass(frozen=True)
class NewApiKey:
    api_key: ApiKey
    key: str  # the only time the full key exists outside the caller's HR system


def _hash(key: str) -> str:
    # sha256 rather than argon2: the secret has 256 random bits, so a slow hash buys nothing
    # and would slow every API request.
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def create_api_key(*, db: Session, organisation: Organisation, name: str) -> NewApiKey:
    name = name.strip()
    if not name:
        raise UserError("API key name must not be empty")
    prefix = secrets.token_hex(4)  # looked up by index; 8 hex digits
    while db.scalar(select(ApiKey).where(ApiKey.prefix == prefix)) is not None:
        prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(organisation_id=organisation.id, name=name, prefix=prefix, key_hash=_hash(key))
    db.add(api_key)
    db.flush()
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


def revoke_api_key(*, db: Session, api_key: ApiKey, now: datetime | None = None) -> None:
    api_key.revoked_at = now or datetime.now(UTC)
    db.flush()
