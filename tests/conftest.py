"""Shared fixtures: a real migrated database, isolated per test, and a real HTTP server.

Database: STAGEFIT_TEST_DATABASE_URL (PostgreSQL in CI, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/stagefit_test) or else a temporary SQLite file.
The schema is dropped and rebuilt by the Alembic migrations once per test session; after
every test that touched the database all rows are deleted, children first. Deleting (rather
than rolling back a per-test transaction) is what lets a uvicorn server, with its own
connections, see and change the same data the test does.

Fixtures (ask for them by name):
  settings            Settings(env="test") pointing at the test database; base_url is the
                      live server's URL, so participant links printed by services work there.
  database            app.db.Database (engine + session factory) for the test database.
  db                  a Session; commit() to make rows visible to the live server. Rows are
                      deleted after the test whether committed or not.
  org                 a committed Organisation "Test Org" (slug test-org).
  instrument_version  a committed InstrumentVersion (+ its norm table): the real instrument
                      questionnaires/sales-process-inventory-*.yaml when present, else
                      tests/fixtures/mini-instrument.yaml.
  mini_instrument_version  the same for tests/fixtures/mini-instrument.yaml always (fast).
  live_server         base URL ("http://127.0.0.1:PORT") of uvicorn serving create_app(settings)
                      in a background thread (one server per session; data cleaned per test).
  http                an httpx.Client with base_url=live_server (follows no redirects).
  invite              a function (email=..., instrument_version=None, **kw) -> Invitation that
                      invites into `org` and commits; `.token` is the participant link token.
  make_env            env vars for running `stagefit` in a subprocess against the test DB.
  serve_app(app)      (a function to import, not a fixture) context manager serving any app
                      over real HTTP in a thread; yields its base URL.
  server_process      a function starting `stagefit serve` as a subprocess on a free port;
                      returns a ServerProcess(url, process, kill(), restart()). Stopped at teardown.
  deliver_outbox      a function (settings=None) -> [Delivered]: one drain of the outbox by the
                      real worker, every pending message made due first (tests/outbox.py);
                      settings override the session's (e.g. an SMTP URL).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import MetaData, delete, inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
# Keep the generated secret key and demo files out of the developer's ./var.
_VAR_DIR = Path(tempfile.mkdtemp(prefix="stagefit-test-var-"))
os.environ["STAGEFIT_VAR_DIR"] = str(_VAR_DIR)

from app.config import Settings  # noqa: E402
from app.db import Database  # noqa: E402
from app.models import Base, InstrumentVersion, Organisation  # noqa: E402

MINI_INSTRUMENT = REPO / "tests" / "fixtures" / "mini-instrument.yaml"
# Generous: a cold PDF render on a machine running two test workers can take seconds.
SEND_TIMEOUT = 60.0
# `stagefit serve` imports the whole stack; on a busy shared machine that alone took 15-30 s.
START_TIMEOUT = 120.0


# One TLS context for every test's HTTP client: httpx builds one per client by default, reading
# the CA bundle each time (35 ms), and the suite makes thousands of clients. The servers under
# test speak plain HTTP; the context only has to exist.
TLS = ssl.create_default_context()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def real_instrument_path() -> Path | None:
    paths = sorted((REPO / "questionnaires").glob("sales-process-inventory-*.yaml"))
    return paths[-1] if paths else None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_VAR_DIR, ignore_errors=True)


# --- the database -------------------------------------------------------------------------


def _worker_database(url: str, worker: str) -> str:
    """A PostgreSQL database of this xdist worker's own (`<name>_gw0`, ...), made afresh, so
    workers never see each other's rows; the master process uses the URL as given."""
    if worker == "master":
        return url
    import psycopg
    from sqlalchemy.engine import make_url

    from app.db import normalise_url

    parsed = make_url(normalise_url(url))
    name = f"{parsed.database}_{worker}"
    admin = parsed.set(drivername="postgresql", database="postgres")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def worker_name(request: pytest.FixtureRequest) -> str:
    """pytest-xdist's worker id (gw0, gw1, ...) or "master" when not run in parallel."""
    workerinput = getattr(request.config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else "master"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_name: str) -> str:
    url = os.environ.get("STAGEFIT_TEST_DATABASE_URL")
    if url:
        return _worker_database(url, worker_name)
    # tmp_path_factory's directory is the worker's own under xdist.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def server_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def settings(database_url: str, server_port: int) -> Settings:
    from app.services.users import use_password_hashing

    settings = Settings(
        env="test",
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        base_url=f"http://127.0.0.1:{server_port}",
        questionnaires_dir=REPO / "questionnaires",
        log_level="WARNING",
        # Counted, but out of reach of the suite's own bursts; tests/integration/
        # test_abuse_limits.py serves apps with small limits.
        api_rate_limit=1_000_000,
        participant_rate_limit=1_000_000,
        participant_address_rate_limit=1_000_000,
        # argon2id at no cost: the suite signs in hundreds of times (Settings.password_hashing).
        password_hashing="cheapest",
    )
    # For the services the tests call in this process; the live server's create_app sets it too.
    use_password_hashing(settings.password_hashing)
    return settings


def _drop_everything(database: Database) -> None:
    # Reflect rather than use Base.metadata: a schema left by an older branch may differ.
    with database.engine.begin() as connection:
        existing = MetaData()
        existing.reflect(bind=connection)
        existing.drop_all(bind=connection)


@pytest.fixture(scope="session")
def _migrated_database(settings: Settings) -> Iterator[Database]:
    from app.migrations import upgrade

    database = Database(settings)
    _drop_everything(database)
    upgrade(settings.database_url)
    yield database
    database.engine.dispose()


APPEND_ONLY = frozenset({"audit_events"})  # see migrations/versions/2026-12-02_privacy.py


