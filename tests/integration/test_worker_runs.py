"""Where the worker runs and what it runs: inside the server on SQLite (started and stopped
with it, leaving no thread behind), the expiry job, procrastinate on PostgreSQL (its jobs and
the wake-up a server sends after a commit), and the admin's view of what did not go out."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import psycopg
import pytest

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models import Assessment
from app.services.invitations import invite as invite_service
from app.services.organisations import create_organisation
from app.services.outbox import Kind, enqueue
from app.worker import queue
from app.worker.drain import Drainer
from app.worker.schema import apply_schema
from tests.conftest import serve_app
from tests.integration.delivery_helpers import (
    add_endpoint,
    outbox,
    running_worker,
    statuses,
    wait_until,
    worker_settings,
)
from tests.integration.webhook_receiver import Receiver


def _postgres(settings: Settings) -> bool:
    return settings.database_url.startswith("postgresql")


def _stagefit_threads(besides: frozenset[threading.Thread] = frozenset()) -> list[str]:
    """Our threads alive now, other than `besides` (the session's live server has its own)."""
    return [
        t.name for t in threading.enumerate() if t.name.startswith("stagefit-") and t not in besides
    ]


def test_the_server_runs_its_worker_and_stops_it_with_no_thread_left(
    database: Database, db, org, mini_instrument_version, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    if _postgres(settings):
        pytest.skip("the inline worker is the SQLite set-up")
    threads_before = threading.active_count()
    before = frozenset(threading.enumerate())
    with Receiver() as receiver:
        receiver.trust(add_endpoint(db, org, receiver.url).secret)
        with serve_app(create_app(worker_settings(settings))):
            assert "stagefit-worker" in _stagefit_threads(before)
            # Committed here, in a write transaction as the app's own writes are (the worker
            # writes beside it); the server's worker is woken and sends the event.
            with database.session(write=True) as writer:
                invite_service(
                    db=writer,
                    organisation=writer.merge(org),
                    instrument_version=writer.merge(mini_instrument_version),
                    email="rep@example.com",
                    first_name="Robin",
                    last_name="Rep",
                )
            (got,) = receiver.wait_for(1)
        assert got.verified and got.event["type"] == "assessment.invited"
    assert _stagefit_threads(before) == []
    wait_until(lambda: threading.active_count() <= threads_before, 10, "threads to end")


def test_expiry_runs_in_the_worker_and_its_webhook_is_delivered(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        receiver.trust(add_endpoint(db, org, receiver.url, ["assessment.expired"]).secret)
        invitation = invite(expires_at=utcnow() + timedelta(seconds=1))
        time.sleep(1.2)
        with running_worker(worker_settings(settings)):
            (got,) = receiver.wait_for(1)
    assert got.verified
    assert got.event["type"] == "assessment.expired"
    assert got.event["data"]["assessment_id"] == invitation.assessment.id
    assert got.event["data"]["status"] == "expired"
    db.expire_all()
    assert db.get(Assessment, invitation.assessment.id).status == "expired"


def test_procrastinate_runs_the_expiry_and_the_drain_on_postgresql(
    database: Database, db, org, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    if not _postgres(settings):
        pytest.skip("procrastinate is the PostgreSQL set-up")
    fast = worker_settings(settings)
    runtime = queue.Runtime()
    runtime.settings, runtime.database = fast, database
    runtime.drainer = Drainer(settings=fast, database=database, concurrency=4)
    app = queue.build_app(fast, worker=True, runtime=runtime)
    try:
        with Receiver() as receiver:
            receiver.trust(add_endpoint(db, org, receiver.url, ["assessment.expired"]).secret)
            invitation = invite(expires_at=utcnow() + timedelta(seconds=1))
            time.sleep(1.2)

            async def expire_then_drain() -> None:
                async with app.open_async():
                    await app.tasks["stagefit.periodic.expire-assessments"].defer_async(timestamp=0)
                    # wait=False: the worker ends once the queue is empty.
                    await app.run_worker_async(
                        queues=[queue.QUEUE], wait=False, install_signal_handlers=False
                    )

            import asyncio

            asyncio.run(expire_then_drain())
            # The expiry's commit woke nobody here (no waker in this process): drain once more.
            asyncio.run(_drain_once(app))
            (got,) = receiver.wait_for(1)
    finally:
        runtime.drainer.close()
    assert got.event["type"] == "assessment.expired"
    assert got.event["data"]["assessment_id"] == invitation.assessment.id
    assert statuses(database) == ["delivered"]


async def _drain_once(app) -> None:  # type: ignore[no-untyped-def]
    async with app.open_async():
        await app.tasks[queue.DRAIN].defer_async()
        await app.run_worker_async(queues=[queue.QUEUE], wait=False, install_signal_handlers=False)


def _waiting_drains(settings: Settings) -> int:
    with psycopg.connect(queue.conninfo(settings.database_url)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM procrastinate.procrastinate_jobs "
            "WHERE task_name = %s AND status = 'todo'",
            (queue.DRAIN,),
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_server_on_postgresql_wakes_the_workers_once_per_burst_of_commits(
    database: Database, db, org, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    if not _postgres(settings):
        pytest.skip("procrastinate is the PostgreSQL set-up")
    with psycopg.connect(queue.conninfo(settings.database_url)) as connection:
        connection.execute("DELETE FROM procrastinate.procrastinate_jobs")
    before = frozenset(threading.enumerate())
    with serve_app(create_app(settings)):
        assert "stagefit-waker" in _stagefit_threads(before)
        for n in range(5):
            enqueue(db=db, kind=Kind.WEBHOOK, topic="t", recipient="http://x", payload={"n": n})
            db.commit()
        wait_until(lambda: _waiting_drains(settings) == 1, 10, "a drain job")
        time.sleep(0.3)
        assert _waiting_drains(settings) == 1  # one waiting drain covers the burst
    assert _stagefit_threads(before) == []


def test_the_job_tables_are_made_once_and_upgrades_are_idempotent(settings: Settings) -> None:
    if not _postgres(settings):
        pytest.skip("procrastinate's tables exist on PostgreSQL only")
    # The test database was migrated already (conftest): applying again changes nothing.
    assert "up to date" in apply_schema(settings.database_url)


def test_admins_list_what_did_not_go_out_and_send_it_again(
    database: Database, db, org, invite, settings: Settings, run_cli
) -> None:  # type: ignore[no-untyped-def]
    other = create_organisation(db=db, name="Other Org", slug="other-org")
    db.commit()
    with Receiver() as receiver:
        receiver.trust(add_endpoint(db, org, receiver.url).secret)
        elsewhere = add_endpoint(db, other, "file:///nowhere")
        enqueue(
            db=db,
            kind=Kind.WEBHOOK,
            topic="webhook.test",
            recipient=elsewhere.url,
            payload={},
            organisation_id=other.id,
            endpoint_id=elsewhere.id,
        )
        db.commit()
        receiver.answer = 410
        invite()
        with running_worker(worker_settings(settings)):
            wait_until(lambda: statuses(database) == ["dead", "dead"], what="dead")

            listed = run_cli("outbox", "list", "--org", "test-org", "--json")
            assert listed.returncode == 0, listed.stderr
            (row,) = json.loads(listed.stdout)
            assert row["status"] == "dead" and row["attempts"] == 1
            assert row["topic"] == "assessment.invited" and "410 Gone" in row["last_error"]
            text = run_cli("outbox", "list", "--org", "test-org", "--status", "dead")
            assert row["id"] in text.stdout and "410 Gone" in text.stdout
            (theirs,) = json.loads(run_cli("outbox", "list", "--org", "other-org", "--json").stdout)
            assert theirs["topic"] == "webhook.test" and theirs["id"] != row["id"]
            bad = run_cli("outbox", "list", "--org", "test-org", "--status", "lost")
            assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "lost" in bad.stderr

            receiver.answer = 200  # the receiver was fixed: send it again
            again = run_cli("outbox", "retry", row["id"])
            assert again.returncode == 0, again.stderr
            wait_until(lambda: "delivered" in statuses(database), what="delivered")

    assert [r.webhook_id for r in receiver.requests] == [row["id"], row["id"]]
    twice = run_cli("outbox", "retry", row["id"])
    assert twice.returncode == 1 and "delivered already" in twice.stderr
    missing = run_cli("outbox", "retry", "00000000-0000-0000-0000-000000000000")
    assert missing.returncode == 1 and "no outbox message" in missing.stderr
    assert sorted((m.status, m.attempts) for m in outbox(database)) == [
        ("dead", 1),
        ("delivered", 2),
    ]


def test_stagefit_worker_on_sqlite_delivers_and_stops_cleanly_on_sigterm(
    database: Database, db, org, invite, settings: Settings, make_env, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    if _postgres(settings):
        pytest.skip("on PostgreSQL stagefit worker runs procrastinate (test_worker_crash.py)")
    import signal
    import subprocess

    from tests.conftest import STAGEFIT

    with Receiver() as receiver:
        receiver.trust(add_endpoint(db, org, receiver.url).secret)
        invite()
        log = tmp_path / "worker.log"
        worker = subprocess.Popen(
            [STAGEFIT, "worker", "--concurrency", "2"],
            env=make_env(STAGEFIT_LOG_LEVEL="INFO"),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            (got,) = receiver.wait_for(1, timeout=60)
            wait_until(lambda: statuses(database) == ["delivered"], what="delivered")
        finally:
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(30)
    assert got.verified
    assert code == 0, log.read_text()
    said = log.read_text()
    assert "stagefit worker running (SQLite" in said and "2 deliveries at once" in said
    assert "STAGEFIT_SMTP_URL is set, so each one is written to" in said
