"""Waking the worker when a transaction that wrote a due outbox message commits, so the
message normally leaves within a second instead of at the next poll.

Best effort by design: a wake-up that is lost (the process dies right after the commit, the
job queue is unreachable) only delays the message until the worker's next poll, because the
outbox row itself is the record. Any code path that writes a pending message is covered (new
messages, redelivery on request, `stagefit outbox retry`): the check looks at what the session
flushes, not at who called.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import OutboxMessage
from app.services.outbox import Status

log = logging.getLogger("stagefit.worker")
_DUE = "stagefit.outbox_due"
_wakers: list[Callable[[], None]] = []
_lock = threading.Lock()
_installed = False


def add(waker: Callable[[], None]) -> None:
    """Call `waker` (quickly, without blocking) after each commit that made a message due."""
    _install()
    with _lock:
        _wakers.append(waker)


def remove(waker: Callable[[], None]) -> None:
    with _lock:
        if waker in _wakers:
            _wakers.remove(waker)


def _made_due(message: Any) -> bool:
    # A claim sets a lease (not due to anybody else); new and redelivered messages have none.
    return (
        isinstance(message, OutboxMessage)
        and message.status == Status.PENDING
        and message.locked_until is None
    )


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if any(_made_due(obj) for obj in chain(session.new, session.dirty)):
        session.info[_DUE] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(_DUE, False):
        return
    with _lock:
        wakers = list(_wakers)
    for waker in wakers:
        try:
            waker()
        except Exception:  # a wake-up is never worth failing a committed request for
            log.exception("waking the worker failed; the message waits for the next poll")


def _after_rollback(session: Session) -> None:
    session.info.pop(_DUE, None)


def _install() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True