def delete_all_rows(database: Database) -> None:
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A transaction the server left open would block the clean-up for ever; fail
            # loudly instead, naming it.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '20s'")
        present = set(inspect(connection).get_table_names())
        try:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in present:
                    continue
                if table.name in APPEND_ONLY and connection.dialect.name == "postgresql":
                    # Its trigger refuses DELETE (row by row); TRUNCATE is the owner's way.
                    connection.exec_driver_sql(f"TRUNCATE {table.name}")
                else:
                    connection.execute(delete(table))
        except OperationalError as exc:
            raise RuntimeError(
                "cleaning the test database was blocked by an open transaction: "
                + _open_ones(database)
            ) from exc


def _open_ones(database: Database) -> str:
    import psycopg

    url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT pid, state, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
        ).fetchall()
    return "; ".join(f"pid {pid} {state}: {query}" for pid, state, query in rows) or "none found"


@pytest.fixture
def database(_migrated_database: Database) -> Iterator[Database]:
    yield _migrated_database
    delete_all_rows(_migrated_database)


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    session = database.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


# --- domain data --------------------------------------------------------------------------


@pytest.fixture
def org(db: Session) -> Organisation:
    from app.services.organisations import create_organisation

    organisation = create_organisation(db=db, name="Test Org", slug="test-org")
    db.commit()
    return organisation


_parsed_instruments: dict[Path, tuple[Any, str]] = {}


def store_instrument_file(db: Session, path: Path) -> InstrumentVersion:
    """Store an instrument file, parsing it only once per test session (parsing is slow)."""
    from app.instrument.loader import load_instrument
    from app.services.instruments import store_instrument

    if path not in _parsed_instruments:
        _parsed_instruments[path] = (load_instrument(path), path.read_bytes().decode("utf-8"))
    instrument, source = _parsed_instruments[path]
    row = store_instrument(db=db, instrument=instrument, source=source, origin=str(path))
    db.commit()
    return row


@pytest.fixture
def instrument_version(db: Session) -> InstrumentVersion:
    return store_instrument_file(db, real_instrument_path() or MINI_INSTRUMENT)


@pytest.fixture
def mini_instrument_version(db: Session) -> InstrumentVersion:
    return store_instrument_file(db, MINI_INSTRUMENT)


@pytest.fixture
def invite(db: Session, org: Organisation, settings: Settings) -> Callable[..., Any]:
    from app.services.invitations import invite as invite_service

    def _invite(
        email: str = "rep@example.com",
        instrument_version: InstrumentVersion | None = None,
        **kwargs: Any,
    ) -> Any:
        version = instrument_version or store_instrument_file(db, MINI_INSTRUMENT)
        kwargs.setdefault("first_name", "Robin")
        kwargs.setdefault("last_name", "Rep")
        invitation = invite_service(
            db=db, organisation=org, instrument_version=version, email=email, **kwargs
        )
        db.commit()
        return invitation

    return _invite


# --- HTTP ---------------------------------------------------------------------------------


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the main thread belongs to pytest
        pass


@contextmanager
def serve_app(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    from app.server import uvicorn_config

    port = port or free_port()
    config = uvicorn_config(app, app.state.settings, host="127.0.0.1", port=port)
    server = _ThreadServer(config)
    thread = threading.Thread(target=server.run, name=f"server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def _live_server(
    _migrated_database: Database, settings: Settings, server_port: int
) -> Iterator[str]:
    from app.main import create_app

    with serve_app(create_app(settings), server_port) as url:
        assert url == settings.base_url
        yield url


@pytest.fixture
def live_server(_live_server: str, database: Database) -> str:
    return _live_server


@pytest.fixture
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=SEND_TIMEOUT, verify=TLS) as client:
        yield client


@pytest.fixture
def deliver_outbox(database: Database, settings: Settings) -> Callable[..., list[Any]]:
    from tests.outbox import deliver_due

    session_settings = settings

    def _deliver(*, settings: Settings | None = None) -> list[Any]:
        return deliver_due(database, settings or session_settings)

    return _deliver


# --- subprocesses -------------------------------------------------------------------------


@pytest.fixture
def make_env(settings: Settings, tmp_path: Path) -> Callable[..., dict[str, str]]:
    """Environment for a `stagefit` subprocess using the test database and a private var/."""

    def _env(**extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STAGEFIT_")}
        env.update(
            STAGEFIT_ENV="test",
            STAGEFIT_DATABASE_URL=settings.database_url,
            STAGEFIT_SECRET_KEY=settings.secret_key,
            STAGEFIT_BASE_URL=settings.base_url,
            STAGEFIT_QUESTIONNAIRES_DIR=str(settings.questionnaires_dir),
            STAGEFIT_VAR_DIR=str(tmp_path / "var"),
            STAGEFIT_LOG_LEVEL="WARNING",
            STAGEFIT_PASSWORD_HASHING=settings.password_hashing,
        )
        env.update(extra)
        return env

    return _env


STAGEFIT = str(Path(sys.executable).parent / "stagefit")


@dataclass
class ServerProcess:
    url: str
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    log: list[Path] = field(default_factory=list)

    def start(self) -> None:
        log_path = Path(self.env["STAGEFIT_VAR_DIR"]) / f"server-{len(self.log)}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log.append(log_path)
        handle = log_path.open("wb")
        self.process = subprocess.Popen(
            [STAGEFIT, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1, verify=TLS).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not become healthy: {log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what a power cut does."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server_process(
    database: Database, make_env: Callable[..., dict[str, str]]
) -> Iterator[Callable[[], ServerProcess]]:
    started: list[ServerProcess] = []

    def _start() -> ServerProcess:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = ServerProcess(url=url, port=port, env=make_env(STAGEFIT_BASE_URL=url))
        server.start()
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()
