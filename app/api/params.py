"""Query parameters the HR API shares, each declared once with what it accepts, so the OpenAPI
document says exactly which values are valid (and anything else is a 422 problem)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.instrument.process import STAGE_KEYS

LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"  # a BCP 47 tag such as en or pt-BR
HEADCOUNT_PATTERN = rf"^({'|'.join(STAGE_KEYS)})=[0-9]{{1,3}}$"

Locale = Annotated[
    str | None,
    Query(
        pattern=LOCALE_PATTERN,
        max_length=35,
        description="Language of the report (BCP 47), one of the instrument's locales (else "
        "422). Omitted: the assessment's own if the instrument has it, else (and for a team's "
        "report) the instrument's first.",
        examples=["en"],
    ),
]
Headcounts = Annotated[
    list[Annotated[str, Query(pattern=HEADCOUNT_PATTERN, max_length=40)]] | None,
    Query(
        description="`STAGE=N`: how many reps the team needs in a stage; repeatable.",
        examples=[["expansion=2", "needs_exploration=3"]],
    ),
]
