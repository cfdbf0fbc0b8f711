"""Taking an assessment: open it by its link, consent, save answers and page times, submit.

Every write first claims the assessment row (an UPDATE that matches only a started, unexpired
assessment). On PostgreSQL the claim takes the row lock, so a save and a submit of the same
assessment run one after the other: an answer is either in the stored result or refused,
never stored beside it. On SQLite write sessions already run one at a time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.instrument import page_timing
from app.instrument.model import Instrument
from app.instrument.presentation import LAYOUTS, Layout
from app.instrument.questionnaire import (
    AnswerProblem,
    Questionnaire,
    build_questionnaire,
    check_answers,
    item_seconds,
    page_number,
    resume_page,
)
from app.instrument.text import t
from app.models import Answer, Assessment, Organisation, PageTiming, PartnerOrder, Result
from app.services import assessments
from app.services.instruments import get_instrument, get_norms
from app.services.notice import Purpose, kept_for
from app.vocabulary import AssessmentStatus, status_at

# -- reading: what a link opens ---------------------------------------------------------------

# Instrument versions are immutable, so a parsed questionnaire can be kept for the process.
_QUESTIONNAIRES: dict[tuple[str, str], Questionnaire] = {}


def layout_of(text: str | None) -> Layout:
    """A stored or posted layout name; anything else reads as the standard layout."""
    return "compact" if text == "compact" else "standard"


def questionnaire(
    *, db: Session, assessment: Assessment, layout: str | None = None
) -> Questionnaire:
    """The assessment's questionnaire in `layout`, by default the one the participant uses."""
    chosen = layout_of(layout if layout is not None else assessment.page_layout)
    key = (assessment.instrument_version_id, chosen)
    if key not in _QUESTIONNAIRES:
        instrument = get_instrument(db, assessment.instrument_version_id)
        _QUESTIONNAIRES[key] = build_questionnaire(instrument, chosen)
    return _QUESTIONNAIRES[key]


@dataclass(frozen=True)
class Visit:
    """One participant link as its pages show it: everything a page is drawn from."""

    assessment_id: str
    status: AssessmentStatus  # as seen now: an open link past its expiry reads as expired
    locale: str
    questionnaire: Questionnaire
    organisation_name: str
    answers: dict[str, str]
    first_name: str = ""
    purpose: Purpose = Purpose.DEVELOPMENT
    share_feedback: bool = False  # the organisation lets reps have their feedback report
    kept: str = ""  # what is kept, how long and for what (notice.kept_for)

    @property
    def title(self) -> str:
        return t(self.questionnaire.instrument.title, self.locale)

    @property
    def layout(self) -> Layout:
        return self.questionnaire.layout

    @property
    def resume_page(self) -> int | None:
        """Where the participant left off; None when every item is answered."""
        return resume_page(self.questionnaire, self.answers)

    def page(self, text: str) -> int | None:
        return page_number(text, self.questionnaire)

    def page_of_question(self, text: str) -> int | None:
        """The page that holds question number `text` (as a form sends it)."""
        if not (text.isascii() and text.isdigit()) or len(text) > 4:
            return None
        q = self.questionnaire
        for item_id, number in q.number_of.items():
            if number == int(text):
                return q.page_of[item_id]
        return None


def visit_in_layout(*, db: Session, visit: Visit, layout: str) -> Visit:
    """The same visit with its pages in another layout (a page shown before a switch)."""
    assessment = db.get(Assessment, visit.assessment_id)
    if assessment is None:
        return visit
    return replace(visit, questionnaire=questionnaire(db=db, assessment=assessment, layout=layout))


def find_by_token(*, db: Session, token: str) -> Assessment | None:
    """The assessment a link opens, looked up by the token's hash (read only)."""
    if not token or len(token) > 200:
        return None
    return assessments.find_by_token(db=db, token=token)


def visit(*, db: Session, token: str, now: datetime | None = None) -> Visit | None:
    assessment = find_by_token(db=db, token=token)
    if assessment is None:
        return None
    organisation = db.get(Organisation, assessment.organisation_id)
    return Visit(
        assessment_id=assessment.id,
        status=status_at(assessment.status, assessment.expires_at, now or utcnow()),
        locale=assessment.locale,
        questionnaire=questionnaire(db=db, assessment=assessment),
        organisation_name=organisation.name if organisation else "",
        answers=answers(db=db, assessment_id=assessment.id),
        first_name=assessment.participant.first_name,
        purpose=purpose_of(db=db, assessment_id=assessment.id),
        share_feedback=bool(organisation and organisation.share_feedback),
        kept=kept_for(
            organisation=organisation.name,
            retention_days=organisation.retention_days,
            deidentified_norming=organisation.deidentified_norming,
            locale=assessment.locale,
        )
        if organisation
        else "",
    )


