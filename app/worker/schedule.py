"""When a failed delivery is tried again, and when the worker gives up: exponential backoff
with full jitter, for at least a day.

Attempt n failed → the next one waits a random time between MIN_DELAY and
min(CAP, BASE · 2^(n-1)): up to 30 s, 1 min, 2 min, … 32 min, then up to 1 h each time.
Full jitter (rather than a fixed doubling) spreads the retries of many messages that failed
together, so a receiver coming back is not hit by all of them at the same second. A message
that still fails once it is RETRY_PERIOD old, after MIN_ATTEMPTS tries at least, is dead:
about 50 attempts over 24 hours on average. The minimum number of attempts keeps a message
that waited out a long worker outage from dying on its first failure.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

BASE = timedelta(seconds=30)
CAP = timedelta(hours=1)
MIN_DELAY = timedelta(seconds=1)
RETRY_PERIOD = timedelta(hours=24)
MIN_ATTEMPTS = 5


def delay_range(attempt: int) -> tuple[timedelta, timedelta]:
    """The shortest and longest wait after failed attempt number `attempt` (1 = the first)."""
    if attempt < 1:
        raise ValueError("attempts are counted from 1")
    # 2**40 · 30 s is far past the cap; stop doubling before the number gets silly.
    ceiling = min(CAP, BASE * 2 ** min(attempt - 1, 40))
    return MIN_DELAY, max(MIN_DELAY, ceiling)


def retry_delay(
    attempt: int, *, rng: random.Random | None = None, retry_after: float | None = None
) -> timedelta:
    """A random wait in `delay_range(attempt)`; a receiver's Retry-After (seconds) is honoured
    up to the cap, so a receiver asking for a pause gets it but cannot park a message for
    days."""
    low, high = delay_range(attempt)
    delay = timedelta(seconds=(rng or random).uniform(low.total_seconds(), high.total_seconds()))
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(CAP, timedelta(seconds=retry_after)))
    return delay


def gives_up(*, created_at: datetime, attempts: int, now: datetime) -> bool:
    """After `attempts` failed attempts (this one included), is the message dead?"""
    return attempts >= MIN_ATTEMPTS and now - created_at >= RETRY_PERIOD
