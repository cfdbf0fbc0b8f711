"""What text the service accepts: lengths taken from the database columns, and no control
characters (PostgreSQL refuses NUL outright; SQLite would store it)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String

# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def max_length(column: Any) -> int:
    """The length of a String column (a mapped attribute such as `Participant.email`)."""
    column_type = column.property.columns[0].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{column} has no length")
    return int(column_type.length)


def clip(column: Any, value: str) -> str:
    """`value` cut to fit the column: for what we record, not for what users typed (e.g. the
    User-Agent of a session)."""
    return _CONTROL.sub("", value)[: max_length(column)]


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


def text_problem(value: str, limit: int) -> str | None:
    """Why a user's text cannot be stored, in words for them; None when it can."""
    if has_control_characters(value):
        return "contains a control character"
    if len(value) > limit:
        return f"is longer than {limit} characters"
    return None
