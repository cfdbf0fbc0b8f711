"""The demo organisation: a sales team with completed assessments, open invitations, a sign-in.

Running it again reports the same demo. The sign-in's password and the API key exist only as
hashes in the database, so the demo keeps them (and the invitation tokens) in var/demo.json,
readable by the owner only; if that file is lost, a new password, key and links are issued.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Settings, var_dir
from app.errors import UserError
from app.instrument.model import Instrument
from app.models import Assessment, InstrumentVersion, Organisation, Team
from app.services import assessments, invitations, participation
from app.services.apikeys import create_api_key
from app.services.instruments import instrument_of, load_instruments
from app.services.organisations import create_organisation, create_team, find_organisation
from app.services.users import create_user, find_user, generate_password, set_password
from app.vocabulary import AssessmentStatus, Role

ORGANISATION = "Northwind Components"
SLUG = "northwind-components"
TEAM = "EMEA Field Sales"
MANAGER_EMAIL = "manager@demo.stagefit.local"
DOMAIN = "northwind-components.example"
INSTRUMENT_KEY = "sales-process-inventory"
SEED = 20261127

REPS = (
    ("Amara", "Okafor"),
    ("Lukas", "Brandt"),
    ("Sofia", "Marquez"),
    ("Henrik", "Lindqvist"),
    ("Priya", "Raman"),
    ("Tomasz", "Nowak"),
    ("Claire", "Dubois"),
    ("Matteo", "Ricci"),
    ("Aisha", "Haddad"),
    ("Daniel", "O'Connor"),
    ("Elena", "Popescu"),
    ("Kenji", "Watanabe"),
)
INVITEES = (("Jonas", "Berg"), ("Fatima", "Benali"), ("Oliver", "Hughes"))
# One rep clicked through in a second an item: an invalid result ("answered too fast"), which
# the team page, the team report and the matching API show greyed and leave unassigned.
RUSHED = 5  # Tomasz Nowak
RUSHED_SECONDS = 1.0


def demo_file() -> Path:
    return var_dir() / "demo.json"


def _email(first: str, last: str) -> str:
    local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
    return f"{local}@{DOMAIN}"


def _write_private(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file existed with wider permissions
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)


def _read_kept(organisation: Organisation) -> dict[str, Any] | None:
    path = demo_file()
    if not path.is_file():
        return None
    try:
        kept: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return kept if kept.get("organisation_id") == organisation.id else None


def _latent_profile(
    instrument: Instrument, target: int, rng: np.random.Generator
) -> dict[str, float]:
    """True z-scores that make stage `target` this rep's strongest, others varied."""
    stage = instrument.stages[target]
    weights = {c.competency: c.weight for c in stage.competencies}
    top = max(weights.values())
    return {
        c.key: float(
            np.clip(-0.6 + 2.4 * weights.get(c.key, 0.0) / top + rng.normal(0, 0.35), -2.5, 2.5)
        )
        for c in instrument.competencies
    }


def _complete(
    db: Session,
    assessment: Assessment,
    instrument: Instrument,
    latent: dict[str, float],
    rng: np.random.Generator,
    started: datetime,
    seconds_per_item: float | None = None,
) -> None:
    from app.scoring.simulate import simulate_answers

    answers, seconds = simulate_answers(instrument, latent, rng)
    if seconds_per_item is not None:
        seconds = dict.fromkeys(seconds, seconds_per_item)
    finished = started + timedelta(seconds=sum(seconds.values()))
    participation.complete(
        db=db,
        assessment=assessment,
        answers=answers,
        seconds=seconds,
        started=started,
        now=finished,
    )


def _instrument_version(db: Session, settings: Settings) -> InstrumentVersion:
    versions = load_instruments(db=db, directory=settings.questionnaires_dir)
    preferred = [v for v in versions if v.key == INSTRUMENT_KEY] or versions
    if not preferred:
        raise UserError(f"{settings.questionnaires_dir}: no instrument files to build a demo on")
    return max(preferred, key=lambda v: tuple(int(p) for p in v.version.split(".")))


def _invite(
    db: Session,
    organisation: Organisation,
    version: InstrumentVersion,
    team: Team,
    person: tuple[str, str],
    now: datetime,
    secret: str,
) -> invitations.Invitation:
    first, last = person
    return invitations.invite(
        db=db,
        organisation=organisation,
        instrument_version=version,
        email=_email(first, last),
        first_name=first,
        last_name=last,
        team_id=team.id,
        actor="cli",
        seal_with=secret,
        now=now,
    )


