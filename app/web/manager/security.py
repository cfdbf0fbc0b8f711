"""Headers, the cross-site check and error pages shared by every manager route."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from app.problems import problem
from app.services.auth import SignInRequired
from app.services.reports import ReportNotFound, ReportNotReady

# Charts from app/reports/charts.py position their shapes with style attributes, hence
# 'unsafe-inline' for styles only; scripts stay 'self' (the manager app needs none).
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
}


class PageError(Exception):
    """A page that explains a refusal: not found, not completed yet, not allowed."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def not_found() -> PageError:
    # The same answer for an id that never existed and for another organisation's id.
    return PageError(
        404, "Not found", "There is nothing here, or it belongs to another organisation."
    )


def _error_response(request: Request, error: PageError) -> Response:
    if "text/html" not in request.headers.get("accept", ""):
        return problem(error.status, error.message, title=error.title, instance=request.url.path)
    from app.web.manager.pages import error_page

    return error_page(request, error)


class ManagerRoute(APIRoute):
    """Security headers on every response; a missing session becomes a redirect to the
    sign-in page, and refusals become pages (HTML) or problem details (other clients)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired as exc:
                response = RedirectResponse(f"/login?next={quote(exc.next_path)}", 303)
            except PageError as exc:
                response = _error_response(request, exc)
            except ReportNotReady as exc:
                response = _error_response(request, PageError(409, "Not completed yet", str(exc)))
            except ReportNotFound:
                response = _error_response(request, not_found())
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

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
