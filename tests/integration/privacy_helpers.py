"""Helpers of the privacy and audit tests: a person with every kind of data StageFit can hold
about them, and searches of every table, the PDF cache and the written e-mails."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.delivery.smtp import outbox_dir
from app.models import ApiKey, Base, IdempotencyKey, Organisation
from app.reports.cache import cache_dir
from app.services import invitations, notifications
from app.services.apikeys import create_api_key
from tests.integration.test_manager_pages import complete
from tests.unit.report_helpers import pdf_pages


@dataclass(frozen=True)
class Person:
    participant_id: str
    assessment_id: str
    first_name: str
    last_name: str
    email: str
    external_id: str

    @property
    def traces(self) -> tuple[str, ...]:
        """What would identify them, as it could be stored (names also in upper case: PDFs)."""
        return (self.first_name, self.last_name, self.email, self.external_id)


def person_with_everything(
    db: Session,
    organisation: Organisation,
    version: Any,
    *,
    tag: str,
    seed: int = 3,
    deliver: Callable[[], Any] | None = None,
    secret: str = "test-secret-key-that-is-long-enough-0123456789",
) -> Person:
    """A completed assessment with an invitation e-mail, webhook messages (an endpoint must
    exist to get those) and a stored API response naming them, ordered with an external id;
    `deliver` runs the worker's drain once the invitation is queued."""
    invitation = invitations.invite(
        db=db,
        organisation=organisation,
        instrument_version=version,
        email=f"zeb.{tag}@quill.example",
        first_name=f"Zebediah{tag.capitalize()}",
        last_name=f"Quill{tag}feather",
        external_id=f"HR-{tag}-998877",
        seal_with=secret,  # the settings' key: the worker can then send the link
    )
    assessment = invitation.assessment
    notifications.enqueue_email(
        db=db, assessment=assessment, message=notifications.Message.INVITATION
    )
    participant = assessment.participant
    key = db.scalar(select(ApiKey).where(ApiKey.organisation_id == organisation.id))
    if key is None:
        key = create_api_key(db=db, organisation=organisation, name="HRIS").api_key
    # The response an Idempotency-Key retry would get: it names the person.
    db.add(
        IdempotencyKey(
            api_key_id=key.id,
            key=f"order-{tag}",
            request_hash="0" * 64,
            status_code=201,
            response={
                "id": assessment.id,
                "participant": {
                    "id": participant.id,
                    "email": participant.email,
                    "first_name": participant.first_name,
                    "last_name": participant.last_name,
                    "external_id": participant.external_id,
                },
            },
        )
    )
    db.commit()
    if deliver is not None:
        deliver()  # the invitation goes out (to var/outbox/) before the rep answers
    complete(db, invitation, seed=seed)
    return Person(
        participant_id=participant.id,
        assessment_id=assessment.id,
        first_name=participant.first_name,
        last_name=participant.last_name,
        email=participant.email,
        external_id=participant.external_id or "",
    )


def found_in_tables(database: Database, traces: tuple[str, ...]) -> list[str]:
    """`table.column` of every stored value that contains one of `traces` (any case),
    searching every text and JSON column of every table the models know."""
    wanted = [t.lower() for t in traces]
    hits = []
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if any(t in text.lower() for t in wanted):
                        hits.append(f"{table.name}.{column}")
    return hits


def found_in_files(traces: tuple[str, ...]) -> list[str]:
    """Files of the PDF cache (text extracted from PDFs) and of the written e-mails that
    contain one of `traces` (any case)."""
    wanted = [t.lower() for t in traces]
    hits = []
    for directory in (cache_dir(), outbox_dir()):
        for path in directory.glob("*") if directory.is_dir() else []:
            if any(t in _text_of(path).lower() for t in wanted):
                hits.append(str(path))
    return hits


def _text_of(path: Path) -> str:
    data = path.read_bytes()
    text = data.decode("utf-8", "replace")
    if path.suffix == ".pdf":
        text += " ".join(pdf_pages(data))
    return text
