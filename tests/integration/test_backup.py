"""`stagefit backup` / `stagefit restore` on SQLite: a copy taken while another connection
keeps writing is one consistent snapshot, and restoring it brings back exactly that data.
On PostgreSQL the commands point to pg_dump."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from sqlalchemy import select

from app.config import Settings
from app.db import Database
from app.migrations import upgrade
from app.models import AuditEvent, Organisation, Team
from app.services.organisations import create_organisation, create_team

Run = Callable[..., CompletedProcess[str]]


def _writer(database: Database, org_id: str, stop: threading.Event, done: list[int]) -> None:
    """Commits team n together with its audit event, n = 0, 1, 2, ... until told to stop."""
    n = 0
    while not stop.is_set():
        with database.session(write=True) as db:
            org = db.get(Organisation, org_id)
            assert org is not None
            team = create_team(db=db, organisation=org, name=f"team-{n:05d}")
            db.add(AuditEvent(organisation_id=org_id, actor="cli", action="t", subject_id=team.id))
        n += 1
        done.append(n)


def _rows(path: Path) -> tuple[list[str], set[str], set[str]]:
    with sqlite3.connect(path) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM teams ORDER BY name")]
        teams = {r[0] for r in connection.execute("SELECT id FROM teams")}
        events = {r[0] for r in connection.execute("SELECT subject_id FROM audit_events")}
    connection.close()
    return names, teams, events


def test_backup_while_writing_then_restore(
    tmp_path: Path, settings: Settings, run_cli: Run
) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    database = Database(settings.model_copy(update={"database_url": url}))
    with database.session(write=True) as db:
        org_id = create_organisation(db=db, name="Backed Up", slug="backed-up").id
    stop, done = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(database, org_id, stop, done))
    writer.start()
    try:
        while len(done) < 20:  # the writer is well under way
            stop.wait(0.01)
        result = run_cli(
            "backup", "-o", str(tmp_path / "copy.db"), env={"STAGEFIT_DATABASE_URL": url}
        )
        written_during = len(done)
        while len(done) < written_during + 20:  # and goes on after the copy
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert "backed up" in result.stdout

    names, teams, events = _rows(tmp_path / "copy.db")
    # One snapshot: teams 0..k-1 without a gap, each with its audit event (same transaction).
    assert names == [f"team-{n:05d}" for n in range(len(names))]
    assert 20 <= len(names) < len(done)
    assert teams == events

    # Restore the copy over the live database: the later teams are gone, the schema current.
    result = run_cli("restore", str(tmp_path / "copy.db"), env={"STAGEFIT_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    with database.session() as db:
        restored = db.scalars(select(Team.name).order_by(Team.name)).all()
    assert restored == names
    database.engine.dispose()


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path, run_cli: Run) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = run_cli("restore", str(junk), env={"STAGEFIT_DATABASE_URL": url})
    assert result.returncode != 0
    assert "not a SQLite database" in result.stderr or "damaged" in result.stderr
    assert "Traceback" not in result.stderr
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    result = run_cli("restore", str(empty), env={"STAGEFIT_DATABASE_URL": url})
    assert result.returncode != 0 and "not a StageFit database" in result.stderr


def test_on_postgresql_the_commands_give_the_pg_dump_recipe(tmp_path: Path, run_cli: Run) -> None:
    env = {"STAGEFIT_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/stagefit"}
    for args in (("backup", "-o", str(tmp_path / "x.db")), ("restore", str(tmp_path / "x.db"))):
        result = run_cli(*args, env=env)
        assert result.returncode != 0
        assert "pg_dump" in result.stderr and "docs/operations.md" in result.stderr
