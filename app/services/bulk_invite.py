"""Inviting many reps from a CSV file: the upload kept until the manager confirms, the rows
checked against the organisation (teams, external ids, open invitations), and the import,
all rows or none, in the caller's one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.limits import clip
from app.models import InstrumentVersion, InviteUpload, Organisation, Participant, Team
from app.services import invitations, notifications
from app.services.access import Scope
from app.services.invite_csv import CsvRow, ParsedCsv, RowError, parse
from app.services.notice import Purpose

UPLOAD_KEPT = timedelta(hours=24)  # an upload nobody confirmed is deleted after this


@dataclass(frozen=True)
class PlannedRow:
    row: CsvRow
    team: Team | None
    open_assessment_id: str | None  # the person already has an open invitation


@dataclass
class Checked:
    encoding: str
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def already_invited(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.open_assessment_id]


def save_upload(
    *, db: Session, organisation_id: str, user_id: str, filename: str, text: str
) -> InviteUpload:
    """Keep the decoded file for the confirmation step; old unconfirmed uploads go."""
    now = utcnow()
    db.execute(delete(InviteUpload).where(InviteUpload.created_at < now - UPLOAD_KEPT))
    upload = InviteUpload(
        organisation_id=organisation_id,
        user_id=user_id,
        filename=clip(InviteUpload.filename, filename or "upload.csv"),
        content=text,
        created_at=now,
    )
    db.add(upload)
    db.flush()
    return upload


def find_upload(
    *, db: Session, organisation_id: str, user_id: str, upload_id: str
) -> InviteUpload | None:
    """The signed-in user's own upload, or None (another user's or organisation's is None)."""
    # Locked: a double-clicked confirmation waits for the first, then finds the upload gone.
    upload = db.get(InviteUpload, upload_id, with_for_update=True)
    if upload is None or upload.organisation_id != organisation_id or upload.user_id != user_id:
        return None
    if upload.created_at < utcnow() - UPLOAD_KEPT:
        return None
    return upload


def _teams(db: Session, scope: Scope) -> dict[str, Team]:
    """The teams the inviting user may invite to, by id and by name (case does not matter)."""
    by: dict[str, Team] = {}
    for team in db.scalars(select(Team).where(scope.teams())):
        by[team.id] = team
        by.setdefault(team.name.strip().casefold(), team)
    return by


def _external_ids(db: Session, organisation_id: str, ids: list[str]) -> dict[str, str]:
    """external id -> e-mail of the participant who has it already."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        rows = db.execute(
            select(Participant.external_id, Participant.email).where(
                Participant.organisation_id == organisation_id,
                Participant.external_id.in_(ids[start : start + 500]),
            )
        )
        found.update((external_id, email) for external_id, email in rows if external_id)
    return found


def check(*, db: Session, scope: Scope, parsed: ParsedCsv, default_team: Team | None) -> Checked:
    """The file's rows as they would be invited, with the errors only the database can tell:
    an unknown team (or, for a manager, none of theirs), an external id that belongs to
    someone else."""
    organisation_id = scope.organisation_id
    checked = Checked(encoding=parsed.encoding, errors=list(parsed.errors))
    teams = _teams(db, scope)
    owners = _external_ids(
        db, organisation_id, [r.external_id for r in parsed.rows if r.external_id]
    )
    open_ones = invitations.open_invitations(
        db=db, organisation_id=organisation_id, emails=[r.email for r in parsed.rows]
    )
    for row in parsed.rows:
        team = default_team
        if row.team:
            team = teams.get(row.team) or teams.get(row.team.casefold())
            if team is None:
                checked.errors.append(
                    RowError(
                        row.line,
                        "team",
                        f"there is no team {row.team[:80]!r}; create it or leave the cell empty",
                    )
                )
                continue
        if team is None and not scope.whole_organisation:
            # A manager sees only their teams' reps: one invited to no team would vanish.
            checked.errors.append(
                RowError(row.line, "team", "name one of your teams, or choose a default team")
            )
            continue
        owner = owners.get(row.external_id) if row.external_id else None
        if owner is not None and owner != row.email:
            checked.errors.append(
                RowError(row.line, "external_id", f"{row.external_id!r} belongs to {owner} already")
            )
            continue
        found = open_ones.get(row.email)
        checked.rows.append(PlannedRow(row, team, found.id if found else None))
    checked.errors.sort(key=lambda e: e.line or 0)
    return checked


def read(
    *, db: Session, scope: Scope, text: str, encoding: str, default_team: Team | None
) -> Checked:
    return check(
        db=db,
        scope=scope,
        parsed=parse(text, encoding),
        default_team=default_team,
    )


def invite_all(
    *,
    db: Session,
    organisation: Organisation,
    instrument_version: InstrumentVersion,
    checked: Checked,
    purpose: Purpose,
    send_email: bool,
    invite_again: bool,
    actor: str,
    sender_name: str | None,
    seal_with: str,
    now: datetime | None = None,
) -> list[invitations.Invitation]:
    """Invite every row (those with an open invitation only when `invite_again`). The caller
    checked that there are no errors; any failure here rolls back the caller's transaction,
    so either all are invited or none."""
    if checked.errors:
        raise ValueError("a file with errors is not imported")
    now = now or utcnow()
    chosen = [p for p in checked.rows if invite_again or not p.open_assessment_id]
    invited = invitations.invite_many(
        db=db,
        organisation=organisation,
        instrument_version=instrument_version,
        reps=[
            invitations.NewRep(
                email=p.row.email,
                first_name=p.row.first_name,
                last_name=p.row.last_name,
                external_id=p.row.external_id,
                team_id=p.team.id if p.team else None,
            )
            for p in chosen
        ],
        purpose=purpose,
        actor=actor,
        seal_with=seal_with,
        now=now,
    )
    if send_email:
        for invitation in invited:
            notifications.enqueue_email(
                db=db,
                assessment=invitation.assessment,
                message=notifications.Message.INVITATION,
                sender_name=sender_name,
                now=now,
            )
    return invited
