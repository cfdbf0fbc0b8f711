"""A manager invites reps from a CSV file in real chromium, on a 360 px phone and a 1280 px
desktop: the upload, a preview with row errors, the corrected file, the confirmation, the
rep's page with its copy-link button and a one-click reminder; axe-core on each page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Assessment, Organisation, Reminder
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

EMAIL = "inviter@demo-like.example"
PASSWORD = "a demo-like password"
DESKTOP = {"width": 1280, "height": 900}
HEADER = "first_name,last_name,email,external_id,team\n"


def test_csv_invite_flow_in_chromium_on_a_phone_and_a_desktop(
    live_server: str,
    db: Session,
    org: Organisation,
    mini_instrument_version: Any,
    tmp_path: Path,
) -> None:
    require_axe()
    create_user(db=db, organisation=org, email=EMAIL, role="admin", password=PASSWORD)
    create_team(db=db, organisation=org, name="EMEA Field Sales")
    db.commit()
    audited: dict[str, list[dict[str, Any]]] = {}
    with chromium() as browser:
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            bad = tmp_path / f"{size}-bad.csv"
            bad.write_text(
                HEADER
                + f"Amara,Okafor,amara.{size}@example.com,,EMEA Field Sales\n"
                + f"Lukas,=HYPERLINK(1),lukas.{size}@example.com,,\n",
                encoding="utf-8-sig",
            )
            good = tmp_path / f"{size}-good.csv"
            good.write_bytes(
                (
                    HEADER
                    + f"Amara,Okafor,amara.{size}@example.com,,EMEA Field Sales\n"
                    + f"Lukas,Brändt,lukas.{size}@example.com,,\n"
                    + f"Sofía,Márquez,sofia.{size}@example.com,S-{size},emea field sales\n"
                ).encode("cp1252")
            )
            context = audited_context(browser, viewport=viewport)
            context.grant_permissions(["clipboard-read", "clipboard-write"])
            page = context.new_page()

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
            page.goto(f"{live_server}/app/invite")
            audit("invite form")
            page.get_by_role("link", name="Invite from a CSV file").click()
            page.wait_for_url(f"{live_server}/app/invite/bulk")
            audit("upload form")
            page.get_by_label("CSV file").set_input_files(str(bad))
            page.get_by_role("button", name="Upload and check").click()
            page.get_by_role("heading", name="Nobody has been invited yet").wait_for()
            assert "Line 3, last name" in page.inner_text("main")
            audit("preview with errors")
            page.get_by_role("link", name="Upload a corrected file").click()
            page.get_by_label("CSV file").set_input_files(str(good))
            page.get_by_label("Selection for a role").check()
            page.get_by_role("button", name="Upload and check").click()
            page.get_by_role("button", name="Invite 3 reps").wait_for()
            assert "Lukas Brändt" in page.inner_text("main")  # read as Windows-1252
            audit("preview")
            page.get_by_role("button", name="Invite 3 reps").click()
            page.get_by_role("heading", name="3 reps invited").wait_for()
            audit("invited")
            page.get_by_role("link", name="Sofía Márquez").click()
            page.get_by_role("button", name="Copy link").click()
            page.get_by_text("Copied.").wait_for()
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == page.input_value("#rep-link") and "/a/" in copied
            audit("rep page")
            page.get_by_role("button", name="Send a reminder").click()
            page.get_by_text("A reminder is on its way").wait_for()
            audit("reminded")
            page.get_by_role("link", name="Dashboard").first.click()
            page.wait_for_url(f"{live_server}/app")
            audit("dashboard")
            context.close()
    assert len(audited) == 16
    assert {kind: found for kind, found in audited.items() if found} == {}
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Assessment)) == 6
    assert db.scalar(select(func.count()).select_from(Reminder)) == 2
    purposes = set(db.scalars(select(Assessment.purpose)))
    assert purposes == {"selection"}