def purpose_of(*, db: Session, assessment_id: str) -> Purpose:
    """Selection when an applicant tracking system ordered it for a candidate (as the
    invitation e-mail says, app/services/mail.py), otherwise development."""
    ordered = db.scalar(select(PartnerOrder.id).where(PartnerOrder.assessment_id == assessment_id))
    return Purpose.SELECTION if ordered else Purpose.DEVELOPMENT


def answers(*, db: Session, assessment_id: str) -> dict[str, str]:
    rows = db.execute(
        select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment_id)
    )
    return {item_id: value for item_id, value in rows}


def page_stamp(*, secret: str, assessment_id: str, page: int, layout: str = "standard") -> str:
    return page_timing.page_stamp(
        secret=secret, assessment_id=assessment_id, page=page, now=time.time(), layout=layout
    )


# -- writing ----------------------------------------------------------------------------------


def consent(
    *, db: Session, token: str, layout: str = "standard", now: datetime | None = None
) -> AssessmentStatus | None:
    """Record consent and start the assessment in the page layout that suits the
    participant's screen (a second consent changes nothing); returns the status after, or None
    for an unknown link."""
    now = now or utcnow()
    assessment = find_by_token(db=db, token=token)
    if assessment is None:
        return None
    assessments.expire_due(db=db, now=now, assessment_id=assessment.id)
    if assessment.status == AssessmentStatus.INVITED:
        assessment.page_layout = layout_of(layout)
        assessments.start(db=db, assessment=assessment, actor="participant", now=now)
    return assessment.status


def change_layout(
    *, db: Session, visit: Visit, layout: str, now: datetime | None = None
) -> Layout | None:
    """Switch a started assessment to another page layout (the participant changed device);
    answers are kept by item, so nothing is lost. None when the assessment is not open."""
    now = now or utcnow()
    chosen = layout_of(layout)
    if layout not in LAYOUTS or not _claim(db, visit.assessment_id, now):
        return None
    db.execute(
        update(Assessment)
        .where(Assessment.id == visit.assessment_id)
        .values(page_layout=chosen)
        .execution_options(synchronize_session=False)
    )
    return chosen


def _claim(db: Session, assessment_id: str, now: datetime) -> bool:
    """Lock a started, unexpired assessment for this transaction; False when it is not."""
    claim: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(Assessment)
        .where(
            Assessment.id == assessment_id,
            Assessment.status == AssessmentStatus.STARTED,
            or_(Assessment.expires_at.is_(None), Assessment.expires_at > now),
        )
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claim.rowcount)


def _upsert_answers(
    db: Session, assessment_id: str, values: Mapping[str, str], now: datetime
) -> None:
    if not values:
        return
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement: Any = insert(Answer).values(
        [
            {"assessment_id": assessment_id, "item_id": item_id, "value": value, "answered_at": now}
            for item_id, value in values.items()
        ]
    )
    # ON CONFLICT: a JavaScript save and the page's form can race for the same item.
    statement = statement.on_conflict_do_update(
        index_elements=["assessment_id", "item_id"],
        set_={"value": statement.excluded.value, "answered_at": statement.excluded.answered_at},
    )
    db.execute(statement)


SaveStatus = Literal["saved", "refused", "closed"]


@dataclass(frozen=True)
class PageOutcome:
    """What became of a page's answers: `saved` (maybe with problems for some of them),
    or `closed` (the assessment is no longer open; nothing was saved)."""

    status: SaveStatus
    problems: list[AnswerProblem]


def save_page(
    *,
    db: Session,
    visit: Visit,
    page: int,
    given: Mapping[str, str],
    secret: str,
    stamp: str,
    active: str = "",
    q: Questionnaire | None = None,
    now: datetime | None = None,
) -> PageOutcome:
    """Save a page's answers and the time spent on it. The good answers are kept even when
    others on the page are refused. `q` is the questionnaire in the layout the page was shown
    in (by default the visit's)."""
    now = now or utcnow()
    q = q or visit.questionnaire
    valid, problems = check_answers(q, given, page=page)
    if not _claim(db, visit.assessment_id, now):
        return PageOutcome("closed", [])
    _upsert_answers(db, visit.assessment_id, valid, now)
    seconds = page_timing.page_seconds(
        secret=secret,
        assessment_id=visit.assessment_id,
        page=page,
        stamp=stamp,
        active=active,
        now=now.timestamp(),
        layout=q.layout,
    )
    if seconds is not None:
        db.add(
            PageTiming(
                assessment_id=visit.assessment_id, page=page, layout=q.layout, seconds=seconds
            )
        )
    return PageOutcome("saved", problems)


