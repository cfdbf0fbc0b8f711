"""An admin's changes to a team, each a form on the team page: rename, archive and restore,
assign and unassign managers, move a rep to another team. Managers get 403, anyone who cannot
see the team 404 (app/services/access.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from app.deps import CurrentScope, CurrentUser, SessionDep, SettingsDep
from app.errors import UserError
from app.models import Team
from app.services import dashboard
from app.services import teams as team_service
from app.web.manager.errors import PageError, not_found
from app.web.manager.forms import FormDep, field
from app.web.manager.pages import FieldError
from app.web.manager.security import manager_router, refuse_cross_site
from app.web.manager.teams import require_admin, sentence, team_page, visible_team

router = manager_router(prefix="/app/teams/{team_id}", tags=["manager"])


def _admin_team(
    request: Request,
    team_id: str,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    settings: SettingsDep,
) -> Team:
    """The team an admin changes, from a same-site form: 404 when the user cannot see it, 403
    when not an admin."""
    refuse_cross_site(request, settings.base_url)
    team = dashboard.find_team(db=db, scope=scope, team_id=team_id)
    if team is None:
        raise not_found()
    require_admin(user)
    return team


AdminTeam = Annotated[Team, Depends(_admin_team)]


def _back(team: Team, done: str) -> Response:
    return RedirectResponse(f"/app/teams/{team.id}?done={done}", 303)


def _refused(exc: UserError) -> PageError:
    status = getattr(exc, "status_code", 400)
    if status == 404:
        return not_found()
    return PageError(422 if status == 400 else status, "Not changed", sentence(str(exc)))


@router.post("/rename")
def rename(
    request: Request,
    team: AdminTeam,
    form: FormDep,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
) -> Response:
    try:
        team_service.rename(db=db, team=team, name=field(form, "name"), actor=f"user:{user.id}")
    except UserError as exc:
        db.rollback()
        error = FieldError(sentence(str(exc)), "team-name")
        return team_page(request, db, user, visible_team(db, scope, team.id), errors=[error])
    return _back(team, "renamed")


@router.post("/archive")
def archive(
    team: AdminTeam,
    user: CurrentUser,
    db: SessionDep,
) -> Response:
    team_service.archive(db=db, team=team, actor=f"user:{user.id}")
    return _back(team, "archived")


@router.post("/restore")
def restore(
    team: AdminTeam,
    user: CurrentUser,
    db: SessionDep,
) -> Response:
    team_service.restore(db=db, team=team, actor=f"user:{user.id}")
    return _back(team, "restored")


@router.post("/managers")
def assign_manager(
    team: AdminTeam,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
) -> Response:
    try:
        team_service.assign_manager(
            db=db, team=team, user_id=field(form, "user"), actor=f"user:{user.id}"
        )
    except UserError as exc:
        raise _refused(exc) from None
    return _back(team, "manager-assigned")


@router.post("/managers/remove")
def unassign_manager(
    team: AdminTeam,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
) -> Response:
    team_service.unassign_manager(
        db=db, team=team, user_id=field(form, "user"), actor=f"user:{user.id}"
    )
    return _back(team, "manager-removed")


@router.post("/reps/move")
def move_rep(
    team: AdminTeam,
    form: FormDep,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
) -> Response:
    to = dashboard.find_team(db=db, scope=scope, team_id=field(form, "to"))
    if to is None or to.archived_at is not None or to.id == team.id:
        raise PageError(422, "Not moved", "Choose another of your organisation's live teams.")
    try:
        team_service.move_rep(
            db=db, team=team, participant_id=field(form, "rep"), to=to, actor=f"user:{user.id}"
        )
    except UserError as exc:
        raise _refused(exc) from None
    return _back(team, "moved")
