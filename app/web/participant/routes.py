"""The participant's pages at /a/{token}: welcome and consent, question pages, review, submit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.deps import SettingsDep, WriteSessionDep
from app.models import Assessment
from app.problems import problem
from app.services import participation as service
from app.web.i18n import catalogue
from app.web.participant import pages, views
from app.web.participant.security import ParticipantRoute, same_origin

# Every participant request may write (expiry, answers, times), so all of them take the write
# session: on SQLite a read-then-write transaction could otherwise fail under contention.
router = APIRouter(
    prefix="/a", tags=["participant"], include_in_schema=False, route_class=ParticipantRoute
)

CLOSED = ("completed", "expired", "cancelled")
ANSWER_PREFIX = "answer:"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _resume_url(db: Session, assessment: Assessment, token: str) -> str:
    q = service.questionnaire(db=db, assessment=assessment)
    page = service.first_unanswered_page(q, service.answers(db=db, assessment=assessment))
    return pages.url(token, "page", page) if page else pages.url(token, "review")


def _page_number(text: str, q: service.Questionnaire) -> int | None:
    if not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= len(q.pages) else None


async def _read_form(request: Request) -> FormData | None:
    try:
        return await request.form()
    except Exception:  # a malformed body is the client's problem, answered with a page
        return None


def _find(request: Request, db: Session, token: str, status: str) -> Assessment | Response:
    """The link's assessment when it is `status`; otherwise the response to send instead."""
    assessment = service.find_by_token(db=db, token=token)
    if assessment is None:
        return pages.not_found(request)
    if assessment.status != status:
        return _see_other(pages.url(token))
    return assessment


def _find_page(
    request: Request, db: Session, token: str, number: str
) -> tuple[Assessment, service.Questionnaire, int] | Response:
    """A started assessment, its questionnaire and the page asked for; or the response."""
    assessment = _find(request, db, token, "started")
    if isinstance(assessment, Response):
        return assessment
    q = service.questionnaire(db=db, assessment=assessment)
    page = _page_number(number, q)
    if page is None:
        return pages.not_found(request)
    return assessment, q, page


# The body is read on the event loop before the handler (a plain `def`, run in a thread) opens
# the database session; declared before the session, so a slow upload never holds a lock.
FormDep = Annotated[FormData | None, Depends(_read_form)]


@router.get("/{token}", response_class=HTMLResponse)
def welcome(request: Request, token: str, db: WriteSessionDep) -> Response:
    assessment = service.find_by_token(db=db, token=token)
    if assessment is None:
        return pages.not_found(request)
    if assessment.status in CLOSED:
        return pages.message(request, f"closed.{assessment.status}", db=db, assessment=assessment)
    if assessment.status == "started":
        return _see_other(_resume_url(db, assessment, token))
    return pages.welcome(request, db, assessment, token)


@router.post("/{token}/consent", response_class=HTMLResponse)
def give_consent(
    request: Request, token: str, form: FormDep, db: WriteSessionDep, settings: SettingsDep
) -> Response:
    if not same_origin(request, settings.base_url):
        return pages.message(request, "forbidden", status=403)
    assessment = _find(request, db, token, "invited")
    if isinstance(assessment, Response):
        return assessment
    if form is None or form.get("consent") != "yes":
        messages = catalogue(assessment.locale)
        errors = [views.ErrorView(messages("welcome.error_consent"), "consent")]
        return pages.welcome(request, db, assessment, token, errors)
    service.consent(db=db, assessment=assessment)
    return _see_other(_resume_url(db, assessment, token))


@router.get("/{token}/page/{number}", response_class=HTMLResponse)
def show_page(
    request: Request, token: str, number: str, db: WriteSessionDep, settings: SettingsDep
) -> Response:
    found = _find_page(request, db, token, number)
    if isinstance(found, Response):
        return found
    assessment, _, page = found
    return pages.question_page(request, db, settings.secret_key, assessment, token, page)


