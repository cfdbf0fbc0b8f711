"""axe-core on every manager page and every participant page, in every state a user meets
(errors, saved answers, an expired link, a result with the change since the last one), on a
360 px phone and a 1280 px desktop: no serious or critical violations, English declared, and
nothing wider than the screen. Also the heat map on a phone: the name column stays put while
the stages scroll, and no stage heading breaks inside a word ("Closing/Negotia-tion")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.instrument.model import SjtItem
from app.instrument.presentation import pages
from app.models import Assessment, Organisation
from app.scoring.simulate import simulate_answers
from app.services import participation
from app.services.instruments import instrument_of
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

EMAIL = "audit.admin@demo-like.example"
PASSWORD = "a demo-like password"
DESKTOP = {"width": 1280, "height": 900}
SIZES = (("phone", PHONE), ("desktop", DESKTOP))
REPS = [("Amara", "Okafor"), ("Lukas", "Brandt"), ("Sofia", "Marquez")]
# The phone gets the compact layout (participant.js asks for it on a narrow screen).
LAYOUTS = {"phone": "compact", "desktop": "standard"}

# Whether each word of every stage heading sits on one line: a word split over two lines
# has more than one client rectangle.
WORDS_BROKEN = """() => [...document.querySelectorAll("table.heat thead th")].flatMap((th) => {
    const broken = [];
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const found of node.data.matchAll(/[^\\s/]+/g)) {
            const range = document.createRange();
            range.setStart(node, found.index);
            range.setEnd(node, found.index + found[0].length);
            const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            if (lines.size > 1) broken.push(found[0]);
        }
    }
    return broken;
})"""


def _seed(db: Session, org: Organisation, invite: Any, version: Any) -> dict[str, Any]:
    create_user(db=db, organisation=org, email=EMAIL, role="admin", password=PASSWORD)
    for size, _ in SIZES:
        create_user(
            db=db,
            organisation=org,
            email=f"mira.{size}@example.com",
            role="manager",
            password=PASSWORD,
        )
    team = create_team(db=db, organisation=org, name="EMEA Field Sales")
    create_team(db=db, organisation=org, name="Nordics Inside Sales")
    db.commit()
    instrument = instrument_of(version)

    def completed(first: str, last: str, seed: int, **kwargs: Any) -> tuple[str, str]:
        invitation = invite(
            email=f"{first.lower()}@example.com",
            first_name=first,
            last_name=last,
            instrument_version=version,
            **kwargs,
        )
        answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(seed))
        participation.complete(
            db=db, assessment=invitation.assessment, answers=answers, seconds=seconds
        )
        db.commit()
        return invitation.assessment.id, invitation.token

    done = [
        completed(first, last, 200 + k, team_id=team.id) for k, (first, last) in enumerate(REPS)
    ]
    # A re-assessed rep: the later result shows the change since the first.
    repeated = [completed("Rea", "Assessed", seed)[0] for seed in (1, 2)][-1]
    expired = invite(email="late@example.com", instrument_version=version)
    db.execute(
        update(Assessment)
        .where(Assessment.id == expired.assessment.id)
        .values(expires_at=datetime.now(UTC) - timedelta(days=1))
    )
    db.commit()
    sjt = {item.id for item in instrument.items if isinstance(item, SjtItem)}
    sjt_pages = {
        size: next(n for n, ids in enumerate(pages(instrument, layout), 1) if set(ids) <= sjt)
        for size, layout in LAYOUTS.items()
    }
    fresh = {
        size: invite(
            email=f"{size}.rep@example.com",
            first_name="Robin",
            last_name=size.title(),
            team_id=team.id,
            instrument_version=version,
        ).token
        for size, _ in SIZES
    }
    return {
        "team": team.id,
        "completed": done,
        "repeated": repeated,
        "expired": expired.token,
        "sjt_pages": sjt_pages,
        "fresh": fresh,
    }


def test_every_page_on_a_phone_and_a_desktop_passes_axe(
    live_server: str, db: Session, org: Organisation, invite: Any, instrument_version: Any
) -> None:
    require_axe()
    seeded = _seed(db, org, invite, instrument_version)
    team = seeded["team"]
    result_id, done_token = seeded["completed"][0]
    db.close()
    audited: dict[str, list[dict[str, Any]]] = {}
    heat: dict[str, Any] = {}
    with chromium() as browser:
        for size, viewport in SIZES:
            context = audited_context(browser, viewport=viewport)
            page = context.new_page()

            def audit(
                kind: str, page: Any = page, size: str = size, width: int = viewport["width"]
            ) -> None:
                assert page.evaluate("document.documentElement.lang") == "en", (size, kind)
                assert scroll_width(page) <= width, (size, kind)
                audited[f"{size}: {kind}"] = axe_violations(page)

            def visit(path: str, kind: str, page: Any = page) -> None:
                response = page.goto(f"{live_server}{path}")
                assert response is not None and response.status == 200, (kind, path)
                audit(kind)

            # Participant pages first (no manager signed in: a rep's browser).
            rep_link = f"/a/{seeded['fresh'][size]}"
            visit(rep_link, "participant welcome")
            page.get_by_role("button", name="Start").click()
            page.wait_for_selector("[role=alert]")
            audit("participant welcome with error")
            page.locator("label[for=consent]").click()
            page.get_by_role("button", name="Start").click()
            page.wait_for_url(re.compile(r"/page/1"))
            audit("participant question page")
            page.locator("fieldset.item .option label").first.click()
            page.wait_for_selector(".item__status:not(:empty)")
            audit("participant question page with a saved answer")
            visit(f"{rep_link}/page/{seeded['sjt_pages'][size]}", "participant situational page")
            assert page.locator("fieldset.item--sjt").count() > 0
            page.goto(f"{live_server}{rep_link}")
            page.wait_for_url(re.compile(r"resumed=1"))
            audit("participant resumed page")
            visit(f"{rep_link}/review", "participant review")
            visit(f"/a/{done_token}/thanks", "participant completion")
            visit(f"/a/{done_token}/feedback", "participant feedback report")
            visit(f"/a/{done_token}", "participant link after completion")
            visit(f"/a/{seeded['expired']}", "participant expired link")
            page.goto(f"{live_server}/a/no-such-link")
            audit("participant unknown link")

            # Manager pages.
            page.goto(f"{live_server}/app/teams/{team}")
            assert page.url.startswith(f"{live_server}/login?next=")
            audit("login")
            page.get_by_label("E-mail address").fill(EMAIL)
            page.get_by_label("Password").fill("wrong password!")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector("[role=alert]")
            audit("login with error summary")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{live_server}/app/teams/{team}")  # back where they wanted
            visit("/app", "dashboard")
            page.goto(f"{live_server}/app?q=amara&sort=name")
            assert page.get_by_role("link", name="Amara Okafor").count() == 1
            assert page.get_by_role("link", name="Lukas Brandt").count() == 0
            audit("dashboard searched")
            page.goto(f"{live_server}/app")
            page.get_by_label("Compare Amara Okafor").check()
            page.get_by_label("Compare Lukas Brandt").check()
            page.get_by_role("button", name="Compare the chosen reps").click()
            page.get_by_role("heading", name="Compare reps").wait_for()
            audit("compare")
            visit(f"/app?team={team}&status=completed", "dashboard filtered")
            visit("/app/teams", "teams")
            page.get_by_role("button", name="Create team").click()
            page.wait_for_selector("[role=alert]")
            audit("teams with error")
            visit(f"/app/teams/{team}", "team (admin)")
            visit(f"/app/teams/{team}?sort=closing_negotiation", "team sorted by a stage")
            page.goto(f"{live_server}/app/teams/{team}/report.pdf?hc_initial_contact=many")
            audit("team report form with error")
            page.goto(f"{live_server}/app/teams/{team}")
            page.get_by_label("Team name").fill(f"EMEA Field Sales {size}")
            page.get_by_role("button", name="Rename").click()
            page.get_by_text("Team renamed.").wait_for()
            audit("team renamed")
            page.get_by_label("Assign a manager").select_option(label=f"mira.{size}@example.com")
            page.get_by_role("button", name="Assign").click()
            page.get_by_text("Manager assigned.").wait_for()
            audit("team manager assigned")
            if size == "phone":
                # The heat map on a phone: scroll the stages; the name column stays put.
                page.goto(f"{live_server}/app/teams/{team}")
                region = page.locator("div.table-scroll:has(table.heat)")
                name = page.locator("table.heat tbody th").first
                before = name.bounding_box()
                assert before is not None
                region.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
                after = name.bounding_box()
                assert after is not None
                heat = {
                    "scrolled": region.evaluate("(box) => box.scrollLeft"),
                    "moved": abs(after["x"] - before["x"]),
                    "broken": page.evaluate(WORDS_BROKEN),
                    "headings": page.locator("table.heat thead th").all_inner_texts(),
                }
            visit("/app/invite", "invite")
            page.get_by_role("button", name="Create the invitation").click()
            page.wait_for_selector("[role=alert]")
            audit("invite with errors")
            page.get_by_label("First name").fill("Noor")
            page.get_by_label("Last name").fill("Jansen")
            page.get_by_label("E-mail address").fill(f"noor.single.{size}@example.com")
            page.get_by_role("button", name="Create the invitation").click()
            page.get_by_label("Participant link").wait_for()
            audit("invitation created")
            visit("/app/invite/bulk", "bulk invite upload")
            page.get_by_label("CSV file").set_input_files(
                files=[
                    {
                        "name": "reps.csv",
                        "mimeType": "text/csv",
                        "buffer": (
                            "first_name,last_name,email\n"
                            f"Noor,Jansen,noor.{size}@example.com\n"
                            "Bad,=cmd|' /C calc'!A0,bad\n"
                        ).encode(),
                    }
                ]
            )
            page.get_by_role("button", name="Upload and check").click()
            page.get_by_role("heading", name="Nobody has been invited yet").wait_for()
            audit("bulk invite preview with errors")
            page.get_by_role("link", name="Upload a corrected file").click()
            page.get_by_label("CSV file").set_input_files(
                files=[
                    {
                        "name": "reps.csv",
                        "mimeType": "text/csv",
                        "buffer": (
                            "first_name,last_name,email\n"
                            f"Noor,Jansen,noor.{size}@example.com\n"
                            f"Jonas,Berg,jonas.{size}@example.com\n"
                        ).encode(),
                    }
                ]
            )
            page.get_by_role("button", name="Upload and check").click()
            page.get_by_role("button", name="Invite 2 reps").wait_for()
            audit("bulk invite preview")
            page.get_by_role("button", name="Invite 2 reps").click()
            page.get_by_role("heading", name="2 reps invited").wait_for()
            audit("bulk invite done")
            visit(f"/app/assessments/{result_id}", "assessment result")
            assert page.get_by_role("link", name="A4 Sales Manager Report PDF").count() == 1
            visit(f"/app/assessments/{seeded['repeated']}", "assessment result with change")
            page.get_by_role("heading", name="Change since").wait_for()
            page.goto(f"{live_server}/app?status=invited")
            page.get_by_role("link", name="Jonas Berg").first.click()
            page.get_by_role("button", name="Send a reminder").wait_for()
            audit("assessment invited")
            page.get_by_role("button", name="Send a reminder").click()
            page.get_by_text("A reminder is on its way").wait_for()
            audit("assessment reminded")
            page.get_by_role("button", name="Cancel this invitation").click()
            page.wait_for_load_state()
            audit("assessment cancelled")
            visit("/app/settings", "settings")
            page.get_by_label(re.compile("Remind")).first.fill("not days")
            page.get_by_role("button", name=re.compile("Save")).click()
            page.wait_for_selector("[role=alert]")
            audit("settings with error")
            page.goto(f"{live_server}/app/assessments/does-not-exist")
            audit("not found")
            page.goto(f"{live_server}/app")
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url(f"{live_server}/login")
            context.close()

    assert {kind: found for kind, found in audited.items() if found} == {}
    assert len(audited) == 2 * 40, sorted(audited)
    assert heat["scrolled"] > 100, heat  # the stages did scroll sideways on the phone
    assert heat["moved"] <= 2, heat  # a border's width at most, not the 600 px scrolled
    assert heat["broken"] == [], heat
