"""The HR API over real HTTP (uvicorn on loopback, one keep-alive connection, an API key):
`POST /api/v1/assessments` latency, a bulk order of 500, and `GET /api/v1/assessments?limit=100`
latency with many assessments stored (inserted directly, to keep the run short). SQLite
always; PostgreSQL too when STAGEFIT_BENCH_DATABASE_URL (or STAGEFIT_TEST_DATABASE_URL) names
a server: a database `<name>_api_bench` is made afresh there.

    python -m bench api                       # 10,000 stored assessments
    STAGEFIT_BENCH_API_ROWS=100000 python -m bench api
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import ROOT, machine, postgres_url, table, write_section

POSTS = 200
BULKS = 3
LISTS = 200
ROWS = int(os.environ.get("STAGEFIT_BENCH_API_ROWS", "10000"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def _server(app: Any, settings: Any) -> Iterator[str]:
    import socket

    import uvicorn

    from app.server import uvicorn_config

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn_config(app, settings, host="127.0.0.1", port=port)
    config.log_level = "warning"
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _seed(database: Any, organisation_id: str, version_id: str, norm_id: str, rows: int) -> None:
    """`rows` invited assessments (one participant each), inserted in batches."""
    from sqlalchemy import insert

    from app.clock import utcnow
    from app.models import Assessment, Participant

    start = utcnow() - timedelta(days=1)
    batch = 5000
    for offset in range(0, rows, batch):
        people, orders = [], []
        for i in range(offset, min(rows, offset + batch)):
            pid = str(uuid.uuid4())
            moment = start + timedelta(milliseconds=i)
            people.append(
                {
                    "id": pid,
                    "organisation_id": organisation_id,
                    "email": f"seed{i}@example.com",
                    "first_name": "Seed",
                    "last_name": str(i),
                    "created_at": moment,
                }
            )
            orders.append(
                {
                    "id": str(uuid.uuid4()),
                    "organisation_id": organisation_id,
                    "participant_id": pid,
                    "instrument_version_id": version_id,
                    "norm_table_id": norm_id,
                    "status": "invited",
                    "token_hash": uuid.uuid4().hex + uuid.uuid4().hex,
                    "locale": "en",
                    "created_at": moment,
                    "updated_at": moment,
                    "expires_at": moment + timedelta(days=30),
                }
            )
        with database.session(write=True) as db:
            db.execute(insert(Participant), people)
            db.execute(insert(Assessment), orders)


def _measure(label: str, url: str, var: Path) -> list[list[str]]:
    from sqlalchemy import text

    from app.config import Settings
    from app.db import Database
    from app.main import create_app
    from app.migrations import upgrade
    from app.services.apikeys import create_api_key
    from app.services.instruments import default_norm_table, load_instruments
    from app.services.organisations import create_organisation

    upgrade(url)
    settings = Settings(
        env="production",
        database_url=url,
        secret_key="bench-secret-key-that-is-long-enough-0123456789",
        base_url="http://127.0.0.1",
        questionnaires_dir=ROOT / "questionnaires",
        worker="off",
        log_level="WARNING",
    )
    database = Database(settings)
    with database.session(write=True) as db:
        version = load_instruments(db=db, directory=ROOT / "questionnaires")[-1]
        org = create_organisation(db=db, name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}")
        key = create_api_key(db=db, organisation=org, name="bench").key
        ids = (org.id, version.id, default_norm_table(db, version).id, version.key)
    organisation_id, version_id, norm_id, instrument = ids
    _seed(database, organisation_id, version_id, norm_id, ROWS)
    if database.engine.dialect.name == "postgresql":
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {key}"}

    def order(i: int) -> dict[str, Any]:
        return {
            "instrument": instrument,
            "participant": {
                "email": f"rep{i}-{uuid.uuid4().hex[:6]}@example.com",
                "first_name": "Rep",
                "last_name": str(i),
                "external_id": f"x{uuid.uuid4().hex}",
            },
        }

    with _server(app, settings) as base, httpx.Client(base_url=base, timeout=120) as client:
        post_times = []
        cpu: dict[str, float] = {}
        for i in range(POSTS + 20):
            if i == 20:
                cpu_began = time.process_time()
            began = time.perf_counter()
            response = client.post(
                "/api/v1/assessments",
                json=order(i),
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            took = time.perf_counter() - began
            assert response.status_code == 201, response.text
            if i >= 20:  # after a warm-up
                post_times.append(took)
        cpu["post"] = (time.process_time() - cpu_began) / POSTS
        bulk_times = []
        for _ in range(BULKS):
            items = [order(i) for i in range(500)]
            began = time.perf_counter()
            response = client.post(
                "/api/v1/assessments/bulk", json={"items": items}, headers=headers
            )
            bulk_times.append(time.perf_counter() - began)
            assert response.status_code == 201, response.text
        list_times = []
        cursor = None
        for i in range(LISTS + 20):
            if i == 20:
                cpu_began = time.process_time()
            query = "/api/v1/assessments?limit=100" + (f"&cursor={cursor}" if cursor else "")
            began = time.perf_counter()
            response = client.get(query, headers=headers)
            took = time.perf_counter() - began
            assert response.status_code == 200, response.text
            cursor = response.json()["next_cursor"] if i % 2 else None  # first pages and on
            if i >= 20:
                list_times.append(took)
        cpu["list"] = (time.process_time() - cpu_began) / LISTS
    database.engine.dispose()
    stored = ROWS + POSTS + 20 + BULKS * 500
    ms = 1000
    return [
        [
            label,
            f"`POST /api/v1/assessments` (p95 of {POSTS}; median "
            f"{statistics.median(post_times) * ms:.1f} ms; CPU {cpu['post'] * ms:.1f} ms)",
            f"{_percentile(post_times, 0.95) * ms:.1f} ms",
            "≤ 30 ms",
            _verdict(_percentile(post_times, 0.95), 0.030),
        ],
        [
            label,
            f"`POST /api/v1/assessments/bulk`, 500 items (median of {BULKS})",
            f"{statistics.median(bulk_times):.2f} s",
            "≤ 2 s",
            _verdict(statistics.median(bulk_times), 2.0),
        ],
        [
            label,
            f"`GET /api/v1/assessments?limit=100`, {stored:,} stored (p95 of {LISTS}; "
            f"median {statistics.median(list_times) * ms:.1f} ms; CPU {cpu['list'] * ms:.1f} ms)",
            f"{_percentile(list_times, 0.95) * ms:.1f} ms",
            "≤ 30 ms",
            _verdict(_percentile(list_times, 0.95), 0.030),
        ],
    ]


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def run() -> None:
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="stagefit-bench-api-") as tmp:
        var = Path(tmp)
        os.environ["STAGEFIT_VAR_DIR"] = str(var)
        rows += _measure("SQLite", f"sqlite:///{var / 'bench.db'}", var)
        postgres = postgres_url("api_bench")
        if postgres:
            rows += _measure("PostgreSQL", postgres, var)
    result = table(["database", "what", "time", "target", ""], rows)
    print(result)
    write_section(
        "HR API",
        f"""
Real HTTP to uvicorn on loopback, one keep-alive connection, a real API key (checked on
every call). Orders use the real instrument and an `Idempotency-Key` each (the key is stored
with the response); the bulk order is 500 new participants in one transaction. The list is
read with the stored assessments inserted beforehand (one participant each), alternating
first pages and next pages by cursor; its order is served by the index
`ix_assessments_listing (organisation_id, updated_at, id)`.

Command: `python -m bench api` (PostgreSQL as well with
`STAGEFIT_BENCH_DATABASE_URL=postgresql+psycopg://…/stagefit`; more stored assessments with
`STAGEFIT_BENCH_API_ROWS=100000`).

{result}

"CPU" is the process's CPU time per call (server and client together, they share the
process): unlike the wall-clock times it hardly depends on what else the machine runs, and
it is what one free core would need.

{machine()}. The machine is shared with other work (two CPUs, several agents building and
testing at once): every wall-clock figure here is slower than on a machine of its own.
""",
    )


if __name__ == "__main__":
    run()
