"""Answers racing a submit, over real HTTP: once submit has claimed the assessment no answer is
accepted, and the stored result is always the score of the stored answers. (On PostgreSQL,
answers used to be stored after the result was scored, and left out of it.)"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.instrument.questionnaire import item_seconds
from app.models import Answer, Assessment, PageTiming, Result
from app.scoring.engine import score
from app.services.instruments import get_norms
from app.services.participation import questionnaire
from tests.conftest import TLS
from tests.integration.participant_client import Participant

SUBMITS = 5
ANSWERS = 35
TRIALS = 3


def _rescored(db: Session, assessment: Assessment, result: Result) -> dict[str, Any]:
    """The score of what is stored now, scored as submit scores (same time, same norms)."""
    q = questionnaire(db=db, assessment=assessment)
    given = dict(
        db.execute(
            select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment.id)
        ).all()
    )
    pages = db.execute(
        select(PageTiming.page, func.sum(PageTiming.seconds))
        .where(PageTiming.assessment_id == assessment.id)
        .group_by(PageTiming.page)
    ).all()
    seconds = item_seconds(q, {int(p): float(s) for p, s in pages})
    scored_at = datetime.strptime(result.payload["scored_at"], "%Y-%m-%dT%H:%M:%SZ")
    return score(
        q.instrument,
        given,
        seconds={k: v for k, v in seconds.items() if k in given},
        norms=get_norms(db, assessment.norm_table_id),
        assessment_id=assessment.id,
        scored_at=scored_at,
    ).to_json()


def _race(live_server: str, token: str, changes: list[tuple[str, str]]) -> list[int]:
    """Fire the submits and the answer changes at once; the answer requests' statuses."""
    start = threading.Barrier(SUBMITS + ANSWERS)

    def submit(_: int) -> int:
        with httpx.Client(base_url=live_server, timeout=30, verify=TLS) as client:
            start.wait()
            return client.post(f"/a/{token}/submit").status_code

    def answer(change: tuple[str, str]) -> int:
        with httpx.Client(base_url=live_server, timeout=30, verify=TLS) as client:
            start.wait()
            item, value = change
            return client.post(
                f"/a/{token}/answer", data={"item": item, "value": value}
            ).status_code

    with ThreadPoolExecutor(SUBMITS + ANSWERS) as pool:
        submits = [pool.submit(submit, k) for k in range(SUBMITS)]
        answers = [pool.submit(answer, change) for change in changes]
        assert {f.result() for f in submits} == {303}
        return [f.result() for f in answers]


def test_answers_racing_a_submit_are_in_the_result_or_refused(
    live_server: str, invite: Any, db: Session
) -> None:
    refused_seen = 0
    for trial in range(TRIALS):
        invitation = invite(email=f"racer{trial}@example.com")
        with Participant(live_server, invitation.token) as rep:
            page = rep.consent()
            likert: list[str] = []
            while page.radios:
                values = {item: options[0] for item, options in page.radios.items()}
                values = {name.removeprefix("answer:"): v for name, v in values.items()}
                likert += [i for i, v in values.items() if v == "1"]
                page = rep.send_page(page, values)
        changes = [(likert[k % len(likert)], "5") for k in range(ANSWERS)]
        statuses = _race(live_server, invitation.token, changes)
        assert set(statuses) <= {204, 409}, statuses
        refused_seen += statuses.count(409)

        db.expire_all()
        assessment = db.get(Assessment, invitation.assessment.id)
        assert assessment is not None and assessment.status == "completed"
        results = db.scalars(select(Result).where(Result.assessment_id == assessment.id)).all()
        assert len(results) == 1
        stored = results[0].payload
        again = _rescored(db, assessment, results[0])
        assert [c["raw"] for c in stored["competencies"]] == [
            c["raw"] for c in again["competencies"]
        ]
        assert stored == again
        # Every accepted change is in the stored answers (and so in the result).
        accepted = {
            item for (item, _), status in zip(changes, statuses, strict=True) if status == 204
        }
        held = dict(
            db.execute(
                select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment.id)
            ).all()
        )
        assert all(held[item] == "5" for item in accepted)
    assert refused_seen > 0  # the race happened: some answers came after the claim
