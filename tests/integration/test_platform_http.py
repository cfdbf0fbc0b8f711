"""The HTTP shell over real HTTP: health, readiness, and problem details for every error."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from sqlalchemy import text

from app.config import Settings
from app.deps import SessionDep
from app.errors import UserError
from app.main import create_app
from tests.conftest import serve_app

PROBLEM = "application/problem+json"


def test_healthz_says_ok(http: httpx.Client) -> None:
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_reachable(http: httpx.Client) -> None:
    response = http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_unknown_path_is_a_problem_document(http: httpx.Client) -> None:
    response = http.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["instance"] == "/no/such/page"


def test_wrong_method_is_a_problem_document(http: httpx.Client) -> None:
    response = http.delete("/healthz")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith(PROBLEM)


def test_openapi_is_served(http: httpx.Client) -> None:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    assert "/healthz" in response.json()["paths"]


class _Body(BaseModel):
    email: str
    count: int


def _app_with_failing_routes(settings: Settings) -> FastAPI:
    """The real app plus routes that fail the ways handlers can fail."""
    app = create_app(settings)
    router = APIRouter()

    @router.post("/_test/validate")
    def validate(body: _Body) -> dict[str, int]:
        return {"count": body.count}

    @router.get("/_test/user-error")
    def user_error() -> None:
        raise UserError("the team is full")

    @router.get("/_test/async-db")
    async def async_db(db: SessionDep) -> None:
        db.execute(text("SELECT 1"))

    @router.get("/_test/crash")
    def crash() -> None:
        raise RuntimeError("secret internal detail")

    app.include_router(router)

    # A crash inside a participant's link: the catch-all /a/... route would match first.
    def participant_crash(token: str) -> None:
        raise RuntimeError("secret internal detail")

    app.router.add_api_route("/a/{token}/_crash", participant_crash, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())
    return app


@pytest.fixture
def failing_app_url(settings: Settings, database: object) -> Iterator[str]:
    with serve_app(_app_with_failing_routes(settings)) as url:
        yield url


def test_invalid_body_is_a_422_problem_naming_the_field(failing_app_url: str) -> None:
    response = httpx.post(f"{failing_app_url}/_test/validate", json={"email": "a@b.c"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 422
    assert "count" in body["detail"]
    assert body["errors"][0]["location"] == "body.count"


def test_malformed_json_is_a_422_problem(failing_app_url: str) -> None:
    response = httpx.post(
        f"{failing_app_url}/_test/validate",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)


def test_user_error_is_a_400_problem_with_its_message(failing_app_url: str) -> None:
    response = httpx.get(f"{failing_app_url}/_test/user-error")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"] == "the team is full"


def _get_500_problem(
    url: str, caplog: pytest.LogCaptureFixture
) -> tuple[httpx.Response, list[str]]:
    """GET a failing route: a 500 problem document, and the exceptions the server logged."""
    with caplog.at_level("ERROR", logger="stagefit.http"):
        response = httpx.get(url)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == 500
    return response, [str(record.exc_info[1]) for record in caplog.records if record.exc_info]


def test_crash_is_a_500_problem_without_internals(
    failing_app_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    response, logged = _get_500_problem(f"{failing_app_url}/_test/crash", caplog)
    assert "secret internal detail" not in response.text
    # ... but the traceback is in the server log.
    assert any("secret internal detail" in message for message in logged)


def test_readyz_is_503_problem_when_the_database_is_unreachable(settings: Settings) -> None:
    unreachable = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    with serve_app(create_app(unreachable)) as url:
        response = httpx.get(f"{url}/readyz", timeout=10)
        alive = httpx.get(f"{url}/healthz", timeout=10)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["title"] == "Not ready"
    assert alive.status_code == 200  # alive, just not ready


def test_database_call_on_the_event_loop_is_refused_and_logged(
    failing_app_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An `async def` endpoint blocking the loop on the database can deadlock the service."""
    _, logged = _get_500_problem(f"{failing_app_url}/_test/async-db", caplog)
    assert any("event loop" in message for message in logged)


def test_a_crash_on_a_participant_page_keeps_its_headers_and_hides_the_token(
    failing_app_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = "TOKEN-abcdef0123456789"
    response, logged = _get_500_problem(f"{failing_app_url}/a/{token}/_crash", caplog)
    assert token not in response.text
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert any("secret internal detail" in message for message in logged)
    assert not any(token in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("path", "referrer"),
    [("/healthz", "no-referrer"), ("/login", "same-origin"), ("/a/x", "no-referrer")],
)
def test_every_response_carries_the_security_headers(
    http: httpx.Client, path: str, referrer: str
) -> None:
    response = http.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == referrer
    assert "content-security-policy" in response.headers
