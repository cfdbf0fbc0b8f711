"""Invitations: a participant link for one rep or for many at once, links renewed, and the
open invitations a manager is warned of before inviting someone twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import as_utc, utcnow
from app.config import Settings
from app.errors import UserError
from app.models import Assessment, InstrumentVersion, Organisation, Participant, Team, new_id
from app.sealing import seal, unseal
from app.services import audit, events
from app.services.assessments import expire_due, status_seen
from app.services.instruments import default_norm_table
from app.services.notice import Purpose
from app.services.tokens import new_token
from app.services.users import normalise_email
from app.vocabulary import OPEN_STATUSES, AssessmentStatus

DEFAULT_VALIDITY = timedelta(days=30)


@dataclass(frozen=True)
class Invitation:
    assessment: Assessment
    token: str  # shown once: only its hash is stored


LINK = "participant-link"  # the sealing purpose of participant tokens


def participant_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/a/{token}"


def link_of(settings: Settings, assessment: Assessment) -> str | None:
    """The participant's link again, from its sealed copy; None when there is none (made
    before links were kept, or under another secret key)."""
    token = unseal(settings.secret_key, LINK, assessment.token_sealed)
    return participant_url(settings, token) if token else None


def find_or_create_participant(
    *,
    db: Session,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    external_id: str | None = None,
    team_id: str | None = None,
) -> Participant:
    email = normalise_email(email)
    participant = db.scalar(
        select(Participant).where(
            Participant.organisation_id == organisation.id, Participant.email == email
        )
    )
    if participant is None:
        participant = Participant(
            organisation_id=organisation.id,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        db.add(participant)
    if external_id is not None:
        participant.external_id = external_id
    if team_id is not None:
        participant.team_id = team_id
    db.flush()
    return participant


@dataclass(frozen=True)
class NewRep:
    """A person to invite, as a manager, a file or an HR system names them."""

    email: str
    first_name: str
    last_name: str
    external_id: str | None = None
    team_id: str | None = None
    participant: Participant | None = None  # already found or made by the caller


def invite(
    *,
    db: Session,
    organisation: Organisation,
    instrument_version: InstrumentVersion,
    email: str,
    first_name: str,
    last_name: str,
    external_id: str | None = None,
    team_id: str | None = None,
    expires_at: datetime | None = None,
    locale: str = "en",
    purpose: Purpose = Purpose.DEVELOPMENT,
    actor: str = "cli",
    seal_with: str | None = None,
    participant: Participant | None = None,
    now: datetime | None = None,
) -> Invitation:
    """A new assessment with the instrument version and its norm table frozen now.
    `seal_with` (the secret key) keeps a sealed copy of the link, to send or show it again.
    `participant`: the one found or created by the caller already (else found by e-mail)."""
    rep = NewRep(email, first_name, last_name, external_id, team_id, participant)
    [invitation] = invite_many(
        db=db,
        organisation=organisation,
        instrument_version=instrument_version,
        reps=[rep],
        expires_at=expires_at,
        locale=locale,
        purpose=purpose,
        actor=actor,
        seal_with=seal_with,
        now=now,
    )
    return invitation


def _participants(db: Session, organisation: Organisation, reps: list[NewRep]) -> list[Participant]:
    """find_or_create_participant for many at once: one query per 500 addresses and one
    flush, so a file of hundreds of reps is invited in a second, not row by row."""
    emails = [normalise_email(rep.email) for rep in reps]
    known: dict[str, Participant] = {}
    distinct = sorted(set(emails))
    for start in range(0, len(distinct), 500):
        known.update(
            (p.email, p)
            for p in db.scalars(
                select(Participant).where(
                    Participant.organisation_id == organisation.id,
                    Participant.email.in_(distinct[start : start + 500]),
                )
            )
        )
    found = []
    for email, rep in zip(emails, reps, strict=True):
        if rep.participant is not None:  # found (or made) by the caller, e.g. by external id
            if rep.team_id is not None:
                rep.participant.team_id = rep.team_id
            found.append(rep.participant)
            continue
        participant = known.get(email)
        if participant is None:
            participant = Participant(
                id=new_id(),
                organisation_id=organisation.id,
                email=email,
                first_name=rep.first_name.strip(),
                last_name=rep.last_name.strip(),
            )
            db.add(participant)
            known[email] = participant
        if rep.external_id is not None:
            participant.external_id = rep.external_id
        if rep.team_id is not None:
            participant.team_id = rep.team_id
        found.append(participant)
    return found


def invite_many(
    *,
    db: Session,
    organisation: Organisation,
    instrument_version: InstrumentVersion,
    reps: list[NewRep],
    expires_at: datetime | None = None,
    locale: str = "en",
    purpose: Purpose = Purpose.DEVELOPMENT,
    actor: str = "cli",
    seal_with: str | None = None,
    now: datetime | None = None,
) -> list[Invitation]:
    """Invite each of `reps` (see `invite`), in the caller's transaction, in one flush."""
    now = now or utcnow()
    purpose = Purpose(purpose)
    for team_id in {rep.team_id for rep in reps if rep.team_id is not None}:
        team = db.get(Team, team_id)
        if team is None or team.organisation_id != organisation.id:
            raise UserError(f"no team {team_id} in this organisation")
    expires_at = as_utc(expires_at) if expires_at else now + DEFAULT_VALIDITY
    if expires_at <= now:
        raise UserError("expires_at must be in the future")
    norm_table_id = default_norm_table(db, instrument_version).id
    invitations = []
    with db.no_autoflush:  # nothing is read back until the one flush below
        for rep, participant in zip(reps, _participants(db, organisation, reps), strict=True):
            token, token_hash = new_token()
            assessment = Assessment(
                id=new_id(),
                organisation_id=organisation.id,
                participant=participant,  # loaded already: whoever shows it needs them
                instrument_version=instrument_version,
                team_id=rep.team_id if rep.team_id is not None else participant.team_id,
                instrument_version_id=instrument_version.id,
                norm_table_id=norm_table_id,
                status=AssessmentStatus.INVITED,
                token_hash=token_hash,
                token_sealed=seal(seal_with, LINK, token) if seal_with else None,
                locale=locale,
                purpose=purpose.value,
                created_at=now,
                updated_at=now,
                expires_at=expires_at,
            )
            db.add(assessment)
            audit.record(
                db=db,
                action="assessment.invited",
                actor=actor,
                organisation_id=organisation.id,
                subject_id=assessment.id,
                detail={"instrument": f"{instrument_version.key} {instrument_version.version}"},
            )
            invitations.append(Invitation(assessment=assessment, token=token))
    db.flush()
    events.emit_many(
        db=db,
        event_type="assessment.invited",
        assessments=[i.assessment for i in invitations],
        now=now,
    )
    return invitations


