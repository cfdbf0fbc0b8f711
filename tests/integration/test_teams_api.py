"""The HR API's teams over real HTTP: create, list, read, members and the team matching,
scoped to the key's organisation, with invalid results kept out of the assignment."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from app.models import Organisation
from app.services.apikeys import create_api_key
from app.services.organisations import create_organisation, create_team
from app.services.teams import archive
from tests.integration.test_manager_pages import complete


@pytest.fixture
def api(http: httpx.Client, db: Session, org: Organisation) -> httpx.Client:
    key = create_api_key(db=db, organisation=org, name="HRIS").key
    db.commit()
    http.headers["Authorization"] = f"Bearer {key}"
    return http


def test_create_list_read_and_archive_teams(api: httpx.Client, db: Session, org: Any) -> None:
    created = api.post("/api/v1/teams", json={"name": "  Nordics  "})
    assert created.status_code == 201
    team = created.json()
    assert team["name"] == "Nordics" and team["archived_at"] is None
    assert api.get(f"/api/v1/teams/{team['id']}").json() == team
    old = create_team(db=db, organisation=org, name="Old Guard")
    archive(db=db, team=old, actor="test")
    db.commit()
    assert [t["name"] for t in api.get("/api/v1/teams").json()["data"]] == ["Nordics"]
    everything = api.get("/api/v1/teams", params={"archived": "true"}).json()["data"]
    assert [t["name"] for t in everything] == ["Nordics", "Old Guard"]
    assert everything[1]["archived_at"] is not None
    assert api.get(f"/api/v1/teams/{old.id}").status_code == 200  # its data is kept


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "nordics"}, 409),  # the same name in another case
        ({"name": ""}, 422),
        ({"name": "   "}, 422),
        ({"name": "x" * 201}, 422),
        ({"name": "Bad\u0000Name"}, 422),
        ({"name": "Bad\u0085Name"}, 422),
        ({"name": 12}, 422),
        ({}, 422),
    ],
)
def test_bad_team_names_are_problems(api: httpx.Client, body: dict[str, Any], status: int) -> None:
    assert api.post("/api/v1/teams", json={"name": "Nordics"}).status_code == 201
    response = api.post("/api/v1/teams", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status


def test_a_read_only_key_cannot_create_and_no_key_gets_401(
    http: httpx.Client, db: Session, org: Organisation
) -> None:
    key = create_api_key(db=db, organisation=org, name="reader", scopes="read").key
    db.commit()
    auth = {"Authorization": f"Bearer {key}"}
    assert http.post("/api/v1/teams", json={"name": "X"}, headers=auth).status_code == 403
    assert http.get("/api/v1/teams", headers=auth).status_code == 200
    assert http.get("/api/v1/teams").status_code == 401


def test_another_organisations_team_is_404_everywhere(
    api: httpx.Client, db: Session, invite: Any
) -> None:
    rival = create_organisation(db=db, name="Rival Corp", slug="rival-corp")
    theirs = create_team(db=db, organisation=rival, name="Rival Team")
    db.commit()
    for path in ("", "/members", "/matching", "/report.pdf"):
        response = api.get(f"/api/v1/teams/{theirs.id}{path}")
        assert response.status_code == 404, path
        assert "Rival" not in response.text
    assert theirs.id not in api.get("/api/v1/teams").text
    assert api.get("/api/v1/teams/no-such-team/members").status_code == 404


def test_members_and_matching_keep_the_invalid_rep_out_of_the_assignment(
    api: httpx.Client, db: Session, org: Organisation, invite: Any
) -> None:
    team = create_team(db=db, organisation=org, name="Iberia")
    db.commit()
    assert api.get(f"/api/v1/teams/{team.id}/matching").status_code == 409  # nobody done yet
    ids = {}
    for k, (first, last) in enumerate([("Ines", "Prieto"), ("Joao", "Silva"), ("Rui", "Rush")]):
        invitation = invite(
            email=f"{first}@example.com", first_name=first, last_name=last, team_id=team.id
        )
        rushed = 0.5 if first == "Rui" else None  # far too fast to have read anything
        complete(db, invitation, seed=40 + k, seconds_per_item=rushed)
        ids[first] = invitation.assessment.id
    invite(email="late@example.com", first_name="Late", last_name="Comer", team_id=team.id)

    members = api.get(f"/api/v1/teams/{team.id}/members").json()["data"]
    assert [(m["first_name"], m["last_name"]) for m in members] == [
        ("Late", "Comer"),
        ("Ines", "Prieto"),
        ("Rui", "Rush"),
        ("Joao", "Silva"),
    ]
    assert members[1]["email"] == "ines@example.com"

    found = api.get(
        f"/api/v1/teams/{team.id}/matching",
        params=[("headcount", "lead_evaluation=2"), ("headcount", "expansion=1")],
    )
    assert found.status_code == 200, found.text
    matching = found.json()
    assert matching["headcounts"] == {"lead_evaluation": 2, "expansion": 1}
    reps = {r["name"]: r for r in matching["reps"]}
    assert set(reps) == {"Ines Prieto", "Joao Silva", "Rui Rush"}
    rui = reps["Rui Rush"]
    assert rui["validity"] == "invalid" and rui["ranked"] is False
    assert rui["validity_reason"].startswith("Invalid: answered too fast")
    assert rui["assigned_stage"] is None
    assert len(rui["stage_ranking"]) == 7  # still shown
    assigned = [a for s in matching["stages"] for a in s["assigned"]]
    assert ids["Rui"] not in assigned and ids["Rui"] not in matching["unassigned"]
    assert sorted(assigned) == sorted([ids["Ines"], ids["Joao"]])
    slots = {s["stage"]: s["slots"] for s in matching["stages"]}
    assert (
        slots["lead_evaluation"] == 2
        and slots["expansion"] == 1
        and slots["closing_negotiation"] == 0
    )
    for name in ("Ines Prieto", "Joao Silva"):
        rep = reps[name]
        assert rep["ranked"] and rep["assigned_stage"] in ("lead_evaluation", "expansion")
        ranks = [s["rank"] for s in rep["stage_ranking"] if s["rank"] is not None]
        assert ranks == sorted(ranks) and ranks[0] == 1
    gaps = {s["stage"]: s["gap_codes"] for s in matching["stages"]}
    assert "unassigned" in gaps["closing_negotiation"]  # head-count 0

    bad = api.get(f"/api/v1/teams/{team.id}/matching", params={"headcount": "nowhere=2"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_the_team_pdf_greys_the_invalid_rep(
    api: httpx.Client, db: Session, org: Organisation, invite: Any
) -> None:
    from tests.unit.report_helpers import pdf_pages

    team = create_team(db=db, organisation=org, name="Benelux")
    db.commit()
    for k, first in enumerate(("Anke", "Rushed")):
        invitation = invite(
            email=f"{first}@example.com", first_name=first, last_name="Rep", team_id=team.id
        )
        complete(db, invitation, seed=60 + k, seconds_per_item=0.5 if first == "Rushed" else None)
    pdf = api.get(f"/api/v1/teams/{team.id}/report.pdf", timeout=120)
    assert pdf.status_code == 200
    text = " ".join(" ".join(pdf_pages(pdf.content)).split())
    assert "Rushed Rep" in text and "Invalid: answered too fast" in text
    assert "Not assigned because of their result: Rushed Rep" in text
    assignment = text.split("Suggested assignment")[1].split("Not assigned because")[0]
    assert "Anke Rep" in assignment and "Rushed Rep" not in assignment
