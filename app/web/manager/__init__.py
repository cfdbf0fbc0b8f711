"""The manager app at /login and /app/...; `router` is mounted by app.main."""

from fastapi import APIRouter

from app.web.manager import (
    assessments,
    bulk_invite,
    compare,
    home,
    invite,
    privacy,
    session,
    settings,
    team_admin,
    teams,
)

router = APIRouter(include_in_schema=False)
for module in (
    session,
    home,
    bulk_invite,
    invite,
    assessments,
    teams,
    team_admin,
    settings,
    privacy,
    compare,
):
    router.include_router(module.router)

__all__ = ["router"]
