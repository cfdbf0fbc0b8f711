"""The manager app over real HTTP: dashboard, invite, cancel, results, PDFs, team pages, and
that another organisation's data is never shown."""

from __future__ import annotations

import re
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assessment, Organisation
from app.reports.palette import BAND_COLOURS, BAND_TEXT
from app.scoring.simulate import simulate_answers
from app.services import invitations, participation
from app.services.instruments import instrument_of
from app.services.organisations import create_organisation, create_team
from app.services.users import create_user
from tests.integration.participant_client import parse
from tests.integration.test_manager_auth import manager, sign_in  # noqa: F401 (fixture)
from tests.unit.report_helpers import pdf_pages


def complete(
    db: Session, invitation: Any, seed: int, seconds_per_item: float | None = None
) -> dict[str, Any]:
    """Simulated answers scored by the real engine, stored as the assessment's result."""
    assessment = invitation.assessment
    instrument = instrument_of(assessment.instrument_version)
    answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(seed))
    if seconds_per_item is not None:
        seconds = dict.fromkeys(seconds, seconds_per_item)
    result = participation.complete(db=db, assessment=assessment, answers=answers, seconds=seconds)
    db.commit()
    return result.payload


@pytest.fixture
def signed_in(http: httpx.Client, manager: str) -> httpx.Client:  # noqa: F811
    assert sign_in(http).status_code == 303
    return http


@pytest.fixture
def other_org(db: Session, mini_instrument_version: Any) -> dict[str, Any]:
    """A second organisation with its own team and completed assessment."""
    other = create_organisation(db=db, name="Rival Corp", slug="rival-corp")
    team = create_team(db=db, organisation=other, name="Rival Team")
    invitation = invitations.invite(
        db=db,
        organisation=other,
        instrument_version=mini_instrument_version,
        email="secret@rival.example",
        first_name="Quentin",
        last_name="Rivalsson",
        team_id=team.id,
    )
    create_user(
        db=db, organisation=other, email="boss@rival.example", role="admin", password="x" * 12
    )
    db.commit()
    complete(db, invitation, seed=9)
    return {"assessment_id": invitation.assessment.id, "team_id": team.id}


def test_dashboard_lists_this_organisations_assessments_only(
    signed_in: httpx.Client, db: Session, org: Organisation, invite: Any, other_org: dict
) -> None:
    team = create_team(db=db, organisation=org, name="Nordics")
    db.commit()
    done = invite(email="ana@example.com", first_name="Ana", last_name="Kraus", team_id=team.id)
    complete(db, done, seed=1)
    invite(email="ben@example.com", first_name="Ben", last_name="Lopez")

    page = parse(signed_in.get("/app"))
    assert page.status == 200
    assert "Ana Kraus" in page.text and "Ben Lopez" in page.text
    assert "Quentin" not in page.text and "Rival" not in page.text
    assert f"/app/teams/{team.id}" in page.links
    assert f"/app/assessments/{done.assessment.id}" in page.links
    assert "1 Completed" in page.text and "1 Invited" in page.text

    completed = parse(signed_in.get("/app", params={"status": "completed"}))
    assert "Ana Kraus" in completed.text and "Ben Lopez" not in completed.text
    by_team = parse(signed_in.get("/app", params={"team": team.id}))
    assert "Ana Kraus" in by_team.text and "Ben Lopez" not in by_team.text
    # Another organisation's team id as a filter shows nothing of theirs.
    theirs = parse(signed_in.get("/app", params={"team": other_org["team_id"]}))
    assert theirs.status == 200 and "Quentin" not in theirs.text


def test_invite_shows_the_link_once_and_it_opens_the_welcome_page(
    signed_in: httpx.Client, db: Session, org: Organisation, instrument_version: Any
) -> None:
    team = create_team(db=db, organisation=org, name="Benelux")
    db.commit()
    form = parse(signed_in.get("/app/invite"))
    assert form.status == 200 and {"action": "/app/invite", "method": "post"} in form.forms
    response = signed_in.post(
        "/app/invite",
        data={
            "first_name": "Noor",
            "last_name": "Jansen",
            "email": "Noor.Jansen@Example.com",
            "team": team.id,
        },
    )
    assert response.status_code == 303
    path = response.headers["location"]
    assessment_id = path.rsplit("/", 1)[-1]
    db.rollback()
    assessment = db.get(Assessment, assessment_id)
    assert assessment is not None and assessment.organisation_id == org.id
    assert assessment.status == "invited" and assessment.team_id == team.id
    assert assessment.participant.email == "noor.jansen@example.com"

    page = parse(signed_in.get(path))
    link = re.search(r'id="participant-link"[^>]*>([^<]+)</textarea>', page.html)
    assert link, "the new participant link is shown"
    assert link.group(1).startswith(str(signed_in.base_url).rstrip("/") + "/a/")
    welcome = parse(httpx.get(link.group(1), timeout=10))
    assert welcome.status == 200 and 'name="consent"' in welcome.html
    # The notice is shown once; the link stays on the page, to copy, while it works.
    again = parse(signed_in.get(path))
    assert "participant-link" not in again.html and "Noor Jansen" in again.text
    assert f'id="rep-link" class="copy-field" value="{link.group(1)}"' in again.html


