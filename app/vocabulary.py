"""The service's fixed words: assessment statuses and sign-in roles, each defined once.

Stage and band keys are the instrument's (app/instrument/process.py); everything else that
names a status or a role imports it from here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from app.clock import as_utc


class AssessmentStatus(StrEnum):
    INVITED = "invited"
    STARTED = "started"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({AssessmentStatus.INVITED, AssessmentStatus.STARTED})
CLOSED_STATUSES = frozenset(set(AssessmentStatus) - OPEN_STATUSES)


def status_at(
    status: AssessmentStatus, expires_at: datetime | None, now: datetime
) -> AssessmentStatus:
    """The status a reader sees at `now`: an open assessment past its expiry is expired, even
    before the expiry job has written it (so pages can read without writing)."""
    if status in OPEN_STATUSES and expires_at is not None and as_utc(expires_at) <= now:
        return AssessmentStatus.EXPIRED
    return status


class Role(StrEnum):
    ADMIN = "admin"  # the whole organisation, its settings, keys and webhooks
    MANAGER = "manager"  # the teams they manage
