"""The manager app's privacy pages over real HTTP: admins export and erase a rep (with a
confirmation step), set the retention period, and read the audit log; managers are refused;
the participant's welcome page says what is kept, how long and for what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Assessment, AuditEvent, Organisation, Participant, TeamManager, User
from app.services.organisations import create_team
from app.services.users import create_user
from tests.conftest import TLS
from tests.integration.participant_client import parse
from tests.integration.privacy_helpers import found_in_tables, person_with_everything
from tests.integration.test_manager_auth import PASSWORD, sign_in

ADMIN = "ada.admin@test-org.example"
MANAGER = "max.manager@test-org.example"


@pytest.fixture
def browsers(live_server: str, db: Session, org: Organisation) -> Any:
    """Signed-in clients of an admin and of a manager of the organisation."""
    create_user(db=db, organisation=org, email=ADMIN, role="admin", password=PASSWORD)
    create_user(db=db, organisation=org, email=MANAGER, role="manager", password=PASSWORD)
    db.commit()
    clients = {}
    for role, email in (("admin", ADMIN), ("manager", MANAGER)):
        client = httpx.Client(base_url=live_server, timeout=60, verify=TLS)
        assert sign_in(client, email, PASSWORD).status_code == 303
        clients[role] = client
    yield clients
    for client in clients.values():
        client.close()


def test_a_manager_is_refused_every_privacy_page(
    browsers: dict[str, httpx.Client], db: Session, org: Organisation, mini_instrument_version: Any
) -> None:
    person = person_with_everything(db, org, mini_instrument_version, tag="mgr")
    manager = browsers["manager"]
    base = f"/app/participants/{person.participant_id}"
    for method, path in (
        ("GET", "/app/audit"),
        ("GET", "/app/privacy"),
        ("POST", "/app/privacy"),
        ("GET", f"{base}/export"),
        ("GET", f"{base}/erase"),
        ("POST", f"{base}/erase"),
    ):
        data = {"confirm": "yes", "retention_days": "30"} if method == "POST" else None
        response = manager.request(method, path, data=data, headers={"Accept": "text/html"})
        assert response.status_code == 403, (method, path)
        assert person.email not in response.text
    # The manager manages the rep's team, so the rep's page opens, without the admin's links.
    team = create_team(db=db, organisation=org, name="Privacy walk team")
    db.execute(
        update(Assessment).where(Assessment.id == person.assessment_id).values(team_id=team.id)
    )
    manager_user = db.scalars(select(User).where(User.role == "manager")).one()
    db.add(TeamManager(team_id=team.id, user_id=manager_user.id))
    db.commit()
    page = manager.get(f"/app/assessments/{person.assessment_id}")
    assert page.status_code == 200 and f"{base}/erase" not in page.text
    assert "/app/audit" not in page.text
    db.expire_all()
    assert db.get(Participant, person.participant_id) is not None
    assert org.retention_days == 730


def test_an_admin_exports_then_erases_after_confirming(
    browsers: dict[str, httpx.Client],
    db: Session,
    database: Database,
    org: Organisation,
    mini_instrument_version: Any,
) -> None:
    person = person_with_everything(db, org, mini_instrument_version, tag="adm")
    admin = browsers["admin"]
    base = f"/app/participants/{person.participant_id}"
    page = admin.get(f"/app/assessments/{person.assessment_id}")
    assert f"{base}/export" in page.text and f"{base}/erase" in page.text

    exported = admin.get(f"{base}/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.json()["participant"]["email"] == person.email

    confirm = parse(admin.get(f"{base}/erase"))
    assert confirm.status == 200 and person.first_name in confirm.text
    unconfirmed = admin.post(f"{base}/erase", data={})
    assert unconfirmed.status_code == 422
    db.expire_all()
    assert db.get(Participant, person.participant_id) is not None

    erased = admin.post(f"{base}/erase", data={"confirm": "yes"})
    assert erased.status_code == 303 and erased.headers["location"] == "/app/privacy?erased=1"
    assert found_in_tables(database, person.traces) == []
    assert admin.get(f"{base}/erase").status_code == 404
    assert admin.get(f"/app/assessments/{person.assessment_id}").status_code == 404

    log = admin.get("/app/audit")
    assert log.status_code == 200
    assert "participant.erased" in log.text and "participant.exported" in log.text
    assert ADMIN in log.text  # who, by their sign-in, not an id
    newest = log.text.index("participant.erased")
    assert newest < log.text.index("participant.exported")


def test_another_organisations_participant_is_not_found(
    browsers: dict[str, httpx.Client], db: Session, mini_instrument_version: Any
) -> None:
    from app.services.organisations import create_organisation

    rival = create_organisation(db=db, name="Rival", slug="rival")
    db.commit()
    theirs = person_with_everything(db, rival, mini_instrument_version, tag="rivalp")
    admin = browsers["admin"]
    base = f"/app/participants/{theirs.participant_id}"
    for method, path in (
        ("GET", f"{base}/export"),
        ("GET", f"{base}/erase"),
        ("POST", f"{base}/erase"),
    ):
        response = admin.request(
            method, path, data={"confirm": "yes"} if method == "POST" else None
        )
        assert response.status_code == 404
        assert theirs.email not in response.text
    db.expire_all()
    assert db.get(Participant, theirs.participant_id) is not None


def test_retention_settings_are_saved_audited_and_told_to_participants(
    browsers: dict[str, httpx.Client],
    http: httpx.Client,
    db: Session,
    org: Organisation,
    invite: Any,
) -> None:
    admin = browsers["admin"]
    token = invite().token
    welcome = http.get(f"/a/{token}").text
    assert "for 2 years after your last assessment ends" in welcome
    assert "comparison figures (norms)" in welcome

    for bad in ("7", "abc", "99999", "３６５"):
        refused = admin.post("/app/privacy", data={"retention_days": bad})
        assert refused.status_code == 422, bad
    saved = admin.post("/app/privacy", data={"retention_days": "365"})
    assert saved.status_code == 303
    db.expire_all()
    assert org.retention_days == 365 and org.deidentified_norming is False
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert event is not None and event.detail == {
        "retention_days": [730, 365],
        "deidentified_norming": [True, False],
    }
    welcome = http.get(f"/a/{token}").text
    assert "for 1 year after your last assessment ends" in welcome
    assert "nothing of it is kept" in welcome and "norms" not in welcome
    page = admin.get("/app/privacy")
    assert "nothing of it is kept" in page.text and 'value="365"' in page.text
