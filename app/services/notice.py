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


def describe_period(days: int) -> str:
    """A retention period in words: whole years where it is whole years, else days."""
    if days % 365 == 0:
        years = days // 365
        return "1 year" if years == 1 else f"{years} years"
    return f"{days} days"


def kept_for(
    *, organisation: str, retention_days: int, deidentified_norming: bool, locale: str
) -> str:
    """What is kept, for how long and for what: the organisation's retention period, and
    whether de-identified results stay for norms after that (app/services/retention.py)."""
    say = catalogue(locale)
    period = say("notice.kept", organisation=organisation, period=describe_period(retention_days))
    after = say("notice.kept_norming") if deidentified_norming else say("notice.kept_nothing")
    return f"{period} {after}"


def notice_for(
    *,
    organisation: str,
    purpose: Purpose,
    minutes: int,
    locale: str,
    kept: str,
) -> Notice:
    """`kept`: the organisation's `kept_for` sentence."""
    say = catalogue(locale)
    return Notice(
        purpose=say(f"notice.purpose.{purpose.value}", organisation=organisation),
        time=say("notice.time", minutes=minutes),
        who_sees=say("notice.who_sees", organisation=organisation),
        kept=kept,
    )
