"""One assessment: GET /app/assessments/{id}, cancelling it, and its PDF reports."""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from app.deps import CurrentScope, CurrentUser, DatabaseDep, SessionDep, SettingsDep
from app.models import Assessment
from app.services import assessments as assessment_service
from app.services import audit, dashboard, invitations, notifications, reminders, reports, retake
from app.services.access import Scope
from app.vocabulary import AssessmentStatus
from app.web.manager.errors import PageError, not_found
from app.web.manager.invite import forget_new_link, new_link, remember_new_link
from app.web.manager.pages import render
from app.web.manager.security import manager_router, refuse_cross_site
from app.web.pdf import pdf_response

router = manager_router(prefix="/app/assessments", tags=["manager"])


def _assessment(db: Session, scope: Scope, assessment_id: str) -> Assessment:
    """The assessment if the user may see it; the not-found page otherwise."""
    assessment = dashboard.find_assessment(db=db, scope=scope, assessment_id=assessment_id)
    if assessment is None:
        raise not_found()
    return assessment


@router.get("/{assessment_id}")
def show(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    database: DatabaseDep,
    settings: SettingsDep,
    cancelled: str | None = None,
    done: str | None = None,
) -> Response:
    detail = dashboard.assessment_detail(db=db, scope=scope, assessment_id=assessment_id)
    if detail is None:
        raise not_found()
    if detail.report is not None:
        audit.record_access(
            database=database,
            action="result.viewed",
            actor=f"user:{user.id}",
            organisation_id=user.organisation_id,
            subject_id=assessment_id,
        )
    link = new_link(request, settings.secret_key, assessment_id)
    assessment = _assessment(db, scope, assessment_id)
    response = render(
        request,
        "assessment.html",
        user=user,
        a=detail,
        r=detail.report,
        new_link=link,
        # The rep's link, to copy while it works (sealed; app/services/assessments.link_of).
        link=invitations.link_of(settings, assessment) if detail.is_open else None,
        reminders=reminders.sent(db=db, assessment_id=assessment_id),
        done=done if done in DONE else None,
        cancelled=cancelled is not None and detail.status == AssessmentStatus.CANCELLED,
    )
    if link is not None:
        forget_new_link(response, assessment_id)
    return response


@router.post("/{assessment_id}/cancel")
def cancel(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    refuse_cross_site(request, settings.base_url)
    assessment = _assessment(db, scope, assessment_id)
    assessment_service.expire_due(db=db, assessment_id=assessment.id)
    if not (assessment.status.is_open or assessment.status == AssessmentStatus.CANCELLED):
        raise PageError(
            409,
            "Cannot cancel",
            f"This assessment is {assessment.status}; only open invitations can be cancelled.",
        )
    assessment_service.cancel(db=db, assessment=assessment, actor=f"user:{user.id}")
    return RedirectResponse(f"/app/assessments/{assessment_id}?cancelled=1", 303)


DONE = ("reminded", "new_link")  # what the page confirms after a POST


def _open(db: Session, scope: Scope, assessment_id: str, action: str) -> Assessment:
    assessment = _assessment(db, scope, assessment_id)
    assessment_service.expire_due(db=db, assessment_id=assessment.id)
    if not assessment.status.is_open:
        raise PageError(
            409,
            f"Cannot {action}",
            f"This assessment is {assessment.status}; only open invitations can be {action}ed.",
        )
    return assessment


@router.post("/remind-not-started")
def remind_not_started(
    request: Request, user: CurrentUser, scope: CurrentScope, db: SessionDep, settings: SettingsDep
) -> Response:
    """One click for everyone invited who has not started (not those reminded today)."""
    refuse_cross_site(request, settings.base_url)
    count = reminders.remind_not_started(
        db=db, scope=scope, actor=f"user:{user.id}", sender_name=user.email
    )
    return RedirectResponse(f"/app?reminded={count}", 303)


@router.post("/{assessment_id}/remind")
def remind(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    """One click: a reminder e-mail with the rep's link goes out now."""
    refuse_cross_site(request, settings.base_url)
    assessment = _open(db, scope, assessment_id, "remind")
    reminders.remind(db=db, assessment=assessment, actor=f"user:{user.id}", sender_name=user.email)
    return RedirectResponse(f"/app/assessments/{assessment_id}?done=reminded", 303)


@router.post("/{assessment_id}/new-link")
def renew_link(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    """A new link, e-mailed to the rep; the old one stops working, answers so far stay."""
    refuse_cross_site(request, settings.base_url)
    assessment = _open(db, scope, assessment_id, "renew")
    invitations.renew_link(
        db=db, assessment=assessment, seal_with=settings.secret_key, actor=f"user:{user.id}"
    )
    notifications.enqueue_email(
        db=db,
        assessment=assessment,
        message=notifications.Message.INVITATION,
        sender_name=user.email,
    )
    return RedirectResponse(f"/app/assessments/{assessment_id}?done=new_link", 303)


@router.post("/{assessment_id}/reinvite")
def reinvite(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    """A retake of a result that is not valid: a new invitation, e-mailed, shown once."""
    refuse_cross_site(request, settings.base_url)
    assessment = _assessment(db, scope, assessment_id)
    try:
        invitation = retake.reinvite(
            db=db,
            assessment=assessment,
            actor=f"user:{user.id}",
            sender_name=user.email,
            seal_with=settings.secret_key,
        )
    except retake.CannotReinvite as refused:
        raise PageError(409, "Cannot re-invite", str(refused)) from None
    new_id = invitation.assessment.id
    response = RedirectResponse(f"/app/assessments/{new_id}", 303)
    url = invitations.participant_url(settings, invitation.token)
    remember_new_link(response, settings, new_id, url)
    return response


@router.get("/{assessment_id}/report.pdf")
def report_pdf(
    assessment_id: str,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    database: DatabaseDep,
    kind: Literal["manager", "participant"] = "manager",
    paper: Literal["a4", "letter"] = "a4",
) -> Response:
    """The Sales Manager Report, or the rep's feedback report when the organisation gives
    reps theirs; the same code and cache as the HR API's report endpoint."""
    assessment = _assessment(db, scope, assessment_id)
    if kind == "participant" and not reports.feedback_allowed(db=db, assessment=assessment):
        raise PageError(
            403,
            "Feedback report switched off",
            "Your organisation does not give reps a feedback report, so it is not offered.",
        )
    report = reports.assessment_report(
        db=db,
        assessment_id=assessment_id,
        kind=kind,
        paper=paper,
        organisation_id=scope.organisation_id,
    )
    audit.record_access(
        database=database,
        action="report.downloaded",
        actor=f"user:{user.id}",
        organisation_id=user.organisation_id,
        subject_id=assessment_id,
        detail={"kind": kind},
    )
    return pdf_response(report, disposition="attachment")
