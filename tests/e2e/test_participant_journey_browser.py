"""The participant journey in chromium, on a 360 px phone and a 1280 px laptop: a personal
welcome, short pages on the phone, progress in questions and minutes, resume with a note, back
to review, and the feedback report at the end (web page and a PDF download), each page audited
with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    PHONE,
    audited_context,
    axe_violations,
    chromium,
    require_axe,
    scroll_width,
)
from tests.unit.report_helpers import pdf_text

LAPTOP = {"width": 1280, "height": 800}
# A compact page on a phone: six statements at most. The standard ten made a 5,100 px page;
# the compact pages of instrument 1.1 measure 1,257–3,051 px (December 2026).
PHONE_PAGE_MAX_PX = 3100
PROGRESS = re.compile(r"Question (\d+) of (\d+)( · about (\d+) minutes? left)?")


def _fill_page(page: Any, skip_first: bool = False) -> list[str]:
    """Check a middle answer of every item on the page (no change events: saved by Next)."""
    return list(
        page.evaluate(
            """(skipFirst) => [...document.querySelectorAll("fieldset.item")].flatMap((f, k) => {
                if (skipFirst && k === 0) return [];
                const scale = ".options--likert input, .options--sjt input";
                const radios = [...f.querySelectorAll(scale)];
                radios[Math.floor(radios.length / 2)].checked = true;
                return [f.id.slice("item-".length)];
            })""",
            skip_first,
        )
    )


def _height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


@pytest.mark.parametrize("screen", ["phone", "laptop"])
def test_journey_from_welcome_to_feedback_report(
    screen: str,
    live_server: str,
    invite: Callable[..., Any],
    instrument_version: Any,
    tmp_path: Path,
) -> None:
    require_axe()
    invitation = invite(instrument_version=instrument_version, first_name="Robin")
    link = f"{live_server}/a/{invitation.token}"
    phone = screen == "phone"
    options: dict[str, Any] = (
        {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {"viewport": LAPTOP}
    )
    audits: dict[str, list[dict[str, Any]]] = {}
    heights: list[int] = []
    with chromium() as browser:
        first = audited_context(browser, **options)
        page = first.new_page()

        def audit(kind: str) -> None:
            if phone:
                assert scroll_width(page) <= PHONE["width"], kind
            audits[kind] = axe_violations(page)

        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello Robin")
        expect(page.locator("main")).to_contain_text("Who sees your results")
        audit("welcome")
        page.locator("label[for=consent]").click()
        page.get_by_role("button", name="Start").click()
        progress = page.locator(".progress__label")
        expect(progress).to_contain_text("Question 1 of")
        found = PROGRESS.fullmatch(progress.inner_text())
        assert found and found.group(3), progress.inner_text()
        total = int(found.group(2))
        on_page = page.locator("fieldset.item").count()
        assert on_page <= 6 if phone else on_page > 6
        heights.append(_height(page))
        audit("question page with progress")

        skipped = page.locator("fieldset.item").first.get_attribute("id")
        _fill_page(page, skip_first=True)
        page.get_by_role("button", name="Next").click()
        expect(progress).to_contain_text(f"Question {on_page + 1} of {total}")
        heights.append(_height(page))
        _fill_page(page)
        page.get_by_role("button", name="Next").click()
        expect(page.locator(".progress__page")).to_contain_text("Page 3 of")
        heights.append(_height(page))
        first.close()

        # Later, another visit: the link opens where the rep left, with a note.
        second = audited_context(browser, **options)
        page = second.new_page()
        page.goto(link)
        expect(page).to_have_url(re.compile(r"/page/3\?resumed=1$"))
        note = page.locator("#resume-note")
        expect(note).to_contain_text("You skipped 1 question earlier")
        audit("resumed page with a note")
        note.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check before you submit")
        page.get_by_role("link", name="Question 1 on page 1").click()
        back = page.get_by_role("button", name="Back to review")
        expect(back).to_be_visible()
        audit("page opened from the review")
        assert skipped is not None
        page.locator(f"#{skipped} .options label").nth(3).click()
        back.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check before you submit")
        expect(page.get_by_role("link", name="Question 1 on page 1")).to_have_count(0)

        # Answer the rest, page by page, and submit.
        page.goto(link)
        while "/page/" in page.url:
            heights.append(_height(page))
            _fill_page(page)
            page.locator("button[name=nav][value=next]").click()
            page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check before you submit")
        expect(page.locator("main")).to_contain_text("You have answered every question.")
        page.get_by_role("button", name="Submit my answers").click()
        page.wait_for_url("**/thanks")
        expect(page.locator("main")).to_contain_text("What happens next")
        audit("completion page")

        with page.expect_download() as download:
            page.get_by_role("link", name="Download your feedback report (PDF)").click()
        pdf = tmp_path / "feedback.pdf"
        download.value.save_as(pdf)
        page.get_by_role("link", name="Read your feedback report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback report")
        expect(page.locator("table.feedback-table tbody tr")).to_have_count(7)
        audit("feedback report")
        second.close()

    text = pdf_text(pdf.read_bytes())
    assert "Your StageFit feedback" in text and "Robin Rep" in text
    assert "Where you fit best" in text
    assert {kind: found for kind, found in audits.items() if found} == {}
    if phone:
        assert max(heights) <= PHONE_PAGE_MAX_PX, heights
    print(f"{screen}: page heights {sorted(heights)} px")  # a figure for the report (-s)
