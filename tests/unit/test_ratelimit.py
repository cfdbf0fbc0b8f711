"""The fixed-window counter behind the abuse limits (app/ratelimit.py), on a made-up clock."""

from __future__ import annotations

from app.ratelimit import FixedWindow


class Clock:
    def __init__(self, now: float = 60_020.0) -> None:  # 20 s into a minute
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_counts_per_key_and_refuses_beyond_the_limit() -> None:
    clock = Clock()
    window = FixedWindow(2, clock)
    first, second, third = (window.hit("a") for _ in range(3))
    assert (first.allowed, first.remaining) == (True, 1)
    assert (second.allowed, second.remaining) == (True, 0)
    assert (third.allowed, third.remaining) == (False, 0)
    assert third.reset == 40  # seconds to the end of the minute
    assert third.headers()["Retry-After"] == "40"
    assert "Retry-After" not in first.headers()
    assert window.hit("b").allowed  # another key counts on its own


def test_a_new_window_starts_afresh_and_forgets_old_keys() -> None:
    clock = Clock()
    window = FixedWindow(1, clock)
    assert window.hit("a").allowed and not window.hit("a").allowed
    clock.now += 40
    assert window.hit("a").allowed
    assert window._counts == {"a": 1}  # memory holds one window's keys only


def test_refusals_do_not_push_the_window_further() -> None:
    clock = Clock()
    window = FixedWindow(1, clock)
    window.hit("a")
    for _ in range(100):
        window.hit("a")
    clock.now += 40
    assert window.hit("a").allowed
