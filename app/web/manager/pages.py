"""Rendering the manager pages: the shared context (who is signed in) and the error page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from app.services.sessions import SignedInUser
from app.vocabulary import AssessmentStatus
from app.web import templates
from app.web.manager.errors import PageError

STATUS_LABELS = {status.value: status.label for status in AssessmentStatus}


@dataclass(frozen=True)
class FieldError:
    message: str
    target: str  # the id of the field the error summary links to


def date(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y") if moment else "—"


def date_time(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else "—"


def break_after_slash(name: str) -> Markup:
    """A line may break after "/" (Closing/Negotiation) rather than inside a word."""
    return Markup("/<wbr>").join(escape(part) for part in name.split("/"))


templates.env.filters.setdefault("date", date)
templates.env.filters.setdefault("break_after_slash", break_after_slash)
templates.env.filters.setdefault("date_time", date_time)
templates.env.globals.setdefault("STATUS_LABELS", STATUS_LABELS)
templates.env.globals.setdefault(
    "VALIDITY_LABELS", {"valid": "Valid", "caution": "Caution", "invalid": "Not valid"}
)


def render(
    request: Request,
    template: str,
    *,
    user: SignedInUser | None,
    status_code: int | None = None,
    **context: Any,
) -> HTMLResponse:
    """A manager page; a form sent back with `errors` answers 422 unless told otherwise."""
    context["errors"] = context.get("errors") or []
    context["user"] = user
    if status_code is None:
        status_code = 422 if context["errors"] else 200
    return templates.TemplateResponse(
        request, f"manager/{template}", context, status_code=status_code
    )


def error_page(request: Request, error: PageError) -> HTMLResponse:
    # Rendered by the route class, outside the handler: without the signed-in user's name.
    return render(
        request,
        "error.html",
        user=None,
        status_code=error.status,
        title=error.title,
        message=error.message,
    )
