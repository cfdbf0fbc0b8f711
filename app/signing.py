"""Tamper-proof (not secret) values with an expiry, bound to one purpose: one-time notices in
cookies, links that must not be forged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, purpose: str, body: str) -> str:
    # The purpose is part of the MAC, so a value signed for one use is refused for another.
    key = hashlib.sha256(f"stagefit:{purpose}:{secret}".encode()).digest()
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def sign(secret: str, purpose: str, data: dict[str, Any], *, seconds: int) -> str:
    """`data` as a tamper-proof string that stops being valid after `seconds`."""
    body = _b64(json.dumps({**data, "exp": int(time.time()) + seconds}).encode())
    return f"{body}.{_mac(secret, purpose, body)}"


def unsign(secret: str, purpose: str, value: str | None) -> dict[str, Any] | None:
    """The data of a value made by sign(), or None when forged, altered or expired."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    if not hmac.compare_digest(mac.encode(), _mac(secret, purpose, body).encode()):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(data, dict) or int(data.get("exp", 0)) < time.time():
        return None
    return data
