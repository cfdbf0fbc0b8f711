"""The server is killed with SIGKILL mid-assessment; the participant loses nothing sent before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Answer
from tests.integration.participant_client import Participant, first_values


@pytest.mark.slow
def test_answers_sent_before_a_sigkill_are_there_after_restart(
    server_process: Callable[[], Any], invite: Callable[..., Any], db: Session
) -> None:
    invitation = invite()
    server = server_process()
    given: dict[str, str] = {}
    with Participant(server.url, invitation.token) as rep:
        page = rep.consent()
        for _ in range(3):
            answers = first_values(page)
            given.update(answers)
            page = rep.send_page(page, answers)
        assert page.progress is not None and page.progress[0] == 4
        # One answer on page 4 saved at once, as JavaScript does; then the power cut.
        early = {item_id: page.radios[f"answer:{item_id}"][1] for item_id in page.item_ids[:1]}
        for item_id, value in early.items():
            response = rep.client.post(rep.path("answer"), data={"item": item_id, "value": value})
            assert response.status_code == 204
            given[item_id] = value
        server.kill()
        assert server.process.poll() is not None  # really gone

    server.start()
    with Participant(server.url, invitation.token) as rep:
        resumed = rep.open()
        assert resumed.status == 200
        assert resumed.progress is not None and resumed.progress[0] == 4
        assert resumed.checked == {f"answer:{item_id}": value for item_id, value in early.items()}
        back = rep.send_page(resumed, {}, nav="back")
        assert back.progress is not None and back.progress[0] == 3
        assert all(
            back.checked[name] == given[name.removeprefix("answer:")] for name in back.radios
        )

    db.rollback()
    rows = db.execute(
        select(Answer.item_id, Answer.value).where(Answer.assessment_id == invitation.assessment.id)
    )
    assert {item_id: value for item_id, value in rows} == given
