"""What Greenhouse sends and gets back, as its Assessment Partner API documents it
(developers.greenhouse.io/assessment.html): snake_case names, null for a missing value, and
properties Greenhouse may add later accepted and kept with the order (printable JSON up to two
levels deep: the document says exactly what is accepted, so nothing valid is refused)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.limits import max_length
from app.models import Participant, PartnerOrder

# Printable text: no control characters (the edge refuses them anyway, as 422).
TEXT = r"^[^\x00-\x1f\x7f-\x9f]*$"
NAME = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
EMAIL = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"
URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[\x21-\x7e]*)?$"
TEST_ID = r"^[a-z0-9][a-z0-9._-]{0,63}@[0-9A-Za-z._-]{1,16}$"
INTERVIEW_ID = r"^[A-Za-z0-9-]{1,64}$"

Text = Annotated[str, Field(max_length=2048, pattern=TEXT)]

# What a property Greenhouse adds later may hold: printable text, numbers, booleans, null, or
# a list or object of those (the edge refuses control characters anywhere, keys included).
_PRIMITIVE: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": TEXT, "maxLength": 2048},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
    ]
}
_KEYS: dict[str, Any] = {"pattern": TEXT}
Primitive = Annotated[
    Text | int | Annotated[float, Field(allow_inf_nan=False)] | bool | None,
    WithJsonSchema(_PRIMITIVE),
]
Extra = Annotated[
    Primitive | list[Primitive] | dict[Annotated[str, Field(pattern=TEXT)], Primitive],
    WithJsonSchema(
        {
            "anyOf": [
                _PRIMITIVE,
                {"type": "array", "items": _PRIMITIVE},
                {"type": "object", "propertyNames": _KEYS, "additionalProperties": _PRIMITIVE},
            ]
        }
    ),
]


class GreenhouseIn(BaseModel):
    """A request body from Greenhouse: its documented fields, and any it adds later."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"propertyNames": _KEYS})
    __pydantic_extra__: dict[str, Extra] = Field(init=False)


class PartnerTestOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner_test_id": "sales-process-inventory@1.0",
                    "partner_test_name": "Sales Process Competency Inventory 1.0",
                }
            ]
        }
    )

    partner_test_id: str = Field(description="Identifies the test; send it back in send_test.")
    partner_test_name: str = Field(description="Shown in Greenhouse as the test's label.")


class CandidateIn(GreenhouseIn):
    first_name: str = Field(
        min_length=1, max_length=max_length(Participant.first_name), pattern=NAME
    )
    last_name: str = Field(min_length=1, max_length=max_length(Participant.last_name), pattern=NAME)
    email: str = Field(
        max_length=max_length(Participant.email),
        pattern=EMAIL,
        description="The test is e-mailed to this address.",
    )
    resume_url: Text | None = None
    phone_number: Annotated[str, Field(max_length=100, pattern=TEXT)] | None = None
    greenhouse_profile_url: Text | None = None


class SendTestIn(GreenhouseIn):
    model_config = ConfigDict(
        json_schema_extra={
            "propertyNames": _KEYS,
            "examples": [
                {
                    "partner_test_id": "sales-process-inventory@1.0",
                    "candidate": {
                        "first_name": "Harry",
                        "last_name": "Potter",
                        "resume_url": "https://hogwarts.example/resume",
                        "phone_number": "123-456-7890",
                        "email": "hpotter@hogwarts.example",
                        "greenhouse_profile_url": (
                            "https://app.greenhouse.io/people/17681532?application_id=26234709"
                        ),
                    },
                    "url": (
                        "https://app.greenhouse.io/integrations/testing_partners/"
                        "take_home_tests/12345"
                    ),
                }
            ],
        },
    )

    partner_test_id: str = Field(max_length=81, pattern=TEST_ID, description="From list_tests.")
    candidate: CandidateIn
    url: str = Field(
        max_length=max_length(PartnerOrder.callback_url),
        pattern=URL,
        description="Where StageFit sends the PATCH (Mark Test as Completed) on completion.",
    )


class SendTestOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"partner_interview_id": "0b6f1c2e-…"}]}
    )

    partner_interview_id: str = Field(
        description="Identifies the test sent to this candidate; ask test_status with it."
    )


class TestStatusOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner_status": "complete",
                    "partner_profile_url": "https://stagefit.example/app/assessments/0b6f…",
                    "partner_score": 64,
                    "metadata": {
                        "Invited At": "2026-12-01T09:00:00Z",
                        "Started At": "2026-12-01T10:02:00Z",
                        "Completed At": "2026-12-01T10:26:00Z",
                        "Score": "64 of 100",
                        "Score Scale": "0 to 100; 50 is the middle of the norm group",
                        "Best-Fit Stage": "Needs Exploration",
                        "Stage 1: Lead Evaluation": "Small strength",
                        "Validity": "Valid",
                        "Validity Status": "valid",
                        "Norms Provisional": True,
                        "Norm Group": "Provisional simulated norms (n = 2000)",
                    },
                }
            ]
        }
    )

    partner_status: Literal["pending", "in_progress", "complete", "expired", "cancelled"] = Field(
        description="`complete` once the candidate has submitted; Greenhouse stops asking then."
    )
    partner_profile_url: str = Field(
        description="The result page in StageFit for the organisation's managers (sign-in)."
    )
    partner_score: int | None = Field(
        description="The normed summary score, 0 to 100 (50: the middle of the norm group); "
        "null while not complete and when withheld (a result that is not valid): the metadata "
        "says why."
    )
    metadata: dict[str, str | int | float | bool | None] = Field(
        description="A flat object Greenhouse shows beside the score: the seven stage bands, "
        "the best-fit stage, validity and whether the norms are provisional."
    )


class RequestErrorIn(GreenhouseIn):
    model_config = ConfigDict(
        json_schema_extra={
            "propertyNames": _KEYS,
            "examples": [
                {
                    "api_call": "test_status",
                    "errors": ["partner_status is 'complete' but partner_profile url is missing"],
                    "partner_test_id": "sales-process-inventory@1.0",
                    "partner_test_name": "Sales Process Competency Inventory 1.0",
                    "partner_interview_id": "0b6f1c2e-…",
                    "candidate_email": "hpotter@hogwarts.example",
                }
            ],
        },
    )

    api_call: str = Field(max_length=64, pattern=TEXT)
    errors: list[Text] = Field(max_length=100)
    partner_test_id: Annotated[str, Field(max_length=200, pattern=TEXT)] | None = None
    partner_test_name: Annotated[str, Field(max_length=400, pattern=TEXT)] | None = None
    partner_interview_id: Annotated[str, Field(max_length=200, pattern=TEXT)] | None = None
    candidate_email: Annotated[str, Field(max_length=400, pattern=TEXT)] | None = None


class RequestErrorOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": 200}]})

    status: int = Field(description="200: the report is kept.")
