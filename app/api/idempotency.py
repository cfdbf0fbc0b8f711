"""`Idempotency-Key` on every POST of the HR API, for any router:

    def create(body: ThingIn, idempotency: IdempotencyDep, ...) -> ...:
        return idempotency.respond(201, lambda: make_thing(...), body=body)

The same key with the same request (method, path, body) replays the first response (with an
`Idempotent-Replayed: true` header); with a different request it is a 422; while the first is
still running, the retry waits for it (up to 10 s on PostgreSQL, then 409). Without the header
the call simply runs. See app/services/idempotency.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.models import ApiKey
from app.services import idempotency

KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # printable ASCII, e.g. a UUID

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=KEY_PATTERN,
        max_length=255,
        description="A unique key per intended call (a UUID): a retry with the same key and "
        "body gets the first response again instead of doing the work twice; the same key "
        "with another body is a 422. Kept for 24 hours.",
        examples=["5f0c7e0e-2c4d-4a36-9d55-0e9b4a1d2f61"],
    ),
]


class Idempotency:
    def __init__(self, request: Request, db: Session, api_key: ApiKey, key: str | None) -> None:
        self.request = request
        self.db = db
        self.api_key = api_key
        self.key = key

    def respond(
        self,
        status_code: int | Callable[[], int],
        produce: Callable[[], BaseModel | Any],
        *,
        body: Any = None,
    ) -> Response:
        """`produce()` as JSON with `status_code` (or what it returns once `produce` has
        run), once per key (see the module docstring)."""
        if self.key is None:
            content = _json(produce())
            return JSONResponse(content, status_code=_status(status_code))
        parsed = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        claimed = idempotency.claim(
            db=self.db,
            api_key_id=self.api_key.id,
            key=self.key,
            request_hash=idempotency.fingerprint(
                self.request.method, self.request.url.path, parsed
            ),
        )
        if isinstance(claimed, idempotency.Stored):
            return JSONResponse(
                claimed.body,
                status_code=claimed.status_code,
                headers={"Idempotent-Replayed": "true"},
            )
        content = _json(produce())
        status = _status(status_code)
        idempotency.remember(db=self.db, row=claimed, status_code=status, body=content)
        return JSONResponse(content, status_code=status)


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return jsonable_encoder(value)


def _status(status_code: int | Callable[[], int]) -> int:
    return status_code if isinstance(status_code, int) else status_code()
