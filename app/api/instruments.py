"""HR API: the instruments an organisation can order."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.api.content import known_query_only
from app.api.schemas import InstrumentOut
from app.deps import ApiKeyDep, SessionDep
from app.problems import problem_responses
from app.services.instruments import instrument_of, list_instrument_versions

router = APIRouter(prefix="/api/v1", tags=["instruments"], dependencies=[Depends(known_query_only)])


@router.get(
    "/instruments",
    responses=problem_responses(
        401,
        403,
        422,
        s401="No API key, or an unknown or revoked one.",
        s403="The key lacks the scope.",
        s422="A query parameter this call does not take.",
    ),
)
def list_instruments(api_key: ApiKeyDep, db: SessionDep) -> list[InstrumentOut]:
    """Every installed instrument version; order one by `key` (its newest version) or by
    `reference` (exactly that version)."""
    out = []
    for version in list_instrument_versions(db=db):
        instrument = instrument_of(version)
        out.append(
            InstrumentOut(
                key=version.key,
                version=version.version,
                reference=f"{version.key}@{version.version}",
                title=version.title,
                checksum=version.checksum,
                locales=list(instrument.locales),
                estimated_minutes=instrument.estimated_minutes,
            )
        )
    return out
