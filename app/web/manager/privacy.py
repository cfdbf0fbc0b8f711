"""Admin pages for privacy and the audit trail: the retention settings (GET/POST
/app/privacy), the audit log (/app/audit), and a participant's data exported
(/app/participants/{id}/export) or erased after a confirmation (/app/participants/{id}/erase).
Admins only: a manager is refused (403)."""

from __future__ import annotations

import json

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from app.deps import CurrentUser, DatabaseDep, SessionDep, SettingsDep
from app.errors import UserError
from app.models import Organisation, Participant
from app.services import audit, privacy, retention
from app.services.notice import kept_for
from app.services.sessions import SignedInUser
from app.web.manager.errors import forbidden, not_found
from app.web.manager.forms import FormDep, field
from app.web.manager.pages import FieldError, render
from app.web.manager.security import manager_router, refuse_cross_site

router = manager_router(prefix="/app", tags=["manager"])
PAGE_SIZE = 50


def _admin(user: SignedInUser) -> None:
    if not user.is_admin:
        raise forbidden("Only an admin of your organisation can see or do this.")


def _settings_page(
    request: Request,
    user: SignedInUser,
    organisation: Organisation,
    values: dict[str, str],
    errors: list[FieldError] | None = None,
    saved: bool = False,
    erased: bool = False,
) -> Response:
    return render(
        request,
        "privacy.html",
        user=user,
        nav="privacy",
        values=values,
        errors=errors,
        saved=saved,
        erased=erased,
        consent_text=kept_for(
            organisation=organisation.name,
            retention_days=organisation.retention_days,
            deidentified_norming=organisation.deidentified_norming,
            locale="en",
        ),
        min_days=retention.MIN_DAYS,
        max_days=retention.MAX_DAYS,
    )


def _participant(db: Session, user: SignedInUser, participant_id: str) -> Participant:
    try:
        return privacy.find_participant(
            db=db, organisation_id=user.organisation_id, participant_id=participant_id
        )
    except privacy.ParticipantNotFound:
        raise not_found() from None


def _organisation(db: Session, user: SignedInUser) -> Organisation:
    organisation = db.get(Organisation, user.organisation_id)
    assert organisation is not None  # the signed-in user's foreign key
    return organisation


@router.get("/privacy")
def privacy_settings(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    saved: str | None = None,
    erased: str | None = None,
) -> Response:
    _admin(user)
    organisation = _organisation(db, user)
    values = {
        "retention_days": str(organisation.retention_days),
        "deidentified_norming": "yes" if organisation.deidentified_norming else "",
    }
    return _settings_page(
        request, user, organisation, values, saved=saved is not None, erased=erased is not None
    )


@router.post("/privacy")
def save_privacy_settings(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> Response:
    refuse_cross_site(request, settings.base_url)
    _admin(user)
    organisation = _organisation(db, user)
    values = {
        "retention_days": field(form, "retention_days")[:12],
        "deidentified_norming": "yes" if field(form, "deidentified_norming") else "",
    }
    days = values["retention_days"]
    try:
        if not (days.isascii() and days.isdigit()):
            raise UserError("the retention period must be a whole number of days")
        retention.change_settings(
            db=db,
            organisation=organisation,
            retention_days=int(days),
            deidentified_norming=bool(values["deidentified_norming"]),
            actor=f"user:{user.id}",
        )
    except UserError as exc:
        error = FieldError(f"{str(exc).capitalize()}.", "retention_days")
        return _settings_page(request, user, organisation, values, [error])
    return RedirectResponse("/app/privacy?saved=1", 303)


@router.get("/audit")
def audit_log(
    request: Request, user: CurrentUser, db: SessionDep, before: str | None = None
) -> Response:
    _admin(user)
    # A cursor that is not a number (an edited URL) starts from the newest.
    cursor = int(before) if before and before.isascii() and before.isdigit() else None
    page = audit.events(db=db, organisation_id=user.organisation_id, before=cursor, limit=PAGE_SIZE)
    return render(
        request,
        "audit.html",
        user=user,
        nav="audit",
        events=page.events,
        next_before=page.next_before,
        first_page=cursor is None,
        names=audit.actor_names(db=db, organisation_id=user.organisation_id, events=page.events),
    )


@router.get("/participants/{participant_id}/export")
def export_participant(
    participant_id: str, user: CurrentUser, db: SessionDep, database: DatabaseDep
) -> Response:
    _admin(user)
    participant = _participant(db, user, participant_id)
    document = privacy.export(
        db=db, organisation_id=user.organisation_id, participant_id=participant.id
    )
    audit.record_access(
        database=database,
        action="participant.exported",
        actor=f"user:{user.id}",
        organisation_id=user.organisation_id,
        subject_id=participant_id,
    )
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="participant-{participant.id}.json"'
        },
    )


@router.get("/participants/{participant_id}/erase")
def confirm_erase(
    request: Request, participant_id: str, user: CurrentUser, db: SessionDep
) -> Response:
    _admin(user)
    participant = _participant(db, user, participant_id)
    return render(request, "erase.html", user=user, participant=participant)


@router.post("/participants/{participant_id}/erase")
def erase_participant(
    request: Request,
    participant_id: str,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    refuse_cross_site(request, settings.base_url)
    _admin(user)
    participant = _participant(db, user, participant_id)
    if field(form, "confirm") != "yes":
        error = FieldError("Tick the box to confirm that the data is to be erased.", "confirm")
        return render(request, "erase.html", user=user, participant=participant, errors=[error])
    privacy.erase(
        db=db,
        organisation_id=user.organisation_id,
        participant_id=participant.id,
        actor=f"user:{user.id}",
    )
    return RedirectResponse("/app/privacy?erased=1", 303)
