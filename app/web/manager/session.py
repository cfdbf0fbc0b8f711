"""Signing in and out: GET/POST /login and POST /logout."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from app.deps import SessionDep, SettingsDep
from app.limits import max_length, text_problem
from app.models import User
from app.services import auth
from app.services.users import MAX_PASSWORD_LENGTH
from app.web.manager.auth import (
    clear_session_cookie,
    client_ip,
    safe_next,
    session_token,
    set_session_cookie,
    user_of,
)
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


@router.get("/")
def front_door(request: Request, db: SessionDep) -> Response:
    """The site's address leads managers in: to the app when signed in, else to sign in."""
    return RedirectResponse("/app" if user_of(request, db) else "/login", 303)


@router.get("/login")
def login_form(request: Request, db: SessionDep, next: str | None = None) -> Response:
    if user_of(request, db) is not None:
        return RedirectResponse(safe_next(next), 303)
    return _form(request, safe_next(next))


def _check(email: str, password: str) -> list[FieldError]:
    errors = []
    if not email:
        errors.append(FieldError("Enter your e-mail address.", "email"))
    elif problem := text_problem(email, max_length(User.email)):
        errors.append(FieldError(f"The e-mail address {problem}.", "email"))
    if not password:
        errors.append(FieldError("Enter your password.", "password"))
    elif problem := text_problem(password, MAX_PASSWORD_LENGTH):
        errors.append(FieldError(f"The password {problem}.", "password"))
    return errors


@router.post("/login")
def login(request: Request, form: FormDep, db: SessionDep, settings: SettingsDep) -> Response:
    refuse_cross_site(request, settings.base_url)
    email, password = field(form, "email"), field(form, "password", strip=False)
    next_path = safe_next(field(form, "next"))
    shown = email[: max_length(User.email)]
    errors = _check(email, password)
    if errors:
        return _form(request, next_path, shown, errors, 422)
    try:
        signed_in = auth.sign_in(
            db=db,
            email=email,
            password=password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except auth.TooManyAttempts as exc:
        minutes = max(1, round(exc.retry_after / 60))
        message = (
            f"Too many failed attempts. Wait {minutes} "
            f"minute{'s' if minutes != 1 else ''} and try again."
        )
        response = _form(request, next_path, shown, [FieldError(message, "email")], 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if signed_in is None:
        return _form(request, next_path, shown, [FieldError(WRONG, "email")], 422)
    response = RedirectResponse(next_path, 303)
    set_session_cookie(response, settings, signed_in[1])
    return response


@router.post("/logout")
def logout(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    refuse_cross_site(request, settings.base_url)
    auth.sign_out(db=db, token=session_token(request))
    response = RedirectResponse("/login", 303)
    clear_session_cookie(response, settings)
    return response
