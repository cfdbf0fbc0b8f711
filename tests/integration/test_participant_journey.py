"""The participant journey over real HTTP, without JavaScript: a personal welcome, progress in
questions, the compact layout for phones, resume with a note, back to review, "does not apply
to my work", and the feedback report at the end (web page and PDF)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Answer, Assessment, Organisation, PageTiming
from app.services.participation import item_seconds_of
from tests.integration.participant_client import ParsedPage, Participant, first_values
from tests.unit.report_helpers import pdf_text

NA_LABEL = "Does not apply to my work"


def _progress_label(page: ParsedPage) -> str:
    found = re.search(r'class="progress__label">([^<]*)<', page.html)
    assert found, "no progress label"
    return " ".join(found.group(1).split())


def _answers(page: ParsedPage, *, na: bool = False) -> dict[str, str]:
    """Every item answered: "does not apply" where offered (with `na`), else mid-scale."""
    answers = first_values(page)
    if na:
        for name, values in page.radios.items():
            if "na" in values:
                answers[name.removeprefix("answer:")] = "na"
    return answers


def _send(rep: Participant, page: ParsedPage, answers: dict[str, str], **extra: str) -> ParsedPage:
    data = {"stamp": page.hidden.get("stamp", ""), "active": "", "nav": "next"}
    data.update({"layout": page.hidden.get("layout", "")})
    data.update({f"answer:{item_id}": value for item_id, value in answers.items()})
    data.update(extra)
    return rep.post(page.forms[0]["action"], data)


def _finish(rep: Participant, page: ParsedPage, *, na: bool = False) -> ParsedPage:
    """Answer every remaining page, then submit; returns the completion page."""
    while "/page/" in page.url:
        page = _send(rep, page, _answers(page, na=na))
        assert page.status == 200, page.url
    assert page.url.endswith(rep.path("review"))
    return rep.post(rep.path("submit"), {})


def test_the_welcome_greets_the_rep_and_says_who_sees_the_results_and_why(
    live_server: str, invite: Callable[..., Any], instrument_version: Any
) -> None:
    invitation = invite(instrument_version=instrument_version, first_name="Zoë <b>Ann</b>")
    with Participant(live_server, invitation.token) as rep:
        page = rep.open()
    assert page.h1 == "Hello Zoë <b>Ann</b>"
    assert "Zoë &lt;b&gt;Ann&lt;/b&gt;" in page.html and "<b>Ann</b>" not in page.html
    assert "Test Org has invited you to take the" in page.text
    assert "Who sees your results" in page.text
    assert "Your results are seen by Test Org and the people there who manage" in page.text
    assert "Test Org uses it to see where your strengths lie" in page.text
    assert page.hidden["layout"] == ""  # participant.js fills it in on a narrow screen


def test_a_phone_gets_short_pages_and_progress_counts_questions_and_minutes(
    live_server: str, invite: Callable[..., Any], instrument_version: Any, db: Session
) -> None:
    invitation = invite(instrument_version=instrument_version)
    with Participant(live_server, invitation.token) as rep:
        page = rep.post(rep.path("consent"), {"consent": "yes", "layout": "compact"})
        label = _progress_label(page)
        found = re.fullmatch(r"Question 1 of (\d+) · about (\d+) minutes left", label)
        assert found, label
        total = int(found.group(1))
        first_minutes = int(found.group(2))
        seen = 0
        while "/page/" in page.url:
            assert len(page.item_ids) <= 6, page.url
            sjt = [i for i in page.item_ids if page.radios[f"answer:{i}"][0] == "a"]
            assert not sjt or len(page.item_ids) == 1, "a scenario shares its page"
            assert _progress_label(page).startswith(f"Question {seen + 1} of {total}")
            seen += len(page.item_ids)
            page = _send(rep, page, first_values(page))
        assert seen == total
    db.expire_all()
    assert db.get(Assessment, invitation.assessment.id).page_layout == "compact"  # type: ignore[union-attr]
    assert first_minutes >= 5


def test_a_browser_that_says_it_is_mobile_gets_the_compact_layout_without_javascript(
    live_server: str, invite: Callable[..., Any], instrument_version: Any, db: Session
) -> None:
    invitation = invite(instrument_version=instrument_version)
    with Participant(live_server, invitation.token, headers={"Sec-CH-UA-Mobile": "?1"}) as rep:
        page = rep.consent()
    assert page.hidden["layout"] == "compact" and len(page.item_ids) <= 6
    desk = invite(email="desk@example.com", instrument_version=instrument_version)
    with Participant(live_server, desk.token) as rep:
        page = rep.consent()
    assert page.hidden["layout"] == "standard" and len(page.item_ids) > 6


def test_switching_layout_keeps_the_question_and_each_page_time_its_own_items(
    live_server: str, invite: Callable[..., Any], instrument_version: Any, db: Session
) -> None:
    invitation = invite(instrument_version=instrument_version)
    with Participant(live_server, invitation.token) as rep:
        first = rep.consent()
        assert first.hidden["layout"] == "standard"
        second = _send(rep, first, first_values(first))
        number = int(_progress_label(second).split()[1])
        switched = rep.post(rep.path("layout"), {"switch_to": "compact", "question": str(number)})
        assert switched.hidden["layout"] == "compact"
        assert _progress_label(switched).startswith(f"Question {number} of")
        assert set(switched.item_ids) < set(second.item_ids)
        after = _send(rep, switched, first_values(switched))
        assert after.status == 200
        # A bogus layout changes nothing; a stale standard page is still saved by its own layout.
        rep.post(rep.path("layout"), {"switch_to": "tiny", "question": "1"})
        stale = _send(rep, second, dict(list(first_values(second).items())[:1]))
        assert stale.status == 200
    db.expire_all()
    assessment = db.get(Assessment, invitation.assessment.id)
    assert assessment is not None and assessment.page_layout == "compact"
    timings = db.execute(
        select(PageTiming.layout, PageTiming.page, PageTiming.seconds).where(
            PageTiming.assessment_id == assessment.id
        )
    ).all()
    assert {(layout, page) for layout, page, _ in timings} == {
        ("standard", 1),
        ("compact", int(switched.url.rsplit("/", 1)[1])),
        ("standard", 2),
    }
    seconds = item_seconds_of(db=db, assessment=assessment)
    compact_time = next(s for layout, _, s in timings if layout == "compact")
    first_time = next(s for layout, p, s in timings if (layout, p) == ("standard", 1))
    for item_id in first.item_ids:
        assert seconds[item_id] == pytest.approx(first_time / len(first.item_ids))
    only_compact = set(switched.item_ids)
    for item_id in only_compact:
        # Seen on the compact page and (stale form) on standard page 2: both times count.
        assert seconds[item_id] > compact_time / len(only_compact) - 1e-9


def test_resume_opens_where_the_rep_left_with_a_note_and_back_to_review(
    live_server: str, invite: Callable[..., Any], instrument_version: Any, db: Session
) -> None:
    invitation = invite(instrument_version=instrument_version)
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
        skipped = page.item_ids[0]
        answers = first_values(page)
        del answers[skipped]
        page = _send(rep, page, answers)
        page = _send(rep, page, first_values(page))
        third = page.url
    with Participant(live_server, invitation.token) as rep:
        resumed = rep.open()
        assert resumed.url == third + "?resumed=1"
        assert "You skipped 1 question earlier: see it on the review page." in resumed.text
        review = rep.open(rep.path("review"))
        link = next(href for href in review.links if href.endswith(f"#item-{skipped}"))
        assert link == f"{rep.path('page', 1)}?from=review#item-{skipped}"
        jumped = rep.open(link.split("#")[0])
        assert "Back to review" in jumped.text and jumped.hidden["from"] == "review"
        back = _send(rep, jumped, {skipped: "4"}, nav="review")
        assert back.url.endswith(rep.path("review"))
        assert f"#item-{skipped}" not in " ".join(back.links)
        # Pressing Next instead of Back to review carries on to the next page.
        onward = _send(rep, rep.open(link.split("#")[0]), {}, nav="next")
        assert onward.url.endswith(rep.path("page", 2))
    db.expire_all()
    stored = db.scalar(
        select(Answer.value).where(
            Answer.assessment_id == invitation.assessment.id, Answer.item_id == skipped
        )
    )
    assert stored == "4"


def test_does_not_apply_is_offered_labelled_saved_and_refused_where_not_offered(
    live_server: str, invite: Callable[..., Any], instrument_version: Any, db: Session
) -> None:
    invitation = invite(instrument_version=instrument_version)
    with Participant(live_server, invitation.token) as rep:
        page = rep.consent()
        while not any("na" in v for v in page.radios.values()):
            page = _send(rep, page, {})
        offered = [n.removeprefix("answer:") for n, v in page.radios.items() if "na" in v]
        plain = [n.removeprefix("answer:") for n, v in page.radios.items() if "na" not in v]
        item = offered[0]
        # A label of its own, tied to its radio in the item's group.
        assert f'<label for="a-{item}-na">{NA_LABEL}</label>' in page.html
        saved = rep.client.post(rep.path("answer"), data={"item": item, "value": "na"})
        assert saved.status_code == 204
        if plain:
            refused = rep.client.post(rep.path("answer"), data={"item": plain[0], "value": "na"})
            assert refused.status_code == 422
        again = rep.open(page.url)
        assert again.checked[f"answer:{item}"] == "na"
    db.expire_all()
    assert (
        db.scalar(
            select(Answer.value).where(
                Answer.assessment_id == invitation.assessment.id, Answer.item_id == item
            )
        )
        == "na"
    )


def test_the_completion_page_says_what_next_and_hands_over_the_feedback_report(
    live_server: str,
    invite: Callable[..., Any],
    instrument_version: Any,
    db: Session,
    tmp_path: Path,
) -> None:
    invitation = invite(instrument_version=instrument_version, first_name="Ana")
    with Participant(live_server, invitation.token) as rep:
        done = _finish(rep, rep.consent(), na=True)
        assert done.url.endswith(rep.path("thanks"))
        assert done.h1 == "Thank you, your answers have been submitted"
        assert "What happens next" in done.text
        assert "within two weeks" in done.text
        assert rep.path("feedback") in done.links and rep.path("feedback.pdf") in done.links

        web = rep.open(rep.path("feedback"))
        assert web.status == 200 and web.h1 == "Your feedback report"
        assert "Lead Evaluation" in web.text and "Expansion" in web.text
        # Every "does not apply" item answered so: those competencies are not scored.
        assert "Not enough answers" in web.text and "did not apply to your work" in web.text
        assert web.headers["cache-control"] == "no-store"

        response = rep.client.get(rep.path("feedback.pdf"))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["x-content-type-options"] == "nosniff"
        text = pdf_text(response.content)
        assert "Your StageFit feedback" in text and "Ana Rep" in text
        assert "not enough answers" in text

    db.execute(
        update(Organisation)
        .where(Organisation.id == invitation.assessment.organisation_id)
        .values(share_feedback=False)
    )
    db.commit()
    with Participant(live_server, invitation.token) as rep:
        done = rep.open(rep.path("thanks"))
        assert "What happens next" in done.text
        assert rep.path("feedback") not in done.links
        assert rep.open(rep.path("feedback")).status == 404
        assert rep.client.get(rep.path("feedback.pdf")).status_code == 404


def test_no_feedback_report_before_completion_or_for_a_wrong_link(
    live_server: str, invite: Callable[..., Any], instrument_version: Any
) -> None:
    invitation = invite(instrument_version=instrument_version)
    with Participant(live_server, invitation.token) as rep:
        assert rep.client.get(rep.path("feedback.pdf")).status_code == 404
        rep.consent()
        assert rep.client.get(rep.path("feedback.pdf")).status_code == 404
        assert rep.open(rep.path("feedback")).status == 404
        assert rep.client.get(rep.path("thanks")).status_code == 303
        # A layout switch from another site is refused.
        forged = rep.client.post(
            rep.path("layout"),
            data={"switch_to": "compact", "question": "1"},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert forged.status_code == 403
    with Participant(live_server, "x" * 43) as stranger:
        assert stranger.client.get(stranger.path("feedback.pdf")).status_code == 404
        assert stranger.client.get("/a/%00/feedback.pdf").status_code == 404
