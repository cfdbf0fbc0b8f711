"""Where the worker runs, decided once from the settings: inside the server (inline), in
`stagefit worker` processes (on SQLite the same loop, on PostgreSQL under procrastinate), and
what a server does to wake them after a commit."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from typing import Any, Protocol

from app.config import Settings
from app.worker import wake

log = logging.getLogger("stagefit.worker")
WARN_EVERY = 60.0  # seconds between two warnings about the same trouble


class Service(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


def is_postgres(settings: Settings) -> bool:
    return settings.database_url.startswith(("postgresql", "postgres:"))


def email_route(settings: Settings) -> str:
    """Where e-mails go, in words (never the SMTP password)."""
    from app.delivery.smtp import describe_transport

    return describe_transport(settings)


def for_app(settings: Settings) -> Service | None:
    """What a server process runs beside the web app (started and stopped by its lifespan)."""
    if settings.worker == "inline":
        return _InlineService(settings)
    if is_postgres(settings):
        return QueueWaker(settings)
    log.info("no worker in this process (STAGEFIT_WORKER=off): run `stagefit worker`")
    return None


class _InlineService:
    def __init__(self, settings: Settings) -> None:
        from app.worker.inline import InlineWorker

        self.worker = InlineWorker(settings)

    def start(self) -> None:
        self.worker.start()
        log.info(
            "worker running inside this server (%s deliveries at once); %s",
            self.worker.concurrency,
            email_route(self.worker.settings),
        )

    def stop(self) -> None:
        self.worker.stop()


class QueueWaker:
    """A server on PostgreSQL defers a drain job after each commit that wrote a message;
    procrastinate's LISTEN/NOTIFY hands it to a worker at once. Deferring happens in a
    thread of its own, so a request never waits for it, and a burst of commits becomes one
    job."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._wanted = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None

    def poke(self) -> None:
        self._wanted.set()

    def start(self) -> None:
        wake.add(self.poke)
        self._thread = threading.Thread(target=self._run, name="stagefit-waker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        wake.remove(self.poke)
        self._stop = True
        self._wanted.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        from app.worker.queue import build_app, defer_drain

        app = build_app(self.settings, worker=False)
        app.open()
        warned = 0.0
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._stop:
                    return
                try:
                    defer_drain(app)
                except Exception as exc:  # the workers' periodic drain picks it up
                    if time.monotonic() - warned > WARN_EVERY:
                        warned = time.monotonic()
                        log.warning("could not wake the workers (%s); they poll every 5 s", exc)
        finally:
            app.close()


def run_worker(settings: Settings, *, concurrency: int | None = None) -> None:
    """`stagefit worker`: deliver and run the periodic jobs until SIGTERM or Ctrl+C."""
    concurrency = concurrency or settings.worker_concurrency
    if is_postgres(settings):
        _run_on_postgres(settings, concurrency)
    else:
        _run_on_sqlite(settings, concurrency)


def _announce(settings: Settings, engine: str, concurrency: int) -> None:
    log.info(
        "stagefit worker running (%s, %s deliveries at once); %s",
        engine,
        concurrency,
        email_route(settings),
    )


def _run_on_sqlite(settings: Settings, concurrency: int) -> None:
    from app.worker.inline import InlineWorker

    worker = InlineWorker(settings, concurrency=concurrency)

    def stop(_signum: int, _frame: Any) -> None:
        worker.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _announce(settings, "SQLite, polling every second", concurrency)
    try:
        worker.run()
    finally:
        worker.stop()


def _run_on_postgres(settings: Settings, concurrency: int) -> None:
    from app.db import Database
    from app.worker.drain import Drainer
    from app.worker.queue import Runtime
    from app.worker.queue import run_worker as run_queue_worker

    runtime = Runtime()
    runtime.settings = settings
    runtime.database = Database(settings, pool_size=concurrency + 4)
    runtime.drainer = Drainer(settings=settings, database=runtime.database, concurrency=concurrency)
    _announce(settings, "PostgreSQL, jobs by procrastinate", concurrency)
    try:
        run_queue_worker(settings, runtime, name=f"stagefit-{socket.gethostname()}-{os.getpid()}")
    finally:
        runtime.drainer.close()
        runtime.database.engine.dispose()
