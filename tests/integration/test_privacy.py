"""A participant's data exported and erased through the HR API, over real HTTP: nothing
personal is left in any table, the PDF cache or the written e-mails; results stay only
de-identified, and only where the organisation allows it; other organisations' people are
404 and a read-only key cannot erase."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import Database
from app.models import (
    Answer,
    Assessment,
    AuditEvent,
    DeidentifiedResult,
    Organisation,
    PageTiming,
    Participant,
    Result,
)
from app.services.apikeys import create_api_key
from app.services.norm_export import export_responses
from app.services.organisations import create_organisation
from tests.integration.delivery_helpers import add_endpoint
from tests.integration.privacy_helpers import (
    found_in_files,
    found_in_tables,
    person_with_everything,
)
from tests.unit.report_helpers import pdf_pages

CLOSED_PORT_URL = "http://127.0.0.1:9/hooks"  # nothing listens: webhooks fail and are logged


def _key(db: Session, organisation: Organisation, scopes: str = "read write") -> str:
    key = create_api_key(db=db, organisation=organisation, name=f"key {scopes}", scopes=scopes)
    db.commit()
    return key.key


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _count(db: Session, model: Any, *where: Any) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_erasure_leaves_nothing_personal_anywhere(
    http: httpx.Client,
    db: Session,
    database: Database,
    org: Organisation,
    mini_instrument_version: Any,
    deliver_outbox: Any,
    settings: Settings,
) -> None:
    add_endpoint(db, org, CLOSED_PORT_URL)
    person = person_with_everything(
        db, org, mini_instrument_version, tag="gone", deliver=deliver_outbox
    )
    other = person_with_everything(db, org, mini_instrument_version, tag="stays", seed=5)
    key = _key(db, org)
    deliver_outbox()  # e-mails written to var/outbox/, webhooks failed and logged
    for who in (person, other):  # their PDFs in the cache
        pdf = http.get(f"/api/v1/assessments/{who.assessment_id}/report.pdf", headers=_bearer(key))
        assert pdf.status_code == 200 and who.last_name in " ".join(pdf_pages(pdf.content))
    # Before: the person is everywhere the test looks (so the search can find them).
    before = found_in_tables(database, person.traces)
    assert {"participants.email", "outbox_messages.recipient", "idempotency_keys.response"} <= {
        *before
    }
    assert any("delivery_attempts" in hit or "outbox_messages.payload" in hit for hit in before)
    assert any(p.endswith(".pdf") for p in found_in_files(person.traces))
    assert any(p.endswith(".eml") for p in found_in_files(person.traces))

    erased = http.delete(f"/api/v1/participants/{person.participant_id}", headers=_bearer(key))

    assert erased.status_code == 204
    assert found_in_tables(database, person.traces) == []
    assert found_in_files(person.traces) == []
    for model in (Participant, Assessment, Answer, PageTiming, Result):
        column = model.id if model in (Participant, Assessment) else model.assessment_id
        assert _count(db, model, column == person.assessment_id) == 0
    assert _count(db, Participant, Participant.id == person.participant_id) == 0
    # The other rep of the organisation keeps everything, their cached PDF too.
    assert found_in_tables(database, (other.email,))
    assert any(p.endswith(".pdf") for p in found_in_files((other.first_name,)))
    # The completed result is kept de-identified, for norms: answers and scores, no person.
    kept = db.scalars(select(DeidentifiedResult)).all()
    assert len(kept) == 1 and kept[0].answers and kept[0].scores["competencies"]
    assert "assessment_id" not in kept[0].scores and len(kept[0].completed_month) == 7
    norms = export_responses(db=db, organisation=org, instrument_key=mini_instrument_version.key)
    assert len(norms.rows) == 2  # the kept result is in the norm export, beside the other
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "participant.erased"))
    assert event is not None and event.subject_id == person.participant_id
    assert event.actor.startswith("apikey:") and event.detail["kept_deidentified"] == 1
    # Gone means gone: a second erase or an export is 404.
    again = http.delete(f"/api/v1/participants/{person.participant_id}", headers=_bearer(key))
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"
    exported = http.get(
        f"/api/v1/participants/{person.participant_id}/export", headers=_bearer(key)
    )
    assert exported.status_code == 404


def test_without_deidentified_norming_nothing_is_kept(
    http: httpx.Client,
    db: Session,
    database: Database,
    org: Organisation,
    mini_instrument_version: Any,
) -> None:
    org.deidentified_norming = False
    db.commit()
    person = person_with_everything(db, org, mini_instrument_version, tag="nonorm")
    key = _key(db, org)
    assert (
        http.delete(
            f"/api/v1/participants/{person.participant_id}", headers=_bearer(key)
        ).status_code
        == 204
    )
    assert _count(db, DeidentifiedResult) == 0
    assert _count(db, Result) == 0 and _count(db, Answer) == 0
    assert found_in_tables(database, person.traces) == []


def test_an_erased_person_is_not_left_in_the_sqlite_files(
    http: httpx.Client,
    db: Session,
    database: Database,
    org: Organisation,
    mini_instrument_version: Any,
) -> None:
    """Deleted rows stay on disk unless overwritten: in a free part of a page and in the
    write-ahead log's older frames. Erased means erased from the file, too."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps dead rows until VACUUM: its files are the DBA's")
    path = database.engine.url.database
    assert path is not None
    database_file, wal = Path(path), Path(f"{path}-wal")
    with database.engine.connect() as connection:  # a fresh log: the person's pages go in it
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    person = person_with_everything(db, org, mini_instrument_version, tag="ondisk")
    key = _key(db, org)
    db.close()  # no read of ours holds back the write-ahead log

    def read(*files: Path) -> bytes:
        # Read by another process: closing a file here would drop the POSIX locks that this
        # process's SQLite connections hold on it, and other processes would then think the
        # database unused (and remove its log from under them).
        existing = [str(f) for f in files if f.exists()]
        return subprocess.run(["cat", *existing], capture_output=True, check=True).stdout

    def found() -> list[str]:
        raw = read(database_file, wal)
        return [t for t in (person.email, person.last_name) if t.encode() in raw]

    assert person.email.encode() in read(wal)  # the older frames this is about
    assert found() == [person.email, person.last_name]  # the search can find them
    erased = http.delete(f"/api/v1/participants/{person.participant_id}", headers=_bearer(key))
    assert erased.status_code == 204
    assert found() == []


