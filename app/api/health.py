"""Liveness (/healthz) and readiness (/readyz: the database answers) for load balancers."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db import Database
from app.problems import problem, problem_responses

router = APIRouter(tags=["health"])
log = logging.getLogger("stagefit.health")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=None,
    responses=problem_responses(503, s503="The database is not reachable."),
)
def readyz(request: Request) -> dict[str, str] | JSONResponse:
    database: Database = request.app.state.database
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready", never a 500
        log.warning("readiness check failed: %s", exc)
        return problem(503, "The database is not reachable.", title="Not ready")
    return {"status": "ready"}
