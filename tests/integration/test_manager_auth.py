"""Manager sign-in over real HTTP: wrong and right passwords, sign-out, redirects, limits."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.orm import Session

from app.models import Organisation
from app.services.users import create_user
from tests.integration.participant_client import parse

EMAIL = "mara@test-org.example"
PASSWORD = "correct horse battery"


@pytest.fixture
def manager(db: Session, org: Organisation) -> str:
    create_user(db=db, organisation=org, email=EMAIL, role="manager", password=PASSWORD)
    db.commit()
    return EMAIL


def sign_in(http: httpx.Client, email: str = EMAIL, password: str = PASSWORD, **extra: str):
    return http.post("/login", data={"email": email, "password": password, **extra})


def test_signed_out_pages_redirect_to_login_with_next(live_server: str, http: httpx.Client) -> None:
    for path in ("/app", "/app/invite", "/app/assessments/abc?x=1", "/app/teams/t1"):
        response = http.get(path)
        assert response.status_code == 303, path
        location = urlsplit(response.headers["location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [path]
    assert http.post("/app/assessments/abc/cancel").status_code == 303


def test_wrong_password_or_unknown_email_get_the_same_message(
    http: httpx.Client, manager: str
) -> None:
    wrong = parse(sign_in(http, password="not the password"))
    unknown = parse(sign_in(http, email="nobody@test-org.example"))
    for page in (wrong, unknown):
        assert page.status == 422
        assert "stagefit_session" not in http.cookies
        assert page.alerts and "e-mail address or password is not right" in page.alerts[0]
        assert "#email" in page.links  # the summary points at the field
    assert wrong.alerts == unknown.alerts  # nothing says which of the two was wrong
    assert f'value="{EMAIL}"' in wrong.html  # the e-mail is kept, the password is not
    assert "not the password" not in wrong.html
    empty = parse(http.post("/login", data={}))
    assert empty.status == 422 and "Enter your e-mail address." in empty.alerts[0]


def test_sign_in_opens_the_app_and_sign_out_closes_it(
    http: httpx.Client, manager: str, org: Organisation
) -> None:
    response = sign_in(http)
    assert response.status_code == 303
    assert response.headers["location"] == "/app"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # the test server's base URL is http
    dashboard = http.get("/app")
    assert dashboard.status_code == 200
    assert org.name in dashboard.text and EMAIL in dashboard.text
    assert dashboard.headers["cache-control"] == "no-store"
    # Signed in, the sign-in page goes straight to the app.
    assert http.get("/login").headers["location"] == "/app"

    out = http.post("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert http.get("/app").status_code == 303


def test_a_tampered_session_cookie_is_refused(http: httpx.Client, manager: str) -> None:
    sign_in(http)
    value = http.cookies["stagefit_session"]
    body, mac = value.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
    http.cookies.clear()
    http.cookies.set("stagefit_session", forged)
    assert http.get("/app").status_code == 303


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("https://evil.example/app", "/app"),
        ("//evil.example/app", "/app"),
        ("/\\evil.example", "/app"),
        ("/app.evil.example", "/app"),
        ("/apple", "/app"),
        ("/app/teams/t1?x=1", "/app/teams/t1?x=1"),
    ],
)
def test_next_must_be_a_path_of_the_app(
    http: httpx.Client, manager: str, next_path: str, expected: str
) -> None:
    form = parse(http.get("/login", params={"next": next_path}))
    assert f'name="next" value="{expected}"' in form.html.replace("&amp;", "&")
    response = sign_in(http, next=next_path)
    assert response.status_code == 303
    assert response.headers["location"] == expected


def test_cross_site_posts_are_refused(http: httpx.Client, manager: str) -> None:
    forged = http.post(
        "/login",
        data={"email": EMAIL, "password": PASSWORD},
        headers={"Origin": "https://evil.example", "Accept": "text/html"},
    )
    assert forged.status_code == 403 and "stagefit_session" not in http.cookies
    own = sign_in(http)  # control: the same form without a foreign Origin
    assert own.status_code == 303
    cross = http.post("/logout", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert http.get("/app").status_code == 200  # still signed in


def test_repeated_failures_are_limited_per_email_and_address(
    http: httpx.Client, db: Session, org: Organisation, manager: str
) -> None:
    # Its own account: the live server (and its in-memory counts) outlives this test.
    locked = "locked-out@test-org.example"
    create_user(db=db, organisation=org, email=locked, role="manager", password=PASSWORD)
    db.commit()
    for _ in range(5):
        assert sign_in(http, email=locked, password="guess guess guess").status_code == 422
    blocked = sign_in(http, email=locked)  # even the right password waits now
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many failed attempts" in parse(blocked).alerts[0]
    assert "stagefit_session" not in http.cookies
    assert sign_in(http).status_code == 303  # another e-mail address is not affected
