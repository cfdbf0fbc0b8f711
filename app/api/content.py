"""Request bodies of the HR API are JSON: anything else is a 415 problem, not a confusing 422
about a missing field."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.dependencies.models import Dependant


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
    """A query parameter the operation does not declare is a 422, not silently ignored: a
    client's typo (`?staus=completed`) would otherwise get every row instead of an error."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    unknown = sorted(set(request.query_params.keys()) - known)
    if unknown:
        raise HTTPException(
            422,
            f"unknown query parameter {unknown[0]!r}"
            + (f"; this operation takes {', '.join(sorted(known))}" if known else ""),
        )


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
