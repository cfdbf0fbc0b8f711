"""Request bodies of the HR API are JSON: anything else is a 415 problem, not a confusing 422
about a missing field."""

from __future__ import annotations

from fastapi import HTTPException, Request


def json_only(request: Request) -> None:
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    length = request.headers.get("content-length", "")
    has_body = (length not in ("", "0")) or "transfer-encoding" in request.headers
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if has_body and not (media_type == "application/json" or media_type.endswith("+json")):
        raise HTTPException(
            415, "send the request body as JSON, with Content-Type: application/json"
        )


def known_query_only(request: Request) -> None:
    """A query parameter the operation does not take is a 422, like an unknown body field:
    a misspelt filter (`?stauts=completed`) must not silently list everything."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    known: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        known.update(param.alias for param in current.query_params)
        pending.extend(current.dependencies)
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        raise HTTPException(422, f"query: unknown parameter {unknown[0][:60]!r}")
