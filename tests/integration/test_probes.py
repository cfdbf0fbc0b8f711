"""What outside probes found, tried as an attacker and a careless client would: odd page
numbers, over-long fields, NUL bytes, missing headers. Each is refused cleanly (never a 500),
on SQLite and on PostgreSQL alike (the 500s showed only on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Assessment, Organisation, Participant
from app.services.apikeys import create_api_key
from tests.conftest import TLS
from tests.integration.participant_client import Participant as Rep
from tests.integration.participant_client import parse
from tests.integration.test_manager_auth import manager, sign_in  # noqa: F401 (fixture)

PROBLEM = "application/problem+json"


@pytest.fixture
def signed_in(http: httpx.Client, manager: str) -> httpx.Client:  # noqa: F811
    assert sign_in(http).status_code == 303
    return http


@pytest.fixture
def api(live_server: str, db: Session, org: Organisation) -> httpx.Client:
    key = create_api_key(db=db, organisation=org, name="probe").key
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}
    # A cold PDF takes seconds on a busy machine; the headers are what is checked here.
    return httpx.Client(base_url=live_server, headers=headers, timeout=60, verify=TLS)


@pytest.mark.parametrize("number", ["%C2%B2", "%E2%91%A0", "%D9%A1", "%EF%BC%91", "01x", "1e3"])
def test_page_numbers_are_ascii_digits_only(live_server: str, invite: Any, number: str) -> None:
    invitation = invite()
    with Rep(live_server, invitation.token) as rep:
        rep.consent()
        response = rep.client.get(f"/a/{invitation.token}/page/{number}")
        assert response.status_code == 404, number
        assert "text/html" in response.headers["content-type"]
        posted = rep.client.post(f"/a/{invitation.token}/page/{number}", data={"answer:X": "1"})
        assert posted.status_code == 404, number
        assert rep.client.get(f"/a/{invitation.token}/page/1").status_code == 200  # control


@pytest.mark.parametrize(
    ("name", "length"), [("first_name", 101), ("last_name", 101), ("email", 330)]
)
def test_over_long_invite_fields_are_422_naming_the_field(
    signed_in: httpx.Client, db: Session, name: str, length: int
) -> None:
    form = {"first_name": "Ana", "last_name": "Kraus", "email": "ana@example.com"}
    form[name] = ("a" * (length - 12) + "@example.com") if name == "email" else "é" * length
    page = parse(signed_in.post("/app/invite", data=form, headers={"Accept": "text/html"}))
    assert page.status == 422
    assert f"#{name}" in page.links  # the error summary points at the field
    assert any("longer than" in alert for alert in page.alerts)
    assert db.scalar(select(func.count()).select_from(Participant)) == 0


def test_names_as_long_as_the_columns_are_stored(
    signed_in: httpx.Client, db: Session, mini_instrument_version: Any
) -> None:
    form = {"first_name": "é" * 100, "last_name": "ø" * 100, "email": "long@example.com"}
    assert signed_in.post("/app/invite", data=form).status_code == 303
    assert db.scalar(select(Participant.first_name)) == "é" * 100


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "team", "instrument"])
def test_nul_in_an_invite_field_is_422(signed_in: httpx.Client, db: Session, field: str) -> None:
    form = {"first_name": "Ana", "last_name": "Kraus", "email": "ana@example.com"}
    form[field] = "a\x00b" if field != "email" else "a\x00b@x.example"
    response = signed_in.post("/app/invite", data=form)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in response.json()["detail"]
    assert db.scalar(select(func.count()).select_from(Participant)) == 0


def test_nul_in_the_sign_in_e_mail_is_422_and_stores_nothing(
    http: httpx.Client,
    manager: str,  # noqa: F811
) -> None:
    response = http.post("/login", data={"email": "a\x00b@x.example", "password": "x" * 12})
    assert response.status_code == 422
    assert "stagefit_session" not in http.cookies
    assert sign_in(http).status_code == 303  # control: the form still works


@pytest.mark.parametrize(
    "path", ["/app/assessments/%00", "/app/teams/%00", "/app/assessments/a%01b"]
)
def test_nul_in_a_manager_path_id_is_404(signed_in: httpx.Client, path: str) -> None:
    assert signed_in.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/api/v1/assessments/%00/report.pdf", "/api/v1/teams/%00/report.pdf", "/a/%00", "/a/x%00y"],
)
def test_nul_in_an_api_or_link_path_is_404(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


def test_nul_in_a_query_string_is_422(signed_in: httpx.Client, api: httpx.Client) -> None:
    assert signed_in.get("/app", params={"status": "invited\x00"}).status_code == 422
    response = api.get("/api/v1/teams/x/report.pdf", params={"locale": "e\x00n"})
    assert response.status_code == 422
    assert "locale" in response.json()["detail"]


def test_nul_in_a_json_body_is_422_naming_the_place(api: httpx.Client) -> None:
    response = api.post("/api/v1/anything", json={"participant": {"email": "a\u0000b"}})
    assert response.status_code == 422
    assert response.json()["field"] == "/participant/email"


def test_a_body_over_the_limit_is_413(api: httpx.Client) -> None:
    response = api.post("/api/v1/anything", content=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)


def test_api_pdfs_carry_the_same_headers_as_the_app(
    api: httpx.Client, db: Session, invite: Any
) -> None:
    from tests.integration.test_manager_pages import complete

    invitation = invite()
    complete(db, invitation, seed=3)
    response = api.get(f"/api/v1/assessments/{invitation.assessment.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    missing = api.get("/api/v1/assessments/nope/report.pdf")
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"


def test_sqlite_and_postgresql_hold_the_same_participants_after_the_probes(
    signed_in: httpx.Client, db: Session
) -> None:
    """Probes that SQLite once stored (NUL in e-mails) leave nothing behind."""
    for email in ("a\x00b@x.example", "tab\tbed@x.example", "x" * 400 + "@x.example"):
        form = {"first_name": "P", "last_name": "Q", "email": email}
        assert signed_in.post("/app/invite", data=form).status_code == 422
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0
