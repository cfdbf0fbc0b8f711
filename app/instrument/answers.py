"""The answers each item accepts, as participants give them (strings, as a form sends them).

A Likert or impression item takes a scale point "1".."points"; a Likert item that presumes a
stage not every rep works in (`not_applicable: true`) also takes NOT_APPLICABLE, "does not
apply to my work", which scoring counts as a missing answer. A situational judgement item takes
one of its option keys.
"""

from __future__ import annotations

from app.instrument.model import Instrument, Item, LikertItem, SjtItem

NOT_APPLICABLE = "na"
"""The answer "does not apply to my work"; its label is the instrument's
`scale.not_applicable`."""


def _allowed(item: Item, scale: frozenset[str]) -> frozenset[str]:
    if isinstance(item, SjtItem):
        return frozenset(option.key for option in item.options)
    if isinstance(item, LikertItem) and item.not_applicable:
        return scale | {NOT_APPLICABLE}
    return scale


def _scale(instrument: Instrument) -> frozenset[str]:
    return frozenset(str(point) for point in range(1, instrument.scale.points + 1))


def answer_options(instrument: Instrument) -> dict[str, frozenset[str]]:
    """Item id → every answer the item accepts."""
    scale = _scale(instrument)
    return {item.id: _allowed(item, scale) for item in instrument.items}


def allowed_answers(instrument: Instrument, item_id: str) -> frozenset[str]:
    """The answers one item accepts; KeyError for an id the instrument does not have."""
    for item in instrument.items:
        if item.id == item_id:
            return _allowed(item, _scale(instrument))
    raise KeyError(item_id)


def offers_not_applicable(instrument: Instrument) -> frozenset[str]:
    """The ids of the items that offer "does not apply to my work"."""
    return frozenset(
        item.id for item in instrument.items if isinstance(item, LikertItem) and item.not_applicable
    )
