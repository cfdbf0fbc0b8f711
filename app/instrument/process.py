"""The fixed parts of the model: the seven sales-process stages and the five bands."""

from __future__ import annotations

STAGE_KEYS: tuple[str, ...] = (
    "lead_evaluation",
    "initial_contact",
    "needs_exploration",
    "closing_negotiation",
    "initial_engagement",
    "account_management",
    "expansion",
)
PRE_SALE: frozenset[str] = frozenset(STAGE_KEYS[:4])
POST_SALE: frozenset[str] = frozenset(STAGE_KEYS[4:])

BAND_KEYS: tuple[str, ...] = ("risk", "small_risk", "medium_impact", "small_strength", "strength")
