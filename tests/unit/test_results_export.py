"""The CSV export's formula defusing (OWASP CSV injection): every dangerous first character."""

from __future__ import annotations

import pytest

from app.services.results_export import defuse


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_would_start_a_formula_becomes_text(start: str) -> None:
    assert defuse(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", ["Ana", "ana@example.com", "", " =spaced", "'quoted", "ø=x"])
def test_other_text_is_left_alone(value: str) -> None:
    assert defuse(value) == value


def test_numbers_stay_numbers() -> None:
    assert defuse(7) == 7 and defuse(None) is None
