"""The cross-site request check for the participant pages (headers: app/edge.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request


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
