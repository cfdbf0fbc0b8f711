"""Taking an assessment: open it by its link, consent, save answers and page times, submit."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.instrument.answers import answer_options
from app.instrument.model import Instrument
from app.instrument.presentation import pages as instrument_pages
from app.instrument.text import t
from app.models import Answer, Assessment, Organisation, PageTiming, Result
from app.services import assessments
from app.services.instruments import get_instrument, get_norms

# A page left open overnight says nothing about how carefully it was answered; the validity
# indices look for answers that were too fast, so long stays are capped rather than dropped.
MAX_PAGE_SECONDS = 30 * 60.0
# The client's own measure of active time may be a little over the server's (clock skew).
CLIENT_SLACK_SECONDS = 5.0


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- finding the assessment -------------------------------------------------------------------


def find_by_token(*, db: Session, token: str) -> Assessment | None:
    """The assessment a link opens, looked up by the token's hash; expiry is applied here."""
    if not token or len(token) > 200:
        return None
    assessment = assessments.find_by_token(db=db, token=token)
    if assessment is not None:
        assessments.expire_if_due(db=db, assessment=assessment)
    return assessment


def organisation_name(*, db: Session, assessment: Assessment) -> str:
    organisation = db.get(Organisation, assessment.organisation_id)
    return organisation.name if organisation else ""


# -- the questionnaire as the participant sees it ---------------------------------------------


@dataclass(frozen=True)
class Questionnaire:
    """An instrument split into pages, with each item's page and question number."""

    instrument: Instrument
    pages: list[list[str]]
    page_of: dict[str, int]  # item id → page number (1-based)
    number_of: dict[str, int]  # item id → question number (1-based, presentation order)
    allowed: dict[str, frozenset[str]]  # item id → the values an answer may take

    @property
    def item_count(self) -> int:
        return len(self.number_of)

    def item(self, item_id: str) -> Any:
        return _items_by_id(self.instrument)[item_id]


def _items_by_id(instrument: Instrument) -> dict[str, Any]:
    return {item.id: item for item in instrument.items}


def build_questionnaire(instrument: Instrument) -> Questionnaire:
    page_list = instrument_pages(instrument)
    allowed = answer_options(instrument)
    page_of: dict[str, int] = {}
    number_of: dict[str, int] = {}
    for page_number, page in enumerate(page_list, start=1):
        for item_id in page:
            page_of[item_id] = page_number
            number_of[item_id] = len(number_of) + 1
    return Questionnaire(instrument, page_list, page_of, number_of, allowed)


# Instrument versions are immutable, so a parsed questionnaire can be kept for the process.
_QUESTIONNAIRES: dict[str, Questionnaire] = {}


def questionnaire(*, db: Session, assessment: Assessment) -> Questionnaire:
    key = assessment.instrument_version_id
    if key not in _QUESTIONNAIRES:
        _QUESTIONNAIRES[key] = build_questionnaire(get_instrument(db, key))
    return _QUESTIONNAIRES[key]


def title(q: Questionnaire, locale: str) -> str:
    return t(q.instrument.title, locale)


# -- consent, answers, page times -------------------------------------------------------------


def consent(*, db: Session, assessment: Assessment) -> None:
    """Record consent and start the assessment; a second consent changes nothing."""
    assessments.start(db=db, assessment=assessment, actor="participant")


def answers(*, db: Session, assessment: Assessment) -> dict[str, str]:
    rows = db.execute(
        select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment.id)
    )
    return {item_id: value for item_id, value in rows}


@dataclass(frozen=True)
class AnswerProblem:
    """An answer that could not be saved: `unknown_item` or `bad_value`."""

    code: str
    item_id: str


def check_answers(
    q: Questionnaire, given: dict[str, str], *, page: int | None = None
) -> tuple[dict[str, str], list[AnswerProblem]]:
    """Split answers into those that can be saved and the problems with the rest.

    With `page`, only that page's items may be answered (a form can only hold those).
    """
    valid: dict[str, str] = {}
    problems: list[AnswerProblem] = []
    for item_id, value in given.items():
        allowed = q.allowed.get(item_id)
        if allowed is None or (page is not None and q.page_of.get(item_id) != page):
            problems.append(AnswerProblem("unknown_item", item_id))
        elif value not in allowed:
            problems.append(AnswerProblem("bad_value", item_id))
        else:
            valid[item_id] = value
    return valid, problems


def save_answers(
    *, db: Session, assessment: Assessment, values: dict[str, str], now: datetime | None = None
) -> None:
    """Upsert: one row per item, the latest value given (callers check the values first)."""
    if not values:
        return
    now = now or utcnow()
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement: Any = insert(Answer).values(
        [
            {"assessment_id": assessment.id, "item_id": item_id, "value": value, "answered_at": now}
            for item_id, value in values.items()
        ]
    )
    # ON CONFLICT: a JavaScript save and the page's form can race for the same item.
    statement = statement.on_conflict_do_update(
        index_elements=["assessment_id", "item_id"],
        set_={"value": statement.excluded.value, "answered_at": statement.excluded.answered_at},
    )
    db.execute(statement)
    db.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )


def record_page_time(*, db: Session, assessment: Assessment, page: int, seconds: float) -> None:
    db.add(PageTiming(assessment_id=assessment.id, page=page, seconds=seconds))