@router.post("/{token}/page/{number}", response_class=HTMLResponse)
def save_page(
    request: Request,
    token: str,
    number: str,
    form: FormDep,
    db: WriteSessionDep,
    settings: SettingsDep,
) -> Response:
    if not same_origin(request, settings.base_url):
        return pages.message(request, "forbidden", status=403)
    found = _find_page(request, db, token, number)
    if isinstance(found, Response):
        return found
    assessment, q, page = found
    if form is None:
        problems = [service.AnswerProblem("unknown_item", "")]
        return pages.question_page(
            request, db, settings.secret_key, assessment, token, page, problems
        )
    given = {
        name.removeprefix(ANSWER_PREFIX): str(value)
        for name, value in form.multi_items()
        if name.startswith(ANSWER_PREFIX)
    }
    valid, problems = service.check_answers(q, given, page=page)
    # The good answers are kept even when others on the page are refused.
    service.save_answers(db=db, assessment=assessment, values=valid)
    seconds = service.page_seconds(
        secret=settings.secret_key,
        assessment_id=assessment.id,
        page=page,
        stamp=str(form.get("stamp", "")),
        active=str(form.get("active", "")),
    )
    if seconds is not None:
        service.record_page_time(db=db, assessment=assessment, page=page, seconds=seconds)
    if problems:
        return pages.question_page(
            request, db, settings.secret_key, assessment, token, page, problems
        )
    if form.get("nav") == "back":
        return _see_other(pages.url(token, "page", max(1, page - 1)))
    if page < len(q.pages):
        return _see_other(pages.url(token, "page", page + 1))
    return _see_other(pages.url(token, "review"))


@router.post("/{token}/answer")
def save_answer(
    request: Request, token: str, form: FormDep, db: WriteSessionDep, settings: SettingsDep
) -> Response:
    """One answer saved as soon as it is given (JavaScript); 204 when saved."""
    if not same_origin(request, settings.base_url):
        return problem(403, "cross-site request refused")
    assessment = service.find_by_token(db=db, token=token)
    if assessment is None:
        return problem(404)
    if assessment.status != "started":
        return problem(409, f"the assessment is {assessment.status}")
    item_id, value = (str(form.get(k, "")) for k in ("item", "value")) if form else ("", "")
    q = service.questionnaire(db=db, assessment=assessment)
    valid, problems = service.check_answers(q, {item_id: value})
    if problems:
        what = "unknown item" if problems[0].code == "unknown_item" else "value not allowed"
        return problem(422, f"{what}: {item_id!r}", item=item_id)
    service.save_answers(db=db, assessment=assessment, values=valid)
    return Response(status_code=204)


@router.get("/{token}/review", response_class=HTMLResponse)
def review(request: Request, token: str, db: WriteSessionDep) -> Response:
    assessment = _find(request, db, token, "started")
    if isinstance(assessment, Response):
        return assessment
    return pages.review(request, db, assessment, token)


@router.post("/{token}/submit", response_class=HTMLResponse)
def submit(request: Request, token: str, db: WriteSessionDep, settings: SettingsDep) -> Response:
    if not same_origin(request, settings.base_url):
        return pages.message(request, "forbidden", status=403)
    assessment = service.find_by_token(db=db, token=token)
    if assessment is None:
        return pages.not_found(request)
    if assessment.status == "started":
        service.submit(db=db, assessment=assessment)
    if assessment.status == "completed":
        return _see_other(pages.url(token, "thanks"))
    return _see_other(pages.url(token))


@router.get("/{token}/thanks", response_class=HTMLResponse)
def thanks(request: Request, token: str, db: WriteSessionDep) -> Response:
    assessment = _find(request, db, token, "completed")
    if isinstance(assessment, Response):
        return assessment
    return pages.message(request, "thanks", db=db, assessment=assessment)


@router.get("/", response_class=HTMLResponse)
@router.get("/{token}/{rest:path}", response_class=HTMLResponse)
def unknown(request: Request, token: str = "", rest: str = "") -> Response:
    return pages.not_found(request)