def open_invitations(
    *, db: Session, organisation_id: str, emails: list[str], now: datetime | None = None
) -> dict[str, Assessment]:
    """The newest open assessment of each of these (normalised) e-mail addresses that has one,
    so a manager is warned before inviting the same person twice."""
    now = now or utcnow()
    found: dict[str, Assessment] = {}
    for start in range(0, len(emails), 500):  # bounded IN lists on every database
        rows = db.execute(
            select(Participant.email, Assessment)
            .join(Assessment, Assessment.participant_id == Participant.id)
            .where(
                Participant.organisation_id == organisation_id,
                Participant.email.in_(emails[start : start + 500]),
                status_seen(now).in_(OPEN_STATUSES),
            )
            .order_by(Assessment.created_at)
        )
        found.update({email: assessment for email, assessment in rows})
    return found


def renew_link(
    *,
    db: Session,
    assessment: Assessment,
    seal_with: str,
    actor: str = "cli",
    now: datetime | None = None,
) -> Invitation:
    """A new participant link for an open assessment, without cancelling it: answers given so
    far stay, the old link stops working at once (its hash is replaced)."""
    now = now or utcnow()
    expire_due(db=db, now=now, assessment_id=assessment.id)
    if assessment.status not in OPEN_STATUSES:
        raise UserError(f"assessment {assessment.id} is {assessment.status}; it has no link")
    token, token_hash = new_token()
    assessment.token_hash = token_hash
    assessment.token_sealed = seal(seal_with, LINK, token)
    assessment.updated_at = now
    audit.record(
        db=db,
        action="assessment.link_renewed",
        actor=actor,
        organisation_id=assessment.organisation_id,
        subject_id=assessment.id,
    )
    db.flush()
    return Invitation(assessment=assessment, token=token)
