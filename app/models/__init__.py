"""SQLAlchemy 2 typed models, one module per area. The schema itself comes only from Alembic
migrations (migrations/), which tests compare with these models."""

from app.models.assessment import (
    Answer,
    Assessment,
    InstrumentVersion,
    NormTableRow,
    PageTiming,
    Participant,
    Result,
)
from app.models.base import Base, StatusColumn, UTCDateTime, new_id
from app.models.delivery import (
    DeliveryAttempt,
    IdempotencyKey,
    OutboxMessage,
    PartnerOrder,
    WebhookEndpoint,
)
from app.models.organisation import (
    ApiKey,
    AuditEvent,
    Organisation,
    SignInFailure,
    SignInSession,
    Team,
    TeamManager,
    User,
)

__all__ = [
    "Answer",
    "ApiKey",
    "Assessment",
    "AuditEvent",
    "Base",
    "DeliveryAttempt",
    "IdempotencyKey",
    "InstrumentVersion",
    "NormTableRow",
    "Organisation",
    "OutboxMessage",
    "PageTiming",
    "Participant",
    "PartnerOrder",
    "Result",
    "SignInFailure",
    "SignInSession",
    "StatusColumn",
    "Team",
    "TeamManager",
    "UTCDateTime",
    "User",
    "WebhookEndpoint",
    "new_id",
]
