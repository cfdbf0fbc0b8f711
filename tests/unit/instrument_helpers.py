"""Shared helpers for the instrument tests: the mini fixture, edited copies, and line finding."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MINI = FIXTURES / "mini-instrument.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")


def edited(old: str, new: str, *, text: str = MINI_TEXT, count: int = 1) -> str:
    """The fixture with `old` replaced by `new` (which must occur) `count` times."""
    assert old in text, f"fixture no longer contains {old!r}"
    return text.replace(old, new, count)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line on which the `occurrence`-th `needle` starts."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return text.count("\n", 0, start) + 1
