"""Rendering the participant pages: each page's context, in the participant's locale."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.instrument.text import t
from app.models import Assessment
from app.services import participation as service
from app.web import templates
from app.web.i18n import DEFAULT_LOCALE, catalogue
from app.web.participant import views


def url(token: str, *parts: object) -> str:
    return "/".join([f"/a/{token}", *(str(part) for part in parts)])


def render(
    request: Request,
    template: str,
    *,
    assessment: Assessment | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("_", catalogue(assessment.locale if assessment else DEFAULT_LOCALE))
    context.setdefault("errors", [])
    return templates.TemplateResponse(request, template, context, status_code=status)


def _base(request: Request, db: Session, assessment: Assessment) -> dict[str, Any]:
    """What every page of an assessment shows: its title and who invited the participant."""
    q = service.questionnaire(db=db, assessment=assessment)
    return {
        "site_title": service.title(q, assessment.locale),
        "organisation_name": service.organisation_name(db=db, assessment=assessment),
    }


def message(
    request: Request,
    key: str,
    *,
    status: int = 200,
    db: Session | None = None,
    assessment: Assessment | None = None,
) -> HTMLResponse:
    """A page with only a message: thank you, expired, cancelled, completed, not found."""
    context = _base(request, db, assessment) if db and assessment else {}
    return render(
        request,
        "participant/message.html",
        assessment=assessment,
        status=status,
        key=key,
        **context,
    )


def not_found(request: Request) -> HTMLResponse:
    # The same page whether the token never existed or the page does not: no hints.
    return message(request, "not_found", status=404)


def welcome(
    request: Request, db: Session, assessment: Assessment, token: str, errors: Any = ()
) -> HTMLResponse:
    q = service.questionnaire(db=db, assessment=assessment)
    return render(
        request,
        "participant/welcome.html",
        assessment=assessment,
        status=422 if errors else 200,
        title=service.title(q, assessment.locale),
        purpose=t(q.instrument.purpose, assessment.locale),
        minutes=q.instrument.estimated_minutes,
        item_count=q.item_count,
        page_count=len(q.pages),
        consent_url=url(token, "consent"),
        errors=list(errors),
        **_base(request, db, assessment),
    )


def question_page(
    request: Request,
    db: Session,
    secret: str,
    assessment: Assessment,
    token: str,
    page: int,
    problems: list[service.AnswerProblem] | None = None,
) -> HTMLResponse:
    q = service.questionnaire(db=db, assessment=assessment)
    locale = assessment.locale
    messages = catalogue(locale)
    errors, by_item = views.error_views(q, problems or [], messages)
    given = service.answers(db=db, assessment=assessment)
    intro = "page.intro_sjt" if views.page_is_sjt(q, page) else "page.intro_statements"
    return render(
        request,
        "participant/page.html",
        assessment=assessment,
        status=422 if errors else 200,
        page=page,
        pages=len(q.pages),
        is_last=page == len(q.pages),
        intro=messages(intro),
        items=views.items_of_page(q, page, given, locale, by_item),
        errors=errors,
        page_url=url(token, "page", page),
        answer_url=url(token, "answer"),
        stamp=service.page_stamp(secret=secret, assessment_id=assessment.id, page=page),
        **_base(request, db, assessment),
    )


def review(request: Request, db: Session, assessment: Assessment, token: str) -> HTMLResponse:
    q = service.questionnaire(db=db, assessment=assessment)
    locale = assessment.locale
    missing = [
        {
            "number": q.number_of[item_id],
            "page": q.page_of[item_id],
            "text": views.item_text(q, item_id, locale),
            "url": f"{url(token, 'page', q.page_of[item_id])}#item-{item_id}",
        }
        for item_id in service.unanswered(q, service.answers(db=db, assessment=assessment))
    ]
    return render(
        request,
        "participant/review.html",
        assessment=assessment,
        unanswered=missing,
        submit_url=url(token, "submit"),
        back_url=url(token, "page", len(q.pages)),
        **_base(request, db, assessment),
    )
