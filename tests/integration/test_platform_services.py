"""Domain services on the real database: organisations, sign-ins, API keys, instruments,
invitations, expiry, cancellation and the one result per assessment."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import Database
from app.errors import UserError
from app.instrument.loader import load_instrument
from app.models import ApiKey, Assessment, AuditEvent, InstrumentVersion, NormTableRow, Result
from app.services import assessments, instruments, invitations
from app.services.apikeys import authenticate_api_key, create_api_key, revoke_api_key
from app.services.organisations import create_organisation
from app.services.users import authenticate_user, create_user, use_password_hashing
from tests.conftest import MINI_INSTRUMENT


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


# --- organisations and sign-ins -------------------------------------------------------------


def test_organisation_slug_is_made_from_the_name_and_unique(db: Session) -> None:
    organisation = create_organisation(db=db, name="Müller & Söhne GmbH")
    assert organisation.slug == "muller-sohne-gmbh"
    with pytest.raises(UserError, match="already exists"):
        create_organisation(db=db, name="Müller & Söhne GmbH")


def test_password_is_stored_as_argon2_and_checked(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    user = create_user(
        db=db, organisation=org, email="Ann@Example.com", role="manager", password="correct horse"
    )
    assert user.email == "ann@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
    assert authenticate_user(db=db, email="ANN@example.com", password="correct horse") == user
    assert authenticate_user(db=db, email="ann@example.com", password="wrong horse!") is None
    assert authenticate_user(db=db, email="nobody@example.com", password="correct horse") is None


def test_passwords_are_hashed_at_full_cost_unless_set_otherwise_and_remade_on_sign_in(
    db: Session,
    org,
    settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    """The suite hashes cheaply (Settings.password_hashing); a service never may, and a hash
    made cheaply (a demo database, say) is made anew at the full cost at the next sign-in."""
    assert Settings(env="test").password_hashing == "rfc9106-low-memory"
    with pytest.raises(ValueError, match="STAGEFIT_PASSWORD_HASHING=cheapest"):
        Settings(
            env="production",
            secret_key="k" * 40,
            base_url="https://x.example",
            password_hashing="cheapest",
        )
    cheap = create_user(
        db=db, organisation=org, email="cheap@example.com", role="manager", password="a" * 12
    )
    assert "$m=8,t=1,p=1$" in cheap.password_hash
    try:
        use_password_hashing("rfc9106-low-memory")
        assert authenticate_user(db=db, email="cheap@example.com", password="a" * 12) == cheap
        assert "$m=65536,t=3,p=4$" in cheap.password_hash
    finally:
        use_password_hashing(settings.password_hashing)
    assert authenticate_user(db=db, email="cheap@example.com", password="a" * 12) == cheap


def test_user_with_unknown_role_is_refused(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError, match="role"):
        create_user(db=db, organisation=org, email="a@b.co", role="owner", password="x" * 12)


# --- API keys -------------------------------------------------------------------------------


def test_api_key_is_shown_once_and_stored_only_as_a_hash(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    created = create_api_key(db=db, organisation=org, name="Greenhouse")
    db.commit()
    key = created.key
    assert key.startswith(f"sf_live_{created.api_key.prefix}_")
    assert len(key) > 40
    stored = db.get(ApiKey, created.api_key.id)
    assert stored is not None
    assert key not in stored.key_hash
    assert stored.key_hash == "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    assert authenticate_api_key(db=db, key=key) == stored


def test_api_key_authentication_refuses_near_misses_and_revoked_keys(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    key = create_api_key(db=db, organisation=org, name="HRIS").key
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    other_prefix = "sf_live_00000000_" + key.split("_", 3)[3]
    for wrong in (tampered, other_prefix, "", "sf_live_", key.replace("sf_live_", "sf_test_")):
        assert authenticate_api_key(db=db, key=wrong) is None, wrong
    api_key = authenticate_api_key(db=db, key=key)
    assert api_key is not None
    revoke_api_key(db=db, api_key=api_key)
    assert authenticate_api_key(db=db, key=key) is None


# --- instruments ----------------------------------------------------------------------------


def test_loading_an_instrument_twice_stores_it_once(db: Session) -> None:
    first = instruments.load_instrument_file(db=db, path=MINI_INSTRUMENT)
    again = instruments.load_instrument_file(db=db, path=MINI_INSTRUMENT)
    assert first.id == again.id
    assert _count(db, InstrumentVersion) == 1
    norms = db.scalars(select(NormTableRow)).all()
    assert [n.instrument_version_id for n in norms] == [first.id]
    parsed = instruments.get_instrument(db, first.id)
    assert parsed.checksum == first.checksum == load_instrument(MINI_INSTRUMENT).checksum


def _edited_copy(tmp_path: Path) -> Path:
    text = MINI_INSTRUMENT.read_text(encoding="utf-8")
    edited = tmp_path / "mini-instrument.yaml"
    edited.write_text(text.replace("Mini Sales Inventory", "Mini Sales Inventory (edited)"))
    return edited


def test_changed_file_replaces_an_unused_version(db: Session, tmp_path: Path) -> None:
    first = instruments.load_instrument_file(db=db, path=MINI_INSTRUMENT)
    old_checksum = first.checksum
    second = instruments.load_instrument_file(db=db, path=_edited_copy(tmp_path))
    assert second.id == first.id
    assert second.checksum != old_checksum
    assert second.title == "Mini Sales Inventory (edited)"


def test_changed_file_is_refused_once_an_assessment_uses_the_version(
    db: Session, invite, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    invite(email="first@example.com")
    with pytest.raises(UserError, match="already used by 1 assessment"):
        instruments.load_instrument_file(db=db, path=_edited_copy(tmp_path))


# --- invitations, expiry, cancellation ------------------------------------------------------


def test_invitation_freezes_the_version_and_keeps_only_the_token_hash(
    db: Session, invite, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    invitation = invite(email="Rep@Example.com")
    assessment = invitation.assessment
    assert len(invitation.token) >= 43  # 32 random bytes, url-safe base64
    assert assessment.token_hash == hashlib.sha256(invitation.token.encode()).hexdigest()
    assert invitation.token not in assessment.token_hash
    assert assessment.status == "invited"
    assert assessment.norm_table_id == "mini-provisional-0.1"
    assert assessment.participant.email == "rep@example.com"
    assert assessments.find_by_token(db=db, token=invitation.token) == assessment
    assert assessments.find_by_token(db=db, token=invitation.token + "x") is None
    url = invitations.participant_url(settings, invitation.token)
    assert url == f"{settings.base_url}/a/{invitation.token}"
    actions = db.scalars(select(AuditEvent.action)).all()
    assert actions == ["assessment.invited"]


def test_second_invitation_reuses_the_participant(invite) -> None:  # type: ignore[no-untyped-def]
    first = invite(email="same@example.com")
    second = invite(email="SAME@example.com")
    assert first.assessment.participant_id == second.assessment.participant_id
    assert first.token != second.token


def test_expire_due_expires_only_open_assessments_past_their_date(db: Session, invite) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    invite(email="due@example.com", expires_at=now + timedelta(days=1))
    started = invite(email="started@example.com", expires_at=now + timedelta(days=1))
    assessments.start(db=db, assessment=started.assessment)
    invite(email="later@example.com", expires_at=now + timedelta(days=10))
    cancelled = invite(email="cancelled@example.com", expires_at=now + timedelta(days=1))
    assessments.cancel(db=db, assessment=cancelled.assessment)
    db.commit()

    assert len(assessments.expire_due(db=db, now=now + timedelta(days=2))) == 2
    db.commit()
    statuses = {a.participant.email: a.status for a in db.scalars(select(Assessment))}
    assert statuses == {
        "due@example.com": "expired",
        "started@example.com": "expired",
        "later@example.com": "invited",
        "cancelled@example.com": "cancelled",
    }
    assert assessments.expire_due(db=db, now=now + timedelta(days=2)) == []
    expired_events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.expired")
    ).all()
    assert len(expired_events) == 2


def test_default_expiry_is_thirty_days(invite) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    invitation = invite(now=now, expires_at=None)
    expires = invitation.assessment.expires_at
    assert expires is not None
    assert expires.replace(tzinfo=UTC) == now + timedelta(days=30)


def test_completed_assessment_cannot_be_cancelled(db: Session, invite) -> None:  # type: ignore[no-untyped-def]
    invitation = invite()
    assessments.store_result(db=db, assessment=invitation.assessment, result=_payload())
    with pytest.raises(UserError, match="completed"):
        assessments.cancel(db=db, assessment=invitation.assessment)


# --- the one result -------------------------------------------------------------------------


def _payload() -> dict:  # type: ignore[type-arg]
    return {
        "instrument": {"key": "mini-inventory", "version": "0.1", "checksum": "sha256:abc"},
        "norm": {"id": "mini-provisional-0.1", "label": "x", "n": 1, "provisional": True},
        "engine_version": "test",
        "best_fit_stages": ["expansion"],
    }


def test_store_result_completes_once_and_returns_the_first_result_after(
    db: Session, invite
) -> None:  # type: ignore[no-untyped-def]
    invitation = invite()
    first = assessments.store_result(db=db, assessment=invitation.assessment, result=_payload())
    db.commit()
    assert invitation.assessment.status == "completed"
    assert invitation.assessment.completed_at is not None
    changed = {**_payload(), "engine_version": "other"}
    second = assessments.store_result(db=db, assessment=invitation.assessment, result=changed)
    db.commit()
    assert second.id == first.id
    assert second.engine_version == "test"
    assert _count(db, Result) == 1
    completed = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.completed")
    ).all()
    assert len(completed) == 1


def test_concurrent_submissions_store_exactly_one_result(database: Database, invite) -> None:  # type: ignore[no-untyped-def]
    """Two tabs submitting at the same moment: both succeed, one result exists."""
    assessment_id = invite().assessment.id
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            with database.session(write=True) as session:
                assessment = session.get(Assessment, assessment_id)
                assert assessment is not None
                outcomes.append(
                    assessments.store_result(
                        db=session, assessment=assessment, result=_payload()
                    ).id
                )
        except BaseException as exc:  # collected: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(outcomes) == 4 and len(set(outcomes)) == 1
    with database.session() as session:
        assert _count(session, Result) == 1
        assert session.get(Assessment, assessment_id).status == "completed"  # type: ignore[union-attr]
