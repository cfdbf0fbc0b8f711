"""Participants as HR systems see them: one person per `external_id` (the HR system's own id)
within an organisation, created or brought up to date by an upsert, found by id, listed a page
at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UserError
from app.models import Participant, Team
from app.models.base import new_id
from app.services import paging
from app.services.users import normalise_email


class NotFound(UserError):
    status_code = 404


class Conflict(UserError):
    status_code = 409


@dataclass(frozen=True)
class Upserted:
    participant: Participant
    created: bool


def check_team(db: Session, organisation_id: str, team_id: str | None) -> None:
    if team_id is None:
        return
    team = db.get(Team, team_id)
    if team is None or team.organisation_id != organisation_id:
        raise NotFound(f"no team {team_id} in your organisation")


class Lookup:
    """An organisation's participants by e-mail and by external_id, for upserting many at
    once: loaded with two queries instead of two per person."""

    def __init__(
        self, db: Session, organisation_id: str, emails: list[str], external_ids: list[str]
    ) -> None:
        self.by_email: dict[str, Participant] = {}
        self.by_external: dict[str, Participant] = {}
        base = select(Participant).where(Participant.organisation_id == organisation_id)
        for chunk in _chunks(sorted({normalise_email(e) for e in emails})):
            for p in db.scalars(base.where(Participant.email.in_(chunk))):
                self.add(p)
        for chunk in _chunks(sorted(set(external_ids))):
            for p in db.scalars(base.where(Participant.external_id.in_(chunk))):
                self.add(p)

    def add(self, participant: Participant) -> None:
        self.by_email[participant.email] = participant
        if participant.external_id is not None:
            self.by_external[participant.external_id] = participant


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def upsert(
    *,
    db: Session,
    organisation_id: str,
    email: str,
    first_name: str,
    last_name: str,
    external_id: str | None = None,
    team_id: str | None = None,
    lookup: Lookup | None = None,
    now: datetime | None = None,
) -> Upserted:
    """The participant with `external_id` (else with `email`), created or updated to the
    values given: the HR system is the source of truth for its people. A 409 when the e-mail
    address belongs to another participant, or the person found by e-mail has another
    external_id. `lookup`: participants loaded already (many upserts in one transaction)."""
    check_team(db, organisation_id, team_id)
    email = normalise_email(email)
    if lookup is None:
        lookup = Lookup(db, organisation_id, [email], [external_id] if external_id else [])
    by_email = lookup.by_email.get(email)
    participant = by_email
    if external_id is not None:
        by_external = lookup.by_external.get(external_id)
        if by_external is not None:
            if by_email is not None and by_email.id != by_external.id:
                raise Conflict(
                    f"{email} belongs to another participant ({by_email.id}) than "
                    f"external_id {external_id!r} ({by_external.id})"
                )
            participant = by_external
        elif by_email is not None and by_email.external_id not in (None, external_id):
            raise Conflict(
                f"{email} belongs to a participant with another external_id "
                f"({by_email.external_id!r})"
            )
    created = participant is None
    if participant is None:
        # The id is set here, not at the flush, so callers can use it before one.
        participant = Participant(
            id=new_id(), organisation_id=organisation_id, created_at=now or utcnow()
        )
        db.add(participant)
    elif participant.email != email:
        lookup.by_email.pop(participant.email, None)
    participant.email = email
    participant.first_name = first_name.strip()
    participant.last_name = last_name.strip()
    if external_id is not None:
        participant.external_id = external_id
    if team_id is not None:
        participant.team_id = team_id
    lookup.add(participant)
    return Upserted(participant=participant, created=created)


def find(*, db: Session, organisation_id: str, participant_id: str) -> Participant:
    participant = db.get(Participant, participant_id)
    if participant is None or participant.organisation_id != organisation_id:
        raise NotFound(f"no participant {participant_id} in your organisation")
    return participant


def list_page(
    *,
    db: Session,
    organisation_id: str,
    limit: int,
    cursor: str | None = None,
    external_id: str | None = None,
    email: str | None = None,
    team_id: str | None = None,
) -> paging.Page[Participant]:
    """Participants in the order they were created, `limit` at a time."""
    query = select(Participant).where(Participant.organisation_id == organisation_id)
    if external_id is not None:
        query = query.where(Participant.external_id == external_id)
    if email is not None:
        query = query.where(Participant.email == normalise_email(email))
    if team_id is not None:
        query = query.where(Participant.team_id == team_id)
    if cursor is not None:
        query = query.where(paging.after(Participant.created_at, Participant.id, cursor))
    rows = list(db.scalars(query.order_by(Participant.created_at, Participant.id).limit(limit + 1)))
    return paging.page(rows, limit, lambda p: (p.created_at, p.id))
