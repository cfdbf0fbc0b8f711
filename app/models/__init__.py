"""SQLAlchemy 2 typed models, one module per area. The schema itself comes only from Alembic
migrations (migrations/), which tests compare with these models."""

from app.models.assessment import (
    Answer,
    Assessment,
    DeidentifiedResult,
    InstrumentVersion,
    NormTableRow,
    PageTiming,
    Participant,
    Reminder,
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
    InviteUpload,
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
    "DeidentifiedResult",
    "DeliveryAttempt",
    "IdempotencyKey",
    "InstrumentVersion",
    "InviteUpload",
    "NormTableRow",
    "Organisation",
    "OutboxMessage",
    "PageTiming",
    "Participant",
    "PartnerOrder",
    "Reminder",
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
