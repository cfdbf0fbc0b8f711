"""Inviting reps from a CSV file: upload (GET/POST /app/invite/bulk), a preview with each
row's errors, and the confirmation, which reads and checks the stored file again and invites
all rows or none."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from app.deps import CurrentUser, SessionDep, SettingsDep
from app.errors import UserError
from app.models import InstrumentVersion, InviteUpload, Organisation, Team
from app.services import bulk_invite, dashboard
from app.services.access import scope_of
from app.services.invite_csv import MAX_BYTES, RowError, decode
from app.services.notice import Purpose
from app.services.sessions import SignedInUser
from app.web.manager.forms import FormDep, field
from app.web.manager.pages import FieldError, render
from app.web.manager.security import manager_router, refuse_cross_site

router = manager_router(prefix="/app/invite/bulk", tags=["manager"])
ERRORS_SHOWN = 200  # a file of 2,000 bad rows lists the first ones, and says how many


def _options(form: FormData | None) -> dict[str, str]:
    values = {name: field(form, name) for name in ("team", "instrument", "purpose")}
    values["send_email"] = "yes" if field(form, "send_email") else ""
    values["invite_again"] = "yes" if field(form, "invite_again") else ""
    if values["purpose"] not in set(Purpose):
        values["purpose"] = Purpose.DEVELOPMENT.value
    return values


def _upload_form(
    request: Request,
    db: Session,
    user: SignedInUser,
    values: dict[str, str],
    errors: list[FieldError] | None = None,
) -> Response:
    return render(
        request,
        "invite_bulk.html",
        user=user,
        teams=dashboard.teams(db=db, scope=scope_of(db=db, user=user)),
        instruments=dashboard.instrument_choices(db=db),
        values=values,
        errors=errors,
        max_mb=MAX_BYTES // 1024 // 1024,
    )


@router.get("")
def upload_form(request: Request, user: CurrentUser, db: SessionDep) -> Response:
    return _upload_form(request, db, user, {"send_email": "yes", "purpose": "development"})


def _choices(
    db: Session, user: SignedInUser, values: dict[str, str]
) -> tuple[Team | None, InstrumentVersion | None, list[FieldError]]:
    """The default team and the questionnaire chosen, and what is wrong with them."""
    errors = []
    team = dashboard.find_team(db=db, scope=scope_of(db=db, user=user), team_id=values["team"])
    if values["team"] and team is None:
        errors.append(FieldError("Choose one of your teams, or no team.", "team"))
    choices = dashboard.instrument_choices(db=db)
    version = next(
        (v for v in choices if v.id == values["instrument"]), choices[0] if choices else None
    )
    if version is None:
        errors.append(FieldError("No questionnaire is installed yet; ask your admin.", "file"))
    return team, version, errors


def _preview(
    request: Request,
    db: Session,
    user: SignedInUser,
    upload: InviteUpload,
    checked: bulk_invite.Checked,
    values: dict[str, str],
) -> Response:
    errors: list[RowError] = checked.errors
    return render(
        request,
        "invite_preview.html",
        user=user,
        upload=upload,
        checked=checked,
        row_errors=errors[:ERRORS_SHOWN],
        more_errors=max(0, len(errors) - ERRORS_SHOWN),
        values=values,
        teams={t.id: t.name for t in dashboard.teams(db=db, scope=scope_of(db=db, user=user))},
        status_code=422 if errors else 200,
    )


@router.post("")
def upload(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> Response:
    refuse_cross_site(request, settings.base_url)
    values = _options(form)
    team, _version, errors = _choices(db, user, values)
    file = form.get("file") if form is not None else None
    if not isinstance(file, UploadFile) or not file.filename:
        errors.append(FieldError("Choose a CSV file to upload.", "file"))
        return _upload_form(request, db, user, values, errors)
    data = file.file.read(MAX_BYTES + 1)
    try:
        text, encoding = decode(data)
    except UserError as exc:
        errors.append(FieldError(str(exc), "file"))
    if errors:
        return _upload_form(request, db, user, values, errors)
    saved = bulk_invite.save_upload(
        db=db,
        organisation_id=user.organisation_id,
        user_id=user.id,
        filename=file.filename,
        text=text,
    )
    values["encoding"] = encoding
    checked = bulk_invite.read(
        db=db,
        scope=scope_of(db=db, user=user),
        text=text,
        encoding=encoding,
        default_team=team,
    )
    return _preview(request, db, user, saved, checked, values)


@router.post("/{upload_id}")
def confirm(
    request: Request,
    upload_id: str,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    refuse_cross_site(request, settings.base_url)
    values = _options(form)
    values["encoding"] = field(form, "encoding")[:20]
    saved = bulk_invite.find_upload(
        db=db, organisation_id=user.organisation_id, user_id=user.id, upload_id=upload_id
    )
    if saved is None:
        errors = [FieldError("That upload was used or has expired; upload the file again.", "file")]
        return _upload_form(request, db, user, values, errors)
    team, version, errors = _choices(db, user, values)
    # Read and check again: teams, people and invitations may have changed since the preview.
    checked = bulk_invite.read(
        db=db,
        scope=scope_of(db=db, user=user),
        text=saved.content,
        encoding=values["encoding"] or "UTF-8",
        default_team=team,
    )
    if errors or version is None:
        return _upload_form(request, db, user, values, errors)
    if checked.errors:
        return _preview(request, db, user, saved, checked, values)
    organisation = db.get(Organisation, user.organisation_id)
    assert organisation is not None
    invited = bulk_invite.invite_all(
        db=db,
        organisation=organisation,
        instrument_version=version,
        checked=checked,
        purpose=Purpose(values["purpose"]),
        send_email=bool(values["send_email"]),
        invite_again=bool(values["invite_again"]),
        actor=f"user:{user.id}",
        sender_name=user.email,
        seal_with=settings.secret_key,
    )
    db.delete(saved)  # a reload of this page cannot invite the same file twice
    return render(
        request,
        "invite_done.html",
        user=user,
        invited=invited,
        skipped=len(checked.rows) - len(invited),
        values=values,
    )
