"""A salesperson on a phone: answer half (each tap saved at once), close, reopen, go back,
finish (the rest sent page by page with Next), in real chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Answer, Assessment, Result
from tests.e2e.browser import PHONE, chromium, scroll_width


def items_on(page: Any) -> list[dict[str, Any]]:
    """Each fieldset's item id, offered values and checked value, read from the live DOM."""
    return page.evaluate(
        """() => [...document.querySelectorAll("fieldset.item")].map(f => ({
            id: f.id.slice("item-".length),
            values: [...f.querySelectorAll("input[type=radio]")].map(i => i.value),
            checked: (f.querySelector("input[type=radio]:checked") || {}).value || null,
        }))"""
    )


def answer(page: Any, item: dict[str, Any], value: str) -> None:
    """Tap the option's label, as a thumb would, and wait until the page says it is saved."""
    page.locator(f'label[for="a-{item["id"]}-{value}"]').click()
    status = page.locator(f'[id="item-{item["id"]}"] .item__status')
    expect(status).to_have_text("Saved")


def choose(item: dict[str, Any], k: int) -> str:
    values = item["values"]
    return values[(k * 7 + 3) % len(values)]  # varied answers, not one long string


def no_sideways_scroll(page: Any) -> None:
    assert scroll_width(page) <= PHONE["width"], page.url


def test_phone_walk_through_with_close_reopen_and_back(
    live_server: str, invite: Callable[..., Any], instrument_version: Any, db: Session
) -> None:
    invitation = invite(instrument_version=instrument_version)
    link = f"{live_server}/a/{invitation.token}"
    with chromium() as browser:
        given = _walk_through(browser, link)
    db.rollback()
    assessment_id = invitation.assessment.id
    rows = db.execute(
        select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment_id)
    )
    assert {item_id: value for item_id, value in rows} == given
    results = db.scalar(
        select(func.count()).select_from(Result).where(Result.assessment_id == assessment_id)
    )
    assert results == 1
    assert db.scalar(select(Assessment.status).where(Assessment.id == assessment_id)) == (
        "completed"
    )


def _walk_through(browser: Any, link: str) -> dict[str, str]:
    """Answer half, close, reopen, go Back, finish; returns every answer given."""
    given: dict[str, str] = {}
    k = 0
    first = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = first.new_page()
    page.goto(link)
    no_sideways_scroll(page)
    page.locator("label[for=consent]").click()
    page.get_by_role("button", name="Start").click()
    progress = page.locator(".progress__page")
    expect(progress).to_contain_text("Page 1 of")
    total = int(progress.inner_text().rsplit(" ", 1)[1])
    half = total // 2
    for number in range(1, half + 1):
        expect(progress).to_have_text(f"Page {number} of {total}")
        no_sideways_scroll(page)
        for item in items_on(page):
            value = choose(item, k)
            k += 1
            answer(page, item, value)
            given[item["id"]] = value
        page.get_by_role("button", name="Next").click()
    # A phone shows one scenario a page: answer such pages whole, so that the page left half
    # answered has an unanswered item to resume at.
    expect(progress).to_have_text(f"Page {half + 1} of {total}")
    while len(items_on(page)) < 2:
        for item in items_on(page):
            value = choose(item, k)
            k += 1
            answer(page, item, value)
            given[item["id"]] = value
        page.get_by_role("button", name="Next").click()
        half += 1
        expect(progress).to_have_text(f"Page {half + 1} of {total}")
    # On the next page, answer three (fewer on a short page: never all of them) and close the
    # phone without pressing Next: JavaScript has saved each answer already.
    partial = max(1, min(3, len(items_on(page)) - 1))
    for item in items_on(page)[:partial]:
        value = choose(item, k)
        k += 1
        answer(page, item, value)
        given[item["id"]] = value
    first.close()

    second = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = second.new_page()
    page.goto(link)
    progress = page.locator(".progress__page")
    expect(progress).to_have_text(f"Page {half + 1} of {total}")
    resumed = items_on(page)
    done = resumed[:partial]
    assert [item["checked"] for item in done] == [given[item["id"]] for item in done]
    assert all(item["checked"] is None for item in resumed[partial:])

    page.get_by_role("button", name="Back").click()
    expect(progress).to_have_text(f"Page {half} of {total}")
    for item in items_on(page):
        assert item["checked"] == given[item["id"]], item["id"]
    page.get_by_role("button", name="Next").click()

    while True:
        expect(page.locator("h1")).to_be_visible()
        if "/review" in page.url:
            break
        no_sideways_scroll(page)
        # The rest by the form alone (as without JavaScript): checked, then sent with Next.
        for item in items_on(page):
            if item["checked"] is None:
                value = choose(item, k)
                k += 1
                page.locator(f'[id="a-{item["id"]}-{value}"]').evaluate(
                    "(i) => { i.checked = true; }"
                )
                given[item["id"]] = value
        page.get_by_role("button", name="Next").or_(
            page.get_by_role("button", name="Continue to review")
        ).click()
        page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Check before you submit")
    expect(page.get_by_text("You have answered every question.")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator("h1")).to_have_text("Thank you, your answers have been submitted")
    no_sideways_scroll(page)
    second.close()
    return given


def test_keyboard_only_with_visible_focus(live_server: str, invite: Callable[..., Any]) -> None:
    invitation = invite()
    with chromium() as browser:
        _keyboard_only(browser.new_context(viewport=PHONE), f"{live_server}/a/{invitation.token}")


def _keyboard_only(context: Any, link: str) -> None:
    page = context.new_page()
    page.goto(link)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    # Tab to the consent box, tick it with Space, Tab to Start and press Enter.
    while page.evaluate("document.activeElement.id") != "consent":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".progress__page")).to_contain_text("Page 1 of")

    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # the first item's first option
    focused = page.evaluate("document.activeElement.name")
    assert focused.startswith("answer:")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement.closest('.option')).outlineStyle"
    )
    assert outline == "solid"  # the focused option is visibly outlined
    page.keyboard.press("ArrowDown")  # moves to and selects the second option
    item_id = focused.removeprefix("answer:")
    expect(page.locator(f'[id="item-{item_id}"] .item__status')).to_have_text("Saved")
    checked = page.locator(f'[id="item-{item_id}"] input:checked')
    expect(checked).to_have_value(items_on(page)[0]["values"][1])


def test_works_without_javascript(live_server: str, invite: Callable[..., Any]) -> None:
    invitation = invite()
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{live_server}/a/{invitation.token}")
        page.locator("label[for=consent]").click()
        page.get_by_role("button", name="Start").click()
        items = items_on(page)
        for item in items:
            page.locator(f'label[for="a-{item["id"]}-{item["values"][0]}"]').click()
        page.get_by_role("button", name="Next").click()
        expect(page.locator(".progress__page")).to_contain_text("Page 2 of")
        page.get_by_role("button", name="Back").click()
        expect(page.locator(".progress__page")).to_contain_text("Page 1 of")
        checked = [item["checked"] for item in items_on(page)]
        assert checked == [item["values"][0] for item in items]
