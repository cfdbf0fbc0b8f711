"""What a participant is told about an assessment before taking it: what it is for, how long it
takes, who sees the results and how long they are kept. Said in one place (the sentences are
the message catalogue's `notice.*`), so an organisation's own wording can later replace them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.web.i18n import catalogue


class Purpose(StrEnum):
    DEVELOPMENT = "development"  # an employee, for coaching
    SELECTION = "selection"  # a candidate, for a hiring decision


@dataclass(frozen=True)
class Notice:
    purpose: str
    time: str
    who_sees: str
    kept: str


def notice_for(*, organisation: str, purpose: Purpose, minutes: int, locale: str) -> Notice:
    say = catalogue(locale)
    return Notice(
        purpose=say(f"notice.purpose.{purpose.value}", organisation=organisation),
        time=say("notice.time", minutes=minutes),
        who_sees=say("notice.who_sees", organisation=organisation),
        kept=say("notice.kept", organisation=organisation),
    )