def test_export_holds_everything_about_the_person(
    http: httpx.Client,
    db: Session,
    org: Organisation,
    mini_instrument_version: Any,
    deliver_outbox: Any,
) -> None:
    add_endpoint(db, org, CLOSED_PORT_URL)
    person = person_with_everything(
        db, org, mini_instrument_version, tag="export", deliver=deliver_outbox
    )
    deliver_outbox()
    key = _key(db, org, scopes="read")

    response = http.get(
        f"/api/v1/participants/{person.participant_id}/export", headers=_bearer(key)
    )

    assert response.status_code == 200
    body = response.json()
    assert body["participant"] | {} == body["participant"]
    assert body["participant"]["email"] == person.email
    assert body["participant"]["external_id"] == person.external_id
    assert body["participant"]["last_name"] == person.last_name
    (assessment,) = body["assessments"]
    assert assessment["id"] == person.assessment_id and assessment["status"] == "completed"
    stored = db.scalar(select(Result).where(Result.assessment_id == person.assessment_id))
    assert stored is not None and assessment["result"] == stored.payload
    assert len(assessment["answers"]) == _count(
        db, Answer, Answer.assessment_id == person.assessment_id
    )
    assert len(assessment["page_timings"]) == _count(
        db, PageTiming, PageTiming.assessment_id == person.assessment_id
    )
    kinds = {(m["kind"], m["topic"]) for m in body["messages"]}
    assert ("email", "invitation") in kinds and ("webhook", "assessment.completed") in kinds
    email = next(m for m in body["messages"] if m["kind"] == "email")
    assert email["recipient"] == person.email and email["deliveries"]
    webhook = next(m for m in body["messages"] if m["kind"] == "webhook")
    assert webhook["deliveries"][0]["outcome"] != "delivered"
    actions = {e["action"] for e in body["audit_events"]}
    assert {"assessment.invited", "assessment.started", "assessment.completed"} <= actions
    exported = db.scalar(select(AuditEvent).where(AuditEvent.action == "participant.exported"))
    assert exported is not None and exported.subject_id == person.participant_id


@pytest.mark.parametrize(
    "participant_id",
    ["no-such-id", "00000000-0000-0000-0000-000000000000", "é…🙂", "x" * 300, "a%00b"],
)
def test_unknown_or_another_organisations_participant_is_404(
    http: httpx.Client,
    db: Session,
    org: Organisation,
    mini_instrument_version: Any,
    participant_id: str,
) -> None:
    rival = create_organisation(db=db, name="Rival", slug="rival")
    db.commit()
    theirs = person_with_everything(db, rival, mini_instrument_version, tag="rival")
    key = _key(db, org)
    for target in (theirs.participant_id, participant_id):
        assert (
            http.delete(f"/api/v1/participants/{target}", headers=_bearer(key)).status_code == 404
        )
        assert (
            http.get(f"/api/v1/participants/{target}/export", headers=_bearer(key)).status_code
            == 404
        )
    assert _count(db, Participant, Participant.id == theirs.participant_id) == 1


def test_a_read_only_key_cannot_erase_and_no_key_gets_nothing(
    http: httpx.Client, db: Session, org: Organisation, mini_instrument_version: Any
) -> None:
    person = person_with_everything(db, org, mini_instrument_version, tag="ro")
    read_only = _key(db, org, scopes="read")
    path = f"/api/v1/participants/{person.participant_id}"
    refused = http.delete(path, headers=_bearer(read_only))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert http.delete(path).status_code == 401
    assert http.get(f"{path}/export").status_code == 401
    assert http.delete(path, headers=_bearer("sf_live_nope_nope")).status_code == 401
    assert _count(db, Participant, Participant.id == person.participant_id) == 1
