"""SQLAlchemy 2 typed models. The schema itself comes only from Alembic migrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.clock import as_utc, utcnow
from app.vocabulary import AssessmentStatus


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on every database: SQLite has no time zones and hands
    back naive values, which would otherwise need fixing wherever they are compared."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class StatusColumn(TypeDecorator[AssessmentStatus]):
    """An assessment status, stored as its text and read back as the enum."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else AssessmentStatus(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> AssessmentStatus | None:
        return None if value is None else AssessmentStatus(value)


# Named constraints, so later migrations can drop or alter them (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
    }


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    brand_colour: Mapped[str] = mapped_column(String(7), default="#1f4e79")
    logo_svg: Mapped[str | None] = mapped_column(Text)
    # Whether reps receive their own feedback report after completing.
    share_feedback: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A manager or HR admin who signs in to the web app."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin | manager
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class ApiKey(Base):
    """An HR system's key; only a hash is kept, the key is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # looked up, then hash checked
    key_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Participant(Base):
    """A salesperson (employee or candidate) who takes assessments."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("organisation_id", "email"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(200))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class InstrumentVersion(Base):
    """One instrument file as loaded; immutable once an assessment uses it."""

    __tablename__ = "instrument_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(16))
    checksum: Mapped[str] = mapped_column(String(80))  # "sha256:<hex>" of the file
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)  # the file's text, so a result can be re-scored
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NormTableRow(Base):
    """A norm table (provisional from simulation, or empirical from completions)."""

    __tablename__ = "norm_tables"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # NormTable.id
    instrument_version_id: Mapped[str] = mapped_column(
        ForeignKey("instrument_versions.id"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    n: Mapped[int] = mapped_column(Integer)
    provisional: Mapped[bool] = mapped_column(Boolean)
    content: Mapped[dict[str, Any]] = mapped_column()  # NormTable.model_dump()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """One invitation of one participant to one instrument version."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), index=True)
    instrument_version_id: Mapped[str] = mapped_column(ForeignKey("instrument_versions.id"))
    norm_table_id: Mapped[str] = mapped_column(ForeignKey("norm_tables.id"))
    status: Mapped[AssessmentStatus] = mapped_column(
        StatusColumn, default=AssessmentStatus.INVITED, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    locale: Mapped[str] = mapped_column(String(16), default="en")
    consented_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()

    participant: Mapped[Participant] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()


class Answer(Base):
    """One item's answer as given (Likert value "1".."5" or an SJT option key)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PageTiming(Base):
    """Seconds a participant spent on one page; summed per page for the validity indices."""

    __tablename__ = "page_timings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Result(Base):
    """The immutable scored snapshot of a completed assessment (the result JSON)."""

    __tablename__ = "results"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column()
    instrument_checksum: Mapped[str] = mapped_column(String(80))
    norm_table_id: Mapped[str] = mapped_column(String(80))
    engine_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # "user:<id>", "apikey:<id>", "participant" or "cli"
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))  # e.g. "assessment.completed"
    subject_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInSession(Base):
    """A manager's signed-in browser. The cookie carries a random token; only its hash is
    kept, so signing out, a password change or removing the user ends the session at once."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()  # the absolute limit, whatever the activity
    revoked_at: Mapped[datetime | None] = mapped_column()
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class SignInFailure(Base):
    """One failed sign-in: counted per account and per address to throttle password guessing,
    in the database so that every server process counts the same failures."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
