"""Participant link tokens: 256 random bits, only their sha256 is stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store; the token itself is shown once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # A plain sha256 is enough: the token is random, so there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()
