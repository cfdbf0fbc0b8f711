"""Response headers and the cross-site request check for the participant pages."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.routing import APIRoute

# The link itself is the participant's key: keep it out of caches, Referer headers, search
# engines and other sites' frames.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
}


class ParticipantRoute(APIRoute):
    """Adds the security headers to every response of the participant router."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            response = await handler(request)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return route


def same_origin(request: Request, base_url: str) -> bool:
    """False when the browser says the request comes from another site.

    The secret token in the URL is what authorises a participant's POST; this check is a second
    defence against forged forms. Browsers send Sec-Fetch-Site, and Origin on POSTs (as "null"
    for our forms, because of Referrer-Policy: no-referrer, so "null" proves nothing).
    Non-browser clients send neither and are let through.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    origin_host = urlsplit(origin).netloc.lower()
    allowed = {request.headers.get("host", "").lower(), urlsplit(base_url).netloc.lower()}
    return origin_host in allowed