def _create(db: Session, settings: Settings, version: InstrumentVersion) -> dict[str, Any]:
    now = utcnow().replace(microsecond=0)
    organisation = create_organisation(db=db, name=ORGANISATION, slug=SLUG)
    team = create_team(db=db, organisation=organisation, name=TEAM)
    instrument = instrument_of(version)
    completed = [_earlier_result(db, settings, organisation, version, team, now)]
    for k, person in enumerate(REPS):
        rng = np.random.default_rng(SEED + k)
        invited = now - timedelta(days=20 - k, hours=k % 5)
        invitation = _invite(db, organisation, version, team, person, invited, settings.secret_key)
        latent = _latent_profile(instrument, k % len(instrument.stages), rng)
        started = invited + timedelta(hours=3 + k % 7)
        rushed = RUSHED_SECONDS if k == RUSHED else None
        _complete(db, invitation.assessment, instrument, latent, rng, started, rushed)
        completed.append(invitation.assessment.id)
    secret = settings.secret_key
    tokens = [_invite(db, organisation, version, team, p, now, secret).token for p in INVITEES]
    return {
        "organisation_id": organisation.id,
        "team_id": team.id,
        "completed_assessment_ids": completed,
        **_sign_in_and_key(db, organisation),
        "invitation_tokens": tokens,
    }


def _earlier_result(
    db: Session,
    settings: Settings,
    organisation: Organisation,
    version: InstrumentVersion,
    team: Team,
    now: datetime,
) -> str:
    """The first rep's assessment of three months ago, before coaching: weaker throughout, so
    their result page and report show the reliable change since then."""
    instrument = instrument_of(version)
    rng = np.random.default_rng(SEED - 1)
    invited = now - timedelta(days=90)
    invitation = _invite(db, organisation, version, team, REPS[0], invited, settings.secret_key)
    later = _latent_profile(instrument, 0, np.random.default_rng(SEED))
    latent = {key: value - 1.2 for key, value in later.items()}
    _complete(db, invitation.assessment, instrument, latent, rng, invited + timedelta(hours=2))
    return invitation.assessment.id


def _sign_in_and_key(db: Session, organisation: Organisation) -> dict[str, Any]:
    """A manager password and an API key, new (the old ones cannot be read back)."""
    password = generate_password()
    user = find_user(db=db, email=MANAGER_EMAIL)
    if user is None:
        create_user(
            db=db,
            organisation=organisation,
            email=MANAGER_EMAIL,
            role=Role.ADMIN,
            password=password,
        )
    else:
        set_password(db=db, user=user, password=password)
    key = create_api_key(db=db, organisation=organisation, name="Demo HR system").key
    return {"manager": {"email": MANAGER_EMAIL, "password": password}, "api_key": key}


def _reissue(db: Session, organisation: Organisation) -> dict[str, Any]:
    team = db.scalar(select(Team).where(Team.organisation_id == organisation.id, Team.name == TEAM))
    if team is None:
        team = create_team(db=db, organisation=organisation, name=TEAM)
    completed = db.scalars(
        select(Assessment.id)
        .where(
            Assessment.organisation_id == organisation.id,
            Assessment.status == AssessmentStatus.COMPLETED,
        )
        .order_by(Assessment.created_at)
    ).all()
    return {
        "organisation_id": organisation.id,
        "team_id": team.id,
        "completed_assessment_ids": list(completed),
        **_sign_in_and_key(db, organisation),
        "invitation_tokens": [],
    }


def _keep_invitations_open(
    db: Session,
    organisation: Organisation,
    version: InstrumentVersion,
    kept: dict[str, Any],
    secret: str,
) -> None:
    """Replace links that were used up (completed, expired) so three stay open to try."""
    now = utcnow().replace(microsecond=0)
    team = db.get(Team, kept["team_id"])
    assert team is not None
    tokens = []
    for k, person in enumerate(INVITEES):
        token = kept["invitation_tokens"][k] if k < len(kept["invitation_tokens"]) else None
        assessment = assessments.find_by_token(db=db, token=token) if token else None
        if assessment is not None:
            assessments.expire_due(db=db, now=now, assessment_id=assessment.id)
        if assessment is None or not assessment.status.is_open:
            token = _invite(db, organisation, version, team, person, now, secret).token
        tokens.append(token)
    kept["invitation_tokens"] = tokens


def seed_demo(*, db: Session, settings: Settings) -> dict[str, Any]:
    """Create the demo once; later calls return it (committing, then keeping var/demo.json)."""
    version = _instrument_version(db, settings)
    organisation = find_organisation(db=db, slug=SLUG)
    if organisation is None:
        kept = _create(db, settings, version)
        created = True
    else:
        kept = _read_kept(organisation) or _reissue(db, organisation)
        created = False
    organisation = find_organisation(db=db, slug=SLUG)
    assert organisation is not None
    _keep_invitations_open(db, organisation, version, kept, settings.secret_key)
    db.commit()
    _write_private(demo_file(), kept)
    return {
        **kept,
        "created": created,
        "organisation": ORGANISATION,
        "team_name": TEAM,
        "invitation_urls": [
            invitations.participant_url(settings, token) for token in kept["invitation_tokens"]
        ],
    }
