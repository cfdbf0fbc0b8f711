"""HR API: PDF reports of an assessment and of a team, scoped to the API key's organisation."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from app.api.content import known_query_only
from app.api.params import Headcounts, Locale
from app.deps import ApiKeyDep, DatabaseDep, SessionDep
from app.problems import problem_responses
from app.services import audit, reports
from app.web.pdf import pdf_response

router = APIRouter(prefix="/api/v1", tags=["reports"], dependencies=[Depends(known_query_only)])
PDF: dict[str, Any] = {"content": {"application/pdf": {}}, "description": "The PDF report."}
UNKNOWN_LOCALE = "a `locale` the instrument has no texts in (the detail names the ones it has)"
ASSESSMENT_RESPONSES = problem_responses(
    401,
    404,
    409,
    422,
    s404="No such assessment in your organisation.",
    s409="The assessment is not completed yet.",
    s422=f"A parameter value the report cannot take: {UNKNOWN_LOCALE}, or an unknown `kind` "
    "or `paper`.",
)
TEAM_RESPONSES = problem_responses(
    401,
    404,
    409,
    422,
    s404="No such team in your organisation.",
    s409="No rep of the team has completed an assessment yet.",
    s422=f"A parameter value the report cannot take: {UNKNOWN_LOCALE}, a `headcount` that is "
    "not STAGE=N with a stage key and a whole number, or an unknown `paper`.",
)


@router.get(
    "/assessments/{assessment_id}/report.pdf",
    response_class=Response,
    responses={200: PDF, **ASSESSMENT_RESPONSES},
)
def assessment_report(
    assessment_id: str,
    api_key: ApiKeyDep,
    db: SessionDep,
    database: DatabaseDep,
    kind: Literal["manager", "participant"] = "manager",
    locale: Locale = None,
    paper: Literal["a4", "letter"] = "a4",
) -> Response:
    """The Sales Manager Report (or the rep's feedback report) of a completed assessment."""
    report = reports.assessment_report(
        db=db,
        assessment_id=assessment_id,
        kind=kind,
        locale=locale,
        paper=paper,
        organisation_id=api_key.organisation_id,
    )
    audit.record_access(
        database=database,
        action="report.downloaded",
        actor=f"apikey:{api_key.id}",
        organisation_id=api_key.organisation_id,
        subject_id=assessment_id,
        detail={"kind": kind},
    )
    return pdf_response(report)


@router.get(
    "/teams/{team_id}/report.pdf",
    response_class=Response,
    responses={200: PDF, **TEAM_RESPONSES},
)
def team_report(
    team_id: str,
    api_key: ApiKeyDep,
    db: SessionDep,
    database: DatabaseDep,
    headcount: Headcounts = None,
    locale: Locale = None,
    paper: Literal["a4", "letter"] = "a4",
) -> Response:
    """The Team Sales Process Report from the team's completed assessments."""
    counts = reports.parse_headcounts(headcount) if headcount else None
    report = reports.team_report(
        db=db,
        team_id=team_id,
        headcounts=counts,
        locale=locale,
        paper=paper,
        organisation_id=api_key.organisation_id,
    )
    audit.record_access(
        database=database,
        action="team_report.downloaded",
        actor=f"apikey:{api_key.id}",
        organisation_id=api_key.organisation_id,
        subject_id=team_id,
    )
    return pdf_response(report)
