"""The worker on PostgreSQL: procrastinate runs the outbox drains and the periodic jobs
across any number of `stagefit worker` processes (docs/operations.md says why this engine).

The outbox table stays the record of what must be sent; procrastinate only decides who
drains it when: a drain job deferred after each commit that wrote a message (LISTEN/NOTIFY
wakes a worker at once), the same drain every few seconds as the safety net for retries and
expired leases, and each periodic job once per tick across all machines. Jobs are idempotent,
so a job lost with a killed worker costs nothing but a few seconds.

procrastinate's tables live in their own PostgreSQL schema, `procrastinate`, out of the way of
StageFit's tables and migrations; its connections set search_path to it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import procrastinate
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Status as JobStatus

from app.config import Settings
from app.worker.periodic import PERIODIC_JOBS, PeriodicJob, cron, run_job

log = logging.getLogger("stagefit.worker")
SCHEMA = "procrastinate"
QUEUE = "stagefit"
DRAIN = "stagefit.drain_outbox"
DRAIN_EVERY = 5  # seconds: how late a retry or an expired lease may be noticed
DRAIN_BUDGET = 10.0  # seconds a drain job runs before handing over (graceful stops stay short)
JOB_CONCURRENCY = 4  # jobs at once per worker: a long drain never holds up the expiry job


def conninfo(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    from app.db import normalise_url

    url = make_url(normalise_url(database_url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pool_args(database_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "conninfo": conninfo(database_url),
        "kwargs": {"options": f"-c search_path={SCHEMA}"},
        **extra,
    }


class Runtime:
    """What the jobs of a worker process work with (set by `stagefit worker`)."""

    drainer: Any = None
    database: Any = None
    settings: Any = None


def build_app(
    settings: Settings, *, worker: bool, runtime: Runtime | None = None
) -> procrastinate.App:
    """The procrastinate app: an async connector for a worker, a small sync one for a server
    that only defers drain jobs."""
    if worker:
        connector: Any = procrastinate.PsycopgConnector(**_pool_args(settings.database_url))
    else:
        connector = procrastinate.SyncPsycopgConnector(
            **_pool_args(settings.database_url, min_size=0, max_size=2)
        )
    app = procrastinate.App(connector=connector)
    runtime = runtime or Runtime()
    _drain_task(app, runtime)
    for job in PERIODIC_JOBS:
        _periodic_task(app, runtime, job)
    _tidy_task(app)
    return app


def defer_drain(app: procrastinate.App) -> None:
    """Ask for a drain; one waiting drain job is enough (queueing lock), so a burst of
    commits costs one job."""
    with contextlib.suppress(queue_errors.AlreadyEnqueued):
        app.tasks[DRAIN].defer()


def _drain_task(app: procrastinate.App, runtime: Runtime) -> None:
    @app.periodic(cron=cron(DRAIN_EVERY), periodic_id="drain")
    @app.task(name=DRAIN, queue=QUEUE, queueing_lock=DRAIN)
    def drain_outbox(timestamp: int | None = None) -> None:
        report = runtime.drainer.drain(until=time.monotonic() + DRAIN_BUDGET)
        if report.busy or not report.idle:
            # More is due than this worker can take: a waiting drain job lets an idle
            # worker (here or on another machine) join in, or this one carry on.
            defer_drain(app)


def _periodic_task(app: procrastinate.App, runtime: Runtime, job: PeriodicJob) -> None:
    name = f"stagefit.periodic.{job.name}"

    def run(timestamp: int) -> None:
        run_job(job, database=runtime.database, settings=runtime.settings)

    run.__name__ = job.name.replace("-", "_")
    periodic = app.periodic(cron=cron(job.every), periodic_id=job.name)
    periodic(app.task(name=name, queue=QUEUE, queueing_lock=name)(run))


def _tidy_task(app: procrastinate.App) -> None:
    @app.periodic(cron="*/10 * * * *", periodic_id="tidy")
    @app.task(name="stagefit.tidy_jobs", queue=QUEUE, queueing_lock="stagefit.tidy_jobs")
    async def tidy_jobs(timestamp: int) -> None:
        """Jobs of a worker that died (SIGKILL, power cut) stay 'doing' for ever; ours are
        idempotent and re-run on the next tick, so they are simply closed. Failed jobs are
        kept a day for looking into."""
        manager = app.job_manager
        for stalled in await manager.get_stalled_jobs():
            await manager.finish_job(stalled, status=JobStatus.FAILED, delete_job=True)
        await manager.delete_old_jobs(nb_hours=24, include_failed=True, include_aborted=True)


def run_worker(settings: Settings, runtime: Runtime, *, name: str) -> None:
    app = build_app(settings, worker=True, runtime=runtime)
    app.run_worker(
        queues=[QUEUE],
        name=name,
        concurrency=JOB_CONCURRENCY,
        delete_jobs="successful",
        listen_notify=True,
        fetch_job_polling_interval=DRAIN_EVERY,
        shutdown_graceful_timeout=DRAIN_BUDGET + settings.delivery_timeout + 5,
    )
