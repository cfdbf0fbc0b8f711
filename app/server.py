"""Serving the app with uvicorn: one configuration for `stagefit serve` and the tests."""

from __future__ import annotations

from typing import Any

import uvicorn

from app.config import Settings


def uvicorn_config(app: Any, settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    # uvicorn would believe X-Forwarded-For from 127.0.0.1 (or $FORWARDED_ALLOW_IPS) by
    # default; the app decides whom to believe from STAGEFIT_TRUSTED_PROXIES (app/main.py).
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
        server_header=False,
        lifespan="on",
    )
