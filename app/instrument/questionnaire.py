"""The questionnaire as a participant meets it: pages, question numbers, which answers an item
takes, where to resume and what is missing. Pure: no web, database or clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from app.instrument.answers import answer_options
from app.instrument.model import Instrument, Item
from app.instrument.presentation import Layout
from app.instrument.presentation import pages as instrument_pages

ProblemCode = Literal["unknown_item", "bad_value"]


@dataclass(frozen=True)
class Questionnaire:
    """An instrument split into pages, with each item's page and question number."""

    instrument: Instrument
    pages: list[list[str]]
    page_of: dict[str, int]  # item id → page number (1-based)
    number_of: dict[str, int]  # item id → question number (1-based, presentation order)
    allowed: dict[str, frozenset[str]]  # item id → the values an answer may take
    items: dict[str, Item] = field(repr=False)
    layout: Layout = "standard"

    @property
    def item_count(self) -> int:
        return len(self.number_of)

    def item(self, item_id: str) -> Item:
        return self.items[item_id]


def allowed_answers(instrument: Instrument) -> dict[str, frozenset[str]]:
    """Item id → the answers it takes: scale points "1".."n" (and "na", "does not apply to my
    work", where a statement offers it), or an SJT item's option keys."""
    return answer_options(instrument)


def build_questionnaire(instrument: Instrument, layout: Layout = "standard") -> Questionnaire:
    page_list = instrument_pages(instrument, layout)
    page_of: dict[str, int] = {}
    number_of: dict[str, int] = {}
    for page_number, page in enumerate(page_list, start=1):
        for item_id in page:
            page_of[item_id] = page_number
            number_of[item_id] = len(number_of) + 1
    return Questionnaire(
        instrument=instrument,
        pages=page_list,
        page_of=page_of,
        number_of=number_of,
        allowed=allowed_answers(instrument),
        items={item.id: item for item in instrument.items},
        layout=layout,
    )


def page_number(text: str, q: Questionnaire) -> int | None:
    """The page a URL names: ASCII digits only ("²", "١" and "１" are digits to Python, not
    page numbers), within the questionnaire; None otherwise."""
    if not text or len(text) > 4 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= len(q.pages) else None


@dataclass(frozen=True)
class AnswerProblem:
    """An answer that could not be saved: `unknown_item` or `bad_value`."""

    code: ProblemCode
    item_id: str


def check_answers(
    q: Questionnaire, given: Mapping[str, str], *, page: int | None = None
) -> tuple[dict[str, str], list[AnswerProblem]]:
    """Split answers into those that can be saved and the problems with the rest.

    With `page`, only that page's items may be answered (a form can only hold those).
    """
    valid: dict[str, str] = {}
    problems: list[AnswerProblem] = []
    for item_id, value in given.items():
        allowed = q.allowed.get(item_id)
        if allowed is None or (page is not None and q.page_of.get(item_id) != page):
            problems.append(AnswerProblem("unknown_item", item_id))
        elif value not in allowed:
            problems.append(AnswerProblem("bad_value", item_id))
        else:
            valid[item_id] = value
    return valid, problems


def first_unanswered_page(q: Questionnaire, given: Mapping[str, str]) -> int | None:
    for number, page in enumerate(q.pages, start=1):
        if any(item_id not in given for item_id in page):
            return number
    return None


def resume_page(q: Questionnaire, given: Mapping[str, str]) -> int | None:
    """Where the participant left off: the first page with an unanswered item after the
    furthest answered question (questions skipped before it are listed on the review page);
    else the first page with a gap; None when every item is answered."""
    answered = [q.number_of[item_id] for item_id in given if item_id in q.number_of]
    furthest = max(answered, default=0)
    for number, page in enumerate(q.pages, start=1):
        if any(item_id not in given and q.number_of[item_id] > furthest for item_id in page):
            return number
    return first_unanswered_page(q, given)


def skipped_before(q: Questionnaire, given: Mapping[str, str], page: int) -> int:
    """How many questions on the pages before `page` have no answer."""
    return sum(1 for p in q.pages[: page - 1] for item_id in p if item_id not in given)


def minutes_left(q: Questionnaire, given: Mapping[str, str]) -> int:
    """The instrument's estimate scaled to the questions still unanswered, rounded up."""
    left = sum(1 for item_id in q.number_of if item_id not in given)
    if not left or not q.item_count:
        return 0
    return max(1, -(-q.instrument.estimated_minutes * left // q.item_count))


def unanswered(q: Questionnaire, given: Mapping[str, str]) -> list[str]:
    return [item_id for page in q.pages for item_id in page if item_id not in given]


def item_seconds(q: Questionnaire, page_seconds: Mapping[int, float]) -> dict[str, float]:
    """A page's seconds spread evenly over its items (the validity indices work per item)."""
    seconds: dict[str, float] = {}
    for number, total in page_seconds.items():
        if 1 <= number <= len(q.pages):
            page = q.pages[number - 1]
            for item_id in page:
                seconds[item_id] = total / len(page)
    return seconds