def test_invite_form_errors_are_summarised(signed_in: httpx.Client) -> None:
    page = parse(
        signed_in.post("/app/invite", data={"first_name": "", "last_name": "X", "email": "nope"})
    )
    assert page.status == 422
    assert page.alerts and "first name" in page.alerts[0] and "e-mail address" in page.alerts[0]
    assert "#first_name" in page.links and "#email" in page.links
    assert 'aria-invalid="true"' in page.html
    assert page.title.startswith("Error:")


def test_cancel_an_open_invitation_and_its_link_stops_working(
    signed_in: httpx.Client, db: Session, invite: Any, live_server: str
) -> None:
    invitation = invite(email="cancel@example.com")
    path = f"/app/assessments/{invitation.assessment.id}"
    assert "Cancel this invitation" in signed_in.get(path).text
    response = signed_in.post(f"{path}/cancel")
    assert response.status_code == 303
    page = parse(signed_in.get(response.headers["location"]))
    assert "Cancelled" in page.text and "no longer opens" in page.text
    assert "Cancel this invitation" not in page.text
    db.rollback()
    assert (
        db.scalar(select(Assessment.status).where(Assessment.id == invitation.assessment.id))
        == "cancelled"
    )
    closed = httpx.get(f"{live_server}/a/{invitation.token}", timeout=10)
    assert closed.status_code == 200 and 'name="consent"' not in closed.text


def test_a_completed_assessment_cannot_be_cancelled(
    signed_in: httpx.Client, db: Session, invite: Any
) -> None:
    invitation = invite(email="done@example.com")
    complete(db, invitation, seed=3)
    response = signed_in.post(f"/app/assessments/{invitation.assessment.id}/cancel")
    assert response.status_code == 409


def _stage_row(html: str, key: str) -> str:
    match = re.search(rf'<tr data-stage="{key}">(.*?)</tr>', html, re.S)
    assert match, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_result_page_shows_the_stored_bands_and_the_pdfs_download(
    signed_in: httpx.Client, db: Session, invite: Any, instrument_version: Any
) -> None:
    invitation = invite(
        email="dana@example.com",
        first_name="Dana",
        last_name="Whitfield",
        instrument_version=instrument_version,
    )
    result = complete(db, invitation, seed=11)
    path = f"/app/assessments/{invitation.assessment.id}"
    page = parse(signed_in.get(path))
    assert page.status == 200 and page.h1 == "Dana Whitfield"
    assert len(result["stages"]) == 7
    for stage in result["stages"]:
        row = _stage_row(page.html, stage["key"])
        assert stage["name"] in row
        assert stage["band_label"] in row, (stage["key"], row)
        assert str(stage["sten"]) in row
    for key in result["best_fit_stages"]:
        name = next(s["name"] for s in result["stages"] if s["key"] == key)
        assert name in page.text.split("Pre-sale and post-sale fit")[0]
    assert "Pre-sale" in page.text and "Post-sale" in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="cg"' in page.html  # report charts
    if result["norm"]["provisional"]:
        assert "Provisional norms" in page.text
    if result["validity"]["status"] != "valid":
        assert "Interpret with caution" in page.text or "Not valid" in page.text

    for paper in ("a4", "letter"):
        pdf = signed_in.get(f"{path}/report.pdf", params={"paper": paper}, timeout=120)
        assert pdf.status_code == 200, pdf.text
        assert pdf.headers["content-type"] == "application/pdf"
        text = " ".join(pdf_pages(pdf.content))
        assert "Dana Whitfield" in text and "Sales Manager Report" in text
    feedback = signed_in.get(f"{path}/report.pdf", params={"kind": "participant"}, timeout=120)
    assert feedback.status_code == 200
    assert "Dana Whitfield" in " ".join(pdf_pages(feedback.content))