def save_answer(
    *, db: Session, visit: Visit, item_id: str, value: str, now: datetime | None = None
) -> PageOutcome:
    """One answer saved as soon as it is given (the page's JavaScript)."""
    now = now or utcnow()
    valid, problems = check_answers(visit.questionnaire, {item_id: value})
    if problems:
        return PageOutcome("refused", problems)
    if not _claim(db, visit.assessment_id, now):
        return PageOutcome("closed", [])
    _upsert_answers(db, visit.assessment_id, valid, now)
    return PageOutcome("saved", [])


def item_seconds_of(*, db: Session, assessment: Assessment) -> dict[str, float]:
    """Seconds per item from the page times, each page spread over the items it held in the
    layout it was shown in; an item seen in both layouts gets the time of both."""
    rows = db.execute(
        select(PageTiming.layout, PageTiming.page, func.sum(PageTiming.seconds))
        .where(PageTiming.assessment_id == assessment.id)
        .group_by(PageTiming.layout, PageTiming.page)
    )
    by_layout: dict[str, dict[int, float]] = {}
    for layout, page, total in rows:
        by_layout.setdefault(layout_of(layout), {})[int(page)] = float(total)
    seconds: dict[str, float] = {}
    for layout, pages in by_layout.items():
        q = questionnaire(db=db, assessment=assessment, layout=layout)
        for item_id, s in item_seconds(q, pages).items():
            seconds[item_id] = seconds.get(item_id, 0.0) + s
    return seconds


def pages_shown(*, db: Session, assessment: Assessment) -> list[list[str]] | None:
    """The item ids of each page the rep was timed on, in the layout it was shown in (a rep
    who switched layouts saw some items twice); None when no page was timed."""
    rows = db.execute(
        select(PageTiming.layout, PageTiming.page)
        .where(PageTiming.assessment_id == assessment.id)
        .group_by(PageTiming.layout, PageTiming.page)
        .order_by(PageTiming.layout, PageTiming.page)
    )
    shown: list[list[str]] = []
    for layout, page in rows:
        q = questionnaire(db=db, assessment=assessment, layout=layout_of(layout))
        if 1 <= int(page) <= len(q.pages):
            shown.append(q.pages[int(page) - 1])
    return shown or None


def submit(*, db: Session, token: str, now: datetime | None = None) -> AssessmentStatus | None:
    """Score the answers and store the result, exactly once; returns the status after (a
    double click, a second tab or a retried request finds it completed), None when unknown."""
    now = now or utcnow()
    assessment = find_by_token(db=db, token=token)
    if assessment is None:
        return None
    # The claim waits for any save of this assessment in progress (row lock) and then sees
    # its answers; a save arriving later waits for us and then finds it completed.
    if _claim(db, assessment.id, now):
        q = questionnaire(db=db, assessment=assessment)
        given = answers(db=db, assessment_id=assessment.id)
        seconds = item_seconds_of(db=db, assessment=assessment)
        seconds = {item_id: s for item_id, s in seconds.items() if item_id in given}
        shown = pages_shown(db=db, assessment=assessment)
        _score_and_store(db, assessment, q.instrument, given, seconds, now, shown)
    else:
        assessments.expire_due(db=db, now=now, assessment_id=assessment.id)
    db.refresh(assessment)
    return assessment.status


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
    _upsert_answers(db, assessment.id, values, now)
    for number, page in enumerate(q.pages, start=1):
        page_time = sum(seconds.get(item_id, 0.0) for item_id in page)
        db.add(
            PageTiming(assessment_id=assessment.id, page=number, layout=q.layout, seconds=page_time)
        )
    return _score_and_store(db, assessment, q.instrument, answers, seconds, now, q.pages)


def _score_and_store(
    db: Session,
    assessment: Assessment,
    instrument: Instrument,
    answers: Mapping[str, int | str],
    seconds: Mapping[str, float],
    now: datetime,
    pages: list[list[str]] | None = None,
) -> Result:
    from app.scoring.engine import score  # imported late: numpy and scipy are slow to load

    result = score(
        instrument,
        answers,
        seconds=seconds,
        norms=get_norms(db, assessment.norm_table_id),
        assessment_id=assessment.id,
        scored_at=now,
        pages=pages,
    )
    return assessments.store_result(db=db, assessment=assessment, result=result, now=now)
