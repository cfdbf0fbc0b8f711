"""Greenhouse's caller: HTTP Basic with the organisation's API key as the user name and an
empty password, as Greenhouse sends it (base64 of `<key>:`)."""

from __future__ import annotations

import binascii
from base64 import b64decode
from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.security import HTTPBasic
from sqlalchemy.orm import Session

from app.db import Database
from app.models import ApiKey
from app.ratelimit import limit_api_key
from app.services.apikeys import authenticate_api_key, due_for_touch, touch

CHALLENGE = {"WWW-Authenticate": 'Basic realm="stagefit-greenhouse", charset="UTF-8"'}


class _DeclaredBasic(HTTPBasic):
    """Declares the scheme in the OpenAPI document only: the credentials are checked below,
    so every refusal carries the same challenge and a problem document."""

    # FastAPI reads this signature: `request` must be a Request, or it becomes a parameter.
    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


basic = _DeclaredBasic(
    auto_error=False,
    scheme_name="GreenhouseBasic",
    description="HTTP Basic: an API key from `stagefit apikey create` as the user name and an "
    "empty password, as Greenhouse sends it.",
)


@dataclass(frozen=True)
class GreenhouseCaller:
    api_key: ApiKey
    key: str  # the key as sent: Greenhouse expects it back on the completion PATCH


def _refuse(detail: str) -> HTTPException:
    return HTTPException(401, detail, CHALLENGE)


def _credentials(request: Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise _refuse("send the API key as the HTTP Basic user name, with an empty password")
    try:
        decoded = b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _refuse("the HTTP Basic credentials are not base64 of 'key:'") from None
    user, colon, password = decoded.partition(":")
    if not colon:
        raise _refuse("the HTTP Basic credentials are not base64 of 'key:'")
    return user, password


def require_greenhouse_key(request: Request, db: Session, *, scope: str) -> GreenhouseCaller:
    """The valid, unrevoked key of the request with `scope`: 401 (with a Basic challenge)
    when there is none or a password was given, 403 when the key lacks the scope."""
    key, password = _credentials(request)
    if password:
        raise _refuse("the password must be empty: the API key is the user name")
    api_key = authenticate_api_key(db=db, key=key)
    if api_key is None:
        raise _refuse("the API key is unknown or revoked")
    limit_api_key(request, api_key.id)
    if scope not in api_key.scope_set:
        raise HTTPException(403, f"this API key does not have the {scope!r} scope")
    if due_for_touch(api_key):
        if request.method in ("GET", "HEAD"):
            database: Database = request.app.state.database
            with database.session(write=True) as own:
                touch(db=own, api_key_id=api_key.id)
        else:
            # A POST's session holds SQLite's write lock already: a second writer would wait
            # for it for ever, so the last use is written with the request (lost if it fails).
            touch(db=db, api_key_id=api_key.id)
    return GreenhouseCaller(api_key=api_key, key=key)
