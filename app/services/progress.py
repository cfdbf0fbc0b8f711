"""How far reps have got: answers given out of the questionnaire's items, and when they last
did something (an answer saved, or the start), for the dashboard and the rep's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Answer, Assessment, InstrumentVersion
from app.services.instruments import instrument_of


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    last_activity: datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def _totals(db: Session, version_ids: set[str]) -> dict[str, int]:
    versions = db.scalars(select(InstrumentVersion).where(InstrumentVersion.id.in_(version_ids)))
    return {v.id: len(instrument_of(v).items) for v in versions}


def progress_of(*, db: Session, assessments: list[Assessment]) -> dict[str, Progress]:
    """Progress of each assessment given (one query for all of them)."""
    if not assessments:
        return {}
    ids = [a.id for a in assessments]
    answered = {
        assessment_id: (count, last)
        for assessment_id, count, last in db.execute(
            select(Answer.assessment_id, func.count(), func.max(Answer.answered_at))
            .where(Answer.assessment_id.in_(ids))
            .group_by(Answer.assessment_id)
        )
    }
    totals = _totals(db, {a.instrument_version_id for a in assessments})
    found = {}
    for a in assessments:
        count, last = answered.get(a.id, (0, None))
        moments = [m for m in (last, a.started_at) if m is not None]
        found[a.id] = Progress(
            answered=count,
            total=totals.get(a.instrument_version_id, 0),
            last_activity=max(moments) if moments else None,
        )
    return found
