"""The order participants see the items in, and how they are split into pages.

Likert and impression items are interleaved round-robin across competencies so that no page
dwells on one competency (which invites answering the scale rather than the item), and the
situational judgement items get pages of their own, spread through the questionnaire.

Two layouts share one order: `standard` (up to 10 statements or 2 scenarios a page) and
`compact`, for narrow screens, which splits each standard page into pages of at most 6
statements or one scenario. Question numbers are therefore the same in both; only the page
breaks differ, so a participant who changes device keeps every answer and question number.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import zip_longest
from typing import Literal

from app.instrument.model import ImpressionItem, Instrument, LikertItem, SjtItem

STATEMENTS_PER_PAGE = 10
SJT_PER_PAGE = 2
COMPACT_STATEMENTS_PER_PAGE = 6
COMPACT_SJT_PER_PAGE = 1

Layout = Literal["standard", "compact"]
LAYOUTS: tuple[Layout, ...] = ("standard", "compact")


def _statement_order(instrument: Instrument) -> list[str]:
    by_competency: dict[str, list[str]] = defaultdict(list)
    impression: list[str] = []
    for item in instrument.items:
        if isinstance(item, LikertItem):
            by_competency[item.competency].append(item.id)
        elif isinstance(item, ImpressionItem):
            impression.append(item.id)
    rounds = zip_longest(*by_competency.values())
    likert = [item_id for round_ in rounds for item_id in round_ if item_id is not None]
    if not impression:
        return likert
    # Spread the impression items evenly, none first.
    step = len(likert) / (len(impression) + 1)
    order = list(likert)
    for k, item_id in reversed(list(enumerate(impression, start=1))):
        order.insert(round(k * step), item_id)
    return order


def _chunks(ids: list[str], size: int) -> list[list[str]]:
    """Split into the fewest pages of at most `size`, as even as possible."""
    if not ids:
        return []
    count = -(-len(ids) // size)
    base, extra = divmod(len(ids), count)
    pages, start = [], 0
    for k in range(count):
        end = start + base + (1 if k < extra else 0)
        pages.append(ids[start:end])
        start = end
    return pages


def _standard_pages(instrument: Instrument) -> list[list[str]]:
    statement_pages = _chunks(_statement_order(instrument), STATEMENTS_PER_PAGE)
    sjt = [item.id for item in instrument.items if isinstance(item, SjtItem)]
    sjt_pages = [sjt[k : k + SJT_PER_PAGE] for k in range(0, len(sjt), SJT_PER_PAGE)]
    if not sjt_pages:
        return statement_pages
    # One SJT page after every `gap` statement pages.
    gap = max(1, len(statement_pages) // len(sjt_pages))
    result: list[list[str]] = []
    for k, page in enumerate(statement_pages, start=1):
        result.append(page)
        if k % gap == 0 and sjt_pages:
            result.append(sjt_pages.pop(0))
    result.extend(sjt_pages)
    return result


def _compact(page: list[str], instrument: Instrument) -> list[list[str]]:
    sjt = {item.id for item in instrument.items if isinstance(item, SjtItem)}
    size = COMPACT_SJT_PER_PAGE if page and page[0] in sjt else COMPACT_STATEMENTS_PER_PAGE
    return _chunks(page, size)


def pages(instrument: Instrument, layout: Layout = "standard") -> list[list[str]]:
    """Item ids page by page, in presentation order."""
    standard = _standard_pages(instrument)
    if layout == "standard":
        return standard
    return [part for page in standard for part in _compact(page, instrument)]


def presentation_order(instrument: Instrument) -> list[str]:
    return [item_id for page in pages(instrument) for item_id in page]
