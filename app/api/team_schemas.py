"""The HR API's team documents (pydantic, apart from the ORM models)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import NAME

Validity = Literal["valid", "caution", "invalid"]


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=200,
        pattern=NAME,
        description="Unique in the organisation (any case).",
    )


class TeamOut(BaseModel):
    id: str
    name: str
    created_at: datetime
    archived_at: datetime | None = Field(
        description="When the team was archived (hidden from lists; its data is kept)."
    )


class TeamList(BaseModel):
    data: list[TeamOut]


class Member(BaseModel):
    id: str = Field(description="The participant's id.")
    first_name: str
    last_name: str
    email: str
    external_id: str | None


class MemberList(BaseModel):
    data: list[Member]


class StageFit(BaseModel):
    stage: str
    name: str
    sten: int | None
    band: str | None
    rank: int | None = Field(description="1 = the rep's best-fitting stage; null: no score.")


class MatchedRep(BaseModel):
    assessment_id: str
    name: str
    validity: Validity
    validity_reason: str | None = Field(
        description="Why the result is invalid or to be read with caution, e.g. "
        "'Invalid: answered too fast'; null when valid."
    )
    ranked: bool = Field(
        description="False: kept out of the rankings and the assignment because of the "
        "result's validity (invalid always, caution unless include_caution)."
    )
    stage_ranking: list[StageFit] = Field(description="The rep's stages, best fit first.")
    assigned_stage: str | None


class StageAssignment(BaseModel):
    stage: str
    name: str
    slots: int = Field(description="The head-count asked for, or the even spread.")
    assigned: list[str] = Field(description="Assessment ids of the reps assigned here.")
    gap_codes: list[Literal["unassigned", "no_strength"]]
    gap_reasons: list[str]


class TeamMatching(BaseModel):
    team_id: str
    team_name: str
    headcounts: dict[str, int] | None
    include_caution: bool
    reps: list[MatchedRep]
    stages: list[StageAssignment]
    unassigned: list[str] = Field(description="Ranked reps without a slot.")
