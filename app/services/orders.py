"""Assessments ordered by HR systems through the API: one or up to 500 at once (all or
nothing), found, listed a page at a time, cancelled, reminded, and their result for an ATS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import utcnow
from app.config import Settings
from app.errors import UserError
from app.models import Assessment, InstrumentVersion, Organisation, OutboxMessage, Participant
from app.services import assessments, events, invitations, notifications, paging, participants
from app.services.events import assessment_links
from app.services.instruments import (
    default_norm_table,
    instrument_of,
    list_instrument_versions,
)
from app.vocabulary import AssessmentStatus, status_at

MAX_BULK = 500


class NotFound(UserError):
    status_code = 404


class Conflict(UserError):
    status_code = 409


class Refused(UserError):
    """An order that cannot be placed, with each field at fault (`errors`, as in the 422 of
    a malformed body). Its status: 404 when it names something that does not exist (an
    instrument, another organisation's team), 409 when a participant clashes with another,
    else 422."""

    def __init__(self, detail: str, errors: list[dict[str, str]], status_code: int) -> None:
        super().__init__(detail)
        self.errors = errors
        self.status_code = status_code


Error = tuple[int, dict[str, str]]  # a status and {location, message}


def _error(status: int, location: str, message: str) -> Error:
    return status, {"location": location, "message": message}


def _refused(errors: list[Error], *, bulk: bool) -> Refused:
    statuses = {status for status, _ in errors}
    status = 404 if 404 in statuses else 409 if 409 in statuses else 422
    fields = [field for _, field in errors]
    first = f"{fields[0]['location']}: {fields[0]['message']}"
    detail = f"{len(fields)} error(s); nothing was ordered. First: {first}" if bulk else first
    return Refused(detail, fields, status)


@dataclass(frozen=True)
class Order:
    instrument: str  # a key (its newest version) or key@version
    email: str
    first_name: str
    last_name: str
    external_id: str | None = None
    team_id: str | None = None
    expires_at: datetime | None = None
    send_email: bool = False
    locale: str | None = None


@dataclass(frozen=True)
class Ordered:
    assessment: Assessment
    participant_url: str


def find_instrument(
    db: Session, reference: str, installed: list[InstrumentVersion] | None = None
) -> InstrumentVersion | None:
    """`key@version`, or `key` for its newest version (among `installed`, if given)."""
    key, _, version = reference.partition("@")
    installed = list_instrument_versions(db=db) if installed is None else installed
    versions = [v for v in installed if v.key == key]
    if version:
        versions = [v for v in versions if v.version == version]
    return versions[-1] if versions else None


def _check(
    db: Session,
    organisation_id: str,
    order: Order,
    now: datetime,
    where: str,
    installed: list[InstrumentVersion],
) -> list[Error]:
    """What is wrong with `order` (empty when nothing), each error with its field."""
    errors = []
    version = find_instrument(db, order.instrument, installed)
    if version is None:
        message = (
            f"no instrument {order.instrument!r}: GET /api/v1/instruments lists the ones you "
            "can order"
        )
        errors.append(_error(404, f"{where}.instrument", message))
    elif order.locale is not None and order.locale not in instrument_of(version).locales:
        locales = ", ".join(instrument_of(version).locales)
        errors.append(_error(422, f"{where}.locale", f"the instrument has only {locales}"))
    if order.expires_at is not None and order.expires_at <= now:
        errors.append(_error(422, f"{where}.expires_at", "must be in the future"))
    if order.team_id is not None:
        try:
            participants.check_team(db, organisation_id, order.team_id)
        except participants.NotFound:
            errors.append(_error(404, f"{where}.team_id", "no such team in your organisation"))
    return errors


def _place(
    db: Session,
    settings: Settings,
    organisation: Organisation,
    order: Order,
    actor: str,
    now: datetime,
    installed: list[InstrumentVersion],
    lookup: participants.Lookup | None = None,
) -> Ordered:
    version = find_instrument(db, order.instrument, installed)
    assert version is not None  # checked
    participant = participants.upsert(
        db=db,
        organisation_id=organisation.id,
        email=order.email,
        first_name=order.first_name,
        last_name=order.last_name,
        external_id=order.external_id,
        lookup=lookup,
        now=now,
    ).participant
    invitation = invitations.invite(
        db=db,
        organisation=organisation,
        instrument_version=version,
        email=order.email,
        first_name=order.first_name,
        last_name=order.last_name,
        team_id=order.team_id,
        expires_at=order.expires_at,
        locale=order.locale or instrument_of(version).locales[0],
        actor=actor,
        seal_with=settings.secret_key,
        participant=participant,
        now=now,
    )
    if order.send_email:
        notifications.enqueue_email(
            db=db,
            assessment=invitation.assessment,
            message=notifications.Message.INVITATION,
            now=now,
        )
    return Ordered(
        assessment=invitation.assessment,
        participant_url=invitations.participant_url(settings, invitation.token),
    )


def place(
    *,
    db: Session,
    settings: Settings,
    organisation: Organisation,
    order: Order,
    actor: str,
    now: datetime | None = None,
) -> Ordered:
    """Invite the participant (created or updated by external_id or e-mail); with
    `send_email`, the invitation e-mail goes out through the outbox."""
    now = now or utcnow()
    installed = list_instrument_versions(db=db)
    errors = _check(db, organisation.id, order, now, "body", installed)
    if errors:
        raise _refused(errors, bulk=False)
    return _place(db, settings, organisation, order, actor, now, installed)


def place_many(
    *,
    db: Session,
    settings: Settings,
    organisation: Organisation,
    orders: list[Order],
    actor: str,
    now: datetime | None = None,
) -> list[Ordered]:
    """All the orders, or none: every item is checked first and all errors are reported, each
    named by its index (`body.items.3.team_id`)."""
    if len(orders) > MAX_BULK:
        raise _refused([_error(422, "body.items", f"at most {MAX_BULK} items")], bulk=True)
    now = now or utcnow()
    installed = list_instrument_versions(db=db)
    errors = [
        error
        for index, order in enumerate(orders)
        for error in _check(db, organisation.id, order, now, f"body.items.{index}", installed)
    ]
    if errors:
        raise _refused(errors, bulk=True)
    lookup = participants.Lookup(
        db,
        organisation.id,
        [o.email for o in orders],
        [o.external_id for o in orders if o.external_id is not None],
    )
    # Held here so the session's identity map keeps them: invite() finds them without a query.
    used = {find_instrument(db, o.instrument, installed) for o in orders}
    norms = [default_norm_table(db, version) for version in used if version]  # noqa: F841
    with events.batch(db):
        placed, errors = _place_all(
            db, settings, organisation, orders, actor, now, installed, lookup
        )
    if errors:
        raise _refused(errors, bulk=True)
    return placed


def _place_all(
    db: Session,
    settings: Settings,
    organisation: Organisation,
    orders: list[Order],
    actor: str,
    now: datetime,
    installed: list[InstrumentVersion],
    lookup: participants.Lookup,
) -> tuple[list[Ordered], list[Error]]:
    placed: list[Ordered] = []
    errors: list[Error] = []
    for index, order in enumerate(orders):
        try:
            placed.append(_place(db, settings, organisation, order, actor, now, installed, lookup))
        except participants.Conflict as exc:
            # Raised before anything of this item is written; the caller's transaction
            # is rolled back as a whole when we raise below.
            errors.append(_error(409, f"body.items.{index}.participant", str(exc)))
    return placed, errors


def find(*, db: Session, organisation_id: str, assessment_id: str) -> Assessment:
    assessment = db.get(Assessment, assessment_id)
    if assessment is None or assessment.organisation_id != organisation_id:
        raise NotFound(f"no assessment {assessment_id} in your organisation")
    return assessment


def status_now(assessment: Assessment, now: datetime | None = None) -> AssessmentStatus:
    """As readers see it: past its expiry, an open invitation is expired already."""
    return status_at(assessment.status, assessment.expires_at, now or utcnow())


def link(settings: Settings, assessment: Assessment, now: datetime | None = None) -> str | None:
    """The participant's link while it can still be used."""
    if not status_now(assessment, now).is_open:
        return None
    return invitations.link_of(settings, assessment)


def list_page(
    *,
    db: Session,
    organisation_id: str,
    limit: int,
    cursor: str | None = None,
    status: AssessmentStatus | None = None,
    team_id: str | None = None,
    participant_id: str | None = None,
    external_id: str | None = None,
    updated_since: datetime | None = None,
    now: datetime | None = None,
) -> paging.Page[Assessment]:
    """The organisation's assessments by last change (oldest first), `limit` at a time:
    an HR system that remembers the last `updated_at` it saw asks for what changed since."""
    now = now or utcnow()
    query = select(Assessment).where(Assessment.organisation_id == organisation_id)
    if status is not None:
        query = query.where(assessments.status_seen(now) == status)
    if team_id is not None:
        query = query.where(Assessment.team_id == team_id)
    if participant_id is not None:
        query = query.where(Assessment.participant_id == participant_id)
    if external_id is not None:
        query = query.join(Participant, Participant.id == Assessment.participant_id).where(
            Participant.external_id == external_id
        )
    if updated_since is not None:
        query = query.where(Assessment.updated_at >= updated_since)
    if cursor is not None:
        query = query.where(paging.after(Assessment.updated_at, Assessment.id, cursor))
    query = query.order_by(Assessment.updated_at, Assessment.id).limit(limit + 1)
    # What a page shows of each row, in two queries rather than two per row.
    # (Not the instrument's source text: a page needs its key and version only.)
    query = query.options(
        selectinload(Assessment.participant),
        selectinload(Assessment.instrument_version).load_only(
            InstrumentVersion.key, InstrumentVersion.version
        ),
    )
    rows = list(db.scalars(query))
    return paging.page(rows, limit, lambda a: (a.updated_at, a.id))


def cancel(*, db: Session, organisation_id: str, assessment_id: str, actor: str) -> Assessment:
    """Cancelling a cancelled assessment again changes nothing; a completed or expired one
    cannot be cancelled (409)."""
    assessment = find(db=db, organisation_id=organisation_id, assessment_id=assessment_id)
    try:
        return assessments.cancel(db=db, assessment=assessment, actor=actor)
    except UserError as exc:
        raise Conflict(str(exc)) from None


def remind(
    *, db: Session, organisation_id: str, assessment_id: str, now: datetime | None = None
) -> OutboxMessage:
    """Queue a reminder e-mail with the participant's link; only while the link works."""
    now = now or utcnow()
    assessment = find(db=db, organisation_id=organisation_id, assessment_id=assessment_id)
    status = status_now(assessment, now)
    if not status.is_open:
        raise Conflict(f"assessment {assessment.id} is {status}: there is nothing to remind of")
    if assessment.token_sealed is None:
        raise Conflict(f"assessment {assessment.id} has no link that can be sent again")
    return notifications.enqueue_email(
        db=db, assessment=assessment, message=notifications.Message.REMINDER, now=now
    )


def result(
    *, db: Session, settings: Settings, organisation_id: str, assessment_id: str
) -> dict[str, Any]:
    """The result JSON of DESIGN.md, with `links` (absolute) to the reports: 409 until the
    assessment is completed. An invalid result has `summary.score` null (the engine's)."""
    assessment = find(db=db, organisation_id=organisation_id, assessment_id=assessment_id)
    stored = assessments.get_result(db=db, assessment_id=assessment.id)
    if stored is None:
        raise Conflict(
            f"assessment {assessment.id} is {status_now(assessment)}; its result exists once "
            "it is completed"
        )
    links = {k: settings.base_url + v for k, v in assessment_links(assessment.id).items()}
    return {**stored.payload, "links": links}
