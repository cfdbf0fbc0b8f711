"""Bulk invite benchmark: a manager uploads a CSV of 500 reps and confirms, over real HTTP
to uvicorn on loopback (preview: decode, parse, check against the database, render; confirm:
the same checks again, 500 invitations with their e-mails in the outbox, one transaction)."""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import ROOT, machine, postgres_url, table, write_section

ROWS = 500
RUNS = 3
TARGET_S = 5.0
EMAIL, PASSWORD = "bench-manager@example.com", "a bench password 123"


def _serve(settings: Any) -> tuple[str, Any]:
    import socket

    import uvicorn

    from app.main import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    settings = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


def _prepare(database_url: str) -> tuple[Any, str]:
    """Settings for the database, and the id of the team the reps are invited into (every
    rep is invited into a team)."""
    from app.config import Settings
    from app.db import Database
    from app.instrument.loader import load_instrument
    from app.migrations import upgrade
    from app.services.instruments import store_instrument
    from app.services.organisations import create_organisation, create_team
    from app.services.users import create_user

    settings = Settings(
        env="test",
        database_url=database_url,
        secret_key="bench-secret-key-that-is-long-enough-0123456789",
        log_level="WARNING",
        questionnaires_dir=ROOT / "questionnaires",
    )
    upgrade(database_url)
    path = sorted((ROOT / "questionnaires").glob("sales-process-inventory-*.yaml"))[-1]
    with Database(settings).session() as db:
        org = create_organisation(db=db, name="Bench Org", slug="bench-org")
        # An admin: a manager may invite only into the teams they manage.
        create_user(db=db, organisation=org, email=EMAIL, role="admin", password=PASSWORD)
        team = create_team(db=db, organisation=org, name="Field Sales")
        store_instrument(
            db=db,
            instrument=load_instrument(path),
            source=path.read_text(encoding="utf-8"),
            origin=str(path),
        )
    return settings, team.id


def _once(client: Any, run: int, team_id: str) -> tuple[float, float]:
    import re

    rows = "".join(f"Rep,Number {i},rep{run}-{i}@example.com,R{run}-{i},\n" for i in range(ROWS))
    content = ("first_name,last_name,email,external_id,team\n" + rows).encode()
    started = time.perf_counter()
    preview = client.post(
        "/app/invite/bulk",
        data={"send_email": "yes", "purpose": "development", "team": team_id},
        files={"file": ("reps.csv", content, "text/csv")},
    )
    checked = time.perf_counter()
    assert preview.status_code == 200, preview.text[:500]
    action = re.search(r'action="(/app/invite/bulk/[^"]+)"', preview.text)
    fields = dict(
        re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', preview.text)
    )
    assert action
    done = client.post(action.group(1), data=fields)
    finished = time.perf_counter()
    assert done.status_code == 200 and f"{ROWS} reps invited" in done.text
    return checked - started, finished - checked


def _measure(label: str, database_url: str) -> list[str]:
    import httpx

    settings, team_id = _prepare(database_url)
    url, server = _serve(settings)
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            client.post("/login", data={"email": EMAIL, "password": PASSWORD})
            times = [_once(client, run, team_id) for run in range(RUNS)]
    finally:
        server.should_exit = True
    preview = statistics.median(t[0] for t in times)
    confirm = statistics.median(t[1] for t in times)
    total = statistics.median(t[0] + t[1] for t in times)
    met = "met" if total <= TARGET_S else "MISSED"
    return [
        label,
        f"{preview:.2f} s",
        f"{confirm:.2f} s",
        f"{total:.2f} s",
        f"≤ {TARGET_S:.0f} s",
        met,
    ]


def run() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="stagefit-bench-invite-") as tmp:
        os.environ["STAGEFIT_VAR_DIR"] = tmp
        rows.append(_measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"))
        postgres = postgres_url("bench")
        if postgres:
            rows.append(_measure("PostgreSQL", postgres))
    header = ["database", "preview", "confirm", "upload to invited", "target", ""]
    result = table(header, rows)
    print(result)
    write_section(
        "Bulk invite: 500 reps from a CSV file",
        f"""
A signed-in admin uploads a CSV file of {ROWS} reps (first_name, last_name, email,
external_id) into a team and confirms, over real HTTP to uvicorn on loopback. Preview: the
file decoded, parsed and every row checked (lengths, control characters, formula cells, duplicates,
external ids and open invitations looked up in the database), the preview page rendered.
Confirm: the stored file read and checked again, then {ROWS} participants, assessments,
audit events and invitation e-mails (outbox) written in one transaction. Median of {RUNS}
runs, each with new people.

Command: `.venv/bin/python -m bench bulk_invite` (PostgreSQL as well with
`STAGEFIT_BENCH_DATABASE_URL=postgresql+psycopg://…/stagefit`).

{result}

{machine()}.
""",
    )


if __name__ == "__main__":
    run()
