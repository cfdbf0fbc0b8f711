"""The manager app at /login and /app/...; `router` is mounted by app.main."""

from fastapi import APIRouter

from app.web.manager import assessments, home, invite, privacy, session, teams

router = APIRouter(include_in_schema=False)
for module in (session, home, invite, assessments, teams, privacy):
    router.include_router(module.router)

__all__ = ["router"]
