"""The four calls Greenhouse makes to an assessment partner: list_tests, send_test,
test_status and request_errors (its "response_error" URL). Errors are problem details:
Greenhouse reads only the status code (401 for a bad key, 404 for an unknown id)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import GreenhouseReader, GreenhouseWriter, SessionDep, SettingsDep
from app.integrations.greenhouse.schemas import (
    INTERVIEW_ID,
    PartnerTestOut,
    RequestErrorIn,
    RequestErrorOut,
    SendTestIn,
    SendTestOut,
    TestStatusOut,
)
from app.models import Organisation
from app.problems import problem_responses
from app.services import greenhouse
from app.services.greenhouse import Candidate

router = APIRouter(prefix="/integrations/greenhouse", tags=["greenhouse"])
AUTH = problem_responses(401, 403, s401="No API key, a wrong or revoked one, or a password")
BODY = problem_responses(400, 422, s400="The body is not JSON")


def _organisation(db: SessionDep, organisation_id: str) -> Organisation:
    organisation = db.get(Organisation, organisation_id)
    assert organisation is not None  # an API key's organisation is never removed
    return organisation


@router.get("/list_tests", responses=AUTH)
def list_tests(db: SessionDep, caller: GreenhouseReader) -> list[PartnerTestOut]:
    """The tests this organisation can send: one per installed questionnaire version."""
    return [PartnerTestOut(**vars(test)) for test in greenhouse.list_tests(db=db)]


@router.post(
    "/send_test",
    responses={
        **AUTH,
        **BODY,
        **problem_responses(404, s404="No such partner_test_id"),
    },
)
def send_test(
    body: SendTestIn, db: SessionDep, settings: SettingsDep, caller: GreenhouseWriter
) -> SendTestOut:
    """E-mail the test to the candidate; a retry with the same `url` sends nothing new and
    returns the same partner_interview_id."""
    interview_id = greenhouse.send_test(
        db=db,
        settings=settings,
        organisation=_organisation(db, caller.api_key.organisation_id),
        api_key_id=caller.api_key.id,
        credential=caller.key,
        test_id=body.partner_test_id,
        candidate=Candidate(
            first_name=body.candidate.first_name,
            last_name=body.candidate.last_name,
            email=body.candidate.email,
        ),
        callback_url=body.url,
        request=body.model_dump(mode="json"),
    )
    return SendTestOut(partner_interview_id=interview_id)


@router.get(
    "/test_status",
    responses={**AUTH, **problem_responses(404, 422, s404="No such partner_interview_id")},
)
def test_status(
    partner_interview_id: Annotated[
        str, Query(pattern=INTERVIEW_ID, max_length=64, description="From send_test.")
    ],
    db: SessionDep,
    settings: SettingsDep,
    caller: GreenhouseReader,
) -> TestStatusOut:
    """Where the candidate is; once `complete`, the score (withheld when the result is not
    valid) and the stage bands, best-fit stage and validity as metadata."""
    status = greenhouse.test_status(
        db=db,
        settings=settings,
        organisation=_organisation(db, caller.api_key.organisation_id),
        interview_id=partner_interview_id,
    )
    return TestStatusOut(**vars(status))


@router.post("/request_errors", responses={**AUTH, **BODY})
def request_errors(
    body: RequestErrorIn, db: SessionDep, caller: GreenhouseReader
) -> RequestErrorOut:
    """Greenhouse reports a response of ours it could not read; kept in the audit trail."""
    greenhouse.record_request_error(
        db=db,
        organisation=_organisation(db, caller.api_key.organisation_id),
        api_key_id=caller.api_key.id,
        report=body.model_dump(mode="json"),
    )
    return RequestErrorOut(status=200)
