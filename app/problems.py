"""RFC 9457 problem details for every error the HTTP service returns; never a bare 500."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from app.errors import UserError

PROBLEM_JSON = "application/problem+json"


def instance_of(where: Request | Scope) -> str:
    """The `instance` of a problem: the request's path, except that a participant's link
    (/a/{token}/...) is never echoed back, into logs or anywhere else."""
    path: str = where.url.path if isinstance(where, Request) else where["path"]
    return "/a/…" if path == "/a" or path.startswith("/a/") else path


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; `title` defaults to the status phrase (as RFC 9457 asks)."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(
        jsonable_encoder(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


async def _http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    extensions = {} if detail or exc.detail is None else {"errors": exc.detail}
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = None
    return problem(
        exc.status_code,
        detail,
        instance=instance_of(request),
        headers=getattr(exc, "headers", None),
        **extensions,
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {
            "location": ".".join(str(part) for part in error.get("loc", ())),
            "message": error.get("msg", ""),
        }
        for error in exc.errors()
    ]
    first = errors[0] if errors else {"location": "", "message": "invalid request"}
    return problem(
        422,
        f"{first['location']}: {first['message']}" if first["location"] else first["message"],
        title="Invalid request",
        instance=instance_of(request),
        errors=errors,
    )


async def _user_error(request: Request, exc: UserError) -> JSONResponse:
    status = getattr(exc, "status_code", 400)
    # A UserError that names its own status (404, 409...) gets that status's phrase as title;
    # bad input (400, 422) reads the same however it was found.
    title = "Invalid request" if status in (400, 422) else None
    # A UserError may name each field at fault, as a malformed body's 422 does.
    errors = getattr(exc, "errors", None)
    extensions = {"errors": errors} if errors else {}
    return problem(status, str(exc), title=title, instance=instance_of(request), **extensions)


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(UserError, _user_error)  # type: ignore[arg-type]
    # Unexpected errors (500) are answered by app/edge.py, inside the security headers.
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class ProblemError(BaseModel):
    location: str = Field(description="Where: e.g. `body.participant.email`, `query.limit`.")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "no assessment 0b6f…",
                    "instance": "/api/v1/assessments/0b6f…",
                }
            ]
        }
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemError] | None = Field(
        None, description="Each invalid field, on 422 responses."
    )


def problem_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for error statuses, each a problem document; `descriptions` by
    `s404="..."` override the standard phrase."""
    # The body (application/problem+json, Problem) is filled in by document_problems.
    return {
        status: {"description": descriptions.get(f"s{status}", HTTPStatus(status).phrase)}
        for status in statuses
    }


def document_problems(openapi: dict[str, Any]) -> dict[str, Any]:
    """Make the OpenAPI document say what the service sends: every error response is
    `application/problem+json` with the Problem schema (FastAPI documents its 422s as
    `application/json` with its own validation schema, and PDFs' errors without a body)."""
    reference = {"$ref": "#/components/schemas/Problem"}
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    for nested in (
        Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        .get("$defs", {})
        .items()
    ):
        schemas.setdefault(*nested)
    schemas["Problem"].pop("$defs", None)
    for path_item in openapi.get("paths", {}).values():
        for operation in path_item.values():
            if "requestBody" in operation:
                # Starlette refuses a body it cannot decode before any route code runs.
                operation.setdefault("responses", {}).setdefault(
                    "400", {"description": "The body is not well-formed (not decodable JSON)."}
                )
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_JSON: {"schema": reference}}
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return openapi
