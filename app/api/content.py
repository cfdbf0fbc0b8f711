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
