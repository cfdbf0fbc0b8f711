"""Rendering the participant pages from a Visit (the service's view of one link), in the
participant's locale; no database here."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.instrument.questionnaire import (
    AnswerProblem,
    minutes_left,
    skipped_before,
    unanswered,
)
from app.instrument.text import t
from app.reports.context import RepReport
from app.services.notice import Notice, notice_for
from app.services.participation import Visit, page_stamp
from app.web import templates
from app.web.i18n import DEFAULT_LOCALE, catalogue
from app.web.participant import views


def url(token: str, *parts: object) -> str:
    return "/".join([f"/a/{token}", *(str(part) for part in parts)])


def render(
    request: Request,
    template: str,
    *,
    visit: Visit | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("_", catalogue(visit.locale if visit else DEFAULT_LOCALE))
    context.setdefault("errors", [])
    if visit is not None:
        # What every page of an assessment shows: its title and who invited the participant.
        context.setdefault("site_title", visit.title)
        context.setdefault("organisation_name", visit.organisation_name)
    return templates.TemplateResponse(request, template, context, status_code=status)


def message(
    request: Request, key: str, *, status: int = 200, visit: Visit | None = None
) -> HTMLResponse:
    """A page with only a message: thank you, expired, cancelled, completed, not found."""
    return render(request, "participant/message.html", visit=visit, status=status, key=key)


def not_found(request: Request) -> HTMLResponse:
    # The same page whether the token never existed or the page does not: no hints.
    return message(request, "not_found", status=404)


def forbidden(request: Request) -> HTMLResponse:
    return message(request, "forbidden", status=403)


def _notice(visit: Visit) -> Notice:
    return notice_for(
        organisation=visit.organisation_name,
        purpose=visit.purpose,
        minutes=visit.questionnaire.instrument.estimated_minutes,
        locale=visit.locale,
    )


def welcome(request: Request, visit: Visit, token: str, errors: Any = ()) -> HTMLResponse:
    q = visit.questionnaire
    return render(
        request,
        "participant/welcome.html",
        visit=visit,
        status=422 if errors else 200,
        title=visit.title,
        first_name=visit.first_name,
        notice=_notice(visit),
        purpose=t(q.instrument.purpose, visit.locale),
        minutes=q.instrument.estimated_minutes,
        item_count=q.item_count,
        consent_url=url(token, "consent"),
        errors=list(errors),
    )


def question_page(
    request: Request,
    visit: Visit,
    secret: str,
    token: str,
    page: int,
    problems: list[AnswerProblem] | None = None,
    *,
    resumed: bool = False,
    from_review: bool = False,
) -> HTMLResponse:
    q = visit.questionnaire
    messages = catalogue(visit.locale)
    errors, by_item = views.error_views(q, problems or [], messages)
    intro = "page.intro_sjt" if views.page_is_sjt(q, page) else "page.intro_statements"
    items = views.items_of_page(
        q,
        page,
        visit.answers,
        visit.locale,
        by_item,
        not_applicable_label=messages("page.not_applicable"),
    )
    first_question = items[0].number if items else 0
    minutes = minutes_left(q, visit.answers)
    progress = messages("page.progress_questions", number=first_question, total=q.item_count)
    if minutes:
        progress += " · " + messages("page.minutes_left", count=minutes)
    skipped = skipped_before(q, visit.answers, page) if resumed else 0
    return render(
        request,
        "participant/page.html",
        visit=visit,
        status=422 if errors else 200,
        page=page,
        pages=len(q.pages),
        is_last=page == len(q.pages),
        intro=messages(intro),
        items=items,
        errors=errors,
        progress=progress,
        resumed=resumed,
        skipped=skipped,
        review_url=url(token, "review"),
        from_review=from_review,
        layout=visit.layout,
        layout_url=url(token, "layout"),
        first_question=first_question,
        page_url=url(token, "page", page),
        answer_url=url(token, "answer"),
        stamp=page_stamp(
            secret=secret, assessment_id=visit.assessment_id, page=page, layout=visit.layout
        ),
    )


def review(request: Request, visit: Visit, token: str) -> HTMLResponse:
    q = visit.questionnaire
    missing = [
        {
            "number": q.number_of[item_id],
            "page": q.page_of[item_id],
            "text": views.item_text(q, item_id, visit.locale),
            "url": f"{url(token, 'page', q.page_of[item_id])}?from=review#item-{item_id}",
        }
        for item_id in unanswered(q, visit.answers)
    ]
    return render(
        request,
        "participant/review.html",
        visit=visit,
        unanswered=missing,
        submit_url=url(token, "submit"),
        back_url=url(token, "page", len(q.pages)),
    )


def thanks(request: Request, visit: Visit, token: str) -> HTMLResponse:
    """What happens next, and the rep's own report where the organisation shares it."""
    return render(
        request,
        "participant/thanks.html",
        visit=visit,
        next_key=f"thanks.next.{visit.purpose.value}",
        share_feedback=visit.share_feedback,
        feedback_url=url(token, "feedback"),
        pdf_url=url(token, "feedback.pdf"),
    )


def feedback(request: Request, visit: Visit, token: str, report: RepReport) -> HTMLResponse:
    return render(
        request,
        "participant/feedback.html",
        visit=visit,
        r=report,
        pdf_url=url(token, "feedback.pdf"),
    )
