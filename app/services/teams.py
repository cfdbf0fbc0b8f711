"""Team use cases: rename, archive and restore, move reps between teams, and assign the
managers who see a team. Creating one is organisations.create_team (the demo uses it too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UserError
from app.models import Assessment, Participant, Team, TeamManager, User
from app.services import audit
from app.services.organisations import team_name
from app.vocabulary import Role


class TeamNotFound(UserError):
    status_code = 404


@dataclass(frozen=True)
class Rep:
    id: str  # the participant's
    first_name: str
    last_name: str
    email: str
    external_id: str | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class ManagerRow:
    id: str
    email: str


def get_team(*, db: Session, organisation_id: str, team_id: str) -> Team:
    """The organisation's team (archived ones too); TeamNotFound for any other id."""
    team = db.get(Team, team_id)
    if team is None or team.organisation_id != organisation_id:
        raise TeamNotFound(f"no team {team_id}")
    return team


def list_teams(*, db: Session, organisation_id: str, archived: bool = False) -> list[Team]:
    """The live teams by name, or with `archived` every team."""
    query = select(Team).where(Team.organisation_id == organisation_id).order_by(Team.name)
    if not archived:
        query = query.where(Team.archived_at.is_(None))
    return list(db.scalars(query))


def rename(*, db: Session, team: Team, name: str, actor: str) -> Team:
    old = team.name
    team.name = team_name(db=db, organisation_id=team.organisation_id, name=name, team_id=team.id)
    _record(db, team, "team.renamed", actor, {"from": old, "to": team.name})
    return team


def archive(*, db: Session, team: Team, actor: str, now: datetime | None = None) -> Team:
    """Hide the team from lists and pickers; its reps, results and managers stay."""
    if team.archived_at is None:
        team.archived_at = now or utcnow()
        _record(db, team, "team.archived", actor)
    return team


def restore(*, db: Session, team: Team, actor: str) -> Team:
    if team.archived_at is not None:
        team.archived_at = None
        _record(db, team, "team.restored", actor)
    return team


def members(*, db: Session, team: Team) -> list[Rep]:
    """The reps whose team this is, by name."""
    rows = db.scalars(
        select(Participant)
        .where(Participant.organisation_id == team.organisation_id, Participant.team_id == team.id)
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    )
    return [Rep(p.id, p.first_name, p.last_name, p.email, p.external_id) for p in rows]


def move_rep(*, db: Session, team: Team, participant_id: str, to: Team, actor: str) -> None:
    """Move a rep of `team` to `to` (a live team of the same organisation). Their
    assessments move with them, so the team pages and reports follow the rep."""
    rep = db.get(Participant, participant_id)
    if rep is None or rep.organisation_id != team.organisation_id or rep.team_id != team.id:
        raise TeamNotFound(f"no rep {participant_id} in team {team.name}")
    if to.organisation_id != team.organisation_id or to.archived_at is not None:
        raise UserError("choose one of the organisation's live teams")
    rep.team_id = to.id
    db.execute(
        update(Assessment)
        .where(
            Assessment.participant_id == rep.id, Assessment.organisation_id == rep.organisation_id
        )
        .values(team_id=to.id, updated_at=utcnow())
    )
    _record(db, team, "team.rep_moved", actor, {"participant_id": rep.id, "to": to.id})


def managers(*, db: Session, team: Team) -> list[ManagerRow]:
    rows = db.scalars(
        select(User)
        .join(TeamManager, TeamManager.user_id == User.id)
        .where(TeamManager.team_id == team.id, User.organisation_id == team.organisation_id)
        .order_by(User.email)
    )
    return [ManagerRow(u.id, u.email) for u in rows]


def manager_choices(*, db: Session, team: Team) -> list[ManagerRow]:
    """Sign-ins with role manager who do not manage the team yet."""
    taken = select(TeamManager.user_id).where(TeamManager.team_id == team.id)
    rows = db.scalars(
        select(User)
        .where(User.organisation_id == team.organisation_id, User.role == Role.MANAGER)
        .where(User.id.not_in(taken))
        .order_by(User.email)
    )
    return [ManagerRow(u.id, u.email) for u in rows]


def assign_manager(*, db: Session, team: Team, user_id: str, actor: str) -> None:
    user = db.get(User, user_id)
    if user is None or user.organisation_id != team.organisation_id:
        raise TeamNotFound(f"no user {user_id} in this organisation")
    if user.role != Role.MANAGER:
        raise UserError(f"{user.email} is an admin and sees every team already")
    if db.get(TeamManager, (team.id, user.id)) is None:
        db.add(TeamManager(team_id=team.id, user_id=user.id))
        _record(db, team, "team.manager_assigned", actor, {"user_id": user.id})
    db.flush()


def unassign_manager(*, db: Session, team: Team, user_id: str, actor: str) -> None:
    db.execute(
        delete(TeamManager).where(TeamManager.team_id == team.id, TeamManager.user_id == user_id)
    )
    _record(db, team, "team.manager_unassigned", actor, {"user_id": user_id})


def _record(
    db: Session, team: Team, action: str, actor: str, detail: dict[str, str] | None = None
) -> None:
    audit.record(
        db=db,
        action=action,
        actor=actor,
        organisation_id=team.organisation_id,
        subject_id=team.id,
        detail=detail,
    )
    db.flush()
