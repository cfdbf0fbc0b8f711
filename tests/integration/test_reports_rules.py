"""Rules every report endpoint shares, over real HTTP: the report's language, bad parameter
values (422 problem details, documented), the PDF's headers, and results stored in the old
shape."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy.orm import Session

from app.models import Organisation, Team
from app.scoring.engine import score
from app.scoring.simulate import simulate_answers
from app.services import assessments
from app.services.apikeys import create_api_key
from app.services.instruments import instrument_of
from app.services.organisations import create_team
from tests.integration.test_manager_auth import manager, sign_in  # noqa: F401 (fixture)
from tests.integration.test_reports_http import complete
from tests.unit.report_helpers import old_shaped, pdf_pages

PROBLEM = "application/problem+json"


class Api:
    """The HR API as an HR system calls it: with its organisation's key."""

    def __init__(self, http: httpx.Client, key: str) -> None:
        self.http, self.headers = http, {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers, timeout=120)


@pytest.fixture
def api(http: httpx.Client, db: Session, org: Organisation) -> Api:
    key = create_api_key(db=db, organisation=org, name="HRIS").key
    db.commit()
    return Api(http, key)


@pytest.fixture
def signed_in(http: httpx.Client, manager: str) -> httpx.Client:  # noqa: F811
    """The manager app, signed in (the same server, so the same HTTP client)."""
    assert sign_in(http).status_code == 303
    return http


@pytest.fixture
def team(db: Session, org: Organisation, invite: Any) -> Team:
    """A team of two reps who completed the (English-only) mini instrument."""
    team = create_team(db=db, organisation=org, name="North")
    db.commit()
    for k, first in enumerate(("Ana", "Ben")):
        complete(
            db, invite(email=f"{first}@example.com", first_name=first, team_id=team.id), 30 + k
        )
    return team


def _refused_for_locale(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == 422
    assert "'zz'" in problem["detail"] and "this instrument has en" in problem["detail"]
    return problem


def test_a_locale_the_instrument_lacks_is_422_on_both_reports(
    api: Api, db: Session, invite: Any, team: Team
) -> None:
    invitation = invite(email="dana@example.com")
    complete(db, invitation, seed=1)
    rep_path = f"/api/v1/assessments/{invitation.assessment.id}/report.pdf"
    team_path = f"/api/v1/teams/{team.id}/report.pdf"
    _refused_for_locale(api.get(rep_path, locale="zz"))
    _refused_for_locale(api.get(team_path, locale="zz"))
    for path in (rep_path, team_path):
        for params in ({"locale": "en"}, {}):  # asked for and had, or not asked for
            response = api.get(path, **params)
            assert response.status_code == 200, (path, params, response.text)


def test_without_a_locale_a_stored_one_the_instrument_lacks_falls_back_to_its_first(
    api: Api,
    signed_in: httpx.Client,
    db: Session,
    invite: Any,
) -> None:
    invitation = invite(email="fr@example.com", first_name="Fleur", last_name="Rep", locale="fr")
    complete(db, invitation, seed=2)
    path = f"/api/v1/assessments/{invitation.assessment.id}/report.pdf"
    response = api.get(path)
    assert response.status_code == 200, response.text
    assert "Sales Manager Report" in " ".join(pdf_pages(response.content))  # in English
    _refused_for_locale(api.get(path, locale="zz"))

    page = signed_in.get(f"/app/assessments/{invitation.assessment.id}")
    assert page.status_code == 200 and "Pre-sale and post-sale fit" in page.text
    pdf = signed_in.get(f"/app/assessments/{invitation.assessment.id}/report.pdf", timeout=120)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"


def test_a_bad_headcount_is_422_problem_details(api: Api, team: Team) -> None:
    for value in ("closing=2", "expansion", "expansion=-1", "expansion=²"):
        response = api.get(f"/api/v1/teams/{team.id}/report.pdf", headcount=value)
        assert response.status_code == 422, value
        assert response.headers["content-type"].startswith(PROBLEM)
        assert "headcount" in response.json()["detail"]


def test_the_422s_are_documented_in_the_openapi(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    rep = paths["/api/v1/assessments/{assessment_id}/report.pdf"]["get"]["responses"]
    team = paths["/api/v1/teams/{team_id}/report.pdf"]["get"]["responses"]
    for responses in (rep, team):
        assert {"200", "404", "409", "422"} <= set(responses)
        assert "locale" in responses["422"]["description"]
        assert PROBLEM in responses["422"]["content"]
    assert "headcount" in team["422"]["description"]


def test_the_pdf_is_never_stored_or_sniffed(
    api: Api,
    signed_in: httpx.Client,
    db: Session,
    invite: Any,
) -> None:
    invitation = invite(email="h@example.com")
    complete(db, invitation, seed=3)
    api_pdf = api.get(f"/api/v1/assessments/{invitation.assessment.id}/report.pdf")
    app_pdf = signed_in.get(f"/app/assessments/{invitation.assessment.id}/report.pdf", timeout=120)
    for response in (api_pdf, app_pdf):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-report-cache"] in ("hit", "miss")
    assert api_pdf.headers["content-disposition"].startswith("inline;")
    assert app_pdf.headers["content-disposition"].startswith("attachment;")


def test_a_name_outside_latin_1_still_gets_its_pdf(api: Api, db: Session, invite: Any) -> None:
    # The file name goes into a header, which HTTP sends as Latin-1.
    invitation = invite(email="li@example.com", first_name="Анна", last_name="Петрова")
    complete(db, invitation, seed=4)
    response = api.get(f"/api/v1/assessments/{invitation.assessment.id}/report.pdf")
    assert response.status_code == 200, response.text
    assert 'filename="stagefit-manager-report.pdf"' in response.headers["content-disposition"]
    assert "Анна Петрова" in " ".join(pdf_pages(response.content))


def test_a_result_stored_in_the_old_shape_is_reported(
    api: Api,
    signed_in: httpx.Client,
    db: Session,
    invite: Any,
) -> None:
    invitation = invite(email="old@example.com", first_name="Olga", last_name="Old")
    assessment = invitation.assessment
    instrument = instrument_of(assessment.instrument_version)
    answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(6))
    result = score(instrument, answers, seconds=seconds, assessment_id=assessment.id).to_json()
    assessments.store_result(db=db, assessment=assessment, result=old_shaped(result))
    db.commit()

    response = api.get(f"/api/v1/assessments/{assessment.id}/report.pdf")
    assert response.status_code == 200, response.text
    text = " ".join(pdf_pages(response.content))
    assert "Olga Old" in text and "Pre-sale vs post-sale fit" in text
    for stage in result["stages"]:
        assert stage["name"] in text and stage["band_label"] in text

    page = signed_in.get(f"/app/assessments/{assessment.id}")
    assert page.status_code == 200
    for stage in result["stages"]:
        assert f'<tr data-stage="{stage["key"]}">' in page.text
