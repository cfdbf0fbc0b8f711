"""Two to four reps side by side: GET /app/compare?a=ID&a=ID..."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from app.deps import CurrentScope, CurrentUser, SessionDep
from app.reports.views import NO_SCORE
from app.services import comparison
from app.web.manager.errors import PageError
from app.web.manager.pages import render
from app.web.manager.security import manager_router

router = manager_router(prefix="/app", tags=["manager"])


@router.get("/compare")
def compare(
    request: Request,
    user: CurrentUser,
    scope: CurrentScope,
    db: SessionDep,
    a: Annotated[list[str] | None, Query()] = None,
) -> Response:
    try:
        result = comparison.compare(db=db, scope=scope, assessment_ids=a or [])
    except comparison.BadComparison as refused:
        raise PageError(422, "Choose reps to compare", str(refused)) from None
    return render(request, "compare.html", user=user, c=result, NO_SCORE=NO_SCORE)
