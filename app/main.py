"""The web application: create_app(settings) wires health, problem details and the routers."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

import app as app_package
from app import problems
from app.api import health
from app.config import Settings, get_settings
from app.db import Database

# Routers written by other parts of the team; a module not written yet is simply absent.
# Each exposes `router: APIRouter`.
OPTIONAL_ROUTERS = (
    "app.web.participant",
    "app.web.manager",
    "app.api.v1",
    "app.api.reports",  # the report PDFs (issue 4)
    "app.api.integrations.greenhouse",
    "app.api.metrics",
)
STATIC_DIR = Path(__file__).parent / "web" / "static"


def _optional_router(module_name: str) -> APIRouter | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Only the module itself being absent is fine; a broken import inside it is a bug.
        if exc.name is not None and (module_name + ".").startswith(exc.name + "."):
            return None
        raise
    router = getattr(module, "router", None)
    return router if isinstance(router, APIRouter) else None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    database = Database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.engine.dispose()

    app = FastAPI(
        title="StageFit",
        version=app_package.__version__,
        description="Sales-process competency assessment.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    problems.install(app)
    app.include_router(health.router)
    for module_name in OPTIONAL_ROUTERS:
        router = _optional_router(module_name)
        if router is not None:
            app.include_router(router)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
