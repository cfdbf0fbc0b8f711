"""How long a participant spent on a page: a signed stamp of when the page was rendered, and
the browser's own measure of active time where it is plausible. Pure: times are passed in."""

from __future__ import annotations

import hashlib
import hmac

# A page left open overnight says nothing about how carefully it was answered; the validity
# indices look for answers that were too fast, so long stays are capped rather than dropped.
MAX_PAGE_SECONDS = 30 * 60.0
# The client's own measure of active time may be a little over the server's (clock skew).
CLIENT_SLACK_SECONDS = 5.0


def page_stamp(
    *, secret: str, assessment_id: str, page: int, now: float, layout: str = "standard"
) -> str:
    """Signed, so that the participant's browser cannot make a page look read longer or
    shorter than it was, nor pass a page of one layout off as the same number in another."""
    millis = int(now * 1000)
    return f"{millis}.{_signature(secret, assessment_id, page, millis, layout)}"


def _signature(secret: str, assessment_id: str, page: int, millis: int, layout: str) -> str:
    # The standard layout keeps the message it had before layouts, so open pages stay valid.
    where = f"{page}" if layout == "standard" else f"{layout}:{page}"
    message = f"{assessment_id}:{where}:{millis}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def page_seconds(
    *,
    secret: str,
    assessment_id: str,
    page: int,
    stamp: str,
    now: float,
    active: str = "",
    layout: str = "standard",
) -> float | None:
    """Seconds spent on a page, or None when the stamp is missing or not ours.

    The browser's measure of active time (JavaScript pauses it while the tab is hidden) is
    preferred when it is plausible, i.e. not longer than the page was open.
    """
    millis_text, _, signature = stamp.partition(".")
    if not (millis_text.isascii() and millis_text.isdigit()) or len(millis_text) > 15:
        return None
    millis = int(millis_text)
    expected = _signature(secret, assessment_id, page, millis, layout)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    elapsed = now - millis / 1000
    if elapsed < 0:
        return None
    try:
        client = float(active) if len(active) < 32 else -1.0
    except ValueError:
        client = -1.0
    if 0 <= client <= elapsed + CLIENT_SLACK_SECONDS:
        elapsed = client
    return round(min(elapsed, MAX_PAGE_SECONDS), 3)
