"""axe-core audits of every kind of participant page, on a 360 px wide phone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.instrument.model import SjtItem
from app.instrument.presentation import pages
from app.models import Assessment
from app.services.instruments import get_instrument
from tests.e2e.browser import PHONE, axe_violations, chromium, require_axe, scroll_width


def _first_sjt_page(db: Session, instrument_version_id: str) -> int:
    instrument = get_instrument(db, instrument_version_id)
    kinds = {item.id: isinstance(item, SjtItem) for item in instrument.items}
    # The phone gets the compact layout (participant.js asks for it on a narrow screen).
    compact = pages(instrument, "compact")
    return next(n for n, page in enumerate(compact, 1) if all(kinds[i] for i in page))


def test_every_participant_page_has_no_serious_accessibility_violations(
    live_server: str, invite: Callable[..., Any], instrument_version: Any, db: Session
) -> None:
    require_axe()
    invitation = invite(instrument_version=instrument_version)
    sjt_page = _first_sjt_page(db, instrument_version.id)
    expired = invite(email="late@example.com", expires_at=datetime.now(UTC) + timedelta(days=1))
    db.execute(
        update(Assessment)
        .where(Assessment.id == expired.assessment.id)
        .values(expires_at=datetime.now(UTC) - timedelta(days=1))
    )
    db.commit()
    with chromium() as browser:
        # CSP is bypassed only so that axe-core's script can be injected.
        context = browser.new_context(viewport=PHONE, bypass_csp=True)
        audited = _audit_every_page(
            context.new_page(),
            f"{live_server}/a/{invitation.token}",
            f"{live_server}/a/{expired.token}",
            sjt_page,
        )
    assert len(audited) == 10
    assert {kind: found for kind, found in audited.items() if found} == {}


def _audit_every_page(
    page: Any, link: str, expired_link: str, sjt_page: int
) -> dict[str, list[dict[str, Any]]]:
    audited: dict[str, list[dict[str, Any]]] = {}

    def audit(kind: str) -> None:
        assert page.evaluate("document.documentElement.lang") == "en", kind
        assert scroll_width(page) <= PHONE["width"], kind
        audited[kind] = axe_violations(page)

    page.goto(link)
    audit("welcome")
    page.get_by_role("button", name="Start").click()  # without ticking the box
    page.wait_for_selector("[role=alert]")
    audit("welcome with error summary")
    page.locator("label[for=consent]").click()
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("fieldset.item")
    audit("question page")
    page.locator("fieldset.item .option label").first.click()
    page.wait_for_selector(".item__status:not(:empty)")
    audit("question page with a saved answer")
    page.goto(f"{link}/page/{sjt_page}")
    page.wait_for_selector("fieldset.item--sjt")
    audit("situational judgement page")
    page.goto(f"{link}/review")
    audit("review")
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url("**/thanks")
    audit("thank-you")
    page.goto(link)
    audit("completed")

    page.goto(expired_link)
    audit("expired")
    response = page.goto(link.rsplit("/", 1)[0] + "/not-a-real-token")
    assert response is not None and response.status == 404
    audit("not found")
    return audited
