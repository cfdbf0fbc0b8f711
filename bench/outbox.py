"""Outbox throughput and latency: webhook deliveries per second by one `stagefit worker`
process to a receiver on loopback, and how long a message written while the worker idles
takes to arrive. SQLite always; PostgreSQL too when STAGEFIT_BENCH_DATABASE_URL (or
STAGEFIT_TEST_DATABASE_URL) names a server: a database `<name>_bench` is made afresh there.

    python -m bench outbox
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import machine, postgres_url, table, write_section

MESSAGES = 3000
LATENCY_SAMPLES = 20
TARGET_PER_S = 200.0
STAGEFIT = str(Path(sys.executable).parent / "stagefit")


class Receiver:
    """A minimal ASGI receiver under uvicorn in a thread: notes when each webhook-id arrived."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        headers = dict(scope["headers"])
        with self.changed:
            self.arrivals.setdefault(headers[b"webhook-id"].decode(), time.perf_counter())
            self.changed.notify_all()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def wait_for(self, ids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not ids <= self.arrivals.keys():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {len(ids & self.arrivals.keys())} of {len(ids)}")
                self.changed.wait(0.5)


def _serve(receiver: Receiver) -> tuple[str, Any]:
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(receiver, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}/hooks", server


def _settings(database_url: str) -> Any:
    from app.config import Settings

    return Settings(
        env="test",
        database_url=database_url,
        secret_key="bench-secret-key-that-is-long-enough-0123456789",
        log_level="WARNING",
        webhook_allow_private=True,
    )


def _prepare(settings: Any, url: str) -> tuple[Any, str, str]:
    from app.db import Database
    from app.migrations import upgrade
    from app.services.organisations import create_organisation
    from app.services.webhooks import create_endpoint

    upgrade(settings.database_url)
    database = Database(settings)
    with database.session() as db:
        org = create_organisation(db=db, name="Bench Org", slug="bench-org")
        db.flush()
        endpoint = create_endpoint(db=db, organisation_id=org.id, url=url, events=[], actor="bench")
        db.flush()
        return database, org.id, endpoint.id


def _enqueue(database: Any, org_id: str, endpoint_id: str, url: str, count: int) -> set[str]:
    from app.services.outbox import Kind, enqueue

    with database.session() as db:
        messages = [
            enqueue(
                db=db,
                kind=Kind.WEBHOOK,
                topic="assessment.completed",
                recipient=url,
                payload={"type": "assessment.completed", "data": {"n": n, "links": {}}},
                organisation_id=org_id,
                endpoint_id=endpoint_id,
            )
            for n in range(count)
        ]
        db.flush()
        return {m.id for m in messages}


def _worker(settings: Any, var: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGEFIT_")}
    env.update(
        STAGEFIT_ENV="test",
        STAGEFIT_DATABASE_URL=settings.database_url,
        STAGEFIT_SECRET_KEY=settings.secret_key,
        STAGEFIT_VAR_DIR=str(var),
        STAGEFIT_LOG_LEVEL="WARNING",
    )
    log = (var / "worker.log").open("ab")
    return subprocess.Popen([STAGEFIT, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(label: str, database_url: str, var: Path) -> list[str]:
    from app.worker.runtime import for_app

    receiver = Receiver()
    url, server = _serve(receiver)
    settings = _settings(database_url)
    database, org_id, endpoint_id = _prepare(settings, url)
    worker = _worker(settings, var)
    waker = for_app(settings)  # on PostgreSQL: wakes the workers after each commit
    if waker is not None:
        waker.start()
    try:
        time.sleep(3)  # the worker has started (imports, connections)
        cpu_before = _cpu_seconds(worker.pid)
        ids = _enqueue(database, org_id, endpoint_id, url, MESSAGES)
        receiver.wait_for(ids, timeout=300)
        cpu_ms = (_cpu_seconds(worker.pid) - cpu_before) / MESSAGES * 1000
        times = sorted(receiver.arrivals[i] for i in ids)
        rate = (len(times) - 1) / (times[-1] - times[0])
        latencies = []
        for _ in range(LATENCY_SAMPLES):
            time.sleep(0.3)  # let the worker go idle
            start = time.perf_counter()
            (one,) = _enqueue(database, org_id, endpoint_id, url, 1)
            receiver.wait_for({one}, timeout=30)
            latencies.append(receiver.arrivals[one] - start)
    finally:
        if waker is not None:
            waker.stop()
        worker.terminate()
        worker.wait(60)
        server.should_exit = True
        database.engine.dispose()
    median = statistics.median(latencies)
    verdict = "meets" if rate >= TARGET_PER_S else "misses"
    return [
        label,
        f"{MESSAGES}",
        f"{rate:.0f} /s",
        f"{verdict} ≥ {TARGET_PER_S:.0f}/s",
        f"{cpu_ms:.1f} ms ({1000 / cpu_ms:.0f} /s per CPU)",
        f"{median * 1000:.0f} ms (max {max(latencies) * 1000:.0f} ms)",
    ]


def run() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="stagefit-bench-outbox-") as tmp:
        var = Path(tmp)
        os.environ["STAGEFIT_VAR_DIR"] = str(var)
        rows.append(_measure("SQLite", f"sqlite:///{var / 'bench.db'}", var))
        postgres = postgres_url("bench")
        if postgres:
            rows.append(_measure("PostgreSQL (procrastinate)", postgres, var))
    header = [
        "database",
        "messages",
        "throughput",
        "target",
        "worker CPU per delivery",
        "latency, idle worker (median)",
    ]
    result = table(header, rows)
    print(result)
    write_section(
        "Outbox: webhook deliveries per worker",
        f"""
One `stagefit worker` process (default concurrency, 16 deliveries at once) sends {MESSAGES}
signed webhooks written in one transaction to a receiver on loopback (uvicorn); throughput
is counted from the first arrival to the last. The worker's CPU time per delivery does not
depend on what else runs on the machine: its inverse is what one worker does on one free
core. Latency: one message written while the worker
idles, until it arrives (SQLite: the worker's one-second poll, as a separate process has no
wake-up; PostgreSQL: the server's wake-up through procrastinate's LISTEN/NOTIFY; inside the
server on SQLite the wake-up is immediate).

Command: `python -m bench outbox` (PostgreSQL as well with
`STAGEFIT_BENCH_DATABASE_URL=postgresql+psycopg://…/stagefit`).

{result}

{machine()}; load average {os.getloadavg()[0]:.1f} at the end (other work on the machine
slows every figure here).
""",
    )


if __name__ == "__main__":
    run()
