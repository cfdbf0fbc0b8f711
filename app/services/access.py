"""Who sees what in the manager app: an admin the whole organisation, a manager only the
teams they manage. Every manager page reads through one Scope, so the rule lives here once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.models import Assessment, Participant, Team, TeamManager
from app.services.sessions import SignedInUser
from app.vocabulary import Role


@dataclass(frozen=True)
class Scope:
    """An organisation and, for a manager, the teams they manage (None: every team)."""

    organisation_id: str
    team_ids: frozenset[str] | None = None

    @property
    def whole_organisation(self) -> bool:
        return self.team_ids is None

    def sees_team(self, team: Team | None) -> bool:
        if team is None or team.organisation_id != self.organisation_id:
            return False
        return self.team_ids is None or team.id in self.team_ids

    def teams(self) -> ColumnElement[bool]:
        """A WHERE clause on Team."""
        return and_(Team.organisation_id == self.organisation_id, self._in(Team.id))

    def assessments(self) -> ColumnElement[bool]:
        """A WHERE clause on Assessment joined with its Participant: a manager sees a rep's
        assessment when either the assessment or the rep is in one of their teams."""
        if self.team_ids is None:
            return Assessment.organisation_id == self.organisation_id
        return and_(
            Assessment.organisation_id == self.organisation_id,
            or_(self._in(Assessment.team_id), self._in(Participant.team_id)),
        )

    def _in(
        self, column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None]
    ) -> ColumnElement[bool]:
        if self.team_ids is None:
            return true()
        if not self.team_ids:
            return false()
        return column.in_(sorted(self.team_ids))


def scope_of(*, db: Session, user: SignedInUser) -> Scope:
    """The signed-in user's scope; any role but admin is limited to the teams it manages."""
    if user.role == Role.ADMIN:
        return Scope(user.organisation_id)
    managed = db.scalars(
        select(TeamManager.team_id)
        .join(Team, Team.id == TeamManager.team_id)
        .where(TeamManager.user_id == user.id, Team.organisation_id == user.organisation_id)
    )
    return Scope(user.organisation_id, frozenset(managed))


def find_assessment(*, db: Session, scope: Scope, assessment_id: str) -> Assessment | None:
    """The assessment if the scope sees it; None for anything else (404 to the caller)."""
    found = db.execute(
        select(Assessment)
        .join(Participant, Participant.id == Assessment.participant_id)
        .where(Assessment.id == assessment_id, scope.assessments())
    ).scalar_one_or_none()
    return found


def find_team(*, db: Session, scope: Scope, team_id: str) -> Team | None:
    team = db.get(Team, team_id)
    return team if scope.sees_team(team) else None
