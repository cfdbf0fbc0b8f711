"""The `describe` JSON of an instrument: what it measures and with which items."""

from __future__ import annotations

from typing import Any

from app.instrument.model import ImpressionItem, Instrument, LikertItem, SjtItem
from app.instrument.presentation import pages
from app.instrument.text import t


def describe(instrument: Instrument, locale: str | None = None) -> dict[str, Any]:
    """The describe JSON of DESIGN.md, plus `checksum`, `locales`, `pages` (page count) and,
    per item, `not_applicable` (whether it offers "does not apply to my work")."""
    lang = locale or instrument.locales[0]

    def text(local: dict[str, str]) -> str:
        return t(local, lang, fallback=instrument.locales[0])

    likert = [i for i in instrument.items if isinstance(i, LikertItem)]
    sjt = [i for i in instrument.items if isinstance(i, SjtItem)]
    impression = [i for i in instrument.items if isinstance(i, ImpressionItem)]
    return {
        "key": instrument.key,
        "version": instrument.version,
        "title": text(instrument.title),
        "estimated_minutes": instrument.estimated_minutes,
        "stages": [
            {"key": s.key, "name": text(s.name), "phase": s.phase} for s in instrument.stages
        ],
        "competencies": [
            {
                "key": c.key,
                "name": text(c.name),
                # Items that add to the competency's score: its Likert and SJT items.
                "items": sum(i.competency == c.key for i in likert)
                + sum(i.competency == c.key for i in sjt),
                "reverse_keyed": sum(i.competency == c.key and i.keyed == "-" for i in likert),
            }
            for c in instrument.competencies
        ],
        "items": {"likert": len(likert), "sjt": len(sjt), "validity": len(impression)},
        "item_list": [_item(i) for i in instrument.items],
        "checksum": instrument.checksum,
        "locales": list(instrument.locales),
        "pages": len(pages(instrument)),
    }


def _item(item: LikertItem | SjtItem | ImpressionItem) -> dict[str, Any]:
    if isinstance(item, SjtItem):
        return {
            "id": item.id,
            "type": item.type,
            "competency": item.competency,
            "keyed": None,
            "options": [o.key for o in item.options],
            "not_applicable": False,
        }
    return {
        "id": item.id,
        "type": item.type,
        "competency": item.competency if isinstance(item, LikertItem) else None,
        "keyed": item.keyed,
        "options": None,
        "not_applicable": isinstance(item, LikertItem) and item.not_applicable,
    }
