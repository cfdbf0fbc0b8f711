"""Sealing a participant's link so that it can be shown again (copy link, reminders, the
invitation e-mail) without storing it in the clear: AES-GCM under a key derived from
STAGEFIT_SECRET_KEY. The token's hash is what opens an assessment; this copy only lets the
service send the link again. A changed secret key leaves old copies unreadable (the manager
then sends a new link)."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"stagefit:seal:{purpose}:{secret}".encode()).digest()


def seal(secret: str, purpose: str, text: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(secret, purpose)).encrypt(nonce, text.encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(secret: str, purpose: str, value: str | None) -> str | None:
    """The text sealed, or None when there is none or it cannot be opened (other key)."""
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value.encode())
        opened = AESGCM(_key(secret, purpose)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()
        )
    except (InvalidTag, ValueError):
        return None
    return opened.decode()
