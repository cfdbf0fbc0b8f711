"""The retry schedule: exponential backoff with full jitter, a cap, and at least a day."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from app.worker.schedule import (
    CAP,
    MIN_ATTEMPTS,
    MIN_DELAY,
    RETRY_PERIOD,
    delay_range,
    gives_up,
    retry_delay,
)

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attempt", "ceiling_s"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920), (8, 3600), (50, 3600)],
)
def test_the_ceiling_doubles_from_30_s_up_to_an_hour(attempt: int, ceiling_s: int) -> None:
    assert delay_range(attempt) == (MIN_DELAY, timedelta(seconds=ceiling_s))


def test_attempts_are_counted_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        delay_range(0)
    assert delay_range(10**6)[1] == CAP  # no overflow for absurd counts


def test_delays_are_spread_over_the_whole_range() -> None:
    rng = random.Random(7)
    delays = [retry_delay(4, rng=rng).total_seconds() for _ in range(2000)]
    assert min(delays) >= 1 and max(delays) <= 240
    # Full jitter: about uniform, so some retries come early and some late.
    assert min(delays) < 10 and max(delays) > 230
    assert 100 < sum(delays) / len(delays) < 141


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    rng = random.Random(1)
    assert retry_delay(1, rng=rng, retry_after=600) == timedelta(seconds=600)
    assert retry_delay(1, rng=rng, retry_after=86400 * 7) == CAP
    assert retry_delay(1, rng=rng, retry_after=0) <= timedelta(seconds=30)


def test_a_message_is_dead_only_after_the_retry_period_and_a_few_attempts() -> None:
    day = T0 + RETRY_PERIOD
    assert not gives_up(created_at=T0, attempts=40, now=day - timedelta(seconds=1))
    assert gives_up(created_at=T0, attempts=40, now=day)
    # A message that waited out a worker outage gets a few tries before it can die.
    assert not gives_up(created_at=T0, attempts=MIN_ATTEMPTS - 1, now=day + timedelta(days=3))
    assert gives_up(created_at=T0, attempts=MIN_ATTEMPTS, now=day + timedelta(days=3))


def test_a_failing_message_is_tried_for_at_least_a_day_about_fifty_times() -> None:
    rng = random.Random(3)
    counts, spans = [], []
    for _ in range(200):
        now, attempts = T0, 0
        while True:
            attempts += 1
            if gives_up(created_at=T0, attempts=attempts, now=now):
                break
            now += retry_delay(attempts, rng=rng)
        counts.append(attempts)
        spans.append(now - T0)
    assert min(spans) >= RETRY_PERIOD
    assert max(spans) <= RETRY_PERIOD + CAP
    assert 40 < sum(counts) / len(counts) < 65
