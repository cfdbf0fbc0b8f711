"""What is assessed: participants, instrument versions and norm tables, assessments, their
answers, page times and the one result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base, StatusColumn, new_id
from app.vocabulary import AssessmentStatus


class Participant(Base):
    """A salesperson (employee or candidate) who takes assessments."""

    __tablename__ = "participants"
    # An HR system's own id for a person is unique within the organisation (NULLs repeat).
    __table_args__ = (
        UniqueConstraint("organisation_id", "email"),
        UniqueConstraint("organisation_id", "external_id"),
    )

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
    # The API lists an organisation's assessments by last change, a page at a time.
    __table_args__ = (Index("ix_assessments_listing", "organisation_id", "updated_at", "id"),)

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
    # The token sealed (app/sealing.py), so the link can be sent or copied again.
    token_sealed: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    # How the questions are split into pages (app/instrument/presentation.py): chosen for the
    # participant's screen when they start, changeable by them on any page.
    page_layout: Mapped[str] = mapped_column(
        String(16), default="standard", server_default="standard"
    )
    consented_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    # What the results are for (app/services/notice.py Purpose): the rep is told in the e-mail.
    purpose: Mapped[str] = mapped_column(
        String(16), default="development", server_default="development"
    )
    # What the rep does or is hired for, if the manager said (app/scoring/roles.py): a role,
    # or one stage of the sales process; reports show fit against it.
    target_role: Mapped[str | None] = mapped_column(String(32))
    target_stage: Mapped[str | None] = mapped_column(String(32))

    participant: Mapped[Participant] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()


class Reminder(Base):
    """A reminder e-mailed about an assessment: automatic ones name their slot (days before
    expiry) so that a slot is never reminded twice; one-click reminders have no slot."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("assessment_id", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    slot: Mapped[int | None] = mapped_column(Integer)  # None: sent by a manager's click
    actor: Mapped[str] = mapped_column(String(200))  # "system" or "user:<id>"
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    # The layout the page number belongs to: the same number holds other items in another.
    layout: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
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


class DeidentifiedResult(Base):
    """What is kept of an erased participant's completed assessment when the organisation
    allows de-identified norming: the answers, page times and scores, under a new random id,
    with no link to the person, the assessment or its team, and only the month it was done."""

    __tablename__ = "deidentified_results"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    instrument_version_id: Mapped[str] = mapped_column(
        ForeignKey("instrument_versions.id"), index=True
    )
    norm_table_id: Mapped[str] = mapped_column(String(80))
    engine_version: Mapped[str] = mapped_column(String(32))
    completed_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    answers: Mapped[dict[str, Any]] = mapped_column()  # item id -> value as given
    page_seconds: Mapped[dict[str, Any]] = mapped_column()  # page number -> seconds
    scores: Mapped[dict[str, Any]] = mapped_column()  # the result JSON, de-identified
