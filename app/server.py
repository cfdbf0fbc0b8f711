"""Serving the app with uvicorn: one configuration for `stagefit serve` and the tests."""

from __future__ import annotations

import logging
import re
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


_LINK = re.compile(r"^/a/[^/?#]+")


class RedactParticipantLinks(logging.Filter):
    """uvicorn's access log prints each request's path, and a participant's path holds their
    link token, which is their key: the log says /a/… instead (as problem details do)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn: '%s - "%s %s HTTP/%s" %d' % (client, method, path?query, version, status)
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], _LINK.sub("/a/…", args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Put the filter on uvicorn's access logger, once however many apps are made."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactParticipantLinks) for f in access.filters):
        access.addFilter(RedactParticipantLinks())
