"""The rep's own feedback report at the end of the assessment, on the web and as PDF, opened by
their link: only for a completed assessment, and only where the organisation shares feedback."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Assessment
from app.reports.context import RepReport
from app.services import reports
from app.services.participation import find_by_token
from app.services.report_inputs import assessment_inputs, rep_view
from app.vocabulary import AssessmentStatus


def _shared(db: Session, token: str) -> Assessment | None:
    """The link's completed assessment when its organisation lets reps have their report."""
    assessment = find_by_token(db=db, token=token)
    if assessment is None or assessment.status != AssessmentStatus.COMPLETED:
        return None
    if not reports.feedback_allowed(db=db, assessment=assessment):
        return None
    return assessment


def feedback_view(*, db: Session, token: str) -> RepReport | None:
    """The participant report's view model for the web page; None when not to be shown."""
    assessment = _shared(db, token)
    if assessment is None:
        return None
    inputs = assessment_inputs(
        db=db, assessment_id=assessment.id, organisation_id=assessment.organisation_id
    )
    return rep_view(inputs=inputs, kind="participant")


def feedback_pdf(*, db: Session, token: str) -> reports.RenderedReport | None:
    """The participant report as PDF; None when not to be shown."""
    assessment = _shared(db, token)
    if assessment is None:
        return None
    return reports.assessment_report(
        db=db,
        assessment_id=assessment.id,
        kind="participant",
        organisation_id=assessment.organisation_id,
    )
