"""The message catalogue: every participant-facing text that does not come from the instrument."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

MESSAGES_DIR = Path(__file__).parent / "messages"
DEFAULT_LOCALE = "en"


@lru_cache
def _load(locale: str) -> dict[str, Any]:
    path = MESSAGES_DIR / f"{locale}.yaml"
    if not path.is_file():
        return {}
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    return {str(key): value for key, value in data.items()}


def available_locales() -> list[str]:
    return sorted(path.stem for path in MESSAGES_DIR.glob("*.yaml"))


class Catalogue:
    """Looks up a message by key in one locale, falling back to English key by key."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in available_locales() else DEFAULT_LOCALE

    def __contains__(self, key: str) -> bool:
        return key in _load(self.locale) or key in _load(DEFAULT_LOCALE)

    def __call__(self, key: str, /, count: int | None = None, **params: Any) -> str:
        message = _load(self.locale).get(key)
        if message is None:
            # A missing English message is a bug, so let it fail loudly (tests catch it).
            message = _load(DEFAULT_LOCALE)[key]
        if isinstance(message, dict):
            # Plural forms: "one" and "other" cover the languages we ship; others add keys.
            form = "one" if count == 1 else "other"
            message = message.get(form, message["other"])
        if count is not None:
            params["count"] = count
        return str(message).format(**params) if params else str(message)


@lru_cache
def catalogue(locale: str) -> Catalogue:
    return Catalogue(locale)
