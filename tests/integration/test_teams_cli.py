"""`stagefit team create|list` as a user runs them, and the demo's team: its invalid rep is
shown but not assigned to a stage (team page, matching API)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from sqlalchemy.orm import Session

from app.models import Team
from app.services.teams import archive
from tests.integration.participant_client import parse


def _ok(result: Any) -> str:
    assert result.returncode == 0, result.stderr
    return str(result.stdout)


def _error(result: Any) -> str:
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return str(lines[0])


def test_team_create_and_list(run_cli: Any, db: Session, org: Any) -> None:
    created = json.loads(_ok(run_cli("team", "create", "Nordics", "--org", org.slug, "--json")))
    assert set(created) == {"id", "name"} and created["name"] == "Nordics"
    plain = _ok(run_cli("team", "create", "  Benelux   North ", "--org", org.slug))
    assert "team 'Benelux North' created" in plain

    listed = json.loads(_ok(run_cli("team", "list", "--org", org.slug, "--json")))
    assert [t["name"] for t in listed] == ["Benelux North", "Nordics"]
    assert listed[1] == {"id": created["id"], "name": "Nordics", "archived": False}
    db.rollback()  # a fresh snapshot: the commands wrote since
    team = db.get(Team, created["id"])
    assert team is not None and team.organisation_id == org.id
    archive(db=db, team=team, actor="test")
    db.commit()
    assert [
        t["name"] for t in json.loads(_ok(run_cli("team", "list", "--org", org.slug, "--json")))
    ] == ["Benelux North"]
    both = _ok(run_cli("team", "list", "--org", org.slug, "--archived"))
    assert f"{created['id']}  Nordics  (archived)" in both


def test_team_create_refuses_in_one_line(run_cli: Any, org: Any) -> None:
    _ok(run_cli("team", "create", "Nordics", "--org", org.slug))
    assert "already exists" in _error(run_cli("team", "create", "NORDICS", "--org", org.slug))
    assert "must not be empty" in _error(run_cli("team", "create", "  ", "--org", org.slug))
    assert "longer than 200" in _error(run_cli("team", "create", "x" * 201, "--org", org.slug))
    assert "control character" in _error(run_cli("team", "create", "a\x07b", "--org", org.slug))
    assert "no organisation" in _error(run_cli("team", "create", "X", "--org", "nowhere"))
    assert "no organisation" in _error(run_cli("team", "list", "--org", "nowhere"))


def test_the_demos_invalid_rep_is_shown_but_not_assigned(run_cli: Any, http: httpx.Client) -> None:
    demo = json.loads(_ok(run_cli("demo", "--json")))
    auth = {"Authorization": f"Bearer {demo['api_key']}"}
    matching = http.get(f"/api/v1/teams/{demo['team_id']}/matching", headers=auth).json()
    invalid = [r for r in matching["reps"] if r["validity"] == "invalid"]
    assert [r["name"] for r in invalid] == ["Tomasz Nowak"]
    tomasz = invalid[0]
    assert tomasz["assigned_stage"] is None and tomasz["ranked"] is False
    assert tomasz["validity_reason"].startswith("Invalid: answered too fast")
    assigned = [a for s in matching["stages"] for a in s["assigned"]]
    assert tomasz["assessment_id"] not in assigned
    assert len(assigned) == 11  # every other rep has a stage (two slots per stage)

    # The manager's team page shows him greyed, with the reason, and not in the assignment.
    sign = http.post("/login", data=demo["manager"])
    assert sign.status_code == 303
    page = parse(http.get(f"/app/teams/{demo['team_id']}"))
    row = re.search(r'<tr class="excluded">.*?</tr>', page.html, re.S)
    assert row and "Tomasz Nowak" in row.group(0)
    assert "Invalid: answered too fast" in row.group(0)
    assert 'class="b-' not in row.group(0)  # greyed cells, no band colours
    assignment = page.html.split('id="assignment-title"')[1].split("</ul>")[0]
    assert "Tomasz Nowak" not in assignment
    # Sortable by stage; the stage names break after "/" rather than inside a word.
    assert f"/app/teams/{demo['team_id']}?sort=closing_negotiation" in page.links
    assert "Closing/<wbr>Negotiation" in page.html
    by_stage = parse(http.get(f"/app/teams/{demo['team_id']}", params={"sort": "expansion"}))
    body = by_stage.html.split('<table class="heat">')[1].split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    names = [re.search(r'<a href="/app/assessments/[^"]+">([^<]+)</a>', r).group(1) for r in rows]
    expansion = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[6] for r in rows]
    stens = [int(re.search(r"<strong>(\d+)", cell).group(1)) for cell in expansion[:-1]]
    assert stens == sorted(stens, reverse=True) and len(stens) == 11
    assert names[-1] == "Tomasz Nowak"  # kept out of the ranking: last