def test_a_result_that_is_not_valid_carries_a_banner(
    signed_in: httpx.Client, db: Session, invite: Any
) -> None:
    invitation = invite(email="fast@example.com")
    result = complete(db, invitation, seed=5, seconds_per_item=0.2)  # far too fast to read
    assert result["validity"]["status"] != "valid"
    page = parse(signed_in.get(f"/app/assessments/{invitation.assessment.id}"))
    banner = re.search(r'<div class="banner banner--(\w+)" role="note".*?</div>', page.html, re.S)
    assert banner and banner.group(1) == result["validity"]["status"]
    heading = "Not valid" if result["validity"]["status"] == "invalid" else "Interpret with caution"
    assert heading in banner.group(0)


def test_feedback_report_follows_the_organisation_setting(
    signed_in: httpx.Client, db: Session, org: Organisation, invite: Any
) -> None:
    invitation = invite(email="fb@example.com")
    complete(db, invitation, seed=4)
    org.share_feedback = False
    db.commit()
    path = f"/app/assessments/{invitation.assessment.id}"
    page = signed_in.get(path)
    assert "kind=participant" not in page.text
    assert "does not give reps a feedback report" in page.text
    refused = signed_in.get(f"{path}/report.pdf", params={"kind": "participant"})
    assert refused.status_code == 403
    assert signed_in.get(f"{path}/report.pdf").status_code == 200  # the manager's report


def test_a_report_before_completion_is_409(signed_in: httpx.Client, invite: Any) -> None:
    invitation = invite(email="open@example.com")
    path = f"/app/assessments/{invitation.assessment.id}/report.pdf"
    problem = signed_in.get(path)
    assert problem.status_code == 409
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert "invited" in problem.json()["detail"]
    page = signed_in.get(path, headers={"Accept": "text/html"})  # a browser gets a page
    assert page.status_code == 409 and "<h1>Not completed yet</h1>" in page.text


def test_another_organisations_ids_are_404_everywhere(
    signed_in: httpx.Client, other_org: dict
) -> None:
    theirs = other_org["assessment_id"]
    team = other_org["team_id"]
    for method, path in [
        ("GET", f"/app/assessments/{theirs}"),
        ("GET", f"/app/assessments/{theirs}/report.pdf"),
        ("GET", f"/app/assessments/{theirs}/report.pdf?kind=participant"),
        ("POST", f"/app/assessments/{theirs}/cancel"),
        ("GET", f"/app/teams/{team}"),
        ("GET", f"/app/teams/{team}/report.pdf"),
        ("GET", "/app/assessments/no-such-id"),
    ]:
        response = signed_in.request(method, path, headers={"Accept": "text/html"})
        assert response.status_code == 404, (method, path)
        assert "Quentin" not in response.text and "Rival" not in response.text


def test_team_page_heat_map_and_team_report(
    signed_in: httpx.Client, db: Session, org: Organisation, invite: Any, other_org: dict
) -> None:
    team = create_team(db=db, organisation=org, name="Iberia")
    db.commit()
    names = [("Ines", "Prieto"), ("Joao", "Silva"), ("Lucia", "Ortega")]
    results = {}
    for k, (first, last) in enumerate(names):
        invitation = invite(
            email=f"{first}@example.com", first_name=first, last_name=last, team_id=team.id
        )
        results[f"{first} {last}"] = complete(db, invitation, seed=20 + k)
    invite(email="late@example.com", first_name="Late", last_name="Comer", team_id=team.id)

    page = parse(signed_in.get(f"/app/teams/{team.id}"))
    assert page.status == 200 and page.h1 == "Iberia"
    heat = page.html.split('<table class="heat">')[1].split("</table>")[0]
    for name, result in results.items():
        row = re.search(rf">{name}</a>.*?</tr>", heat, re.S)
        assert row, name
        cells = re.findall(r'<td class="b-([a-z_]+)">', row.group(0))
        assert cells == [stage["band"] for stage in result["stages"]], name
    assert "Late Comer" not in heat  # not completed
    assert "Quentin" not in page.text

    pdf = signed_in.get(
        f"/app/teams/{team.id}/report.pdf", params={"hc_lead_evaluation": "1"}, timeout=120
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_pages(pdf.content))
    assert all(name in text for name in results)
    bad = parse(signed_in.get(f"/app/teams/{team.id}/report.pdf", params={"hc_expansion": "-2"}))
    assert bad.status == 422 and bad.alerts and "#hc_expansion" in bad.links


def test_manager_css_uses_the_report_band_colours(http: httpx.Client) -> None:
    css = http.get("/static/manager.css").text
    for key, colour in BAND_COLOURS.items():
        assert f".b-{key} {{ background: {colour}; color: {BAND_TEXT[key]}; }}" in css, key
