"""The sales roles a manager can name when inviting, and the stages each one works in: the one
place roles map to stages of the sales process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from app.instrument.process import STAGE_KEYS, StageKey

RoleKey = Literal["prospecting", "new_business", "account_management", "customer_success"]
ROLE_KEYS: tuple[RoleKey, ...] = get_args(RoleKey)


@dataclass(frozen=True)
class Role:
    key: RoleKey
    label: str
    stages: tuple[StageKey, ...]


# Prospecting finds and opens leads; new business carries a prospect to a signature; customer
# success keeps the first promises so the client buys again; account management grows the
# client (more often, larger, into new departments).
ROLES: dict[RoleKey, Role] = {
    "prospecting": Role("prospecting", "Prospecting", ("lead_evaluation", "initial_contact")),
    "new_business": Role(
        "new_business",
        "New business",
        ("initial_contact", "needs_exploration", "closing_negotiation"),
    ),
    "account_management": Role(
        "account_management", "Account management", ("account_management", "expansion")
    ),
    "customer_success": Role(
        "customer_success", "Customer success", ("initial_engagement", "account_management")
    ),
}


@dataclass(frozen=True)
class Target:
    """What a rep does or is hired for: a role, or a single stage."""

    role: RoleKey | None
    stage: StageKey | None

    @property
    def stages(self) -> tuple[StageKey, ...]:
        if self.role is not None:
            return ROLES[self.role].stages
        return (self.stage,) if self.stage is not None else ()

    @property
    def key(self) -> str:
        """`role:KEY` or `stage:KEY`, as forms and cache keys write it."""
        return f"role:{self.role}" if self.role else f"stage:{self.stage}"


def read_target(role: str | None, stage: str | None) -> Target | None:
    """The stored target, or None when none was recorded or it names nothing known (a role
    since retired reads as no target rather than failing a report)."""
    for role_key in ROLE_KEYS:
        if role == role_key:
            return Target(role=role_key, stage=None)
    for stage_key in STAGE_KEYS:
        if stage == stage_key:
            return Target(role=None, stage=stage_key)
    return None


def parse_target(value: str) -> Target | None:
    """A form's `role:KEY` / `stage:KEY` choice; None for no choice; ValueError otherwise."""
    if not value:
        return None
    kind, _, key = value.partition(":")
    target = read_target(key if kind == "role" else None, key if kind == "stage" else None)
    if target is None:
        raise ValueError(f"unknown role or stage {value!r}")
    return target
