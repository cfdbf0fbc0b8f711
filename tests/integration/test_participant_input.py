"""Bad and hostile input to the participant pages: an error summary or a problem, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Answer
from tests.conftest import TLS
from tests.integration.participant_client import Participant, first_values


def saved(db: Session, assessment_id: str) -> dict[str, str]:
    db.rollback()
    rows = db.execute(
        select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment_id)
    )
    return {item_id: value for item_id, value in rows}


def test_a_value_out_of_range_shows_the_page_again_with_an_error_summary(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
        answers = first_values(page)
        bad_item = page.item_ids[1]
        answers[bad_item] = "9"
        again = rep.send_page(page, answers)
    assert again.status == 422
    assert again.progress == page.progress  # the same page, not the next
    assert len(again.alerts) == 1
    assert again.alerts[0].startswith("There is a problem")
    assert "Choose one of the answers given for question 2" in again.alerts[0]
    # The summary links to the item's first radio, which exists on the page.
    assert f"#a-{bad_item}-1" in again.links
    assert f'id="a-{bad_item}-1"' in again.html
    assert again.title.startswith("Error:")
    # Every other answer on the page was kept and is shown checked.
    good = {k: v for k, v in answers.items() if k != bad_item}
    assert saved(db, invitation.assessment.id) == good
    assert again.checked == {f"answer:{k}": v for k, v in good.items()}


def test_an_item_that_is_not_on_the_page_is_refused(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
        later = rep.open(rep.path("page", 2))
        for unknown in ("NO_SUCH_ITEM", later.item_ids[0]):
            again = rep.send_page(page, {unknown: "3"})
            assert again.status == 422
            assert again.alerts and "not on this page" in again.alerts[0]
            assert "#questions" in again.links
    assert saved(db, invitation.assessment.id) == {}


def test_the_answer_endpoint_upserts_one_row_per_item(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
        item = page.item_ids[0]
        url = rep.path("answer")
        assert rep.client.post(url, data={"item": item, "value": "2"}).status_code == 204
        assert rep.client.post(url, data={"item": item, "value": "5"}).status_code == 204
        for data in (
            {"item": item, "value": "6"},
            {"item": item, "value": ""},
            {"item": "NO_SUCH_ITEM", "value": "1"},
            {},
        ):
            refused = rep.client.post(url, data=data)
            assert refused.status_code == 422, data
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["status"] == 422
        # The page shows the saved answer checked, as a browser without JavaScript sees it.
        assert rep.open(rep.path("page", 1)).checked == {f"answer:{item}": "5"}
    assert saved(db, invitation.assessment.id) == {item: "5"}


def test_malformed_requests_never_give_a_server_error(
    live_server: str, invite: Callable[..., Any]
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        rep.consent()
        garbage = b"--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n"
        headers = {"content-type": "multipart/form-data; boundary=x"}
        for path in (rep.path("page", 1), rep.path("answer"), rep.path("consent")):
            response = rep.client.post(path, content=garbage, headers=headers)
            assert response.status_code < 500, (path, response.status_code)
        weird = rep.client.post(
            rep.path("page", 1), data={"stamp": "not-a-stamp", "active": "NaN", "nav": "?"}
        )
        assert weird.status_code == 303
        long_token = rep.client.get("/a/" + "x" * 5000)
        assert long_token.status_code == 404


def test_posts_from_another_site_are_refused(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
        item = page.item_ids[0]
        form = {"stamp": page.hidden["stamp"], "nav": "next", f"answer:{item}": "4"}
        hostile = (
            {"sec-fetch-site": "cross-site"},
            {"sec-fetch-site": "same-site"},
            {"origin": "https://attacker.example"},
        )
        for headers in hostile:
            for path, data in (
                (rep.path("page", 1), form),
                (rep.path("answer"), {"item": item, "value": "4"}),
            ):
                response = rep.client.post(path, data=data, headers=headers)
                assert response.status_code == 403, (path, headers)
            assert rep.client.post(rep.path("submit"), headers=headers).status_code == 403
        assert saved(db, invitation.assessment.id) == {}
        # Our own pages' forms send Origin: null (no-referrer) and Sec-Fetch-Site: same-origin.
        own = {"origin": "null", "sec-fetch-site": "same-origin"}
        assert rep.client.post(rep.path("page", 1), data=form, headers=own).status_code == 303
        host = {"origin": live_server}
        answer = {"item": item, "value": "2"}
        assert rep.client.post(rep.path("answer"), data=answer, headers=host).status_code == 204
    assert saved(db, invitation.assessment.id) == {item: "2"}


def test_concurrent_saves_of_one_item_keep_one_row(
    live_server: str, invite: Callable[..., Any], db: Session
) -> None:
    """A quick finger and a slow network: many saves of one item race; one row survives."""
    invitation = invite()
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
    item = page.item_ids[0]
    url = f"/a/{invitation.token}/answer"

    def save(value: str) -> int:
        with httpx.Client(base_url=live_server, timeout=30, verify=TLS) as client:
            return client.post(url, data={"item": item, "value": value}).status_code

    values = [str(1 + k % 5) for k in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(save, values))
    assert statuses == [204] * 12
    stored = saved(db, invitation.assessment.id)
    assert list(stored) == [item] and stored[item] in values
