"""The dashboard at /app: teams, counts per status, assessments to search, filter and sort,
and the same selection as CSV."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.deps import CurrentScope, CurrentUser, SessionDep
from app.services import assessment_list, dashboard, reminders, results_export
from app.services.access import Scope
from app.web.manager.pages import render
from app.web.manager.security import manager_router

router = manager_router(prefix="/app", tags=["manager"])


def _filters(
    db: Session,
    scope: Scope,
    status: str | None,
    team: str | None,
    validity: str | None,
    q: str | None,
    sort: str | None,
) -> tuple[list[dashboard.TeamRow], assessment_list.Filters]:
    teams = dashboard.teams(db=db, scope=scope)
    filters = assessment_list.read_filters(
        status=status, team=team, validity=validity, q=q, sort=sort, team_ids={t.id for t in teams}
    )
    return teams, filters


@router.get("")
def home(
    request: Request,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    status: str | None = None,
    team: str | None = None,
    reminded: int | None = None,
    validity: str | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> Response:
    teams, filters = _filters(db, scope, status, team, validity, q, sort)
    rows = assessment_list.listed(db=db, scope=scope, filters=filters, limit=dashboard.LIST_LIMIT)
    return render(
        request,
        "dashboard.html",
        user=user,
        teams=teams,
        counts=dashboard.status_counts(db=db, scope=scope),
        assessments=rows,
        f=filters,
        status=filters.status,
        team_id=filters.team_id,
        statuses=dashboard.STATUSES,
        validities=assessment_list.VALIDITIES,
        sorts=assessment_list.SORTS,
        limit=dashboard.LIST_LIMIT,
        not_started=reminders.not_started(db=db, scope=scope),
        reminded=reminded,
    )


@router.get("/export.csv")
def export(
    scope: CurrentScope,
    db: SessionDep,
    status: str | None = None,
    team: str | None = None,
    validity: str | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> Response:
    """The dashboard's selection (all of it, not only the first page) as CSV."""
    _, filters = _filters(db, scope, status, team, validity, q, sort)
    text = results_export.export_csv(db=db, scope=scope, filters=filters)
    day = utcnow().strftime("%Y-%m-%d")
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="stagefit-results-{day}.csv"'},
    )
