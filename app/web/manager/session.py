"""Signing in and out: GET/POST /login and POST /logout."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from app.deps import SettingsDep, WriteSessionDep
from app.services import auth
from app.web.manager.forms import FormDep, field
from app.web.manager.pages import FieldError, render
from app.web.manager.security import manager_router, refuse_cross_site

router = manager_router(tags=["manager"])
WRONG = "The e-mail address or password is not right. Check them and try again."


def _form(
    request: Request,
    next_path: str,
    email: str = "",
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "login.html",
        user=None,
        status_code=status,
        next=next_path,
        email=email,
        errors=errors,
    )


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if auth.signed_in_user(request) is not None:
        return RedirectResponse(auth.safe_next(next), 303)
    return _form(request, auth.safe_next(next))


@router.post("/login")
def login(request: Request, form: FormDep, db: WriteSessionDep, settings: SettingsDep) -> Response:
    refuse_cross_site(request, settings.base_url)
    email, password = field(form, "email"), field(form, "password")
    next_path = auth.safe_next(field(form, "next"))
    errors = []
    if not email:
        errors.append(FieldError("Enter your e-mail address.", "email"))
    if not password:
        errors.append(FieldError("Enter your password.", "password"))
    if errors:
        return _form(request, next_path, email, errors, 422)
    ip = request.client.host if request.client else ""
    try:
        user = auth.sign_in(
            db=db, throttle=auth.throttle_of(request), email=email, password=password, ip=ip
        )
    except auth.TooManyAttempts as exc:
        minutes = max(1, round(exc.retry_after / 60))
        message = (
            f"Too many failed attempts for this e-mail address. Wait {minutes} "
            f"minute{'s' if minutes != 1 else ''} and try again."
        )
        response = _form(request, next_path, email, [FieldError(message, "email")], 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        return _form(request, next_path, email, [FieldError(WRONG, "email")], 422)
    response = RedirectResponse(next_path, 303)
    auth.set_session(response, settings, user)
    return response


@router.post("/logout")
def logout(request: Request, settings: SettingsDep) -> Response:
    refuse_cross_site(request, settings.base_url)
    response = RedirectResponse("/login", 303)
    auth.clear_session(response, settings)
    return response
