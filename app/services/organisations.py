"""Organisations (the customers) and their teams of reps."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.limits import max_length, text_problem
from app.models import Organisation, Team

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:64].strip("-")


def create_organisation(*, db: Session, name: str, slug: str | None = None) -> Organisation:
    name = name.strip()
    if not name:
        raise UserError("organisation name must not be empty")
    slug = slug.strip().lower() if slug else slugify(name)
    if not SLUG_PATTERN.match(slug):
        raise UserError(f"organisation slug {slug!r} must be lower-case letters, digits and dashes")
    if db.scalar(select(Organisation).where(Organisation.slug == slug)) is not None:
        raise UserError(f"an organisation with slug {slug!r} already exists")
    organisation = Organisation(name=name, slug=slug)
    db.add(organisation)
    db.flush()
    return organisation


def find_organisation(*, db: Session, slug: str) -> Organisation | None:
    return db.scalar(select(Organisation).where(Organisation.slug == slug))


def get_organisation(*, db: Session, slug: str) -> Organisation:
    organisation = find_organisation(db=db, slug=slug)
    if organisation is None:
        raise UserError(f"no organisation with slug {slug!r}")
    return organisation


class InvalidTeamName(UserError):
    status_code = 422


class DuplicateTeamName(UserError):
    """Another team of the organisation (archived ones included) has this name."""

    status_code = 409


def team_name(*, db: Session, organisation_id: str, name: str, team_id: str | None = None) -> str:
    """The name tidied, or UserError saying why it cannot be a team's name. Names are unique
    per organisation (case-insensitively), so pickers and the CLI never show two alike."""
    name = " ".join(name.split())
    if not name:
        raise InvalidTeamName("team name must not be empty")
    problem = text_problem(name, max_length(Team.name))
    if problem:
        raise InvalidTeamName(f"team name {problem}")
    same = db.scalars(
        select(Team).where(Team.organisation_id == organisation_id, Team.id != (team_id or ""))
    )
    if any(team.name.casefold() == name.casefold() for team in same):
        raise DuplicateTeamName(f"a team named {name!r} already exists")
    return name


def create_team(*, db: Session, organisation: Organisation, name: str) -> Team:
    name = team_name(db=db, organisation_id=organisation.id, name=name)
    team = Team(organisation_id=organisation.id, name=name)
    db.add(team)
    db.flush()
    return team


def find_team(*, db: Session, organisation: Organisation, name: str) -> Team | None:
    return db.scalar(select(Team).where(Team.organisation_id == organisation.id, Team.name == name))
