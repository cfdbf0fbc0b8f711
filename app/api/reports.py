"""HR API: PDF reports of an assessment and of a team, scoped to the API key's organisation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.deps import ApiKeyDep, SessionDep
from app.services import reports

router = APIRouter(prefix="/api/v1", tags=["reports"])
PDF: dict[str, Any] = {"content": {"application/pdf": {}}, "description": "The PDF report."}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such assessment or team in your organisation."},
    409: {"description": "Not completed yet (problem details)."},
}


@router.get(
    "/assessments/{assessment_id}/report.pdf",
    response_class=Response,
    responses={200: PDF, **PROBLEMS},
)
def assessment_report(
    assessment_id: str,
    api_key: ApiKeyDep,
    db: SessionDep,
    kind: Literal["manager", "participant"] = "manager",
    locale: str | None = None,
    paper: Literal["a4", "letter"] = "a4",
) -> Response:
    """The Sales Manager Report (or the rep's feedback report) of a completed assessment."""
    return reports.pdf_response(
        reports.assessment_report(
            db=db,
            assessment_id=assessment_id,
            kind=kind,
            locale=locale,
            paper=paper,
            organisation_id=api_key.organisation_id,
        )
    )


@router.get(
    "/teams/{team_id}/report.pdf", response_class=Response, responses={200: PDF, **PROBLEMS}
)
def team_report(
    team_id: str,
    api_key: ApiKeyDep,
    db: SessionDep,
    headcount: Annotated[list[str] | None, Query(description="STAGE=N, repeatable")] = None,
    locale: str = "en",
    paper: Literal["a4", "letter"] = "a4",
) -> Response:
    """The Team Sales Process Report from the team's completed assessments."""
    counts = reports.parse_headcounts(headcount) if headcount else None
    return reports.pdf_response(
        reports.team_report(
            db=db,
            team_id=team_id,
            headcounts=counts,
            locale=locale,
            paper=paper,
            organisation_id=api_key.organisation_id,
        )
    )
