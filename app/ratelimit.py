"""Abuse limits: requests counted per API key, per participant token and per address, in
fixed one-minute windows kept in this process's memory.

Per process, on purpose: counting in the database would make every API call a write (on
SQLite, one writer at a time). With N server processes (uvicorn --workers, or several
containers) a caller gets up to N times the limit; docs/security.md says so. The sign-in
throttle (app/services/throttle.py) is the one limit kept in the database, because there
every failure must count everywhere.

Answers carry the IETF draft headers (draft-ietf-httpapi-ratelimit-headers-06):
`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds) and
`RateLimit-Policy` (`600;w=60`); a refusal is a 429 problem with `Retry-After`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request

from app.config import Settings

WINDOW = 60  # seconds


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends and the count starts again

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={WINDOW}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset)
        return headers


class FixedWindow:
    """At most `limit` hits per key in each window; limit 0 means no limit."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()  # handlers run in a thread pool
        self._window = -1
        self._counts: dict[str, int] = {}

    def hit(self, key: str) -> Verdict:
        now = self._clock()
        window = int(now // WINDOW)
        reset = max(1, math.ceil((window + 1) * WINDOW - now))
        with self._lock:
            if window != self._window:
                # A new window forgets every count: memory stays bounded by one minute's keys.
                self._window, self._counts = window, {}
            count = self._counts.get(key, 0) + 1
            allowed = count <= self.limit
            if allowed:
                self._counts[key] = count
        remaining = max(0, self.limit - min(count, self.limit))
        return Verdict(allowed, self.limit, remaining, reset)


class Limits:
    """The app's windows, made once by create_app from the settings."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.api_key = FixedWindow(settings.api_rate_limit, clock)
        self.participant_token = FixedWindow(settings.participant_rate_limit, clock)
        self.participant_address = FixedWindow(settings.participant_address_rate_limit, clock)


STATE_KEY = "rate_limit"  # where the verdict waits for app/edge.py to add its headers


def _apply(request: Request, window: FixedWindow, key: str, what: str) -> None:
    if window.limit <= 0:
        return
    verdict = window.hit(key)
    previous: Verdict | None = getattr(request.state, STATE_KEY, None)
    # Two limits on one request: the headers tell of the tighter one.
    if previous is None or verdict.remaining < previous.remaining or not verdict.allowed:
        setattr(request.state, STATE_KEY, verdict)
    if not verdict.allowed:
        raise HTTPException(
            429,
            f"too many requests {what}: at most {verdict.limit} a minute; "
            f"try again in {verdict.reset} s",
            headers=verdict.headers(),
        )


def limits_of(request: Request) -> Limits:
    limits: Limits = request.app.state.limits
    return limits


def limit_api_key(request: Request, api_key_id: str) -> None:
    """Count a request of an authenticated API key; 429 beyond its limit."""
    _apply(request, limits_of(request).api_key, api_key_id, "with this API key")


def limit_participant(request: Request) -> None:
    """Count a participant page request, per link token and per client address."""
    limits = limits_of(request)
    address = request.client.host if request.client else ""
    _apply(request, limits.participant_address, address, "from this address")
    token = str(request.path_params.get("token", ""))
    if token:
        _apply(request, limits.participant_token, token, "for this link")
