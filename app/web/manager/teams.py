"""Teams: GET /app/teams (the list; admins create teams there), GET /app/teams/{id} (heat map
of reps × stages) and its Team report PDF. Admins' changes to a team: team_admin.py."""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from app.deps import CurrentScope, CurrentUser, SessionDep, SettingsDep
from app.errors import UserError
from app.models import Organisation
from app.services import dashboard, reports
from app.services import teams as team_service
from app.services.access import Scope
from app.services.organisations import create_team
from app.services.sessions import SignedInUser
from app.web.manager.errors import forbidden, not_found
from app.web.manager.forms import FormDep, field
from app.web.manager.pages import FieldError, render
from app.web.manager.security import manager_router, refuse_cross_site
from app.web.pdf import pdf_response

router = manager_router(prefix="/app/teams", tags=["manager"])
MAX_HEADCOUNT = 99
# What the page says after an admin's change (post/redirect/get).
DONE = {
    "renamed": "Team renamed.",
    "archived": "Team archived: it no longer appears in lists and pickers. Its data is kept.",
    "restored": "Team restored.",
    "manager-assigned": "Manager assigned.",
    "manager-removed": "Manager removed from the team.",
    "moved": "Rep moved.",
}


def require_admin(user: SignedInUser) -> None:
    if not user.is_admin:
        raise forbidden("Only an admin of your organisation can change teams.")


def _list(
    request: Request,
    db: Session,
    user: SignedInUser,
    scope: Scope,
    name: str = "",
    errors: list[FieldError] | None = None,
) -> Response:
    return render(
        request,
        "teams.html",
        user=user,
        nav="teams",
        teams=dashboard.teams(db=db, scope=scope),
        archived=dashboard.teams(db=db, scope=scope, archived=True),
        name=name,
        errors=errors,
    )


@router.get("")
def index(request: Request, user: CurrentUser, scope: CurrentScope, db: SessionDep) -> Response:
    return _list(request, db, user, scope)


@router.post("")
def create(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    refuse_cross_site(request, settings.base_url)
    require_admin(user)
    name = field(form, "name")
    organisation = db.get(Organisation, user.organisation_id)
    assert organisation is not None
    try:
        team = create_team(db=db, organisation=organisation, name=name)
    except UserError as exc:
        message = str(exc)
        return _list(
            request, db, user, scope, name[:200], [FieldError(message.capitalize() + ".", "name")]
        )
    return RedirectResponse(f"/app/teams/{team.id}", 303)


def team_page(
    request: Request,
    db: Session,
    user: SignedInUser,
    detail: dashboard.TeamDetail,
    headcounts: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    sort: str | None = None,
    done: str | None = None,
) -> Response:
    team = team_service.get_team(db=db, organisation_id=user.organisation_id, team_id=detail.id)
    admin = user.is_admin
    return render(
        request,
        "team.html",
        user=user,
        nav="teams",
        t=detail,
        r=detail.report,
        sort=sort if sort in dashboard.stage_keys() else None,
        done=done,
        headcounts=headcounts or {},
        errors=errors,
        admin=admin,
        reps=team_service.members(db=db, team=team),
        managers=team_service.managers(db=db, team=team),
        manager_choices=team_service.manager_choices(db=db, team=team) if admin else [],
        other_teams=[
            t
            for t in team_service.list_teams(db=db, organisation_id=team.organisation_id)
            if t.id != team.id
        ]
        if admin
        else [],
    )


def visible_team(
    db: Session, scope: Scope, team_id: str, sort: str | None = None, caution: bool = False
) -> dashboard.TeamDetail:
    """The team if the user may see it; the not-found page otherwise."""
    detail = dashboard.team_detail(
        db=db, scope=scope, team_id=team_id, sort=sort, include_caution=caution
    )
    if detail is None:
        raise not_found()
    return detail


@router.get("/{team_id}")
def show(
    request: Request,
    team_id: str,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    sort: str | None = None,
    caution: str | None = None,
    done: str | None = None,
) -> Response:
    detail = visible_team(db, scope, team_id, sort, caution == "include")
    return team_page(request, db, user, detail, sort=sort, done=DONE.get(done or ""))


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
    scope: CurrentScope,
    db: SessionDep,
    paper: Literal["a4", "letter"] = "a4",
    caution: str | None = None,
) -> Response:
    """The Team Sales Process Report, with the head-counts asked for in the form."""
    if dashboard.find_team(db=db, scope=scope, team_id=team_id) is None:
        raise not_found()
    include_caution = caution == "include"
    given, counts, errors = _headcounts(request)
    if errors:
        detail = visible_team(db, scope, team_id, caution=include_caution)
        return team_page(request, db, user, detail, given, errors)
    report = reports.team_report(
        db=db,
        team_id=team_id,
        headcounts=counts,
        paper=paper,
        organisation_id=scope.organisation_id,
        include_caution=include_caution,
    )
    return pdf_response(report, disposition="attachment")
