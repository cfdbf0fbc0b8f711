"""The manager app at /login and /app/...; `router` is mounted by app.main."""

from fastapi import APIRouter

from app.web.manager import assessments, compare, home, invite, session, team_admin, teams

router = APIRouter(include_in_schema=False)
for module in (session, home, invite, assessments, teams, team_admin, compare):
    router.include_router(module.router)

__all__ = ["router"]
