"""Inviting a rep: GET/POST /app/invite; the new participant link is shown once."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from app.config import Settings
from app.deps import CurrentScope, CurrentUser, SessionDep, SettingsDep
from app.errors import UserError
from app.limits import max_length, text_problem
from app.models import Assessment, InstrumentVersion, Organisation, Participant
from app.scoring.roles import parse_target
from app.services import dashboard, invitations, notifications
from app.services.access import Scope
from app.services.notice import Purpose
from app.services.users import normalise_email
from app.signing import sign, unsign
from app.web.manager.forms import FormDep, field
from app.web.manager.pages import FieldError, render
from app.web.manager.security import manager_router, refuse_cross_site

router = manager_router(prefix="/app", tags=["manager"])
INVITED_COOKIE = "stagefit_invited"
INVITED_SECONDS = 600  # the link can be shown for ten minutes after the invitation, once


def _form(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    scope: Scope,
    values: dict[str, str],
    errors: list[FieldError] | None = None,
    already_invited: Assessment | None = None,
) -> Response:
    return render(
        request,
        "invite.html",
        user=user,
        team_required=not scope.whole_organisation,
        teams=dashboard.teams(db=db, scope=scope),
        instruments=dashboard.instrument_choices(db=db),
        targets=dashboard.target_choices(db=db),
        values=values,
        errors=errors,
        already_invited=already_invited,
        # The same person twice is a question, not an error: 409 until the manager confirms.
        status_code=409 if already_invited and not errors else None,
    )


@router.get("/invite")
def invite_form(
    request: Request,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    team: str | None = None,
) -> Response:
    values = {"team": team or "", "send_email": "yes", "purpose": Purpose.DEVELOPMENT.value}
    return _form(request, db, user, scope, values)


# What each text field is called in an error message, and the column that bounds it.
TEXT_FIELDS = {
    "first_name": ("The first name", Participant.first_name),
    "last_name": ("The last name", Participant.last_name),
    "email": ("The e-mail address", Participant.email),
}


def _check(form: FormData | None) -> tuple[dict[str, str], list[FieldError]]:
    names = ("first_name", "last_name", "email", "team", "instrument", "purpose", "target")
    values = {name: field(form, name) for name in names}
    if values["purpose"] not in set(Purpose):
        values["purpose"] = Purpose.DEVELOPMENT.value
    # A checkbox left unticked is not sent at all.
    values["send_email"] = "yes" if field(form, "send_email") else ""
    errors = []
    for name, (label, column) in TEXT_FIELDS.items():
        problem = text_problem(values[name], max_length(column))
        if problem:
            errors.append(FieldError(f"{label} {problem}.", name))
            values[name] = values[name][: max_length(column)]
    if errors:
        return values, errors
    if not values["first_name"]:
        errors.append(FieldError("Enter the rep's first name.", "first_name"))
    if not values["last_name"]:
        errors.append(FieldError("Enter the rep's last name.", "last_name"))
    if not values["email"]:
        errors.append(FieldError("Enter the rep's e-mail address.", "email"))
    else:
        try:
            values["email"] = normalise_email(values["email"])
        except UserError:
            errors.append(FieldError("Enter an e-mail address like name@example.com.", "email"))
    return values, errors


@router.post("/invite")
def invite(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    refuse_cross_site(request, settings.base_url)
    values, errors = _check(form)
    org = user.organisation_id
    team = dashboard.find_team(db=db, scope=scope, team_id=values["team"])
    if team is not None and team.archived_at is not None:
        team = None  # archived teams take no new reps
    if (values["team"] or not scope.whole_organisation) and team is None:
        # A manager sees only their teams' reps, so their invitations go to one of them.
        choose = (
            "Choose one of your teams."
            if not scope.whole_organisation
            else ("Choose one of your teams, or no team.")
        )
        errors.append(FieldError(choose, "team"))
    choices = dashboard.instrument_choices(db=db)
    version: InstrumentVersion | None = next(
        (v for v in choices if v.id == values["instrument"]), choices[0] if choices else None
    )
    if version is None:
        errors.append(FieldError("No questionnaire is installed yet; ask your admin.", "email"))
    try:
        target = parse_target(values["target"])
    except ValueError:
        errors.append(FieldError("Choose one of the roles or stages, or none.", "target"))
    if errors or version is None:
        return _form(request, db, user, scope, values, errors)
    already = invitations.open_invitations(db=db, organisation_id=org, emails=[values["email"]])
    if values["email"] in already and not field(form, "invite_again"):
        return _form(request, db, user, scope, values, already_invited=already[values["email"]])
    organisation = db.get(Organisation, org)
    assert organisation is not None
    invitation = invitations.invite(
        db=db,
        organisation=organisation,
        instrument_version=version,
        email=values["email"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        team_id=team.id if team else None,
        purpose=Purpose(values["purpose"]),
        actor=f"user:{user.id}",
        seal_with=settings.secret_key,
    )
    assessment_id = invitation.assessment.id
    if target is not None:
        invitation.assessment.target_role = target.role
        invitation.assessment.target_stage = target.stage
    if values["send_email"]:
        notifications.enqueue_email(
            db=db,
            assessment=invitation.assessment,
            message=notifications.Message.INVITATION,
            sender_name=user.email,
        )
    # Post/redirect/get: the link travels in a short-lived signed cookie, so a reload neither
    # invites twice nor shows the link again later (only its hash is stored).
    response = RedirectResponse(f"/app/assessments/{assessment_id}", 303)
    response.set_cookie(
        INVITED_COOKIE,
        sign(
            settings.secret_key,
            "invited",
            {"aid": assessment_id, "url": invitations.participant_url(settings, invitation.token)},
            seconds=INVITED_SECONDS,
        ),
        max_age=INVITED_SECONDS,
        path=f"/app/assessments/{assessment_id}",
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https://"),
    )
    return response


def new_link(request: Request, secret: str, assessment_id: str) -> str | None:
    """The participant link of an invitation just made (from its signed cookie), if any."""
    data = unsign(secret, "invited", request.cookies.get(INVITED_COOKIE))
    if data is None or data.get("aid") != assessment_id:
        return None
    return str(data.get("url"))


def forget_new_link(response: Response, assessment_id: str) -> None:
    """Shown once: the cookie that carried the link is removed."""
    response.delete_cookie(INVITED_COOKIE, path=f"/app/assessments/{assessment_id}")


def remember_new_link(response: Response, settings: Settings, assessment_id: str, url: str) -> None:
    """Carry a new invitation's link to its page once (see new_link), for invitations made
    elsewhere than this form (the result page's Re-invite)."""
    response.set_cookie(
        INVITED_COOKIE,
        sign(
            settings.secret_key,
            "invited",
            {"aid": assessment_id, "url": url},
            seconds=INVITED_SECONDS,
        ),
        max_age=INVITED_SECONDS,
        path=f"/app/assessments/{assessment_id}",
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https://"),
    )
