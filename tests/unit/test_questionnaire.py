"""The questionnaire as participants meet it (pure core): pages, checks, resume, page times."""

from __future__ import annotations

import pytest

from app.instrument import page_timing
from app.instrument import questionnaire as service
from app.instrument.loader import load_instrument
from tests.unit.instrument_helpers import MINI

SECRET = "unit-test-secret"


@pytest.fixture(scope="module")
def q() -> service.Questionnaire:
    return service.build_questionnaire(load_instrument(MINI))


def test_every_item_is_on_one_page_with_a_running_number(q: service.Questionnaire) -> None:
    ids = [item_id for page in q.pages for item_id in page]
    assert sorted(ids) == sorted(item.id for item in q.instrument.items)
    assert [q.number_of[item_id] for item_id in ids] == list(range(1, len(ids) + 1))
    assert all(q.page_of[item_id] == n for n, page in enumerate(q.pages, 1) for item_id in page)


def test_answers_are_checked_against_the_item_and_the_page(q: service.Questionnaire) -> None:
    likert, sjt = q.pages[0][0], q.pages[1][0]
    given = {likert: "5", sjt: "b", "NOPE": "1"}
    valid, problems = service.check_answers(q, given)
    assert valid == {likert: "5", sjt: "b"}
    assert problems == [service.AnswerProblem("unknown_item", "NOPE")]
    valid, problems = service.check_answers(q, {likert: "6", sjt: "b"}, page=1)
    assert valid == {}
    assert {p.code for p in problems} == {"bad_value", "unknown_item"}  # sjt is on page 2
    assert service.check_answers(q, {likert: " 5"})[1][0].code == "bad_value"
    assert service.check_answers(q, {sjt: "z"})[1][0].code == "bad_value"


def test_resume_at_the_first_page_with_an_unanswered_item(q: service.Questionnaire) -> None:
    everything = {item_id: "x" for page in q.pages for item_id in page}
    assert service.first_unanswered_page(q, everything) is None
    del everything[q.pages[2][-1]]
    assert service.first_unanswered_page(q, everything) == 3
    assert service.unanswered(q, everything) == [q.pages[2][-1]]


def test_a_pages_seconds_are_spread_over_its_items(q: service.Questionnaire) -> None:
    seconds = service.item_seconds(q, {1: 90.0, 99: 5.0})
    assert set(seconds) == set(q.pages[0])
    assert sum(seconds.values()) == pytest.approx(90.0)


def test_page_time_from_a_signed_stamp(q: service.Questionnaire) -> None:
    stamp = page_timing.page_stamp(secret=SECRET, assessment_id="A", page=2, now=1000.0)

    def seconds(**kw: object) -> float | None:
        args: dict[str, object] = {"secret": SECRET, "assessment_id": "A", "page": 2}
        args.update(stamp=stamp, now=1042.5)
        args.update(kw)
        return page_timing.page_seconds(**args)  # type: ignore[arg-type]

    assert seconds() == 42.5
    assert seconds(active="30.25") == 30.25  # the browser's active time, when plausible
    assert seconds(active="400") == 42.5  # longer than the page was open: ignored
    assert seconds(active="-1") == 42.5
    assert seconds(now=1000.0 + 86400) == page_timing.MAX_PAGE_SECONDS
    assert seconds(page=3) is None  # a stamp from another page
    assert seconds(assessment_id="B") is None  # or another assessment
    assert seconds(secret="other") is None
    assert seconds(now=900.0) is None  # from the future
    assert seconds(stamp="garbage") is None
    assert seconds(stamp="") is None


@pytest.mark.parametrize("text", ["²", "①", "١", "１", "1.0", " 1", "+1", "-1", "0", "", "99999"])
def test_a_page_number_is_plain_ascii_digits_within_the_questionnaire(
    q: service.Questionnaire, text: str
) -> None:
    assert service.page_number(text, q) is None


def test_page_numbers_name_every_page(q: service.Questionnaire) -> None:
    assert [service.page_number(str(n), q) for n in range(1, len(q.pages) + 1)] == list(
        range(1, len(q.pages) + 1)
    )
    assert service.page_number(str(len(q.pages) + 1), q) is None
