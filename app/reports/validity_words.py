"""What is said about a result's validity, worded once: the manager's result page, the Sales
Manager Report and the rep's feedback report all read it from here, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from app.scoring.result import ValidityFlag

HEADLINES = {"invalid": "Not valid", "caution": "Interpret with caution"}
# What the status means; the same sentence for the manager and for the rep.
MEANINGS = {
    "invalid": (
        "The answer pattern makes the scores unreliable: this result cannot be used for "
        "decisions, and the assessment needs to be taken again."
    ),
    "caution": (
        "The answer pattern raises doubts about parts of this result: the findings need to be "
        "checked in a conversation before anyone acts on them."
    ),
}
# What the reader does about it, in their own role.
NEXT_STEPS = {
    ("manager", "invalid"): "Do not base decisions on it; invite the rep to take it again.",
    ("manager", "caution"): "Talk the findings through with the rep before acting on them.",
    ("participant", "invalid"): "Please talk to your manager about taking it again.",
    ("participant", "caution"): "Read it as a rough sketch and talk it through with your manager.",
}
VALID_NOTE = "Validity: the answer pattern gives no reason for doubt (valid)."


@dataclass(frozen=True)
class ValidityView:
    status: str  # valid | caution | invalid
    flags: tuple[ValidityFlag, ...]
    kind: str = "manager"  # whose report: manager | participant

    @property
    def headline(self) -> str | None:
        return HEADLINES.get(self.status)

    @property
    def banner(self) -> str | None:
        """What the status means (None when valid)."""
        return MEANINGS.get(self.status)

    @property
    def valid_note(self) -> str:
        return VALID_NOTE

    @property
    def next_step(self) -> str:
        return NEXT_STEPS.get((self.kind, self.status), "")

    @property
    def reasons(self) -> list[str]:
        """Why: the findings in words, most serious first."""
        ordered = sorted(self.flags, key=lambda f: f.level != "invalid")
        return [f.detail or f.code.replace("_", " ") for f in ordered]
