"""The participant's pages at /a/{token}: welcome and consent, question pages, review, submit.
Routes parse the request, call one service function and redirect or render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from app.deps import SessionDep, SettingsDep
from app.instrument.questionnaire import AnswerProblem
from app.problems import problem
from app.services import feedback
from app.services import participation as service
from app.services.participation import Visit
from app.vocabulary import CLOSED_STATUSES, AssessmentStatus
from app.web.i18n import catalogue
from app.web.participant import pages, views
from app.web.participant.security import same_origin
from app.web.pdf import pdf_response

router = APIRouter(prefix="/a", tags=["participant"], include_in_schema=False)
ANSWER_PREFIX = "answer:"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _resume_url(visit: Visit, token: str, *, note: bool = False) -> str:
    """Where the participant left off; `note` asks that page to say so (and what was skipped)."""
    page = visit.resume_page
    if not page:
        return pages.url(token, "review")
    return pages.url(token, "page", page) + ("?resumed=1" if note else "")


def _layout_asked(request: Request, form: FormData | None) -> str:
    """The layout for the participant's screen: the page's script says "compact" on a narrow
    screen; without JavaScript, a browser that calls itself mobile gets it too."""
    asked = str(form.get("layout", "")) if form else ""
    if asked in ("compact", "standard"):
        return asked
    mobile = request.headers.get("sec-ch-ua-mobile") == "?1"
    mobile = mobile or "Mobi" in request.headers.get("user-agent", "")
    return "compact" if mobile else "standard"


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
        return _see_other(_resume_url(visit, token, note=True))
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
    layout = _layout_asked(request, form)
    if service.consent(db=db, token=token, layout=layout) != AssessmentStatus.STARTED:
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
    return pages.question_page(
        request,
        visit,
        settings.secret_key,
        token,
        page,
        resumed=request.query_params.get("resumed") == "1",
        from_review=request.query_params.get("from") == "review",
    )


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
    from_review = bool(form and form.get("from") == "review")
    # The page in the layout it was shown in: the participant may have switched since.
    current = visit.layout
    shown_in = service.layout_of(str(form.get("layout", current)) if form else current)
    if shown_in != current:
        visit = service.visit_in_layout(db=db, visit=visit, layout=shown_in)
    page = visit.page(number)
    if page is None:
        return pages.not_found(request)
    if form is None:
        problems = [AnswerProblem("unknown_item", "")]
        return pages.question_page(
            request, visit, settings.secret_key, token, page, problems, from_review=from_review
        )
    outcome = service.save_page(
        db=db,
        visit=visit,
        page=page,
        given=_answers_of(form),
        secret=settings.secret_key,
        stamp=str(form.get("stamp", "")),
        active=str(form.get("active", "")),
        q=visit.questionnaire,
    )
    if outcome.status == "closed":
        return _see_other(pages.url(token))
    if outcome.problems:
        saved = service.visit(db=db, token=token)  # with the answers just saved
        visit = service.visit_in_layout(db=db, visit=saved, layout=shown_in) if saved else visit
        return pages.question_page(
            request,
            visit,
            settings.secret_key,
            token,
            page,
            outcome.problems,
            from_review=from_review,
        )
    nav = form.get("nav")
    if nav == "review":
        return _see_other(pages.url(token, "review"))
    if shown_in != current:
        # Switched layout in another tab: page numbers differ there, so resume by question.
        fresh = service.visit(db=db, token=token)
        return _see_other(_resume_url(fresh, token) if fresh else pages.url(token))
    if nav == "back":
        return _see_other(pages.url(token, "page", max(1, page - 1)))
    if page < len(visit.questionnaire.pages):
        return _see_other(pages.url(token, "page", page + 1))
    return _see_other(pages.url(token, "review"))


@router.post("/{token}/layout", response_class=HTMLResponse)
def change_layout(
    request: Request, token: str, form: FormDep, db: SessionDep, settings: SettingsDep
) -> Response:
    """Fewer or more questions per page; the participant stays at the same question."""
    if not same_origin(request, settings.base_url):
        return pages.forbidden(request)
    visit = _started(request, db, token)
    if isinstance(visit, Response):
        return visit
    layout = str(form.get("switch_to", "")) if form else ""
    question = str(form.get("question", "")) if form else ""
    if service.change_layout(db=db, visit=visit, layout=layout) is None:
        return _see_other(pages.url(token))
    changed = service.visit_in_layout(db=db, visit=visit, layout=layout)
    page = changed.page_of_question(question) or 1
    return _see_other(pages.url(token, "page", page))


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
    return pages.thanks(request, visit, token)


@router.get("/{token}/feedback", response_class=HTMLResponse)
def feedback_page(request: Request, token: str, db: SessionDep) -> Response:
    """The rep's own feedback report on the web, where the organisation shares it."""
    visit = service.visit(db=db, token=token)
    report = feedback.feedback_view(db=db, token=token) if visit else None
    if visit is None or report is None:
        return pages.not_found(request)
    return pages.feedback(request, visit, token, report)


@router.get("/{token}/feedback.pdf")
def feedback_pdf(request: Request, token: str, db: SessionDep) -> Response:
    """The same report as PDF, to keep; personal data, so never cached (app/web/pdf.py)."""
    report = feedback.feedback_pdf(db=db, token=token)
    if report is None:
        return pages.not_found(request)
    return pdf_response(report, disposition="attachment")


@router.get("/", response_class=HTMLResponse)
@router.get("/{token}/{rest:path}", response_class=HTMLResponse)
def unknown(request: Request, token: str = "", rest: str = "") -> Response:
    return pages.not_found(request)
