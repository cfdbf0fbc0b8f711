"""Pick the text of one locale from an instrument's LocalText."""

from __future__ import annotations

from collections.abc import Mapping


def t(local_text: Mapping[str, str], locale: str, *, fallback: str | None = None) -> str:
    """The text in `locale`, else in `fallback` (pass `instrument.locales[0]`), else the first.

    The loader checks that every text has all the instrument's locales, so the fallback only
    matters for a locale the instrument does not offer.
    """
    for wanted in (locale, fallback):
        text = local_text.get(wanted) if wanted is not None else None
        if text:
            return text
    return next(iter(local_text.values()), "")
