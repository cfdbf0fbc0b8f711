"""Draining the outbox: claim due messages, deliver them concurrently on a thread pool, and
record each outcome. One Drainer per process; several drains may run on it at once (on
PostgreSQL, procrastinate may start two drain jobs in one worker), sharing its slots.

Deliverers are plain blocking functions (httpx, smtplib), so the concurrency is threads: a
webhook spends its time waiting on the network, which releases the GIL.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

import app as app_package
import app.delivery
from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.delivery import DELIVERERS, Delivery, DeliveryContext, Outcome
from app.models import OutboxMessage
from app.worker import store
from app.worker.store import Attempt

log = logging.getLogger("stagefit.worker")
USER_AGENT = f"StageFit/{app_package.__version__} (+webhooks)"
BATCH_WAIT = 0.005  # seconds: deliveries finishing this close together share a transaction


def load_deliverers() -> dict[str, Any]:
    """Import every module of app.delivery, so each registers the kinds it delivers."""
    for module in pkgutil.iter_modules(app.delivery.__path__):
        importlib.import_module(f"app.delivery.{module.name}")
    return DELIVERERS


@dataclass
class DrainReport:
    attempts: int = 0
    idle: bool = True  # stopped because nothing was due (not because time or slots ran out)
    busy: bool = False  # some claim filled every free slot: more was due than we could take


class Drainer:
    def __init__(self, *, settings: Settings, database: Database, concurrency: int) -> None:
        load_deliverers()
        self.settings = settings
        self.database = database
        self.concurrency = concurrency
        self.lease = timedelta(seconds=settings.worker_lease)
        self.http = httpx.Client(
            timeout=httpx.Timeout(settings.delivery_timeout),
            follow_redirects=False,
            limits=httpx.Limits(
                max_connections=concurrency * 2, max_keepalive_connections=concurrency
            ),
            headers={"User-Agent": USER_AGENT},
        )
        self.pool = ThreadPoolExecutor(concurrency, thread_name_prefix="stagefit-delivery")
        self._lock = threading.Lock()
        self._in_flight = 0

    def drain(self, *, until: float, stopping: Any = lambda: False) -> DrainReport:
        """Deliver due messages until none is due, `until` (time.monotonic()) has passed or
        `stopping()` says so; waits for the deliveries it started before returning."""
        report = DrainReport()
        futures: set[Future[Attempt]] = set()
        while True:
            free = self._free_slots()
            # Claim in batches (half the slots at least), not one row per finished delivery.
            if not futures or free >= max(1, self.concurrency // 2):
                late = stopping() or time.monotonic() >= until
                batch = [] if late else self._claim(free)
                if late and not futures:
                    report.idle = False
                    return report
                report.busy |= bool(batch) and len(batch) == free
                futures.update(self.pool.submit(self._attempt, m) for m in batch)
                if not futures:
                    return report
            done, futures = wait(futures, return_when=FIRST_COMPLETED)
            # Those finishing within a moment are written in the same transaction.
            more, futures = wait(futures, timeout=BATCH_WAIT)
            finished = [f.result() for f in (*done, *more)]
            self._record(finished)
            report.attempts += len(finished)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.http.close()

    def _free_slots(self) -> int:
        with self._lock:
            return self.concurrency - self._in_flight

    def _claim(self, wanted: int) -> list[OutboxMessage]:
        with self._lock:  # reserve the slots, so a drain running beside this one cannot
            limit = min(wanted, self.concurrency - self._in_flight)
            self._in_flight += max(limit, 0)
        messages: list[OutboxMessage] = []
        try:
            if limit > 0:
                with self.database.session() as db:
                    due = store.any_due(db=db, now=utcnow())
                if due:
                    with self.database.session(write=True) as db:
                        messages = store.claim(db=db, now=utcnow(), limit=limit, lease=self.lease)
        except Exception:
            log.exception("claiming outbox messages failed; trying again shortly")
        finally:
            with self._lock:
                self._in_flight -= max(limit, 0) - len(messages)
        return messages

    def _record(self, finished: list[Attempt]) -> None:
        try:
            with self.database.session(write=True) as db:
                statuses = store.record(db=db, attempts=finished, now=utcnow())
        except Exception:
            # Not recorded: the leases run out and the messages go again (at least once).
            log.exception("recording %s deliveries failed", len(finished))
            return
        finally:
            with self._lock:
                self._in_flight -= len(finished)
        for attempt, status in zip(finished, statuses, strict=True):
            delivery, message = attempt.delivery, attempt.message
            if delivery.outcome != Outcome.DELIVERED:
                # Neither the address nor the URL: both may be personal or carry a token.
                log.warning(
                    "%s %s (%s): %s, %s; now %s",
                    message.kind,
                    message.id,
                    message.topic,
                    delivery.outcome,
                    delivery.error,
                    status,
                )

    def _attempt(self, message: OutboxMessage) -> Attempt:
        """One delivery, on a pool thread; never raises."""
        attempted_at = utcnow()
        started = time.perf_counter()
        delivery = self._deliver(message)
        duration_ms = round((time.perf_counter() - started) * 1000)
        return Attempt(message, delivery, attempted_at, duration_ms)

    def _deliver(self, message: OutboxMessage) -> Delivery:
        deliverer = DELIVERERS.get(message.kind)
        if deliverer is None:
            known = ", ".join(sorted(DELIVERERS)) or "none"
            return Delivery(
                Outcome.FAILED,
                error=f"this worker cannot deliver messages of kind {message.kind!r} "
                f"(it knows: {known}); retried until a worker that can picks it up",
            )
        db = self.database.sessions()
        try:
            context = DeliveryContext(settings=self.settings, db=db, http=self.http)
            return deliverer(message, context)
        except Exception as exc:
            log.exception("the %s deliverer failed on %s", message.kind, message.id)
            return Delivery(Outcome.FAILED, error=f"{type(exc).__name__}: {exc}")
        finally:
            db.close()
