"""The service commands as a user runs them: `stagefit org|user|apikey|demo|db` in a subprocess."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Assessment, Organisation, Result, User
from app.services.apikeys import authenticate_api_key
from app.services.users import authenticate_user
from tests.conftest import STAGEFIT, TLS, free_port


def _ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.returncode == 0, result.stderr
    return result.stdout


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_org_create_prints_id_and_slug(run_cli, db: Session) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(_ok(run_cli("org", "create", "Acme Robotics", "--json")))
    assert out["slug"] == "acme-robotics"
    organisation = db.get(Organisation, out["id"])
    assert organisation is not None and organisation.name == "Acme Robotics"


def test_org_create_twice_is_one_line_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    _ok(run_cli("org", "create", "Acme"))
    line = _one_line_error(run_cli("org", "create", "Acme"))
    assert "already exists" in line


def test_user_create_reads_a_piped_password(run_cli, db: Session) -> None:  # type: ignore[no-untyped-def]
    _ok(run_cli("org", "create", "Acme"))
    result = run_cli(
        "user",
        "create",
        "--org",
        "acme",
        "--email",
        "Boss@Acme.example",
        "--role",
        "admin",
        input="a long piped password\n",
    )
    assert "a long piped password" not in _ok(result)
    user = authenticate_user(db=db, email="boss@acme.example", password="a long piped password")
    assert user is not None and user.role == "admin"


def test_user_create_generates_and_prints_a_password_when_none_is_piped(
    run_cli, db: Session
) -> None:  # type: ignore[no-untyped-def]
    _ok(run_cli("org", "create", "Acme"))
    out = json.loads(
        _ok(
            run_cli(
                "user",
                "create",
                "--org",
                "acme",
                "--email",
                "m@acme.example",
                "--json",
                input="",
            )
        )
    )
    assert out["role"] == "manager"
    assert authenticate_user(db=db, email="m@acme.example", password=out["password"]) is not None


def test_user_create_bad_input_is_one_line(run_cli) -> None:  # type: ignore[no-untyped-def]
    _ok(run_cli("org", "create", "Acme"))
    assert "no organisation" in _one_line_error(
        run_cli("user", "create", "--org", "nope", "--email", "a@b.co", input="x" * 12)
    )
    assert "role" in _one_line_error(
        run_cli(
            "user", "create", "--org", "acme", "--email", "a@b.co", "--role", "god", input="x" * 12
        )
    )
    assert "e-mail" in _one_line_error(
        run_cli("user", "create", "--org", "acme", "--email", "not-an-email", input="x" * 12)
    )


def test_user_remove_takes_the_sign_in_away(run_cli, db: Session) -> None:  # type: ignore[no-untyped-def]
    _ok(run_cli("org", "create", "Acme"))
    _ok(run_cli("user", "create", "--org", "acme", "--email", "m@acme.example", input="p" * 12))
    assert "removed" in _ok(run_cli("user", "remove", "--email", "M@acme.example"))
    assert authenticate_user(db=db, email="m@acme.example", password="p" * 12) is None
    assert "no user" in _one_line_error(run_cli("user", "remove", "--email", "m@acme.example"))


def test_apikey_create_prints_a_working_key_once(run_cli, db: Session) -> None:  # type: ignore[no-untyped-def]
    _ok(run_cli("org", "create", "Acme"))
    out = json.loads(_ok(run_cli("apikey", "create", "--org", "acme", "--name", "ATS", "--json")))
    api_key = authenticate_api_key(db=db, key=out["key"])
    assert api_key is not None and api_key.id == out["id"] and api_key.name == "ATS"
    assert out["key"] not in api_key.key_hash


def test_db_upgrade_is_repeatable(run_cli) -> None:  # type: ignore[no-untyped-def]
    _ok(run_cli("db", "upgrade"))
    _ok(run_cli("db", "upgrade"))


def test_demo_twice_reports_the_same_demo(
    run_cli, db: Session, make_env, http: httpx.Client
) -> None:  # type: ignore[no-untyped-def]
    first = json.loads(_ok(run_cli("demo", "--json")))
    assert set(first) == {
        "manager",
        "api_key",
        "team_id",
        "invitation_urls",
        "completed_assessment_ids",
    }
    assert len(first["completed_assessment_ids"]) == 13  # the first rep twice (history)
    assert len(first["invitation_urls"]) == 3

    # The printed sign-in and key work.
    assert authenticate_user(db=db, **first["manager"]) is not None
    assert authenticate_api_key(db=db, key=first["api_key"]) is not None
    # Thirteen results whose best-fit stages vary.
    results = db.scalars(select(Result)).all()
    assert {r.assessment_id for r in results} == set(first["completed_assessment_ids"])
    best = {r.payload["best_fit_stages"][0] for r in results}
    assert len(best) >= 5, best
    # The links point at /a/{token} and the tokens are open invitations.
    for url in first["invitation_urls"]:
        assert url.startswith(make_env()["STAGEFIT_BASE_URL"] + "/a/")
    open_count = db.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.status == "invited")
    )
    assert open_count == 3
    demo_file = Path(make_env()["STAGEFIT_VAR_DIR"]) / "demo.json"
    assert stat.S_IMODE(demo_file.stat().st_mode) == 0o600

    second = json.loads(_ok(run_cli("demo", "--json")))
    assert second == first
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Organisation)) == 1
    assert db.scalar(select(func.count()).select_from(User)) == 1
    assert db.scalar(select(func.count()).select_from(Result)) == 13
    assert db.scalar(select(func.count()).select_from(Assessment)) == 16
    # The re-assessed rep's newer result is compared with the earlier one.
    from app.services.history import previous_result

    earlier_id, later_id = first["completed_assessment_ids"][:2]
    later = db.get(Assessment, later_id)
    assert later is not None and later.participant.full_name == "Amara Okafor"
    previous = previous_result(db=db, assessment=later)
    assert previous is not None and previous.assessment_id == earlier_id


def _run_local_until_serving(env: dict[str, str], port: int) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    process = subprocess.Popen(
        [STAGEFIT, "run-local", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read() if process.stdout else "exited")
        try:
            if (
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1, verify=TLS).status_code
                == 200
            ):
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError("run-local did not start serving")
    # The banner is printed before serving; an invitation link from it opens the welcome page.
    link, read = None, []
    if process.stdout is not None:
        for line in process.stdout:
            read.append(line)
            found = re.search(rf"http://127\.0\.0\.1:{port}/a/[\w-]+", line)
            if found:
                link = found.group(0)
                break
    assert link is not None
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    process.terminate()
    # Read through the same buffered file (communicate() would bypass its buffer).
    rest = process.stdout.read() if process.stdout is not None else ""
    process.wait(timeout=20)
    return process, "".join(read) + rest


def test_run_local_seeds_once_prints_where_to_go_and_serves(make_env, db: Session) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = make_env()
    del env["STAGEFIT_BASE_URL"]  # as on a fresh machine
    _, first = _run_local_until_serving(env, port)
    assert f"StageFit is running at http://127.0.0.1:{port}" in first
    password = re.search(r"password:\s+(\S+)", first)
    links = re.findall(rf"http://127\.0\.0\.1:{port}/a/[\w-]+", first)
    assert password and "manager@demo.stagefit.local" in first
    assert len(links) == 3, first
    assert authenticate_user(db=db, email="manager@demo.stagefit.local", password=password.group(1))

    _, second = _run_local_until_serving(env, port)
    assert password.group(1) in second  # the same sign-in, printed again
    assert re.findall(rf"http://127\.0\.0\.1:{port}/a/[\w-]+", second) == links
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Organisation)) == 1
    # 13 completed (one rep twice) and 3 open invitations
    assert db.scalar(select(func.count()).select_from(Assessment)) == 16


def test_commands_on_an_unmigrated_database_say_what_to_do(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fresh = {"STAGEFIT_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    line = _one_line_error(run_cli("org", "create", "Acme", env=fresh))
    assert "stagefit db upgrade" in line
    _ok(run_cli("db", "upgrade", env=fresh))
    _ok(run_cli("org", "create", "Acme", env=fresh))


def test_unreachable_database_is_one_line(run_cli) -> None:  # type: ignore[no-untyped-def]
    unreachable = {"STAGEFIT_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    assert "database error" in _one_line_error(run_cli("db", "upgrade", env=unreachable))


def test_apikeys_have_scopes_are_listed_with_last_use_and_revoke_at_once(
    run_cli, live_server: str, db: Session
) -> None:  # type: ignore[no-untyped-def]
    _ok(run_cli("org", "create", "Acme"))
    reader = json.loads(
        _ok(
            run_cli(
                "apikey", "create", "--org", "acme", "--name", "BI", "--scopes", "read", "--json"
            )
        )
    )
    assert reader["scopes"] == "read"
    assert "unknown scope" in _one_line_error(
        run_cli("apikey", "create", "--org", "acme", "--name", "X", "--scopes", "admin")
    )
    url = f"{live_server}/api/v1/assessments/none/report.pdf"
    used = httpx.get(url, headers={"Authorization": f"Bearer {reader['key']}"}, timeout=10)
    assert used.status_code == 404  # known key, nothing there
    listed = json.loads(_ok(run_cli("apikey", "list", "--org", "acme", "--json")))
    assert [(k["id"], k["scopes"], k["revoked_at"]) for k in listed] == [
        (reader["id"], "read", None)
    ]
    assert listed[0]["last_used_at"] is not None
    assert reader["key"] not in json.dumps(listed)  # the key itself is never shown again

    assert "revoked" in _ok(run_cli("apikey", "revoke", "--org", "acme", reader["id"]))
    again = httpx.get(url, headers={"Authorization": f"Bearer {reader['key']}"}, timeout=10)
    assert again.status_code == 401
    assert "no API key" in _one_line_error(run_cli("apikey", "revoke", "--org", "acme", "nope"))
