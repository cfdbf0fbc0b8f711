"""The worker as one loop without a job engine: the periodic jobs when due, then drain the
outbox, then sleep until woken (a commit wrote a message) or the next poll. It runs in a
thread of the server process on SQLite (STAGEFIT_WORKER=inline, what `make run` does), and in
the foreground for `stagefit worker` on SQLite.

Several such loops on one database are safe (claims are leased), so a `stagefit serve` with
its inline worker and a `stagefit worker` beside it only share the work.
"""

from __future__ import annotations

import logging
import threading
import time

from app.config import Settings
from app.db import Database
from app.worker import wake
from app.worker.drain import Drainer
from app.worker.periodic import PERIODIC_JOBS, PeriodicJob, run_job

log = logging.getLogger("stagefit.worker")
POLL_SECONDS = 1.0  # retries and expired leases are noticed within this
DRAIN_SLICE = 5.0  # a long drain yields to the periodic jobs this often
STOP_TIMEOUT = 30.0


class InlineWorker:
    def __init__(self, settings: Settings, *, concurrency: int | None = None) -> None:
        self.settings = settings
        self.concurrency = concurrency or settings.worker_concurrency
        # Its own connections: deliveries must not queue behind requests for the app's pool.
        self.database = Database(settings, pool_size=self.concurrency + 2)
        self.drainer = Drainer(
            settings=settings, database=self.database, concurrency=self.concurrency
        )
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_run = dict.fromkeys((job.name for job in PERIODIC_JOBS), 0.0)

    def poke(self) -> None:
        self._wake.set()

    def start(self) -> None:
        """Run the loop in a background thread (inside the server)."""
        self._thread = threading.Thread(target=self.run, name="stagefit-worker", daemon=True)
        self._thread.start()

    def run(self) -> None:
        """The loop, in the calling thread, until stop()."""
        wake.add(self.poke)
        try:
            while not self._stop.is_set():
                self._wake.clear()  # before draining: a poke during the drain is not lost
                self._run_due_jobs()
                self._drain()
                self._wake.wait(POLL_SECONDS)
        finally:
            wake.remove(self.poke)

    def request_stop(self) -> None:
        """Make run() return after the deliveries under way (safe from a signal handler)."""
        self._stop.set()
        self._wake.set()

    def stop(self) -> None:
        """Finish the deliveries under way (bounded by the delivery timeout), then release
        every thread and connection: a server shutting down leaves nothing running."""
        self.request_stop()
        wake.remove(self.poke)
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            if self._thread.is_alive():
                log.warning("the worker did not stop within %s s", STOP_TIMEOUT)
        self.drainer.close()
        self.database.engine.dispose()

    def _drain(self) -> None:
        try:
            self.drainer.drain(until=time.monotonic() + DRAIN_SLICE, stopping=self._stop.is_set)
        except Exception:  # the database away for a moment must not end the loop
            log.exception("draining the outbox failed; trying again shortly")
            self._stop.wait(POLL_SECONDS)

    def _run_due_jobs(self) -> None:
        for job in PERIODIC_JOBS:
            now = time.monotonic()
            if now < self._next_run.get(job.name, 0.0) or self._stop.is_set():
                continue
            self._next_run[job.name] = now + job.every
            self._run(job)

    def _run(self, job: PeriodicJob) -> None:
        try:
            run_job(job, database=self.database, settings=self.settings)
        except Exception:
            log.exception("periodic job %s failed; it runs again in %s s", job.name, job.every)
