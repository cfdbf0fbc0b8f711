"""Results for daily use, over real HTTP on the real database: a rep's history with reliable
change (page and PDF), the role or stage of work, validity said alike everywhere with a
re-invite, comparing reps, and the dashboard's search, filters and CSV export."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assessment, Organisation
from app.reports.validity_words import HEADLINES, MEANINGS
from app.scoring.simulate import simulate_answers
from app.services import participation
from app.services.instruments import instrument_of
from app.services.organisations import create_team
from tests.integration.participant_client import parse
from tests.integration.test_manager_auth import manager, sign_in  # noqa: F401 (fixture)
from tests.integration.test_manager_pages import complete, other_org  # noqa: F401 (fixture)
from tests.unit.report_helpers import pdf_text


@pytest.fixture
def signed_in(http: httpx.Client, manager: str) -> httpx.Client:  # noqa: F811
    assert sign_in(http).status_code == 303
    return http


def complete_as(db: Session, invitation: Any, level: float, seed: int) -> dict[str, Any]:
    """Answers of someone whose every competency lies at z = `level`, stored as the result."""
    assessment = invitation.assessment
    instrument = instrument_of(assessment.instrument_version)
    latent = dict.fromkeys((c.key for c in instrument.competencies), level)
    answers, seconds = simulate_answers(instrument, latent, np.random.default_rng(seed))
    result = participation.complete(db=db, assessment=assessment, answers=answers, seconds=seconds)
    db.commit()
    return result.payload


def _row(html: str, attribute: str, key: str) -> str:
    match = re.search(rf'<tr {attribute}="{key}">(.*?)</tr>', html, re.S)
    assert match, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_a_reassessed_rep_shows_reliable_change_on_the_page_and_in_the_report(
    signed_in: httpx.Client, db: Session, invite: Any
) -> None:
    before = invite(email="rea@example.com", first_name="Rea", last_name="Again")
    first = complete_as(db, before, level=-1.5, seed=1)
    after = invite(email="REA@example.com", first_name="Rea", last_name="Again")
    second = complete_as(db, after, level=1.5, seed=2)
    assert before.assessment.participant_id == after.assessment.participant_id
    day = before.assessment.completed_at.strftime("%Y-%m-%d")

    page = parse(signed_in.get(f"/app/assessments/{after.assessment.id}"))
    assert page.status == 200
    assert f"Change since {day}" in page.text
    names = {c["key"]: c["name"] for c in second["competencies"]}
    improved = 0
    for c in first["competencies"]:
        row = _row(page.html, "data-change", c["key"])
        assert names[c["key"]] in row
        if "reliably improved" in row:
            improved += 1
    assert improved >= len(names) // 2, page.text  # from z -1.5 to +1.5: most are reliable
    assert "Reliable improvement in" in page.text
    assert "reliably declined" not in page.text
    # The history links both assessments of the person.
    assert f"/app/assessments/{before.assessment.id}" in page.links

    # The earlier result has nothing earlier to compare with.
    earlier = parse(signed_in.get(f"/app/assessments/{before.assessment.id}"))
    assert "Change since" not in earlier.text
    assert f"/app/assessments/{after.assessment.id}" in earlier.links

    pdf = signed_in.get(f"/app/assessments/{after.assessment.id}/report.pdf", timeout=120)
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert f"Change since {day}" in text and "Reliable improvement in" in text
    assert "reliably improved" in text
    old_pdf = signed_in.get(f"/app/assessments/{before.assessment.id}/report.pdf", timeout=120)
    assert "Change since" not in pdf_text(old_pdf.content)


def test_the_role_named_at_invitation_is_stored_and_the_reports_show_fit_for_it(
    signed_in: httpx.Client, db: Session, mini_instrument_version: Any
) -> None:
    form = parse(signed_in.get("/app/invite"))
    assert 'value="role:new_business"' in form.html and 'value="stage:expansion"' in form.html
    refused = parse(
        signed_in.post(
            "/app/invite",
            data={
                "first_name": "Ro",
                "last_name": "Le",
                "email": "ro@example.com",
                "target": "role:astronaut",
            },
        )
    )
    assert refused.status == 422 and "#target" in refused.links

    response = signed_in.post(
        "/app/invite",
        data={
            "first_name": "Nell",
            "last_name": "Newbiz",
            "email": "nell@example.com",
            "target": "role:new_business",
        },
    )
    assert response.status_code == 303
    assessment_id = response.headers["location"].rsplit("/", 1)[-1]
    db.rollback()
    assessment = db.get(Assessment, assessment_id)
    assert assessment is not None
    assert (assessment.target_role, assessment.target_stage) == ("new_business", None)
    open_page = parse(signed_in.get(f"/app/assessments/{assessment_id}"))
    assert "Role: New business" in open_page.text

    class Invitation:  # what complete_as needs
        pass

    invitation = Invitation()
    invitation.assessment = assessment  # type: ignore[attr-defined]
    result = complete_as(db, invitation, level=0.5, seed=7)
    stages = {s["key"]: s for s in result["stages"]}
    page = parse(signed_in.get(f"/app/assessments/{assessment_id}"))
    assert "Fit for the work named at invitation" in page.text
    section = page.text.split("Fit for the work named at invitation")[1].split("Pre-sale")[0]
    for key in ("initial_contact", "needs_exploration", "closing_negotiation"):
        assert stages[key]["name"] in section
    assert stages["expansion"]["name"] not in section
    assert any(v in section for v in ("A good match", "lies elsewhere", "No stage leads"))

    text = pdf_text(signed_in.get(f"/app/assessments/{assessment_id}/report.pdf").content)
    assert "Role: New business" in text and "Fit for the work named at invitation" in text

    # A single stage works the same way.
    stage = signed_in.post(
        "/app/invite",
        data={
            "first_name": "Ex",
            "last_name": "Pander",
            "email": "ex@example.com",
            "target": "stage:expansion",
        },
    )
    db.rollback()
    row = db.get(Assessment, stage.headers["location"].rsplit("/", 1)[-1])
    assert row is not None and (row.target_role, row.target_stage) == (None, "expansion")


def test_validity_is_said_alike_everywhere_and_an_invalid_result_can_be_retaken(
    signed_in: httpx.Client, db: Session, org: Organisation, invite: Any
) -> None:
    team = create_team(db=db, organisation=org, name="Alps")
    db.commit()
    invitation = invite(
        email="quick@example.com", first_name="Quinn", last_name="Quick", team_id=team.id
    )
    result = complete(db, invitation, seed=5, seconds_per_item=0.2)  # far too fast to read
    status = result["validity"]["status"]
    assert status in ("invalid", "caution")
    reasons = [f["detail"] for f in result["validity"]["flags"]]
    path = f"/app/assessments/{invitation.assessment.id}"

    page = parse(signed_in.get(path))
    banner = re.search(r'<div class="banner banner--\w+" role="note".*?</div>', page.html, re.S)
    assert banner
    banner_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", banner.group(0)))
    assert HEADLINES[status] in banner_text and MEANINGS[status] in banner_text
    assert all(reason in banner_text for reason in reasons)
    manager_pdf = pdf_text(signed_in.get(f"{path}/report.pdf").content)
    feedback_pdf = pdf_text(signed_in.get(f"{path}/report.pdf?kind=participant").content)
    for text in (manager_pdf, feedback_pdf):
        assert HEADLINES[status].upper() in text and MEANINGS[status] in text
        assert reasons[0][:60] in text

    # Re-invite: a new assessment of the same person, questionnaire and team, e-mailed.
    assert f"{path}/reinvite" in str(page.forms)
    response = signed_in.post(f"{path}/reinvite")
    assert response.status_code == 303
    new_id = response.headers["location"].rsplit("/", 1)[-1]
    db.rollback()
    old, new = db.get(Assessment, invitation.assessment.id), db.get(Assessment, new_id)
    assert old is not None and new is not None and new.id != old.id
    assert new.participant_id == old.participant_id and new.team_id == team.id
    assert new.instrument_version_id == old.instrument_version_id
    assert new.status == "invited" and old.status == "completed"
    shown = parse(signed_in.get(response.headers["location"]))
    assert 'id="participant-link"' in shown.html  # the new link, shown once
    # A second click does not stack invitations.
    again = signed_in.post(f"{path}/reinvite", headers={"Accept": "text/html"})
    assert again.status_code == 409 and "already has an open invitation" in again.text
    count = db.scalars(
        select(Assessment).where(Assessment.participant_id == old.participant_id)
    ).all()
    assert len(count) == 2


def test_a_valid_result_is_not_reinvited(signed_in: httpx.Client, db: Session, invite: Any) -> None:
    for seed in range(1, 12):  # simulated answer sets are sometimes flagged: take a valid one
        invitation = invite(email=f"calm{seed}@example.com")
        if complete(db, invitation, seed=seed)["validity"]["status"] == "valid":
            break
    else:
        pytest.fail("no simulated answer set was valid")
    path = f"/app/assessments/{invitation.assessment.id}"
    assert "/reinvite" not in signed_in.get(path).text
    assert signed_in.post(f"{path}/reinvite").status_code == 409


def test_compare_two_to_four_reps_side_by_side(
    signed_in: httpx.Client,
    db: Session,
    invite: Any,
    other_org: dict,  # noqa: F811
) -> None:
    results, ids = {}, []
    for k, name in enumerate(("Ada", "Bo", "Cy")):
        invitation = invite(email=f"{name}@example.com", first_name=name, last_name="Cmp")
        results[name] = complete(db, invitation, seed=30 + k)
        ids.append(invitation.assessment.id)
    page = parse(signed_in.get("/app/compare", params={"a": ids}))
    assert page.status == 200 and page.h1 == "Compare reps"
    for stage in results["Ada"]["stages"]:
        row = _row(page.html, "data-stage", stage["key"])
        for name in ("Ada", "Bo", "Cy"):
            theirs = next(s for s in results[name]["stages"] if s["key"] == stage["key"])
            assert f"{theirs['sten']}" in row and theirs["band_label"] in row
    assert all(f"/app/assessments/{i}" in page.links for i in ids)

    # The dashboard offers the choice.
    dash = parse(signed_in.get("/app"))
    assert {"action": "/app/compare", "method": "get"} in dash.forms
    assert all(f'name="a" value="{i}"' in dash.html for i in ids)

    one = signed_in.get("/app/compare", params={"a": ids[:1]}, headers={"Accept": "text/html"})
    assert one.status_code == 422 and "2 to 4" in one.text
    five = signed_in.get("/app/compare", params={"a": ids + ids[:1] + ["x", "y"]})
    assert five.status_code == 422
    theirs = signed_in.get(
        "/app/compare",
        params={"a": [ids[0], other_org["assessment_id"]]},
        headers={"Accept": "text/html"},
    )
    assert theirs.status_code == 404 and "Quentin" not in theirs.text
    open_one = invite(email="open@example.com")
    pending = signed_in.get("/app/compare", params={"a": [ids[0], open_one.assessment.id]})
    assert pending.status_code == 409


def test_dashboard_search_filters_and_sort(
    signed_in: httpx.Client,
    db: Session,
    org: Organisation,
    invite: Any,
    other_org: dict,  # noqa: F811
) -> None:
    team = create_team(db=db, organisation=org, name="Baltics")
    db.commit()
    fast = invite(
        email="zed.fast@example.com", first_name="Zoë", last_name="Crane", team_id=team.id
    )
    status = complete(db, fast, seed=5, seconds_per_item=0.2)["validity"]["status"]
    calm = invite(email="amy.calm@example.com", first_name="Amy", last_name="Bloom")
    complete_as(db, calm, level=0.0, seed=3)
    invite(email="mo@sample.org", first_name="Mo", last_name="Zander")

    def names(**params: str) -> list[str]:
        page = parse(signed_in.get("/app", params=params))
        assert page.status == 200
        assert "Quentin" not in page.text
        return re.findall(r'<a href="/app/assessments/[^"]+">([^<]+)</a>', page.html)

    assert names(q="BLOOM") == ["Amy Bloom"]
    assert names(q="amy b") == ["Amy Bloom"]  # first and last name together
    assert names(q="sample.org") == ["Mo Zander"]
    assert names(q="Quentin") == []  # another organisation's rep is not found
    assert names(q="%") == [] and names(q="_") == []  # wildcards are searched as text
    assert names(q="ä" + "x" * 5000) == []  # an over-long search is cut, not an error
    nul = signed_in.get("/app", params={"q": "a\x00b"})
    assert nul.status_code == 422 and "Quentin" not in nul.text  # refused at the edge
    assert names(validity=status) == ["Zoë Crane"]
    assert names(team=team.id) == ["Zoë Crane"]
    # Another organisation's team is no filter: everything of this one shows, nothing of theirs.
    assert sorted(names(team=other_org["team_id"])) == sorted(names())
    assert names(sort="name") == ["Amy Bloom", "Zoë Crane", "Mo Zander"]
    assert names(q="zoë") == ["Zoë Crane"]
    assert names(sort="completed")[-1] == "Mo Zander"  # not completed: last
    assert names(validity="nonsense", sort="nonsense")  # unknown values widen, not fail


def test_csv_export_has_the_selection_and_defuses_formulas(
    signed_in: httpx.Client,
    db: Session,
    invite: Any,
    other_org: dict,  # noqa: F811
) -> None:
    evil = invite(
        email="evil@example.com",
        first_name="=cmd|' /C calc'!A0",
        last_name="+SUM(1)",
        external_id="@HYPERLINK",
    )
    result = complete(db, evil, seed=12)
    invite(email="tab@example.com", first_name="@Tab", last_name="-Minus")
    response = signed_in.get("/app/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert {r["email"] for r in rows} == {"evil@example.com", "tab@example.com"}
    assert all("rival" not in r["email"] for r in rows)
    done = next(r for r in rows if r["email"] == "evil@example.com")
    assert done["first_name"] == "'=cmd|' /C calc'!A0"
    assert done["last_name"] == "'+SUM(1)" and done["external_id"] == "'@HYPERLINK"
    assert done["status"] == "completed" and done["validity"] == result["validity"]["status"]
    assert done["best_fit_stages"] == " ".join(result["best_fit_stages"])
    for stage in result["stages"]:
        assert done[f"stage:{stage['key']}:sten"] == str(stage["sten"])
        assert done[f"stage:{stage['key']}:band"] == stage["band"]
    tab = next(r for r in rows if r["email"] == "tab@example.com")
    assert tab["first_name"] == "'@Tab" and tab["last_name"] == "'-Minus"
    assert tab["validity"] == "" and tab["stage:lead_evaluation:sten"] == ""
    # No cell of the file starts a formula.
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    # The export follows the dashboard's filters.
    only = signed_in.get("/app/export.csv", params={"status": "completed"}).text
    assert "evil@example.com" in only and "tab@example.com" not in only
    # The dashboard's CSV link carries its search and filters.
    page = parse(signed_in.get("/app", params={"q": "tab@", "sort": "name"}))
    link = next(href for href in page.links if href.startswith("/app/export.csv"))
    assert "q=tab%40" in link and "sort=name" in link
    linked = signed_in.get(link).text
    assert "tab@example.com" in linked and "evil@example.com" not in linked


def test_new_actions_on_another_organisations_ids_are_404(
    signed_in: httpx.Client,
    other_org: dict,  # noqa: F811
) -> None:
    theirs = other_org["assessment_id"]
    response = signed_in.post(
        f"/app/assessments/{theirs}/reinvite", headers={"Accept": "text/html"}
    )
    assert response.status_code == 404 and "Quentin" not in response.text
    export = signed_in.get("/app/export.csv", params={"team": other_org["team_id"]})
    assert "secret@rival.example" not in export.text


def test_a_manager_finds_compares_and_exports_only_reps_of_their_teams(
    http: httpx.Client, db: Session, org: Organisation, invite: Any
) -> None:
    from app.services.teams import assign_manager
    from app.services.users import create_user

    alpha = create_team(db=db, organisation=org, name="Alpha")
    beta = create_team(db=db, organisation=org, name="Beta")
    boss = create_user(
        db=db, organisation=org, email="alpha.boss@example.com", role="manager", password="p" * 12
    )
    assign_manager(db=db, team=alpha, user_id=boss.id, actor="test")
    db.commit()
    mine = [
        invite(email=f"a{k}@example.com", first_name="Al", last_name=f"Pha{k}", team_id=alpha.id)
        for k in range(2)
    ]
    theirs = invite(email="b@example.com", first_name="Be", last_name="Ta", team_id=beta.id)
    for k, invitation in enumerate([*mine, theirs]):
        complete(db, invitation, seed=40 + k, seconds_per_item=0.2 if k == 2 else None)
    assert sign_in(http, email="alpha.boss@example.com", password="p" * 12).status_code == 303

    page = parse(http.get("/app", params={"q": "example.com"}))
    assert "Al Pha0" in page.text and "Be Ta" not in page.text
    assert "Be Ta" not in parse(http.get("/app", params={"q": "Ta"})).text
    export = http.get("/app/export.csv").text
    assert "a0@example.com" in export and "b@example.com" not in export
    ids = [i.assessment.id for i in mine]
    assert http.get("/app/compare", params={"a": ids}).status_code == 200
    other = http.get("/app/compare", params={"a": [ids[0], theirs.assessment.id]})
    assert other.status_code == 404 and "Be Ta" not in other.text
    refused = http.post(f"/app/assessments/{theirs.assessment.id}/reinvite")
    assert refused.status_code == 404