# A page's form carries a stamp of when it was rendered, signed so that the participant's
# browser cannot make the time spent look longer or shorter than it was.


def page_stamp(*, secret: str, assessment_id: str, page: int, now: float | None = None) -> str:
    millis = int((time.time() if now is None else now) * 1000)
    return f"{millis}.{_stamp_signature(secret, assessment_id, page, millis)}"


def _stamp_signature(secret: str, assessment_id: str, page: int, millis: int) -> str:
    message = f"{assessment_id}:{page}:{millis}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def page_seconds(
    *,
    secret: str,
    assessment_id: str,
    page: int,
    stamp: str,
    active: str = "",
    now: float | None = None,
) -> float | None:
    """Seconds spent on a page, or None when the stamp is missing or not ours.

    The browser's measure of active time (JavaScript pauses it while the tab is hidden) is
    preferred when it is plausible, i.e. not longer than the page was open.
    """
    try:
        millis_text, signature = stamp.split(".", 1)
        millis = int(millis_text)
    except ValueError:
        return None
    expected = _stamp_signature(secret, assessment_id, page, millis)
    if not hmac.compare_digest(signature, expected):
        return None
    elapsed = (time.time() if now is None else now) - millis / 1000
    if elapsed < 0:
        return None
    try:
        client = float(active)
    except ValueError:
        client = -1.0
    if 0 <= client <= elapsed + CLIENT_SLACK_SECONDS:
        elapsed = client
    return round(min(elapsed, MAX_PAGE_SECONDS), 3)


# -- where to resume, what is missing ---------------------------------------------------------


def first_unanswered_page(q: Questionnaire, given: dict[str, str]) -> int | None:
    for page_number, page in enumerate(q.pages, start=1):
        if any(item_id not in given for item_id in page):
            return page_number
    return None


def unanswered(q: Questionnaire, given: dict[str, str]) -> list[str]:
    return [item_id for page in q.pages for item_id in page if item_id not in given]


def item_seconds(q: Questionnaire, page_seconds_: dict[int, float]) -> dict[str, float]:
    """A page's seconds spread evenly over its items (the validity indices work per item)."""
    seconds: dict[str, float] = {}
    for page_number, total in page_seconds_.items():
        if 1 <= page_number <= len(q.pages):
            page = q.pages[page_number - 1]
            for item_id in page:
                seconds[item_id] = total / len(page)
    return seconds


def _page_seconds_of(*, db: Session, assessment_id: str) -> dict[int, float]:
    rows = db.execute(
        select(PageTiming.page, func.sum(PageTiming.seconds))
        .where(PageTiming.assessment_id == assessment_id)
        .group_by(PageTiming.page)
    )
    return {int(page): float(total) for page, total in rows}


# -- submitting -------------------------------------------------------------------------------


def submit(*, db: Session, assessment: Assessment) -> bool:
    """Score the answers and store the result, exactly once.

    Returns True when this call completed the assessment, False when it was completed already
    (a double click, a second tab, a retried request) or is not open.
    """
    now = utcnow()
    # The claim: an UPDATE that only matches a started assessment. On PostgreSQL a concurrent
    # claim waits for this row lock, then re-reads the row, finds it completed and matches
    # nothing; on SQLite the write session holds the database's write lock, so submits run
    # one after the other. The results table's unique assessment_id backs both up.
    claim: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == "started")
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    claimed = claim.rowcount
    db.refresh(assessment)
    if not claimed:
        return False
    q = questionnaire(db=db, assessment=assessment)
    given = answers(db=db, assessment=assessment)
    seconds = item_seconds(q, _page_seconds_of(db=db, assessment_id=assessment.id))
    seconds = {item_id: s for item_id, s in seconds.items() if item_id in given}
    _score_and_store(db, assessment, q.instrument, given, seconds, now)
    return True


def complete(
    *,
    db: Session,
    assessment: Assessment,
    answers: Mapping[str, int | str],
    seconds: Mapping[str, float],
    started: datetime | None = None,
    now: datetime | None = None,
) -> Result:
    """Take an assessment in one go (the demo, tests): start it at `started`, save all the
    answers and each page's time (its items' seconds), score and store the result at `now`."""
    now = now or utcnow()
    q = questionnaire(db=db, assessment=assessment)
    assessments.start(db=db, assessment=assessment, now=started or now)
    values = {item_id: str(value) for item_id, value in answers.items()}
    save_answers(db=db, assessment=assessment, values=values, now=now)
    for number, page in enumerate(q.pages, start=1):
        page_time = sum(seconds.get(item_id, 0.0) for item_id in page)
        record_page_time(db=db, assessment=assessment, page=number, seconds=page_time)
    return _score_and_store(db, assessment, q.instrument, answers, seconds, now)


def _score_and_store(
    db: Session,
    assessment: Assessment,
    instrument: Instrument,
    answers: Mapping[str, int | str],
    seconds: Mapping[str, float],
    now: datetime,
) -> Result:
    from app.scoring.engine import score  # imported late: numpy and scipy are slow to load

    result = score(
        instrument,
        answers,
        seconds=seconds,
        norms=get_norms(db, assessment.norm_table_id),
        assessment_id=assessment.id,
        scored_at=now,
    )
    return assessments.store_result(db=db, assessment=assessment, result=result, now=now)
