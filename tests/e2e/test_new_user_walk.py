"""Issue 9's "Done when", walked in real chromium as a new user would: an admin signs in at
1280 px, creates a team in the web app, invites three reps from a CSV file (preview, confirm),
the invitations arrive at a real SMTP server on loopback (delivered by the worker's drain),
one click reminds one rep (the reminder arrives too), a rep follows the e-mailed link on a
360 px phone, finishes the questionnaire and reads their feedback report, the manager watches
the progress on the dashboard, opens the result, downloads the Sales Manager Report PDF and
signs out; the old session cookie then no longer opens /app.

Not walked here, because it is not merged yet: a re-assessed rep's history on the result page,
and an invalid result kept out of the team's suggested assignment (issue 9, items 6 and 7).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.models import Assessment, Organisation, Participant, Team
from app.services.users import create_user
from tests.e2e.browser import (
    PHONE,
    audited_context,
    axe_violations,
    chromium,
    require_axe,
    scroll_width,
)
from tests.smtp_server import Mailbox, smtp_server
from tests.unit.report_helpers import pdf_text

EMAIL = "new.admin@walk.example"
PASSWORD = "a walk-through password"
DESKTOP = {"width": 1280, "height": 900}
CSV = (
    "first_name,last_name,email,external_id,team\n"
    "Amara,Okafor,amara@walk.example,,Benelux Field Sales\n"
    "Lukas,Brandt,lukas@walk.example,,Benelux Field Sales\n"
    "Sofia,Marquez,sofia@walk.example,,Benelux Field Sales\n"
)
LINK = re.compile(r"https?://\S+/a/[A-Za-z0-9_-]+")


def _answer_page(page: Any, turn: int) -> int:
    """Check one answer of every item on the page, spread over the scale (not one column)."""
    return int(
        page.evaluate(
            """(turn) => [...document.querySelectorAll("fieldset.item")].map((f, k) => {
                const scale = ".options--likert input, .options--sjt input";
                const radios = [...f.querySelectorAll(scale)];
                radios[(turn * 7 + k * 3) % radios.length].checked = true;
                return 1;
            }).length""",
            turn,
        )
    )


def _text_of(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def test_a_new_user_runs_stagefit_from_team_to_signed_out(
    live_server: str,
    db: Session,
    org: Organisation,
    settings: Settings,
    instrument_version: Any,
    deliver_outbox: Callable[..., list[Any]],
    tmp_path: Path,
) -> None:
    require_axe()
    create_user(db=db, organisation=org, email=EMAIL, role="admin", password=PASSWORD)
    db.commit()
    db.close()  # the browser part below must not hold a SQLite read open
    csv_file = tmp_path / "reps.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    mailbox = Mailbox()
    audits: dict[str, list[dict[str, Any]]] = {}
    # Playwright's sync API runs an event loop on this thread, where the app refuses database
    # calls: the worker's drain runs on a thread of its own.
    drains = ThreadPoolExecutor(max_workers=1)

    with smtp_server(mailbox) as port, chromium() as browser:
        sender = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})

        def deliver() -> list[Any]:
            return drains.submit(deliver_outbox, settings=sender).result(timeout=120)

        manager = audited_context(browser, viewport=DESKTOP)
        page = manager.new_page()

        def audit(kind: str, page: Any = page, width: int = DESKTOP["width"]) -> None:
            assert scroll_width(page) <= width, kind
            audits[kind] = axe_violations(page)

        # 1. Sign in.
        page.goto(f"{live_server}/app")
        page.wait_for_url(re.compile(r"/login"))
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server}/app")
        audit("empty dashboard")

        # 2. Create a team.
        page.get_by_role("link", name="Teams").first.click()
        page.wait_for_url(f"{live_server}/app/teams")
        audit("teams, none yet")
        page.get_by_label("Team name").fill("Benelux Field Sales")
        page.get_by_role("button", name="Create team").click()
        page.wait_for_url(re.compile(r"/app/teams/[^/]+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Benelux Field Sales")
        team_url = page.url
        audit("new team")

        # 3. Invite three reps from a CSV file, by e-mail.
        page.get_by_role("link", name="Dashboard").first.click()
        page.get_by_role("link", name="Invite a rep").first.click()
        page.get_by_role("link", name="Invite from a CSV file").click()
        page.get_by_label("CSV file").set_input_files(str(csv_file))
        page.get_by_label("Send each rep the invitation by e-mail").check()
        page.get_by_role("button", name="Upload and check").click()
        confirm = page.get_by_role("button", name="Invite 3 reps")
        confirm.wait_for()
        preview = page.inner_text("main")
        assert all(n in preview for n in ("Amara Okafor", "Lukas Brandt", "Sofia Marquez"))
        audit("CSV preview")
        confirm.click()
        page.get_by_role("heading", name="3 reps invited").wait_for()

        deliver()
        invitations = {m["To"].addresses[0].addr_spec: m for m in mailbox.wait_for(3)}
        assert set(invitations) == {f"{n}@walk.example" for n in ("amara", "lukas", "sofia")}
        amara_mail = _text_of(invitations["amara@walk.example"])
        assert "Hello Amara," in amara_mail and "Test Org" in amara_mail
        [amara_link] = LINK.findall(amara_mail)

        # 4. Remind one of them: one click, and the reminder arrives.
        page.get_by_role("link", name="Sofia Marquez").click()
        page.get_by_role("button", name="Send a reminder").click()
        page.get_by_text("A reminder is on its way").wait_for()
        deliver()
        reminder = mailbox.wait_for(4)[3]
        assert reminder["To"].addresses[0].addr_spec == "sofia@walk.example"
        assert reminder["Subject"].startswith("Reminder:")
        assert LINK.findall(_text_of(reminder)) == LINK.findall(
            _text_of(invitations["sofia@walk.example"])
        )

        # The rep follows the link from the e-mail on a phone.
        phone = audited_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
        rep = phone.new_page()
        rep.goto(amara_link)
        expect(rep.get_by_role("heading", level=1)).to_have_text("Hello Amara")
        assert scroll_width(rep) <= PHONE["width"]
        rep.locator("label[for=consent]").click()
        rep.get_by_role("button", name="Start").click()
        turn = 0
        for _ in range(2):
            assert rep.locator("fieldset.item").count() <= 6  # short pages on a phone
            turn += _answer_page(rep, turn)
            rep.locator("button[name=nav][value=next]").click()
            rep.wait_for_load_state()

        # 5. The manager watches progress: how far Amara has got, and when.
        page.goto(f"{live_server}/app")
        row = page.get_by_role("row").filter(has_text="Amara Okafor")
        expect(row).to_contain_text(re.compile(rf"{turn} of \d+ answered"))
        expect(row).to_contain_text("last active")
        audit("dashboard with progress")

        # The rep finishes and gets the feedback report at the end.
        while "/page/" in rep.url:
            turn += _answer_page(rep, turn)
            rep.locator("button[name=nav][value=next]").click()
            rep.wait_for_load_state()
        expect(rep.locator("main")).to_contain_text("You have answered every question.")
        rep.get_by_role("button", name="Submit my answers").click()
        rep.wait_for_url("**/thanks")
        expect(rep.locator("main")).to_contain_text("What happens next")
        rep.get_by_role("link", name="Read your feedback report").click()
        expect(rep.get_by_role("heading", level=1)).to_have_text("Your feedback report")
        assert scroll_width(rep) <= PHONE["width"]
        audits["phone: feedback report"] = axe_violations(rep)
        phone.close()

        # 6. The manager opens the result and downloads the Sales Manager Report.
        page.goto(team_url)
        expect(page.locator("table.heat")).to_contain_text("Amara Okafor")
        page.get_by_role("link", name="Dashboard").first.click()
        page.get_by_role("link", name="Amara Okafor").click()
        page.get_by_role("heading", name="Sales process fit").wait_for()
        audit("result")
        with page.expect_download() as download:
            page.get_by_role("link", name="A4 Sales Manager Report PDF").click()
        manager_pdf = tmp_path / "manager.pdf"
        download.value.save_as(manager_pdf)
        with page.expect_download() as download:
            page.get_by_role("link", name="A4 feedback report PDF").click()
        feedback_pdf = tmp_path / "feedback.pdf"
        download.value.save_as(feedback_pdf)

        # 8. Sign out: the old session cookie opens nothing any more.
        cookies = manager.cookies()
        assert cookies
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{live_server}/login")
        manager.close()
        stolen = browser.new_context(viewport=DESKTOP)
        stolen.add_cookies(cookies)
        old = stolen.new_page()
        old.goto(f"{live_server}/app")
        assert old.url.startswith(f"{live_server}/login"), old.url
        expect(old.get_by_role("button", name="Sign in")).to_be_visible()
        stolen.close()
    drains.shutdown()

    assert {kind: found for kind, found in audits.items() if found} == {}
    manager_text = pdf_text(manager_pdf.read_bytes())
    assert "Amara Okafor" in manager_text and "Sales Manager Report" in manager_text
    assert "Test Org" in manager_text
    feedback_text = pdf_text(feedback_pdf.read_bytes())
    assert "Your StageFit feedback" in feedback_text and "Amara Okafor" in feedback_text
    rows = db.execute(
        select(Participant.email, Team.name, Assessment.status)
        .join(Assessment, Assessment.participant_id == Participant.id)
        .join(Team, Team.id == Participant.team_id)
    )
    statuses = {email: (team, status) for email, team, status in rows}
    assert statuses == {
        "amara@walk.example": ("Benelux Field Sales", "completed"),
        "lukas@walk.example": ("Benelux Field Sales", "invited"),
        "sofia@walk.example": ("Benelux Field Sales", "invited"),
    }
