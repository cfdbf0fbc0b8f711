"""A manager in real chromium: sign in, dashboard, a result, a team; axe-core on each page,
on a 360 px phone and a 1280 px desktop."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.models import Organisation
from app.scoring.simulate import simulate_answers
from app.services import participation
from app.services.instruments import instrument_of
from app.services.organisations import create_team
from app.services.users import create_user
from tests.e2e.browser import PHONE, axe_violations, chromium, require_axe, scroll_width

EMAIL = "manager@demo-like.example"
PASSWORD = "a demo-like password"
DESKTOP = {"width": 1280, "height": 900}


def _seed(db: Session, org: Organisation, invite: Any, version: Any) -> tuple[str, str]:
    create_user(db=db, organisation=org, email=EMAIL, role="admin", password=PASSWORD)
    team = create_team(db=db, organisation=org, name="EMEA Field Sales")
    db.commit()
    first_id = ""
    for k, (first, last) in enumerate(
        [("Amara", "Okafor"), ("Lukas", "Brandt"), ("Sofia", "Marquez")]
    ):
        invitation = invite(
            email=f"{first}@example.com",
            first_name=first,
            last_name=last,
            team_id=team.id,
            instrument_version=version,
        )
        assessment = invitation.assessment
        instrument = instrument_of(assessment.instrument_version)
        answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(100 + k))
        participation.complete(db=db, assessment=assessment, answers=answers, seconds=seconds)
        db.commit()
        first_id = first_id or assessment.id
    invite(email="jonas@example.com", first_name="Jonas", last_name="Berg", team_id=team.id)
    return first_id, team.id


def test_manager_pages_in_chromium_have_no_serious_accessibility_violations(
    live_server: str, db: Session, org: Organisation, invite: Any, instrument_version: Any
) -> None:
    require_axe()
    assessment_id, team_id = _seed(db, org, invite, instrument_version)
    # A re-assessed rep: the later result shows the change since the first.
    repeat_id = ""
    for seed in (1, 2):
        again = invite(
            email="rea@example.com",
            first_name="Rea",
            last_name="Assessed",
            instrument_version=instrument_version,
        )
        instrument = instrument_of(again.assessment.instrument_version)
        answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(seed))
        participation.complete(db=db, assessment=again.assessment, answers=answers, seconds=seconds)
        db.commit()
        repeat_id = again.assessment.id
    audited: dict[str, list[dict[str, Any]]] = {}
    with chromium() as browser:
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            # CSP is bypassed only so that axe-core's script can be injected.
            page = browser.new_context(viewport=viewport, bypass_csp=True).new_page()

            def audit(
                kind: str, page: Any = page, size: str = size, width: int = viewport["width"]
            ) -> None:
                assert page.evaluate("document.documentElement.lang") == "en", kind
                assert scroll_width(page) <= width, (size, kind)
                audited[f"{size}: {kind}"] = axe_violations(page)

            page.goto(f"{live_server}/app/teams/{team_id}")
            assert page.url.startswith(f"{live_server}/login?next=")
            audit("login")
            page.get_by_label("E-mail address").fill(EMAIL)
            page.get_by_label("Password").fill("wrong password!")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector("[role=alert]")
            audit("login with error summary")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{live_server}/app/teams/{team_id}")  # back where they wanted
            page.get_by_role("heading", name="Heat map: reps × stages").wait_for()
            audit("team")
            page.get_by_role("link", name="Dashboard").first.click()
            page.wait_for_url(f"{live_server}/app")
            audit("dashboard")
            page.get_by_role("link", name="Amara Okafor").click()
            page.wait_for_url(f"**/app/assessments/{assessment_id}")
            page.get_by_role("heading", name="Sales process fit").wait_for()
            assert page.get_by_role("link", name="A4 Sales Manager Report PDF").count() == 1
            audit("result")
            page.goto(f"{live_server}/app/assessments/{repeat_id}")
            page.get_by_role("heading", name="Change since").wait_for()
            audit("result with change since the previous one")
            page.goto(f"{live_server}/app")
            page.get_by_label("Compare Amara Okafor").check()
            page.get_by_label("Compare Lukas Brandt").check()
            page.get_by_role("button", name="Compare the chosen reps").click()
            page.wait_for_url("**/app/compare?*")
            page.get_by_role("heading", name="Compare reps").wait_for()
            audit("compare")
            page.goto(f"{live_server}/app?q=amara&sort=name")
            assert page.get_by_role("link", name="Amara Okafor").count() == 1
            assert page.get_by_role("link", name="Lukas Brandt").count() == 0
            audit("dashboard searched")
            page.goto(f"{live_server}/app/invite")
            page.get_by_role("button", name="Create the invitation").click()
            page.wait_for_selector("[role=alert]")
            audit("invite with error summary")
            page.get_by_label("First name").fill("Noor")
            page.get_by_label("Last name").fill("Jansen")
            page.get_by_label("E-mail address").fill(f"noor.{size}@example.com")
            page.get_by_role("button", name="Create the invitation").click()
            page.get_by_label("Participant link").wait_for()
            audit("invitation created")
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url(f"{live_server}/login")
            page.context.close()
    assert len(audited) == 20
    assert {kind: found for kind, found in audited.items() if found} == {}
