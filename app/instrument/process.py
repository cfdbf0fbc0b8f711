"""The fixed parts of the model, each defined once: the seven sales-process stages in their
order, the two phases and the five bands. The tuples are derived from the types, so code and
type checker cannot disagree."""

from __future__ import annotations

from typing import Literal, get_args

StageKey = Literal[
    "lead_evaluation",
    "initial_contact",
    "needs_exploration",
    "closing_negotiation",
    "initial_engagement",
    "account_management",
    "expansion",
]
Phase = Literal["pre_sale", "post_sale"]
BandKey = Literal["risk", "small_risk", "medium_impact", "small_strength", "strength"]

STAGE_KEYS: tuple[StageKey, ...] = get_args(StageKey)
PHASE_KEYS: tuple[Phase, ...] = get_args(Phase)
BAND_KEYS: tuple[BandKey, ...] = get_args(BandKey)
PRE_SALE: frozenset[str] = frozenset(STAGE_KEYS[:4])
POST_SALE: frozenset[str] = frozenset(STAGE_KEYS[4:])
