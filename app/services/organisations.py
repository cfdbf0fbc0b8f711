"""Organisations (the customers) and their teams of reps."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
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


def create_team(*, db: Session, organisation: Organisation, name: str) -> Team:
    name = name.strip()
    if not name:
        raise UserError("team name must not be empty")
    team = Team(organisation_id=organisation.id, name=name)
    db.add(team)
    db.flush()
    return team


def find_team(*, db: Session, organisation: Organisation, name: str) -> Team | None:
    return db.scalar(select(Team).where(Team.organisation_id == organisation.id, Team.name == name))
