"""GET /api/v1/assessments/{id}/report.pdf over real HTTP: scoped, cached, 409 until completed."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy.orm import Session

from app.models import Organisation
from app.scoring.engine import score
from app.scoring.simulate import simulate_answers
from app.services import assessments
from app.services.apikeys import create_api_key
from app.services.instruments import instrument_of
from app.services.organisations import create_organisation, create_team
from tests.unit.report_helpers import pdf_pages


def complete(db: Session, invitation: Any, seed: int) -> dict[str, Any]:
    """Score simulated answers with the real engine and store them as the result."""
    assessment = invitation.assessment
    instrument = instrument_of(assessment.instrument_version)
    answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(seed))
    result = score(instrument, answers, seconds=seconds, assessment_id=assessment.id).to_json()
    assessments.store_result(db=db, assessment=assessment, result=result)
    db.commit()
    return result


@pytest.fixture
def api_key(db: Session, org: Organisation) -> str:
    key = create_api_key(db=db, organisation=org, name="HRIS").key
    db.commit()
    return key


def _get(http: httpx.Client, path: str, key: str, **params: Any) -> httpx.Response:
    return http.get(path, params=params, headers={"Authorization": f"Bearer {key}"}, timeout=120)


def test_report_pdf_is_served_then_cached_and_rebranding_renders_anew(
    http: httpx.Client,
    db: Session,
    org: Organisation,
    invite: Any,
    instrument_version: Any,
    api_key: str,
) -> None:
    invitation = invite(
        email="dana@example.com",
        first_name="Dana",
        last_name="Whitfield",
        instrument_version=instrument_version,
    )
    result = complete(db, invitation, seed=1)
    path = f"/api/v1/assessments/{invitation.assessment.id}/report.pdf"

    first = _get(http, path, api_key)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["x-report-cache"] == "miss"
    text = " ".join(pdf_pages(first.content))
    assert "Dana Whitfield" in text and "Test Org" in text
    for stage in result["stages"]:
        assert stage["name"] in text and stage["band_label"] in text

    second = _get(http, path, api_key)
    assert second.headers["x-report-cache"] == "hit"
    assert second.content == first.content

    org.brand_colour = "#7a1f5c"
    db.commit()
    rebranded = _get(http, path, api_key)
    assert rebranded.headers["x-report-cache"] == "miss"
    assert rebranded.content != first.content

    letter = _get(http, path, api_key, paper="letter", kind="participant")
    assert letter.status_code == 200 and letter.headers["x-report-cache"] == "miss"


def test_not_completed_is_409_problem_details(
    http: httpx.Client, invite: Any, api_key: str
) -> None:
    invitation = invite(email="open@example.com")
    response = _get(http, f"/api/v1/assessments/{invitation.assessment.id}/report.pdf", api_key)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 409 and "invited" in problem["detail"]
    assert problem["title"] == "Conflict"


def test_another_organisations_assessment_is_404(
    http: httpx.Client, db: Session, invite: Any, api_key: str
) -> None:
    invitation = invite(email="theirs@example.com")
    other = create_organisation(db=db, name="Other Org", slug="other-org")
    other_key = create_api_key(db=db, organisation=other, name="theirs").key
    db.commit()
    path = f"/api/v1/assessments/{invitation.assessment.id}/report.pdf"
    response = _get(http, path, other_key)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "Not Found"
    assert _get(http, "/api/v1/assessments/no-such-id/report.pdf", api_key).status_code == 404


def test_without_a_valid_key_is_401(http: httpx.Client, invite: Any) -> None:
    invitation = invite(email="k@example.com")
    path = f"/api/v1/assessments/{invitation.assessment.id}/report.pdf"
    assert http.get(path).status_code == 401
    response = http.get(path, headers={"Authorization": "Bearer sf_nope_nope"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_bad_options_are_422_not_500(http: httpx.Client, invite: Any, api_key: str) -> None:
    invitation = invite(email="opt@example.com")
    path = f"/api/v1/assessments/{invitation.assessment.id}/report.pdf"
    assert _get(http, path, api_key, paper="a3").status_code == 422
    assert _get(http, path, api_key, kind="ceo").status_code == 422


def test_team_report_over_http(
    http: httpx.Client,
    db: Session,
    org: Organisation,
    invite: Any,
    mini_instrument_version: Any,
    api_key: str,
) -> None:
    team = create_team(db=db, organisation=org, name="North")
    db.commit()
    names = [("Ana", "Kraus"), ("Ben", "Lopez"), ("Chloe", "Meyer")]
    for k, (first, last) in enumerate(names):
        invitation = invite(
            email=f"{first}@example.com",
            first_name=first,
            last_name=last,
            team_id=team.id,
            instrument_version=mini_instrument_version,
        )
        complete(db, invitation, seed=50 + k)
    invite(
        email="late@example.com",
        first_name="Late",
        last_name="Comer",
        team_id=team.id,
        instrument_version=mini_instrument_version,
    )
    response = _get(http, f"/api/v1/teams/{team.id}/report.pdf", api_key, headcount=["expansion=0"])
    assert response.status_code == 200, response.text
    text = " ".join(pdf_pages(response.content))
    for first, last in names:
        assert f"{first} {last}" in text
    assert "Late Comer" not in text  # not completed: not in the team report
