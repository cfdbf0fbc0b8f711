"""What every request and response passes through, before any route: security headers on
every response (errors included), a body size limit, and refusal of control characters in
paths (404), query strings and form or JSON fields (422) — PostgreSQL refuses NUL outright,
so these would otherwise become 500s deep inside a route."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.limits import has_control_characters
from app.problems import instance_of, problem
from app.ratelimit import STATE_KEY as RATE_LIMIT_STATE

log = logging.getLogger("stagefit.http")

MAX_BODY = 1024 * 1024  # no form or API call of ours needs more
MAX_UPLOAD = 10 * 1024 * 1024  # multipart uploads (CSV files of reps)

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
_PAGES = {
    **_COMMON,
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
# The participant's link is their key: keep it out of caches, Referer headers, search engines
# and other sites' frames.
PARTICIPANT_HEADERS = {
    **_PAGES,
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
}
# Charts from app/reports/charts.py position their shapes with style attributes, hence
# 'unsafe-inline' for styles only; scripts stay 'self'.
MANAGER_HEADERS = {
    **_PAGES,
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
}
API_HEADERS = {
    **_COMMON,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# FastAPI's /docs page loads Swagger UI from a CDN and starts it with an inline script.
DOCS_HEADERS = {
    **_COMMON,
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
        "img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'"
    ),
}
STATIC_HEADERS = {**_COMMON}


def headers_for(path: str) -> dict[str, str]:
    if path == "/a" or path.startswith("/a/"):
        return PARTICIPANT_HEADERS
    if path in ("/", "/login", "/logout") or path == "/app" or path.startswith("/app/"):
        return MANAGER_HEADERS
    if path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        return DOCS_HEADERS
    if path.startswith("/static/"):
        return STATIC_HEADERS
    return API_HEADERS


def _strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a JSON document (keys too), with its JSON pointer."""
    if isinstance(value, str):
        yield where or "/", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}/{key}", str(key)
            yield from _strings(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}/{index}")


def _field_with_control(body: bytes, content_type: str) -> str | None:
    """The name of the first form field or JSON value holding a control character."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        text = body.decode("latin-1")
        for name, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
            if has_control_characters(name) or has_control_characters(value):
                return name[:60]
    elif content_type.startswith("application/json") or content_type.endswith("+json"):
        try:
            document = json.loads(body)
        except ValueError:
            return None  # the route answers malformed JSON itself
        for where, text in _strings(document):
            if has_control_characters(text):
                return where[:60]
    return None


class Edge:
    """ASGI middleware wrapping the whole app (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])
        if scope["path"].startswith("/static/") and b"v=" in scope.get("query_string", b""):
            extra = {**extra, "Cache-Control": "public, max-age=31536000, immutable"}
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
                # The rate limit a route counted this request against (app/ratelimit.py).
                verdict = scope.get("state", {}).get(RATE_LIMIT_STATE)
                if verdict is not None:
                    for name, value in verdict.headers().items():
                        headers.setdefault(name, value)
            await send(message)

        refusal, receive = await self._check(scope, receive)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # The traceback stays in the server log; the client learns only that it was
            # our fault (and never sees a participant's token echoed back).
            log.exception("unhandled error on %s %s", scope.get("method"), instance_of(scope))
            if started:
                raise
            response = problem(
                500,
                "An unexpected error occurred; it has been logged.",
                instance=instance_of(scope),
            )
            await response(scope, receive, send_with_headers)

    async def _check(self, scope: Scope, receive: Receive) -> tuple[Any, Receive]:
        """A refusal to send instead of calling the app, and the receive to call it with."""
        if has_control_characters(scope["path"]):
            return problem(404, "There is nothing at this address."), receive
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
            if has_control_characters(name) or has_control_characters(value):
                detail = f"query parameter {name[:60]!r} contains a control character"
                return problem(422, detail, title="Invalid request"), receive
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return None, receive
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "").lower()
        limit = MAX_UPLOAD if content_type.startswith("multipart/form-data") else MAX_BODY
        too_large = problem(
            413, f"The request body is larger than {limit // 1024} KiB.", title="Content Too Large"
        )
        length = headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > limit:
            return too_large, receive
        body, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None, _replay([message], receive)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return too_large, receive
            body.append(chunk)
            if not message.get("more_body", False):
                break
        data = b"".join(body)
        field = _field_with_control(data, content_type)
        if field is not None:
            detail = f"{field}: contains a control character"
            return problem(422, detail, title="Invalid request", field=field), receive
        body_read: Message = {"type": "http.request", "body": data, "more_body": False}
        return None, _replay([body_read], receive)


def _replay(messages: list[Message], then: Receive) -> Receive:
    """A receive that hands the app the messages already read, then the server's own."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await then()

    return replay
