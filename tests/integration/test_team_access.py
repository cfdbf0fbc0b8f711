"""Who may do what with a team, over real HTTP: every team-related page and action tried by
an admin, the team's manager, another team's manager, another organisation's admin and
someone signed out. Foreign data is a 404, a manager's admin-only action a 403, and a
signed-out visitor is sent to /login."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assessment, Organisation, Participant, Team, TeamManager
from app.services.organisations import create_organisation, create_team
from app.services.teams import assign_manager
from app.services.users import create_user
from tests.integration.participant_client import parse
from tests.integration.test_manager_auth import sign_in
from tests.integration.test_manager_pages import complete

PASSWORD = "a long enough password"
ROLES = ("admin", "team_manager", "other_manager", "rival_admin", "anonymous")
EMAILS = {
    "admin": "admin@test-org.example",
    "team_manager": "alpha.manager@test-org.example",
    "other_manager": "beta.manager@test-org.example",
    "rival_admin": "boss@rival.example",
}
OK, SEE_OTHER, FORBIDDEN, NOT_FOUND, INVALID, LOGIN = 200, 303, 403, 404, 422, "login"


@dataclass
class World:
    alpha: str
    beta: str
    rival_team: str
    done: str  # a completed assessment in Alpha
    open: str  # an open invitation in Alpha
    rep: str  # the participant of `open`
    users: dict[str, str]


@pytest.fixture
def world(db: Session, org: Organisation, invite: Any) -> World:
    alpha = create_team(db=db, organisation=org, name="Alpha")
    beta = create_team(db=db, organisation=org, name="Beta")
    rival = create_organisation(db=db, name="Rival Corp", slug="rival-corp")
    rival_team = create_team(db=db, organisation=rival, name="Rival Team")
    users = {}
    for role, email in EMAILS.items():
        owner = rival if role == "rival_admin" else org
        kind = "admin" if role.endswith("admin") else "manager"
        users[role] = create_user(
            db=db, organisation=owner, email=email, role=kind, password=PASSWORD
        ).id
    assign_manager(db=db, team=alpha, user_id=users["team_manager"], actor="test")
    assign_manager(db=db, team=beta, user_id=users["other_manager"], actor="test")
    db.commit()
    done = invite(email="ana@example.com", first_name="Ana", last_name="Alpha", team_id=alpha.id)
    complete(db, done, seed=3)
    waiting = invite(email="ole@example.com", first_name="Ole", last_name="Open", team_id=alpha.id)
    return World(
        alpha.id,
        beta.id,
        rival_team.id,
        done.assessment.id,
        waiting.assessment.id,
        waiting.assessment.participant_id,
        users,
    )


def actions(w: World) -> list[tuple[str, str, dict[str, str] | None, dict[str, Any]]]:
    """(method, path, form, expected status per role); anonymous always goes to /login."""
    see = {"admin": OK, "team_manager": OK, "other_manager": NOT_FOUND, "rival_admin": NOT_FOUND}
    everyone = dict.fromkeys(("admin", "team_manager", "other_manager", "rival_admin"), OK)
    change = {
        "admin": SEE_OTHER,
        "team_manager": FORBIDDEN,
        "other_manager": NOT_FOUND,
        "rival_admin": NOT_FOUND,
    }
    alpha = f"/app/teams/{w.alpha}"
    return [
        ("GET", "/app", None, everyone),
        ("GET", "/app/teams", None, everyone),
        ("GET", alpha, None, see),
        ("GET", f"{alpha}?sort=expansion&caution=include", None, see),
        ("GET", f"{alpha}/report.pdf", None, see),
        ("GET", f"/app/assessments/{w.done}", None, see),
        ("GET", f"/app/assessments/{w.done}/report.pdf", None, see),
        (
            "GET",
            f"/app/teams/{w.rival_team}",
            None,
            {**see, "rival_admin": OK, "admin": 404, "team_manager": 404},
        ),
        ("GET", f"/app/invite?team={w.alpha}", None, everyone),
        (
            "POST",
            "/app/invite",
            {"first_name": "New", "last_name": "Rep", "email": "new@example.com", "team": w.alpha},
            {
                "admin": SEE_OTHER,
                "team_manager": SEE_OTHER,
                "other_manager": INVALID,
                "rival_admin": INVALID,
            },
        ),
        (
            "POST",
            "/app/teams",
            {"name": "Gamma"},
            {
                "admin": SEE_OTHER,
                "team_manager": FORBIDDEN,
                "other_manager": FORBIDDEN,
                "rival_admin": SEE_OTHER,
            },  # in their own organisation
        ),
        ("POST", f"{alpha}/rename", {"name": "Alpha Renamed"}, change),
        (
            "POST",
            f"/app/teams/{w.rival_team}/rename",
            {"name": "Taken over"},
            {
                "admin": NOT_FOUND,
                "team_manager": NOT_FOUND,
                "other_manager": NOT_FOUND,
                "rival_admin": SEE_OTHER,
            },
        ),
        ("POST", f"{alpha}/managers", {"user": w.users["other_manager"]}, change),
        (
            "POST",
            f"{alpha}/managers",
            {"user": w.users["rival_admin"]},
            {**change, "admin": NOT_FOUND},
        ),  # another organisation's user
        ("POST", f"{alpha}/reps/move", {"rep": w.rep, "to": w.beta}, change),
        (
            "POST",
            f"{alpha}/reps/move",
            {"rep": w.rep, "to": w.rival_team},
            {**change, "admin": INVALID},
        ),  # another organisation's team
        (
            "POST",
            f"/app/assessments/{w.open}/cancel",
            None,
            {
                "admin": SEE_OTHER,
                "team_manager": SEE_OTHER,
                "other_manager": NOT_FOUND,
                "rival_admin": NOT_FOUND,
            },
        ),
        ("POST", f"{alpha}/managers/remove", {"user": w.users["team_manager"]}, change),
        ("POST", f"{alpha}/archive", None, change),
        ("POST", f"{alpha}/restore", None, change),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_team_page_and_action_is_allowed_or_refused_as_it_should_be(
    http: httpx.Client, db: Session, world: World, role: str
) -> None:
    if role != "anonymous":
        assert sign_in(http, EMAILS[role], PASSWORD).status_code == 303
    wrong = []
    for method, path, form, expected in actions(world):
        response = http.request(method, path, data=form, headers={"Accept": "text/html"})
        want = expected.get(role, LOGIN)
        if want == LOGIN:
            location = urlsplit(response.headers.get("location", ""))
            got: Any = (
                LOGIN
                if response.status_code == 303 and location.path == "/login"
                else (response.status_code)
            )
        else:
            got = response.status_code
        if got != want:
            wrong.append(f"{method} {path}: {got}, expected {want}")
        if want == NOT_FOUND:
            # Nothing of the other team or organisation leaks into the refusal.
            assert "Ana Alpha" not in response.text and "Rival Team" not in response.text
    assert not wrong, f"{role}: " + "; ".join(wrong)

    db.expire_all()
    alpha = db.get(Team, world.alpha)
    rep = db.get(Participant, world.rep)
    rival_team = db.get(Team, world.rival_team)
    assert alpha is not None and rep is not None and rival_team is not None
    managers = set(db.scalars(select(TeamManager.user_id).where(TeamManager.team_id == alpha.id)))
    assert rival_team.name == ("Taken over" if role == "rival_admin" else "Rival Team")
    if role == "admin":  # every change went through, and was undone where it should be
        assert alpha.name == "Alpha Renamed" and alpha.archived_at is None
        assert managers == {world.users["other_manager"]}
        assert rep.team_id == world.beta
        moved = db.get(Assessment, world.open)
        assert moved is not None and moved.team_id == world.beta
    else:  # nothing changed
        assert alpha.name == "Alpha" and alpha.archived_at is None
        assert managers == {world.users["team_manager"]}
        assert rep.team_id == world.alpha


def test_a_manager_sees_only_their_teams_reps_on_every_list(
    http: httpx.Client, db: Session, world: World, invite: Any
) -> None:
    invite(email="bea@example.com", first_name="Bea", last_name="Beta", team_id=world.beta)
    invite(email="nat@example.com", first_name="Nat", last_name="Noteam")

    assert sign_in(http, EMAILS["other_manager"], PASSWORD).status_code == 303
    dashboard = parse(http.get("/app"))
    assert "Bea Beta" in dashboard.text
    assert "Ana Alpha" not in dashboard.text and "Ole Open" not in dashboard.text
    assert "Nat Noteam" not in dashboard.text  # no team: the admins' to see
    assert f"/app/teams/{world.alpha}" not in dashboard.links
    assert "1 Invited" in dashboard.text and "0 Completed" in dashboard.text
    filtered = parse(http.get("/app", params={"team": world.alpha}))  # another team's filter
    assert "Ana Alpha" not in filtered.text
    teams = parse(http.get("/app/teams"))
    assert f"/app/teams/{world.beta}" in teams.links
    assert f"/app/teams/{world.alpha}" not in teams.links
    assert "Create a team" not in teams.text
    form = parse(http.get("/app/invite"))
    assert "Beta" in form.text and ">Alpha<" not in form.html
    # A manager's invitation must go to one of their teams.
    bare = parse(
        http.post(
            "/app/invite",
            data={"first_name": "No", "last_name": "Team", "email": "no.team@example.com"},
        )
    )
    assert bare.status == 422 and "Choose one of your teams." in bare.alerts[0]
    http.post("/logout")

    assert sign_in(http, EMAILS["admin"], PASSWORD).status_code == 303
    everything = parse(http.get("/app"))
    assert all(name in everything.text for name in ("Ana Alpha", "Bea Beta", "Nat Noteam"))


def test_an_archived_team_leaves_lists_and_pickers_but_keeps_its_data(
    http: httpx.Client, db: Session, world: World
) -> None:
    assert sign_in(http, EMAILS["admin"], PASSWORD).status_code == 303
    assert http.post(f"/app/teams/{world.alpha}/archive").status_code == 303
    dashboard = parse(http.get("/app"))
    assert f"/app/teams/{world.alpha}" not in dashboard.links
    assert "Ana Alpha" in dashboard.text  # the assessments stay
    form = parse(http.get("/app/invite"))
    assert ">Alpha<" not in form.html
    refused = parse(
        http.post(
            "/app/invite",
            data={
                "first_name": "A",
                "last_name": "B",
                "email": "ab@example.com",
                "team": world.alpha,
            },
        )
    )
    assert refused.status == 422  # an archived team takes no new reps
    teams = parse(http.get("/app/teams"))
    assert "Archived teams" in teams.text and f"/app/teams/{world.alpha}" in teams.links
    page = parse(http.get(f"/app/teams/{world.alpha}"))
    assert page.status == 200 and "archived" in page.text and "Ana Alpha" in page.text
    assert http.post(f"/app/teams/{world.alpha}/restore").status_code == 303
    assert f"/app/teams/{world.alpha}" in parse(http.get("/app")).links


def test_team_names_are_checked_as_an_attacker_would_send_them(
    http: httpx.Client, world: World
) -> None:
    assert sign_in(http, EMAILS["admin"], PASSWORD).status_code == 303
    for name, message in [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("x" * 201, "longer than 200"),
        ("beta", "already exists"),  # the same name in another case
    ]:
        page = parse(http.post("/app/teams", data={"name": name}))
        assert page.status == 422 and message in page.alerts[0], name
    nul = http.post("/app/teams", data={"name": "Bad\x00Name"})
    assert nul.status_code == 422
    odd = http.post("/app/teams", data={"name": "  Équipe  Ünïcødé 東京  "})
    assert odd.status_code == 303
    assert "Équipe Ünïcødé 東京" in parse(http.get(odd.headers["location"])).h1
    renamed = parse(http.post(f"/app/teams/{world.alpha}/rename", data={"name": "BETA"}))
    assert renamed.status == 422 and "already exists" in renamed.alerts[0]
