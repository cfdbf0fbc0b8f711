"""Request bodies of the HR API are JSON: anything else is a 415 problem, not a confusing 422
about a missing field."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from app.problems import problem_responses


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


def json_router(tag: str) -> APIRouter:
    """An HR API v1 router whose bodies are JSON and whose queries are declared."""
    return APIRouter(
        prefix="/api/v1",
        tags=[tag],
        dependencies=[Depends(json_only), Depends(known_query_only)],
    )


# The errors every HR API v1 call can answer before it runs.
AUTH = problem_responses(
    401,
    403,
    422,
    s401="No API key, or an unknown or revoked one.",
    s403="The key lacks the scope.",
    s422="An invalid parameter, or a query parameter this call does not take.",
)
