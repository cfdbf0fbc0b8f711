"""The dashboard's list of assessments: search by name or e-mail, filter by status, team and
validity, sort; the same selection feeds the CSV export. Scoped to one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from app import models
from app.clock import utcnow
from app.models import Assessment, Participant, Team
from app.services import assessments as assessment_service
from app.services.access import Scope
from app.services.progress import Progress, progress_of
from app.vocabulary import AssessmentStatus, status_at

VALIDITIES = ("valid", "caution", "invalid")
SORTS = {
    "changed": "Last change",
    "name": "Name",
    "invited": "Invited",
    "completed": "Completed",
}
SEARCH_MAX = 100  # characters of a search kept: longer ones match nothing more useful


def validity_of() -> ColumnElement[str]:
    """A stored result's validity status, read in SQL (JSON path on SQLite and PostgreSQL)."""
    status: ColumnElement[str] = models.Result.payload[("validity", "status")].as_string()
    return status


@dataclass(frozen=True)
class Filters:
    status: AssessmentStatus | None = None
    team_id: str | None = None
    validity: str | None = None
    search: str = ""
    sort: str = "changed"

    @property
    def any(self) -> bool:
        return bool(self.status or self.team_id or self.validity or self.search)

    @property
    def query(self) -> str:
        """The filters as a query string (for the CSV link), only those that are set."""
        pairs = {
            "q": self.search,
            "status": self.status.value if self.status else "",
            "team": self.team_id or "",
            "validity": self.validity or "",
            "sort": "" if self.sort == "changed" else self.sort,
        }
        return urlencode({key: value for key, value in pairs.items() if value})


def read_filters(
    *,
    status: str | None,
    team: str | None,
    validity: str | None,
    q: str | None,
    sort: str | None,
    team_ids: set[str],
) -> Filters:
    """Filters from a query string. Unknown values (old bookmarks, edited URLs) are dropped:
    they widen the list rather than fail."""
    search = "".join(ch for ch in (q or "") if ch.isprintable()).strip()[:SEARCH_MAX]
    return Filters(
        status=AssessmentStatus(status) if status in tuple(AssessmentStatus) else None,
        team_id=team if team in team_ids else None,
        validity=validity if validity in VALIDITIES else None,
        search=search,
        sort=sort if sort in SORTS else "changed",
    )


@dataclass(frozen=True)
class ListedAssessment:
    id: str
    rep_name: str
    email: str
    external_id: str | None
    team_name: str | None
    status: AssessmentStatus
    validity: str | None  # of a completed result
    invited_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    target_role: str | None
    target_stage: str | None
    progress: Progress | None = None  # reps who have started: answered of total, last activity


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def selection(*, scope: Scope, filters: Filters, columns: tuple[Any, ...] = ()) -> Select[Any]:
    """Assessment, Participant, team name, validity (and `columns`) of the matching rows."""
    validity = validity_of()
    query = (
        select(Assessment, Participant, Team.name, validity, *columns)
        .join(Participant, Participant.id == Assessment.participant_id)
        .outerjoin(Team, Team.id == Assessment.team_id)
        .outerjoin(models.Result, models.Result.assessment_id == Assessment.id)
        .where(scope.assessments())
    )
    if filters.status is not None:
        query = query.where(assessment_service.status_seen(utcnow()) == filters.status)
    if filters.team_id is not None:
        query = query.where(Assessment.team_id == filters.team_id)
    if filters.validity is not None:
        query = query.where(validity == filters.validity)
    if filters.search:
        pattern = _like(filters.search)
        full_name = Participant.first_name + " " + Participant.last_name
        query = query.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (Participant.email, full_name, Participant.last_name)
                )
            )
        )
    order = {
        "changed": (Assessment.updated_at.desc(),),
        "name": (func.lower(Participant.last_name), func.lower(Participant.first_name)),
        "invited": (Assessment.created_at.desc(),),
        "completed": (Assessment.completed_at.desc().nulls_last(),),
    }[filters.sort]
    return query.order_by(*order, Assessment.id)


def listed(
    *, db: Session, scope: Scope, filters: Filters, limit: int | None
) -> list[ListedAssessment]:
    query = selection(scope=scope, filters=filters)
    if limit is not None:
        query = query.limit(limit)
    now = utcnow()
    rows = db.execute(query).all()
    started = [a for a, *_ in rows if a.status == AssessmentStatus.STARTED]
    progress = progress_of(db=db, assessments=started)
    return [
        ListedAssessment(
            id=a.id,
            rep_name=p.full_name,
            email=p.email,
            external_id=p.external_id,
            team_name=team_name,
            status=status_at(a.status, a.expires_at, now),
            validity=validity,
            invited_at=a.created_at,
            updated_at=a.updated_at,
            completed_at=a.completed_at,
            target_role=a.target_role,
            target_stage=a.target_stage,
            progress=progress.get(a.id),
        )
        for a, p, team_name, validity in rows
    ]
