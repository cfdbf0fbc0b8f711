"""The dashboard at /app: teams, counts per status, recent assessments with filters."""

from __future__ import annotations

from fastapi import Request, Response

from app.deps import CurrentScope, CurrentUser, SessionDep
from app.services import dashboard
from app.vocabulary import AssessmentStatus
from app.web.manager.pages import render
from app.web.manager.security import manager_router

router = manager_router(prefix="/app", tags=["manager"])


@router.get("")
def home(
    request: Request,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    status: str | None = None,
    team: str | None = None,
) -> Response:
    teams = dashboard.teams(db=db, scope=scope)
    # Unknown filter values (old bookmarks, edited URLs) show everything rather than fail.
    chosen = AssessmentStatus(status) if status in dashboard.STATUSES else None
    team_id = team if any(t.id == team for t in teams) else None
    rows = dashboard.recent_assessments(db=db, scope=scope, status=chosen, team_id=team_id)
    return render(
        request,
        "dashboard.html",
        user=user,
        teams=teams,
        counts=dashboard.status_counts(db=db, scope=scope),
        assessments=rows,
        status=chosen,
        team_id=team_id,
        statuses=dashboard.STATUSES,
        limit=dashboard.LIST_LIMIT,
    )
