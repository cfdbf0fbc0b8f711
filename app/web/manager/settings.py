"""The organisation's settings that admins change in the web app: GET/POST /app/settings
(for now, the days on which reps are reminded automatically)."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from app.deps import CurrentUser, SessionDep, SettingsDep
from app.errors import UserError
from app.models import Organisation
from app.services import reminders
from app.services.sessions import SignedInUser
from app.web.manager.errors import PageError
from app.web.manager.forms import FormDep, field
from app.web.manager.pages import FieldError, render
from app.web.manager.security import manager_router, refuse_cross_site

router = manager_router(prefix="/app/settings", tags=["manager"])


def _admin_only(user: SignedInUser) -> None:
    if not user.is_admin:
        raise PageError(403, "For admins only", "Only your organisation's admins change settings.")


@router.get("")
def show(request: Request, user: CurrentUser, db: SessionDep, saved: str | None = None) -> Response:
    _admin_only(user)
    organisation = db.get(Organisation, user.organisation_id)
    assert organisation is not None
    values = {"reminder_days": organisation.reminder_days}
    return render(request, "settings.html", user=user, values=values, saved=saved is not None)


@router.post("")
def save(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> Response:
    refuse_cross_site(request, settings.base_url)
    _admin_only(user)
    organisation = db.get(Organisation, user.organisation_id)
    assert organisation is not None
    text = field(form, "reminder_days")[:200]
    try:
        reminders.set_days(db=db, organisation=organisation, text=text, actor=f"user:{user.id}")
    except UserError as exc:
        errors = [FieldError(f"Reminder days: {exc}.", "reminder_days")]
        values = {"reminder_days": text}
        return render(request, "settings.html", user=user, values=values, errors=errors)
    return RedirectResponse("/app/settings?saved=1", 303)
