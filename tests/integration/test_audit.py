"""The audit trail over real HTTP: sign-ins (right and wrong), results viewed, reports
downloaded, keys created and revoked; read back by admins from the API (newest first, cursor
pagination, own organisation only); append-only (a PostgreSQL trigger refuses changes, and
no code path changes or deletes an event)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.config import REPO_DIR
from app.db import Database
from app.models import AuditEvent, Organisation
from app.services import audit
from app.services.apikeys import create_api_key, revoke_api_key
from app.services.organisations import create_organisation
from app.services.users import create_user
from tests.integration.test_manager_auth import PASSWORD, sign_in
from tests.integration.test_manager_pages import complete

ADMIN = "ada.admin@test-org.example"


def _actions(db: Session, organisation_id: str | None = None) -> list[AuditEvent]:
    db.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return list(db.scalars(query))


def test_sign_ins_right_and_wrong_are_audited(
    http: httpx.Client, db: Session, org: Organisation
) -> None:
    user = create_user(db=db, organisation=org, email=ADMIN, role="admin", password=PASSWORD)
    db.commit()
    assert sign_in(http, ADMIN, "wrong password!").status_code == 422
    assert sign_in(http, "nobody@else.example", "typed-a-secret").status_code == 422
    assert sign_in(http, ADMIN, PASSWORD).status_code == 303

    events = _actions(db)
    failed = [e for e in events if e.action == "user.sign_in_failed"]
    assert len(failed) == 2
    known, unknown = failed
    assert known.organisation_id == org.id and known.subject_id == user.id
    assert unknown.organisation_id is None and unknown.subject_id is None
    assert all("ip" in e.detail for e in failed)
    # What was typed is never kept: neither the unknown address nor a password.
    assert "nobody@else.example" not in str([e.detail for e in events])
    assert "typed-a-secret" not in str([e.detail for e in events])
    (signed_in,) = [e for e in events if e.action == "user.signed_in"]
    assert signed_in.actor == f"user:{user.id}" and signed_in.organisation_id == org.id


def test_views_and_downloads_are_audited_with_who_and_which_result(
    live_server: str, db: Session, org: Organisation, invite: Any
) -> None:
    user = create_user(db=db, organisation=org, email=ADMIN, role="admin", password=PASSWORD)
    key = create_api_key(db=db, organisation=org, name="HRIS", scopes="read")
    db.commit()
    invitation = invite(email="vera@example.com", first_name="Vera", last_name="Viewed")
    complete(db, invitation, seed=2)
    assessment_id = invitation.assessment.id
    with httpx.Client(base_url=live_server, timeout=60) as browser:
        assert sign_in(browser, ADMIN, PASSWORD).status_code == 303
        assert browser.get(f"/app/assessments/{assessment_id}").status_code == 200
        assert browser.get(f"/app/assessments/{assessment_id}/report.pdf").status_code == 200
        assert browser.get("/app/assessments/no-such-one").status_code == 404
    api = httpx.get(
        f"{live_server}/api/v1/assessments/{assessment_id}/report.pdf?kind=participant",
        headers={"Authorization": f"Bearer {key.key}"},
        timeout=60,
    )
    assert api.status_code == 200

    reads = [
        (e.action, e.actor, e.subject_id, e.detail.get("kind"))
        for e in _actions(db, org.id)
        if e.action in ("result.viewed", "report.downloaded")
    ]
    assert reads == [
        ("result.viewed", f"user:{user.id}", assessment_id, None),
        ("report.downloaded", f"user:{user.id}", assessment_id, "manager"),
        ("report.downloaded", f"apikey:{key.api_key.id}", assessment_id, "participant"),
    ]


def test_api_keys_created_and_revoked_are_audited(db: Session, org: Organisation) -> None:
    created = create_api_key(db=db, organisation=org, name="Greenhouse", scopes="read")
    revoke_api_key(db=db, api_key=created.api_key)
    revoke_api_key(db=db, api_key=created.api_key)  # again: nothing new happened
    db.commit()
    events = [(e.action, e.actor, e.subject_id) for e in _actions(db, org.id)]
    assert events == [
        ("apikey.created", "cli", created.api_key.id),
        ("apikey.revoked", "cli", created.api_key.id),
    ]
    assert created.key not in str([e.detail for e in _actions(db)])  # the secret is not kept


def test_the_api_lists_the_organisations_events_newest_first_a_page_at_a_time(
    http: httpx.Client, db: Session, org: Organisation
) -> None:
    rival = create_organisation(db=db, name="Rival", slug="rival")
    for number in range(5):
        audit.record(
            db=db, action="test.event", actor="cli", organisation_id=org.id, subject_id=f"s{number}"
        )
        audit.record(
            db=db,
            action="test.event",
            actor="cli",
            organisation_id=rival.id,
            subject_id=f"rival{number}",
        )
    key = create_api_key(db=db, organisation=org, name="reader", scopes="read").key
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}

    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = http.get("/api/v1/audit-events", params=params, headers=headers)
        assert page.status_code == 200
        body = page.json()
        assert len(body["data"]) <= 2
        seen += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    ids = [e["id"] for e in seen]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    subjects = [e["subject_id"] for e in seen if e["action"] == "test.event"]
    assert subjects == ["s4", "s3", "s2", "s1", "s0"]  # none of the rival's
    assert {e["action"] for e in seen} == {"test.event", "apikey.created"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", seen[0]["created_at"])
    huge = http.get("/api/v1/audit-events", params={"cursor": "9" * 18}, headers=headers)
    assert huge.status_code == 200 and len(huge.json()["data"]) == 6  # from the newest
    only = http.get("/api/v1/audit-events", params={"subject_id": "s2"}, headers=headers)
    assert [e["subject_id"] for e in only.json()["data"]] == ["s2"]
    for bad in ({"cursor": "abc"}, {"cursor": "-1"}, {"limit": 0}, {"limit": 10_000}):
        refused = http.get("/api/v1/audit-events", params=bad, headers=headers)
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"] == "application/problem+json"
    assert http.get("/api/v1/audit-events").status_code == 401


def test_events_cannot_be_changed_or_deleted_on_postgresql(
    database: Database, db: Session, org: Organisation
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the code having no path")
    audit.record(db=db, action="test.event", actor="cli", organisation_id=org.id)
    db.commit()
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with (
            pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"),
            database.engine.begin() as connection,
        ):
            connection.execute(text(statement))
    assert [e.actor for e in _actions(db)] == ["cli"]


def test_no_code_changes_or_deletes_an_audit_event() -> None:
    pattern = re.compile(r"(update|delete)\(\s*AuditEvent|audit_events.*(UPDATE|DELETE)", re.I)
    offenders = [
        str(path.relative_to(REPO_DIR))
        for path in (REPO_DIR / "app").rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert offenders == []
