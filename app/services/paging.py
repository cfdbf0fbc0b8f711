"""Cursor pagination for the HR API: rows in a stable order by (a timestamp, id), and an
opaque cursor naming the last row of a page. A row added or changed after a page was read
sorts after it, so paging on finds it and never repeats or skips an unchanged row."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, literal, tuple_

from app.clock import as_utc
from app.errors import UserError
from app.models.base import UTCDateTime

T = TypeVar("T")


class BadCursor(UserError):
    status_code = 422


@dataclass(frozen=True)
class After:
    moment: datetime
    id: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode(moment: datetime, row_id: str) -> str:
    # Microseconds kept: two rows within a second must still have an order.
    raw = json.dumps([as_utc(moment).isoformat(), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str) -> After:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, row_id = json.loads(raw)
        return After(moment=as_utc(datetime.fromisoformat(moment)), id=str(row_id))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor(
            "cursor: not a cursor of this list; pass next_cursor as it was given"
        ) from None


def page(rows: list[T], limit: int, key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    """`rows` fetched with limit + 1: the page, and a cursor when there is more."""
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    items = rows[:limit]
    return Page(items=items, next_cursor=encode(*key(items[-1])))


def after(moment_column: Any, id_column: Any, cursor: str) -> ColumnElement[bool]:
    """Rows after the cursor's row, as a row-value comparison an index on (moment, id) serves;
    the moment is bound as the column's type (SQLite compares stored text)."""
    last = decode(cursor)
    return tuple_(moment_column, id_column) > tuple_(
        literal(last.moment, UTCDateTime()), literal(last.id)
    )
