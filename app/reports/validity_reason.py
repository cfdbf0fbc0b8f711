"""One short line saying why a result is invalid or to be read with caution, e.g. "Invalid:
answered too fast", for the places that show a flagged rep greyed (team page, team PDF,
the team matching API)."""

from __future__ import annotations

from app.scoring.result import Validity

# In a manager's words; the report's validity section keeps the full sentences.
PHRASES = {
    "too_fast": "answered too fast",
    "fast_pages": "pages answered too fast",
    "long_string": "long runs of identical answers",
    "inconsistent": "inconsistent answers",
    "even_odd": "inconsistent answers",
    "synonyms": "inconsistent answers",
    "antonyms": "inconsistent answers",
    "person_total": "an unusual answer pattern",
    "mahalanobis": "an unusual answer pattern",
    "uniformly_favourable": "uniformly favourable answers",
    "impression_management": "high impression management",
    "incomplete": "too many items left out",
}
STATUS_WORDS = {"invalid": "Invalid", "caution": "Caution"}


def validity_reason(validity: Validity) -> str | None:
    """None for a valid result; otherwise the status and the flags at that level."""
    if validity.status not in STATUS_WORDS:
        return None
    phrases: list[str] = []
    for flag in validity.flags:
        phrase = PHRASES.get(flag.code, flag.code.replace("_", " "))
        if flag.level == validity.status and phrase not in phrases:
            phrases.append(phrase)
    words = STATUS_WORDS[validity.status]
    return f"{words}: {', '.join(phrases)}" if phrases else words
