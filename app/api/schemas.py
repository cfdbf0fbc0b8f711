"""What the HR API v1 accepts and returns. Bodies refuse unknown fields (422), text refuses
control characters, and every timestamp is RFC 3339 in UTC to the second (`...Z`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from app.api.params import LOCALE_PATTERN
from app.clock import rfc3339
from app.limits import max_length
from app.models import Participant, WebhookEndpoint
from app.services.events import EVENT_TYPES
from app.vocabulary import AssessmentStatus

# Printable text: no control characters; a name has at least one visible character.
TEXT = r"^[^\x00-\x1f\x7f-\x9f]*$"
NAME = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
EMAIL = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"
URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[\x21-\x7e]*)?$"
ID = r"^[A-Za-z0-9-]{1,36}$"
INSTRUMENT = r"^[a-z0-9][a-z0-9._-]{0,63}(@[0-9A-Za-z._-]{1,16})?$"
EXTERNAL_ID = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"  # printable ASCII, no outer spaces

Timestamp = Annotated[
    datetime,
    PlainSerializer(rfc3339, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-12-01T09:00:00Z"]}),
]
Email = Annotated[str, Field(max_length=max_length(Participant.email), pattern=EMAIL)]
FirstName = Annotated[
    str, Field(min_length=1, max_length=max_length(Participant.first_name), pattern=NAME)
]
LastName = Annotated[
    str, Field(min_length=1, max_length=max_length(Participant.last_name), pattern=NAME)
]
ExternalId = Annotated[
    str,
    Field(
        max_length=max_length(Participant.external_id),
        pattern=EXTERNAL_ID,
        description="Your system's id of the person, unique in your organisation.",
    ),
]
Id = Annotated[str, Field(max_length=36, pattern=ID)]
Event = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class In(BaseModel):
    """A request body: unknown fields are refused (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


# --- participants -------------------------------------------------------------------------


class ParticipantIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "emp-1042",
                    "email": "dana.ruiz@example.com",
                    "first_name": "Dana",
                    "last_name": "Ruiz",
                }
            ]
        },
    )

    external_id: ExternalId
    email: Email
    first_name: FirstName
    last_name: LastName
    team_id: Id | None = Field(None, description="One of your teams (else 404).")


class ParticipantOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6c1b2f0e-7a53-4a8e-9d1e-2f7a0c3b9e11",
                    "external_id": "emp-1042",
                    "email": "dana.ruiz@example.com",
                    "first_name": "Dana",
                    "last_name": "Ruiz",
                    "team_id": None,
                    "created_at": "2026-12-01T09:00:00Z",
                }
            ]
        }
    )

    id: str
    external_id: str | None
    email: str
    first_name: str
    last_name: str
    team_id: str | None
    created_at: Timestamp


class ParticipantPage(BaseModel):
    items: list[ParticipantOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


# --- assessments --------------------------------------------------------------------------


class OrderParticipant(In):
    email: Email = Field(description="The invitation is e-mailed here (with `send_email`).")
    first_name: FirstName
    last_name: LastName
    external_id: ExternalId | None = None


ORDER_EXAMPLE: dict[str, Any] = {
    "instrument": "sales-process-inventory",
    "participant": {
        "email": "dana.ruiz@example.com",
        "first_name": "Dana",
        "last_name": "Ruiz",
        "external_id": "emp-1042",
    },
    "send_email": True,
}


class AssessmentIn(In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ORDER_EXAMPLE]})

    instrument: str = Field(
        max_length=81,
        pattern=INSTRUMENT,
        description="An instrument `key` (its newest version) or `key@version`, from "
        "GET /api/v1/instruments.",
    )
    participant: OrderParticipant = Field(
        description="Found by `external_id`, else by e-mail, and brought up to date; or created."
    )
    team_id: Id | None = Field(None, description="One of your teams.")
    expires_at: AwareDatetime | None = Field(
        None,
        description="When the link stops working (RFC 3339, in the future); default 30 days.",
    )
    send_email: bool = Field(
        False, description="E-mail the invitation with the link to the participant."
    )
    locale: str | None = Field(
        None,
        max_length=35,
        pattern=LOCALE_PATTERN,
        description="Language of the questionnaire, one the instrument has; default its first.",
    )


class BulkIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"items": [ORDER_EXAMPLE]}]}
    )

    items: list[AssessmentIn] = Field(min_length=1, max_length=500)


class AssessmentLinks(BaseModel):
    self: str
    result: str
    report: str


class InstrumentRef(BaseModel):
    key: str
    version: str


class AssessmentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f1c2e-5d4a-4c1e-8f3b-2a9d7e6c5b41",
                    "status": "invited",
                    "participant_url": "https://stagefit.example/a/Jx8…",
                    "participant": {
                        "id": "6c1b2f0e-7a53-4a8e-9d1e-2f7a0c3b9e11",
                        "external_id": "emp-1042",
                        "email": "dana.ruiz@example.com",
                        "first_name": "Dana",
                        "last_name": "Ruiz",
                        "team_id": None,
                        "created_at": "2026-12-01T09:00:00Z",
                    },
                    "instrument": {"key": "sales-process-inventory", "version": "1.0"},
                    "team_id": None,
                    "locale": "en",
                    "created_at": "2026-12-01T09:00:00Z",
                    "updated_at": "2026-12-01T09:00:00Z",
                    "expires_at": "2026-12-31T09:00:00Z",
                    "started_at": None,
                    "completed_at": None,
                    "cancelled_at": None,
                    "links": {
                        "self": "https://stagefit.example/api/v1/assessments/0b6f…",
                        "result": "https://stagefit.example/api/v1/assessments/0b6f…/result",
                        "report": "https://stagefit.example/api/v1/assessments/0b6f…/report.pdf",
                    },
                }
            ]
        }
    )

    id: str
    status: AssessmentStatus
    participant_url: str | None = Field(
        description="The participant's link, while the assessment is open (else null)."
    )
    participant: ParticipantOut
    instrument: InstrumentRef
    team_id: str | None
    locale: str
    created_at: Timestamp
    updated_at: Timestamp
    expires_at: Timestamp | None
    started_at: Timestamp | None
    completed_at: Timestamp | None
    cancelled_at: Timestamp | None
    links: AssessmentLinks


class AssessmentPage(BaseModel):
    items: list[AssessmentOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class BulkOut(BaseModel):
    items: list[AssessmentOut] = Field(description="In the order of the request's items.")


class ReminderOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message_id": "3f1e…",
                    "assessment_id": "0b6f…",
                    "to": "dana.ruiz@example.com",
                    "queued_at": "2026-12-02T09:00:00Z",
                }
            ]
        }
    )

    message_id: str
    assessment_id: str
    to: str
    queued_at: Timestamp


class ResultOut(BaseModel):
    """The result JSON (see DESIGN.md), with `links` to the reports. `summary.score` (0 to
    `summary.max_score`, 50 the norm group's median) is null when the result is not valid;
    `validity.status` says why; `norm.provisional` says the norms are not yet empirical."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "assessment_id": "0b6f…",
                    "instrument": {
                        "key": "sales-process-inventory",
                        "version": "1.0",
                        "checksum": "sha256:…",
                    },
                    "norm": {"id": "…", "label": "…", "n": 2000, "provisional": True},
                    "engine_version": "2.0.0",
                    "scored_at": "2026-12-01T10:26:00Z",
                    "validity": {"status": "valid", "flags": []},
                    "competencies": [],
                    "stages": [
                        {
                            "key": "lead_evaluation",
                            "name": "Lead Evaluation",
                            "phase": "pre_sale",
                            "sten": 7,
                            "band": "small_strength",
                            "rank": 2,
                        }
                    ],
                    "best_fit_stages": ["needs_exploration"],
                    "summary": {"score": 72, "max_score": 100, "best_stage": "needs_exploration"},
                    "links": {
                        "self": "https://stagefit.example/api/v1/assessments/0b6f…",
                        "result": "https://stagefit.example/api/v1/assessments/0b6f…/result",
                        "report": "https://stagefit.example/api/v1/assessments/0b6f…/report.pdf",
                    },
                }
            ]
        },
    )

    assessment_id: str
    instrument: dict[str, Any]
    norm: dict[str, Any]
    engine_version: str
    scored_at: str
    validity: dict[str, Any]
    competencies: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    best_fit_stages: list[str]
    summary: dict[str, Any]
    links: AssessmentLinks


# --- instruments --------------------------------------------------------------------------


class InstrumentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "sales-process-inventory",
                    "version": "1.0",
                    "reference": "sales-process-inventory@1.0",
                    "title": "Sales Process Competency Inventory",
                    "checksum": "sha256:…",
                    "locales": ["en"],
                    "estimated_minutes": 25,
                }
            ]
        }
    )

    key: str
    version: str
    reference: str = Field(description="`key@version`: order exactly this version.")
    title: str
    checksum: str
    locales: list[str]
    estimated_minutes: int | None


# --- webhooks -----------------------------------------------------------------------------


class WebhookIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://ats.example/hooks/stagefit",
                    "events": ["assessment.completed", "report.ready"],
                }
            ]
        },
    )

    url: str = Field(max_length=max_length(WebhookEndpoint.url), pattern=URL)
    events: list[Event] = Field(
        default_factory=list,
        max_length=len(EVENT_TYPES),
        description="Event types to receive; empty: every event.",
    )
    description: str = Field("", max_length=max_length(WebhookEndpoint.description), pattern=TEXT)


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    description: str
    created_at: Timestamp


class NewWebhookOut(WebhookOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9a0d…",
                    "url": "https://ats.example/hooks/stagefit",
                    "events": ["assessment.completed"],
                    "description": "",
                    "created_at": "2026-12-01T09:00:00Z",
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                }
            ]
        }
    )

    secret: str = Field(
        description="Verifies the `webhook-signature` of deliveries (Standard Webhooks). "
        "Shown only now: keep it."
    )


class AttemptOut(BaseModel):
    attempted_at: Timestamp
    outcome: str = Field(description="delivered, failed or refused")
    status_code: int | None
    duration_ms: int
    error: str | None


class DeliveryOut(BaseModel):
    message_id: str = Field(description="The `webhook-id` header of its deliveries.")
    event: str
    status: str = Field(description="pending, delivered or dead")
    attempts: int
    created_at: Timestamp
    delivered_at: Timestamp | None
    next_attempt_at: Timestamp | None
    last_error: str | None
    log: list[AttemptOut]


class QueuedOut(BaseModel):
    message_id: str = Field(description="The `webhook-id` the delivery will carry.")
    status: str
