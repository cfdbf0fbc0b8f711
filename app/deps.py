"""Every FastAPI dependency, in one place: the request's database session, the settings, the
signed-in manager and the HR system's API key. Routers import their `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.api.auth import READ_METHODS, bearer, require_api_key
from app.api.idempotency import Idempotency, IdempotencyKeyHeader
from app.config import Settings
from app.db import Database
from app.integrations.greenhouse.auth import GreenhouseCaller, basic, require_greenhouse_key
from app.models import ApiKey
from app.services.access import Scope, scope_of
from app.services.sessions import SignedInUser


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with (tests create apps with their own)."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_session(request: Request) -> Iterator[Session]:
    """The request's one session, committed when the handler succeeds. Requests that may
    change something (every method but GET, HEAD and OPTIONS) take a write session (see
    Database.session); reading pages never write, so they never wait for writers."""
    write = request.method not in READ_METHODS
    with get_database(request).session(write=write) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
# scope="function": the commit happens before the response is sent, so a participant never
# sees "saved" for answers that were not (the default scope commits after the response).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _current_user(request: Request, db: SessionDep) -> SignedInUser:
    from app.web.manager.auth import current_user

    return current_user(request, db)


def _api_key(
    request: Request, db: SessionDep, _: Annotated[object, Depends(bearer)] = None
) -> ApiKey:
    return require_api_key(request, db, scope="read")


def _write_api_key(
    request: Request, db: SessionDep, _: Annotated[object, Depends(bearer)] = None
) -> ApiKey:
    return require_api_key(request, db, scope="write")


# FastAPI makes each dependency once per request: the handler's SessionDep is the very
# session these two read the user or the key with.
CurrentUser = Annotated[SignedInUser, Depends(_current_user)]


def _scope(user: CurrentUser, db: SessionDep) -> Scope:
    return scope_of(db=db, user=user)


# What the signed-in manager may see: every manager page reads through it (services/access.py).
CurrentScope = Annotated[Scope, Depends(_scope)]
ApiKeyDep = Annotated[ApiKey, Depends(_api_key)]  # a key with the read scope
WriteApiKeyDep = Annotated[ApiKey, Depends(_write_api_key)]  # a key with the write scope


def _idempotency(
    request: Request, db: SessionDep, api_key: WriteApiKeyDep, key: IdempotencyKeyHeader = None
) -> Idempotency:
    return Idempotency(request, db, api_key, key)


# Every POST of the HR API takes this, and answers through `.respond(...)`.
IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]


def _greenhouse(scope: str) -> Callable[..., GreenhouseCaller]:
    def caller(
        request: Request, db: SessionDep, _: Annotated[object, Depends(basic)] = None
    ) -> GreenhouseCaller:
        return require_greenhouse_key(request, db, scope=scope)

    return caller


# Greenhouse calls with HTTP Basic (the key as the user name), not a Bearer key.
GreenhouseReader = Annotated[GreenhouseCaller, Depends(_greenhouse("read"))]
GreenhouseWriter = Annotated[GreenhouseCaller, Depends(_greenhouse("write"))]
