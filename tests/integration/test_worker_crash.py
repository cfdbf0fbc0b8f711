"""SIGKILL in the middle of a delivery loses nothing: the killed worker's lease runs out, the
message is delivered again, and the duplicate carries the same webhook-id.

On PostgreSQL the worker is a real `stagefit worker` process (procrastinate); on SQLite it is
the worker inside a real `stagefit serve` process. The receiver holds the first request open,
so the kill lands while that delivery is under way.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.config import Settings
from app.db import Database
from tests.conftest import STAGEFIT, ServerProcess, free_port
from tests.integration.delivery_helpers import add_endpoint, outbox, wait_until
from tests.integration.webhook_receiver import Receiver

pytestmark = pytest.mark.slow
MESSAGES = 12
FAST = {"STAGEFIT_WORKER_LEASE": "5", "STAGEFIT_DELIVERY_TIMEOUT": "3"}


class WorkerProcess:
    """`stagefit worker` as a subprocess, its output kept in a file for failures."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [STAGEFIT, "worker"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _held_message_survives_the_kill(
    database: Database,
    db,  # type: ignore[no-untyped-def]
    org,  # type: ignore[no-untyped-def]
    invite: Callable[..., object],
    receiver: Receiver,
    start: Callable[[], object],
    kill: Callable[[object], None],
    stop: Callable[[object], None],
) -> None:
    receiver.trust(add_endpoint(db, org, receiver.url).secret)
    receiver.hold_first = True
    for n in range(MESSAGES):
        invite(email=f"rep{n}@example.com")
    ids = {m.id for m in outbox(database)}

    first = start()
    try:
        assert receiver.held.wait(90), "the worker never sent anything"
        kill(first)
    finally:
        stop(first)
    receiver.release()
    held_id = receiver.requests[0].webhook_id
    held = next(m for m in outbox(database) if m.id == held_id)
    assert held.status == "pending" and held.locked_until is not None  # leased, not lost

    second = start()
    try:
        wait_until(
            lambda: {m.status for m in outbox(database)} == {"delivered"},
            timeout=90,
            what="every message delivered after the restart",
        )
    finally:
        stop(second)

    received = receiver.requests
    assert {r.webhook_id for r in received} == ids  # nothing lost
    assert all(r.verified for r in received), [r.error for r in received if not r.verified]
    duplicates = [r for r in received if r.webhook_id == held_id]
    assert len(duplicates) >= 2  # the interrupted delivery came again ...
    assert len({r.body for r in duplicates}) == 1  # ... as the same event, with the same id


def test_sigkill_of_a_worker_process_mid_delivery_on_postgresql(
    database: Database,
    db,  # type: ignore[no-untyped-def]
    org,  # type: ignore[no-untyped-def]
    invite,  # type: ignore[no-untyped-def]
    receiver: Receiver,
    settings: Settings,
    make_env,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("stagefit worker runs procrastinate on PostgreSQL (STAGEFIT_TEST_DATABASE_URL)")
    env = make_env(STAGEFIT_LOG_LEVEL="INFO", **FAST)
    log = tmp_path / "worker.log"

    def stop(worker: object) -> None:
        assert isinstance(worker, WorkerProcess)
        worker.stop()

    try:
        _held_message_survives_the_kill(
            database,
            db,
            org,
            invite,
            receiver,
            start=lambda: WorkerProcess(env, log),
            kill=lambda w: w.kill(),  # type: ignore[attr-defined]
            stop=stop,
        )
    except AssertionError:
        print(log.read_text(errors="replace")[-5000:])
        raise
    assert "stagefit worker running (PostgreSQL" in log.read_text()


def test_sigkill_of_the_server_mid_delivery_on_sqlite(
    database: Database,
    db,  # type: ignore[no-untyped-def]
    org,  # type: ignore[no-untyped-def]
    invite,  # type: ignore[no-untyped-def]
    receiver: Receiver,
    settings: Settings,
    make_env,  # type: ignore[no-untyped-def]
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the worker runs inside the server on SQLite")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = ServerProcess(
        url=url,
        port=port,
        env=make_env(STAGEFIT_BASE_URL=url, STAGEFIT_WORKER="inline", **FAST),
    )

    def start() -> object:
        server.start()
        return server

    try:
        _held_message_survives_the_kill(
            database,
            db,
            org,
            invite,
            receiver,
            start=start,
            kill=lambda s: server.kill(),
            stop=lambda s: server.stop(),
        )
    finally:
        server.stop()
