"""The participant's pages at /a/{token}: welcome and consent, question pages, review, submit.
Routes parse the request, call one service function and redirect or render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from app.deps import ParticipantRateLimit, SessionDep, SettingsDep
from app.instrument.questionnaire import AnswerProblem
from app.problems import problem
from app.services import participation as service
from app.services.participation import Visit
from app.vocabulary import CLOSED_STATUSES, AssessmentStatus
from app.web.i18n import catalogue
from app.web.participant import pages, views
from app.web.participant.security import same_origin

router = APIRouter(
    prefix="/a", tags=["participant"], include_in_schema=False, dependencies=[ParticipantRateLimit]
)
ANSWER_PREFIX = "answer:"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _resume_url(visit: Visit, token: str) -> str:
    page = visit.resume_page
    return pages.url(token, "page", page) if page else pages.url(token, "review")


async def _read_form(request: Request) -> FormData | None:
    try:
        return await request.form()
    except Exception:  # a malformed body is the client's problem, answered with a page
        return None


# The body is read on the event loop before the handler (a plain `def`, run in a thread) opens
# the database session; declared before the session, so a slow upload never holds a lock.
FormDep = Annotated[FormData | None, Depends(_read_form)]


def _started(request: Request, db: SessionDep, token: str) -> Visit | Response:
    """The link's visit when it is started; otherwise the response to send instead."""
    visit = service.visit(db=db, token=token)
    if visit is None:
        return pages.not_found(request)
    if visit.status != AssessmentStatus.STARTED:
        return _see_other(pages.url(token))
    return visit


@router.get("/{token}", response_class=HTMLResponse)
def welcome(request: Request, token: str, db: SessionDep) -> Response:
    visit = service.visit(db=db, token=token)
    if visit is None:
        return pages.not_found(request)
    if visit.status in CLOSED_STATUSES:
        return pages.message(request, f"closed.{visit.status}", visit=visit)
    if visit.status == AssessmentStatus.STARTED:
        return _see_other(_resume_url(visit, token))
    return pages.welcome(request, visit, token)


@router.post("/{token}/consent", response_class=HTMLResponse)
def give_consent(
    request: Request, token: str, form: FormDep, db: SessionDep, settings: SettingsDep
) -> Response:
    if not same_origin(request, settings.base_url):
        return pages.forbidden(request)
    if form is None or form.get("consent") != "yes":
        visit = service.visit(db=db, token=token)
        if visit is None:
            return pages.not_found(request)
        if visit.status != AssessmentStatus.INVITED:
            return _see_other(pages.url(token))
        messages = catalogue(visit.locale)
        errors = [views.ErrorView(messages("welcome.error_consent"), "consent")]
        return pages.welcome(request, visit, token, errors)
    if service.consent(db=db, token=token) != AssessmentStatus.STARTED:
        return _see_other(pages.url(token))
    visit = service.visit(db=db, token=token)
    return _see_other(_resume_url(visit, token) if visit else pages.url(token))


@router.get("/{token}/page/{number}", response_class=HTMLResponse)
def show_page(
    request: Request, token: str, number: str, db: SessionDep, settings: SettingsDep
) -> Response:
    visit = _started(request, db, token)
    if isinstance(visit, Response):
        return visit
    page = visit.page(number)
    if page is None:
        return pages.not_found(request)
    return pages.question_page(request, visit, settings.secret_key, token, page)


def _answers_of(form: FormData) -> dict[str, str]:
    return {
        name.removeprefix(ANSWER_PREFIX): str(value)
        for name, value in form.multi_items()
        if name.startswith(ANSWER_PREFIX)
    }


@router.post("/{token}/page/{number}", response_class=HTMLResponse)
def save_page(
    request: Request,
    token: str,
    number: str,
    form: FormDep,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    if not same_origin(request, settings.base_url):
        return pages.forbidden(request)
    visit = _started(request, db, token)
    if isinstance(visit, Response):
        return visit
    page = visit.page(number)
    if page is None:
        return pages.not_found(request)
    if form is None:
        problems = [AnswerProblem("unknown_item", "")]
        return pages.question_page(request, visit, settings.secret_key, token, page, problems)
    outcome = service.save_page(
        db=db,
        visit=visit,
        page=page,
        given=_answers_of(form),
        secret=settings.secret_key,
        stamp=str(form.get("stamp", "")),
        active=str(form.get("active", "")),
    )
    if outcome.status == "closed":
        return _see_other(pages.url(token))
    if outcome.problems:
        visit = service.visit(db=db, token=token) or visit  # with the answers just saved
        return pages.question_page(
            request, visit, settings.secret_key, token, page, outcome.problems
        )
    if form.get("nav") == "back":
        return _see_other(pages.url(token, "page", max(1, page - 1)))
    if page < len(visit.questionnaire.pages):
        return _see_other(pages.url(token, "page", page + 1))
    return _see_other(pages.url(token, "review"))


@router.post("/{token}/answer")
def save_answer(
    request: Request, token: str, form: FormDep, db: SessionDep, settings: SettingsDep
) -> Response:
    """One answer saved as soon as it is given (JavaScript); 204 when saved."""
    if not same_origin(request, settings.base_url):
        return problem(403, "cross-site request refused")
    visit = service.visit(db=db, token=token)
    if visit is None:
        return problem(404)
    if visit.status != AssessmentStatus.STARTED:
        return problem(409, f"the assessment is {visit.status}")
    item_id, value = (str(form.get(k, "")) for k in ("item", "value")) if form else ("", "")
    outcome = service.save_answer(db=db, visit=visit, item_id=item_id, value=value)
    if outcome.status == "refused":
        code = outcome.problems[0].code
        what = "unknown item" if code == "unknown_item" else "value not allowed"
        return problem(422, f"{what}: {item_id[:40]!r}", item=item_id[:40])
    if outcome.status == "closed":  # submitted or expired since the visit was read
        return problem(409, "the assessment is no longer open")
    return Response(status_code=204)


@router.get("/{token}/review", response_class=HTMLResponse)
def review(request: Request, token: str, db: SessionDep) -> Response:
    visit = _started(request, db, token)
    if isinstance(visit, Response):
        return visit
    return pages.review(request, visit, token)


@router.post("/{token}/submit", response_class=HTMLResponse)
def submit(request: Request, token: str, db: SessionDep, settings: SettingsDep) -> Response:
    if not same_origin(request, settings.base_url):
        return pages.forbidden(request)
    status = service.submit(db=db, token=token)
    if status is None:
        return pages.not_found(request)
    if status == AssessmentStatus.COMPLETED:
        return _see_other(pages.url(token, "thanks"))
    return _see_other(pages.url(token))


@router.get("/{token}/thanks", response_class=HTMLResponse)
def thanks(request: Request, token: str, db: SessionDep) -> Response:
    visit = service.visit(db=db, token=token)
    if visit is None:
        return pages.not_found(request)
    if visit.status != AssessmentStatus.COMPLETED:
        return _see_other(pages.url(token))
    return pages.message(request, "thanks", visit=visit)


@router.get("/", response_class=HTMLResponse)
@router.get("/{token}/{rest:path}", response_class=HTMLResponse)
def unknown(request: Request, token: str = "", rest: str = "") -> Response:
    return pages.not_found(request)
