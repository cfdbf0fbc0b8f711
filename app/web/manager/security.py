"""The route class of every manager page, and the cross-site check of their forms."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from app.problems import problem
from app.services.reports import ReportNotFound, ReportNotReady
from app.web.manager.auth import SignInRequired
from app.web.manager.errors import PageError, not_found
from app.web.manager.pages import error_page


def _error_response(request: Request, error: PageError) -> Response:
    if "text/html" not in request.headers.get("accept", ""):
        return problem(error.status, error.message, title=error.title, instance=request.url.path)
    return error_page(request, error)


class ManagerRoute(APIRoute):
    """A missing session becomes a redirect to the sign-in page, and refusals become pages
    (HTML) or problem details (other clients). Security headers: app/edge.py."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as exc:
                return RedirectResponse(f"/login?next={quote(exc.next_path)}", 303)
            except PageError as exc:
                return _error_response(request, exc)
            except ReportNotReady as exc:
                return _error_response(request, PageError(409, "Not completed yet", str(exc)))
            except ReportNotFound:
                return _error_response(request, not_found())

        return route


def manager_router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=ManagerRoute, include_in_schema=False, **kwargs)


def same_origin(request: Request, base_url: str) -> bool:
    """False when the browser says a POST comes from another site (a forged form).

    Browsers send Sec-Fetch-Site and, on POSTs, Origin (our Referrer-Policy keeps it real,
    so "null" is refused here). Non-browser clients send neither; they still need the
    session cookie, which SameSite=Lax keeps off cross-site POSTs.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    allowed = {request.headers.get("host", "").lower(), urlsplit(base_url).netloc.lower()}
    return urlsplit(origin).netloc.lower() in allowed


def refuse_cross_site(request: Request, base_url: str) -> None:
    """Raise the "request refused" page for a form sent from another site."""
    if not same_origin(request, base_url):
        raise PageError(
            403, "Request refused", "This form was sent from another site, so it was refused."
        )
