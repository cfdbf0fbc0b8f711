"""The web application: create_app(settings) wires health, problem details and the routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import app as app_package
from app import problems
from app.api import (
    assessments,
    audit,
    health,
    instruments,
    participants,
    privacy,
    reports,
    webhooks,
)
from app.api import teams as team_api
from app.config import Settings, get_settings
from app.db import Database
from app.delivery.smtp import describe_transport
from app.edge import Edge
from app.integrations.greenhouse import routes as greenhouse
from app.ratelimit import Limits
from app.server import redact_access_log
from app.services.users import use_password_hashing
from app.web import manager, participant
from app.worker import runtime as worker_runtime

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    use_password_hashing(settings.password_hashing)
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # WeasyPrint logs every layout step at INFO: noise in a server log, one line per step.
    logging.getLogger("weasyprint").setLevel(max(logging.WARNING, logging.root.level))
    redact_access_log()
    database = Database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Said once at start-up: e-mails that are only written to disk must not surprise anyone.
        level = logging.INFO if settings.smtp_url else logging.WARNING
        logging.getLogger("stagefit.mail").log(level, describe_transport(settings))
        # The inline worker (SQLite), or the waker of `stagefit worker`s (PostgreSQL).
        worker = worker_runtime.for_app(settings)
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)  # joins threads: off the event loop
            database.engine.dispose()

    app = FastAPI(
        title="StageFit",
        version=app_package.__version__,
        description="Sales-process competency assessment.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.limits = Limits(settings)
    problems.install(app)
    routers = (
        health.router,
        participant.router,
        manager.router,
        # /assessments/bulk before /assessments/{assessment_id}
        assessments.router,
        reports.router,
        participants.router,
        privacy.router,
        audit.router,
        instruments.router,
        webhooks.router,
        team_api.router,
        greenhouse.router,
    )
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(Edge)
    if settings.trusted_proxy_list:
        # Added last, so it runs first: the edge and the routes see the client's address.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    return app
