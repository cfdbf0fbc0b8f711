"""A team: GET /app/teams/{id} (heat map of reps × stages) and its Team report PDF."""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response
from sqlalchemy.orm import Session

from app.deps import CurrentUser, DatabaseDep, SessionDep
from app.services import audit, dashboard, reports
from app.services.sessions import SignedInUser
from app.web.manager.errors import not_found
from app.web.manager.pages import FieldError, render
from app.web.manager.security import manager_router
from app.web.pdf import pdf_response

router = manager_router(prefix="/app/teams", tags=["manager"])
MAX_HEADCOUNT = 99


def _page(
    request: Request,
    user: CurrentUser,
    detail: dashboard.TeamDetail,
    headcounts: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    return render(
        request,
        "team.html",
        user=user,
        t=detail,
        r=detail.report,
        headcounts=headcounts or {},
        errors=errors,
    )


def _detail(db: Session, user: SignedInUser, team_id: str) -> dashboard.TeamDetail:
    """The team if it belongs to the user's organisation; the not-found page otherwise."""
    detail = dashboard.team_detail(db=db, organisation_id=user.organisation_id, team_id=team_id)
    if detail is None:
        raise not_found()
    return detail


@router.get("/{team_id}")
def show(request: Request, team_id: str, user: CurrentUser, db: SessionDep) -> Response:
    return _page(request, user, _detail(db, user, team_id))


def _headcounts(request: Request) -> tuple[dict[str, str], dict[str, int] | None, list[FieldError]]:
    """Head-counts per stage from the form: blank means "no limit asked for" (the team report
    then spreads reps evenly); any number given switches to head-counts for every stage."""
    query = request.query_params
    given = {key: query.get(f"hc_{key}", "").strip() for key in dashboard.stage_keys()}
    errors = []
    for key, value in given.items():
        if value and not (value.isascii() and value.isdigit() and int(value) <= MAX_HEADCOUNT):
            errors.append(
                FieldError(
                    f"Enter a whole number from 0 to {MAX_HEADCOUNT}, or leave it blank.",
                    f"hc_{key}",
                )
            )
    if errors or not any(given.values()):
        return given, None, errors
    return given, {key: int(value or 0) for key, value in given.items()}, []


@router.get("/{team_id}/report.pdf")
def report_pdf(
    request: Request,
    team_id: str,
    user: CurrentUser,
    db: SessionDep,
    database: DatabaseDep,
    paper: Literal["a4", "letter"] = "a4",
) -> Response:
    """The Team Sales Process Report, with the head-counts asked for in the form."""
    if dashboard.find_team(db=db, organisation_id=user.organisation_id, team_id=team_id) is None:
        raise not_found()
    given, counts, errors = _headcounts(request)
    if errors:
        return _page(request, user, _detail(db, user, team_id), given, errors)
    report = reports.team_report(
        db=db,
        team_id=team_id,
        headcounts=counts,
        paper=paper,
        organisation_id=user.organisation_id,
    )
    audit.record_access(
        database=database,
        action="team_report.downloaded",
        actor=f"user:{user.id}",
        organisation_id=user.organisation_id,
        subject_id=team_id,
    )
    return pdf_response(report, disposition="attachment")
