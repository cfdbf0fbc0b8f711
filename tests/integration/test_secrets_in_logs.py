"""Secrets never reach the server's log. A real `stagefit serve` process, logging at INFO
with uvicorn's access log, goes through a whole day's work: a manager signs in (and once
mistypes the password), invites a rep, the rep answers every page and submits, an HR system
fetches the report with its API key, Greenhouse calls with the key as Basic user name, and
the in-process worker signs and delivers webhooks. Then the log is searched for every secret
that passed through: passwords, the API key, the session cookie, the participant's link token
and the webhook signing secret."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.orm import Session

from app.models import Organisation
from app.services.apikeys import create_api_key
from app.services.users import create_user
from app.services.webhooks import create_endpoint
from tests.conftest import ServerProcess, free_port
from tests.integration.participant_client import Participant, first_values, parse
from tests.integration.webhook_receiver import Receiver

PASSWORD = "Sunflower-Tractor-8841"
WRONG_PASSWORD = "Sunflower-Tractor-8842"


def _answer_everything(url: str, token: str) -> None:
    with Participant(url, token) as rep:
        assert rep.open().status == 200
        page = rep.consent()
        for _ in range(50):
            if not page.radios:
                break
            page = rep.send_page(page, first_values(page))
        assert "review" in page.url, page.url
        done = rep.post(rep.path("submit"), {})
        assert done.status == 200 and "thanks" in done.url


def test_a_full_run_leaves_no_secret_in_the_log(
    db: Session,
    org: Organisation,
    mini_instrument_version: Any,
    database: Any,
    make_env: Callable[..., dict[str, str]],
    settings: Any,
) -> None:
    create_user(
        db=db, organisation=org, email="lea@test-org.example", role="admin", password=PASSWORD
    )
    key = create_api_key(db=db, organisation=org, name="HRIS").key
    with Receiver() as receiver:
        endpoint = create_endpoint(
            db=db,
            organisation_id=org.id,
            url=receiver.url,
            events=["assessment.invited", "assessment.completed"],
            actor="cli",
        )
        secret = endpoint.secret
        receiver.trust(secret)
        db.commit()
        sqlite = settings.database_url.startswith("sqlite")
        server = start_server(make_env, sqlite)
        try:
            token, session = _a_day_of_work(server, key, receiver, sqlite)
        finally:
            server.stop()

    log = "".join(path.read_text(errors="replace") for path in server.log)
    # The log is really there, access log included, with the link shown as /a/….
    assert '"POST /login HTTP/1.1" 303' in log
    assert '"GET /a/…/thanks HTTP/1.1" 200' in log
    assert "/api/v1/assessments/" in log
    secrets = {
        "the password": PASSWORD,
        "a mistyped password": WRONG_PASSWORD,
        "the API key": key,
        # sf_live_<prefix>_<secret>: the secret may itself hold "_", so split after the prefix.
        "the API key's secret part": key.removeprefix("sf_live_").partition("_")[2],
        "the session cookie": session,
        "the participant's link token": token,
        "the webhook secret": secret,
        "the webhook secret's key": secret.removeprefix("whsec_"),
    }
    leaked = [what for what, value in secrets.items() if value in log]
    assert not leaked, f"in the server log: {leaked}"


def start_server(make_env: Callable[..., dict[str, str]], sqlite: bool) -> ServerProcess:
    """A `stagefit serve` process logging at INFO, with the worker inside it on SQLite."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = make_env(
        STAGEFIT_BASE_URL=url, STAGEFIT_LOG_LEVEL="INFO", STAGEFIT_WEBHOOK_ALLOW_PRIVATE="true"
    )
    if sqlite:
        env["STAGEFIT_WORKER"] = "inline"
    server = ServerProcess(url=url, port=port, env=env)
    server.start()
    return server


def _a_day_of_work(
    server: ServerProcess, key: str, receiver: Receiver, sqlite: bool
) -> tuple[str, str]:
    """Sign in (once wrongly), invite, answer, fetch the report, call as Greenhouse; the
    link token and session cookie that went by."""
    with httpx.Client(base_url=server.url, timeout=60) as http:
        signed_out = http.post(
            "/login", data={"email": "lea@test-org.example", "password": WRONG_PASSWORD}
        )
        assert signed_out.status_code == 422  # the form again, with a message
        signed_in = http.post(
            "/login", data={"email": "lea@test-org.example", "password": PASSWORD}
        )
        assert signed_in.status_code == 303
        session = http.cookies["stagefit_session"]
        assert http.get("/app").status_code == 200
        invited = http.post(
            "/app/invite",
            data={"first_name": "Rita", "last_name": "Rep", "email": "rita@example.com"},
        )
        assert invited.status_code == 303
        page = parse(http.get(invited.headers["location"]))
        token = re.search(r"/a/([A-Za-z0-9_\-]{20,})", page.html).group(1)  # type: ignore[union-attr]
        assessment_id = invited.headers["location"].rsplit("/", 1)[1]

        _answer_everything(server.url, token)

        report = http.get(
            f"/api/v1/assessments/{assessment_id}/report.pdf",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert report.status_code == 200
        assert http.get("/integrations/greenhouse/list_tests", auth=(key, "")).status_code == 200
        assert http.get(f"/a/{token}/thanks").status_code == 200
    if sqlite:  # the worker runs inside the server: its deliveries are logged there too
        assert len(receiver.wait_for(2)) >= 2
        assert all(r.verified for r in receiver.requests)
    time.sleep(0.5)  # the last access log lines
    return token, session
