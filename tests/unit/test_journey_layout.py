"""The participant journey's pure parts: the compact layout for phones, where to resume, what is
left, and page stamps that name their layout."""

from __future__ import annotations

import pytest

from app.instrument import page_timing
from app.instrument import questionnaire as service
from app.instrument.model import SjtItem
from app.instrument.presentation import COMPACT_STATEMENTS_PER_PAGE
from tests.unit.report_helpers import real_instrument

SECRET = "unit-test-secret"


@pytest.fixture(scope="module")
def both() -> tuple[service.Questionnaire, service.Questionnaire]:
    instrument = real_instrument()
    return (
        service.build_questionnaire(instrument),
        service.build_questionnaire(instrument, "compact"),
    )


def test_compact_pages_hold_at_most_six_statements_or_one_scenario(
    both: tuple[service.Questionnaire, service.Questionnaire],
) -> None:
    standard, compact = both
    assert compact.layout == "compact" and len(compact.pages) > len(standard.pages)
    for page in compact.pages:
        kinds = {isinstance(compact.item(item_id), SjtItem) for item_id in page}
        assert len(kinds) == 1, "a page mixes scenarios and statements"
        assert len(page) <= (1 if kinds == {True} else COMPACT_STATEMENTS_PER_PAGE)
    # The standard layout still shows more than six statements on a page.
    assert max(len(page) for page in standard.pages) > COMPACT_STATEMENTS_PER_PAGE


def test_both_layouts_ask_the_same_questions_with_the_same_numbers(
    both: tuple[service.Questionnaire, service.Questionnaire],
) -> None:
    standard, compact = both
    assert compact.number_of == standard.number_of
    order = [item_id for page in compact.pages for item_id in page]
    assert order == [item_id for page in standard.pages for item_id in page]


def test_resume_after_the_furthest_answer_and_count_what_was_skipped(
    both: tuple[service.Questionnaire, service.Questionnaire],
) -> None:
    _, q = both
    assert service.resume_page(q, {}) == 1
    given = {item_id: "3" for page in q.pages[:4] for item_id in page}
    skipped = q.pages[1][0]
    del given[skipped]
    # Left after page 4 with one gap on page 2: resume on page 5, saying one was skipped.
    assert service.resume_page(q, given) == 5
    assert service.skipped_before(q, given, 5) == 1
    assert service.skipped_before(q, given, 2) == 0
    # With everything after the gap answered, the gap itself is where to go.
    rest = {item_id: "3" for page in q.pages[4:] for item_id in page}
    assert service.resume_page(q, {**given, **rest}) == 2
    assert service.resume_page(q, {**given, **rest, skipped: "na"}) is None


def test_minutes_left_shrink_with_the_answers(
    both: tuple[service.Questionnaire, service.Questionnaire],
) -> None:
    _, q = both
    total = q.instrument.estimated_minutes
    assert service.minutes_left(q, {}) == total
    half = dict.fromkeys(list(q.number_of)[: q.item_count // 2], "3")
    assert service.minutes_left(q, half) == pytest.approx(total / 2, abs=1)
    almost = dict.fromkeys(list(q.number_of)[:-1], "3")
    assert service.minutes_left(q, almost) == 1
    assert service.minutes_left(q, dict.fromkeys(q.number_of, "3")) == 0


def test_a_page_stamp_is_only_good_for_its_layout() -> None:
    stamp = page_timing.page_stamp(
        secret=SECRET, assessment_id="A", page=3, now=1000.0, layout="compact"
    )

    def seconds(layout: str) -> float | None:
        return page_timing.page_seconds(
            secret=SECRET, assessment_id="A", page=3, stamp=stamp, now=1030.0, layout=layout
        )

    assert seconds("compact") == 30.0
    assert seconds("standard") is None
    # The standard layout's stamps are those issued before layouts existed.
    old = page_timing.page_stamp(secret=SECRET, assessment_id="A", page=3, now=1000.0)
    assert page_timing.page_seconds(
        secret=SECRET, assessment_id="A", page=3, stamp=old, now=1012.0
    ) == pytest.approx(12.0)
