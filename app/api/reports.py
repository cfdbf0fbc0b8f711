"""HR API: PDF reports of an assessment and of a team, scoped to the API key's organisation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.responses import PDF, problem
from app.deps import ApiKeyDep, SessionDep
from app.services import reports
from app.web.pdf import pdf_response

router = APIRouter(prefix="/api/v1", tags=["reports"])

LOCALE = Query(
    description="The report's language, one of the instrument's locales. Default: the "
    "assessment's own where the instrument has it, else the instrument's first."
)
TEAM_LOCALE = Query(
    description="The report's language, one of the instrument's locales. Default: the "
    "instrument's first."
)
ASSESSMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: PDF,
    404: problem("No such assessment in your organisation."),
    409: problem("The assessment is not completed yet."),
    422: problem(
        "A parameter value the report cannot take: a `locale` the instrument has no texts in "
        "(the detail names the ones it has), or an unknown `kind` or `paper`."
    ),
}
TEAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: PDF,
    404: problem("No such team in your organisation."),
    409: problem("No rep of the team has completed an assessment yet."),
    422: problem(
        "A parameter value the report cannot take: a `locale` the instrument has no texts in "
        "(the detail names the ones it has), a `headcount` that is not STAGE=N with a stage "
        "key and a whole number, or an unknown `paper`."
    ),
}


@router.get(
    "/assessments/{assessment_id}/report.pdf",
    response_class=Response,
    responses=ASSESSMENT_RESPONSES,
)
def assessment_report(
    assessment_id: str,
    api_key: ApiKeyDep,
    db: SessionDep,
    kind: Literal["manager", "participant"] = "manager",
    locale: Annotated[str | None, LOCALE] = None,
    paper: Literal["a4", "letter"] = "a4",
) -> Response:
    """The Sales Manager Report (or the rep's feedback report) of a completed assessment."""
    return pdf_response(
        reports.assessment_report(
            db=db,
            assessment_id=assessment_id,
            kind=kind,
            locale=locale,
            paper=paper,
            organisation_id=api_key.organisation_id,
        )
    )


@router.get("/teams/{team_id}/report.pdf", response_class=Response, responses=TEAM_RESPONSES)
def team_report(
    team_id: str,
    api_key: ApiKeyDep,
    db: SessionDep,
    headcount: Annotated[list[str] | None, Query(description="STAGE=N, repeatable")] = None,
    locale: Annotated[str | None, TEAM_LOCALE] = None,
    paper: Literal["a4", "letter"] = "a4",
) -> Response:
    """The Team Sales Process Report from the team's completed assessments."""
    counts = reports.parse_headcounts(headcount) if headcount else None
    return pdf_response(
        reports.team_report(
            db=db,
            team_id=team_id,
            headcounts=counts,
            locale=locale,
            paper=paper,
            organisation_id=api_key.organisation_id,
        )
    )
