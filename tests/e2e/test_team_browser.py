"""Teams in real chromium at 360 px and 1280 px: the list, creating a team, the team page
with its admin forms (axe-audited), a heat map whose name column stays put while the stages
scroll sideways, stage headings that never break inside a word, and sorting by a stage."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import Organisation
from app.services.organisations import create_team
from app.services.users import create_user
from tests.e2e.browser import (
    PHONE,
    audited_context,
    axe_violations,
    chromium,
    require_axe,
    scroll_width,
)
from tests.integration.test_manager_pages import complete

EMAIL = "admin@teams.example"
PASSWORD = "a long admin password"
DESKTOP = {"width": 1280, "height": 900}
# A word split over two lines has two client rectangles.
WORD_LINES = """(word) => {
  const th = [...document.querySelectorAll('.heat thead th')]
    .find(h => h.textContent.includes(word));
  const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(word);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + word.length);
      return range.getClientRects().length;
    }
  }
  return -1;
}"""


def test_team_pages_in_chromium(
    live_server: str, db: Session, org: Organisation, invite: Any
) -> None:
    require_axe()
    create_user(db=db, organisation=org, email=EMAIL, role="admin", password=PASSWORD)
    create_user(
        db=db, organisation=org, email="mgr@teams.example", role="manager", password="p" * 12
    )
    team = create_team(db=db, organisation=org, name="EMEA Field Sales")
    create_team(db=db, organisation=org, name="Nordics")
    db.commit()
    for k, name in enumerate(("Amara Okafor", "Lukas Brandt", "Sofia Marquez", "Rushed Rep")):
        first, last = name.split()
        invitation = invite(
            email=f"{first}@example.com", first_name=first, last_name=last, team_id=team.id
        )
        complete(db, invitation, seed=70 + k, seconds_per_item=0.5 if first == "Rushed" else None)
    audited: dict[str, list[dict[str, Any]]] = {}
    with chromium() as browser:
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = audited_context(browser, viewport=viewport).new_page()

            def audit(
                kind: str, page: Any = page, size: str = size, width: int = viewport["width"]
            ) -> None:
                assert scroll_width(page) <= width, (size, kind)
                audited[f"{size}: {kind}"] = axe_violations(page)

            page.goto(f"{live_server}/login")
            page.get_by_label("E-mail address").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{live_server}/app")
            page.get_by_role("link", name="Teams", exact=True).click()
            page.wait_for_url(f"{live_server}/app/teams")
            audit("teams")
            page.get_by_label("Team name").fill(f"New team {size}")
            page.get_by_role("button", name="Create team").click()
            page.get_by_role("heading", name=f"New team {size}").wait_for()
            audit("new team")

            page.goto(f"{live_server}/app/teams/{team.id}")
            page.get_by_role("heading", name="Heat map: reps × stages").wait_for()
            audit("team")
            assert page.evaluate(WORD_LINES, "Negotiation") == 1, size
            assert page.evaluate(WORD_LINES, "Management") == 1, size
            name_cell = page.locator(".heat tbody th").first
            before = name_cell.bounding_box()
            scrolled = page.locator(".table-scroll").evaluate(
                "(el) => { el.scrollLeft = el.scrollWidth; return el.scrollLeft; }"
            )
            after = name_cell.bounding_box()
            assert before and after
            # The table's 1 px border scrolls away; the name column itself stays put.
            assert abs(after["x"] - before["x"]) <= 2, (size, scrolled, before, after)
            greyed = page.locator(".heat tr.excluded")
            assert greyed.count() == 1 and "Invalid: answered too fast" in greyed.inner_text()

            page.get_by_role("link", name="5. Initial Engagement").click()
            page.wait_for_url("**sort=initial_engagement")
            header = page.locator(".heat thead th[aria-sort=descending]")
            assert "Initial Engagement" in header.inner_text()
            audit("team sorted")
            page.context.close()
    assert {kind: found for kind, found in audited.items() if found} == {}
