"""Manager sign-in over real HTTP: wrong and right passwords, sign-out, redirects, limits."""

from __future__ import annotations

from typing import Any
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
    create_user(db=db, organisation=org, email=EMAIL, role="admin", password=PASSWORD)
    db.commit()
    return EMAIL


def sign_in(
    http: httpx.Client,
    email: str = EMAIL,
    password: str = PASSWORD,
    headers_xff: str | None = None,
    **extra: str,
) -> httpx.Response:
    headers = {"X-Forwarded-For": headers_xff} if headers_xff else {}
    return http.post(
        "/login", data={"email": email, "password": password, **extra}, headers=headers
    )


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
    forged = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
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


def _invite_count(db: Session) -> int:
    from sqlalchemy import func, select

    from app.models import Assessment

    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(Assessment)) or 0)


def _copy_of_the_session(live_server: str, http: httpx.Client) -> httpx.Client:
    copy = httpx.Client(base_url=live_server, timeout=10)
    copy.cookies.set("stagefit_session", http.cookies["stagefit_session"])
    return copy


INVITE = {"first_name": "Ana", "last_name": "Kraus", "email": "ana@example.com"}


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(
    live_server: str, http: httpx.Client, manager: str, db: Session
) -> None:
    assert sign_in(http).status_code == 303
    with _copy_of_the_session(live_server, http) as stolen:
        assert stolen.get("/app").status_code == 200  # the copy works while signed in
        assert http.post("/logout").status_code == 303
        assert stolen.get("/app").status_code == 303
        assert stolen.post("/app/invite", data=INVITE).status_code == 303  # to /login
        assert stolen.get("/app/invite").headers["location"].startswith("/login")
    assert _invite_count(db) == 0


def test_a_password_change_or_removing_the_user_ends_their_sessions(
    live_server: str, http: httpx.Client, manager: str, db: Session
) -> None:
    from app.services.users import find_user, remove_user, set_password

    assert sign_in(http).status_code == 303
    user = find_user(db=db, email=EMAIL)
    assert user is not None
    set_password(db=db, user=user, password="a brand new password")
    db.commit()
    assert http.get("/app").status_code == 303
    assert sign_in(http, password="a brand new password").status_code == 303
    assert http.get("/app").status_code == 200
    remove_user(db=db, email=EMAIL)
    db.commit()
    assert http.get("/app").status_code == 303
    assert sign_in(http, password="a brand new password").status_code == 422


@pytest.mark.parametrize("column", ["last_seen_at", "expires_at"])
def test_idle_and_absolute_timeouts_end_a_session(
    http: httpx.Client, manager: str, db: Session, column: str
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from app.clock import utcnow
    from app.models import SignInSession
    from app.services.sessions import IDLE

    assert sign_in(http).status_code == 303
    assert http.get("/app").status_code == 200
    # Idle: last seen longer ago than the idle limit; absolute: past its end, however active.
    moment = utcnow() - IDLE - timedelta(minutes=1)
    db.execute(update(SignInSession).values({column: moment}))
    db.commit()
    assert http.get("/app").status_code == 303


def test_forwarded_for_from_a_client_is_not_believed(http: httpx.Client, manager: str) -> None:
    """Without STAGEFIT_TRUSTED_PROXIES nobody's X-Forwarded-For counts: a new header per
    guess still lands on the same address, and a locked pair stays locked."""
    statuses = [
        sign_in(http, password="wrong guess number", headers_xff=f"203.0.113.{k}").status_code
        for k in range(8)
    ]
    assert statuses[:5] == [422] * 5 and set(statuses[5:]) == {429}
    assert sign_in(http, headers_xff="198.51.100.7").status_code == 429


def test_failures_spread_over_addresses_lock_the_account(
    settings: Any, manager: str, database: Any
) -> None:
    """Behind a trusted proxy each guess may come from another address; after ten failures
    in the window the account takes no password, from any address, until the window ends."""
    from app.main import create_app
    from tests.conftest import serve_app

    behind_proxy = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    with serve_app(create_app(behind_proxy)) as url, httpx.Client(base_url=url) as client:
        for k in range(10):
            wrong = sign_in(client, password="wrong guess", headers_xff=f"203.0.113.{k}")
            assert wrong.status_code == 422, k
        right = sign_in(client, headers_xff="198.51.100.99")
        assert right.status_code == 429
        assert "stagefit_session" not in client.cookies


def test_the_front_door_leads_to_sign_in_or_to_the_app(http: httpx.Client, manager: str) -> None:
    assert http.get("/").headers["location"] == "/login"
    assert sign_in(http).status_code == 303
    assert http.get("/").headers["location"] == "/app"
