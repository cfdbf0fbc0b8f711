"""Too-fast pages are counted on the pages the rep was shown: a rep on a phone answers the
compact pages (at most 6 statements), and a page raced there is a fast page even when the
standard page it was cut from averages slow enough."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from app.instrument.loader import load_instrument
from app.instrument.model import Instrument
from app.instrument.presentation import pages
from app.scoring import careless
from app.scoring.engine import score
from app.scoring.plan import page_matrix_of, plan_for
from app.scoring.simulate import simulate_answers

REAL = Path(__file__).parents[2] / "questionnaires" / "sales-process-inventory-1.1.yaml"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(REAL)


def _raced_first_parts(instrument: Instrument) -> dict[str, float]:
    """Each standard page cut in two on the phone: its first compact page raced (1 s per
    item), the rest read slowly (12 s), so the standard page averages above 2 s per item."""
    seconds: dict[str, float] = {}
    for standard in pages(instrument, "standard"):
        compact = [p for p in pages(instrument, "compact") if p[0] in standard]
        for k, part in enumerate(compact):
            for item_id in part:
                seconds[item_id] = 1.0 if k == 0 and len(compact) > 1 else 12.0
    return seconds


def test_fast_pages_are_counted_on_the_compact_pages_the_rep_answered(
    instrument: Instrument,
) -> None:
    compact = pages(instrument, "compact")
    standard = pages(instrument, "standard")
    assert len(compact) > len(standard)
    seconds = _raced_first_parts(instrument)
    raced = sum(1 for page in compact if seconds[page[0]] == 1.0)
    assert raced >= 5
    answers, _ = simulate_answers(instrument, {}, np.random.default_rng(7))

    at = datetime(2026, 12, 2, tzinfo=UTC)
    on_phone = score(instrument, answers, seconds=seconds, pages=compact, scored_at=at)
    as_standard = score(instrument, answers, seconds=seconds, scored_at=at)
    assert on_phone.validity.indices["fast_pages"] == raced
    assert as_standard.validity.indices["fast_pages"] == 0
    flag = {f.code: f for f in on_phone.validity.flags}["fast_pages"]
    assert flag.level == "invalid"
    assert flag.detail.startswith(f"{raced} of {len(compact)} pages answered in under")
    assert "fast_pages" not in {f.code for f in as_standard.validity.flags}
    # Told the standard pages, the result is the one scored without pages.
    assert score(instrument, answers, seconds=seconds, pages=standard, scored_at=at) == as_standard


def test_page_matrix_of_pages_shown_in_both_layouts(instrument: Instrument) -> None:
    """A rep who switched layouts: pages of both, items on two pages each count on both."""
    plan = plan_for(instrument)
    standard, compact = pages(instrument, "standard"), pages(instrument, "compact")
    shown = [standard[0], *compact[-3:-1], ["no-such-item", *standard[1][:1]]]
    matrix = page_matrix_of(plan, shown)
    assert matrix.shape == (len(plan.item_ids), 4)
    assert matrix.sum(axis=0).tolist() == [
        len(standard[0]),
        len(compact[-3]),
        len(compact[-2]),
        1,
    ]
    seconds = np.full((1, len(plan.item_ids)), 10.0)
    seconds[0, [plan.column[i] for i in compact[-3]]] = 0.5
    assert careless.fast_pages(plan, seconds, 2.0, matrix).tolist() == [1.0]
    np.testing.assert_array_equal(
        careless.fast_pages(plan, seconds, 2.0), careless.fast_pages(plan, seconds, 2.0, None)
    )
