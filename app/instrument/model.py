"""The instrument file format: one versioned questionnaire, as a pydantic model.

Structure is checked here; cross-references (known competencies, weights that sum
to 1, complete locales, ...) are checked in `checks.py` so that every problem can
be reported with the line it stands on.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

# Re-exported: the core imports these types from the model.
from app.instrument.process import BandKey as BandKey
from app.instrument.process import Phase as Phase
from app.instrument.process import StageKey as StageKey

# A text in every locale the instrument declares: {"en": "..."}.
LocalText = dict[str, str]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=32)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Model):
    """The agreement scale of the Likert items."""

    points: int = Field(5, ge=3, le=9)
    labels: list[LocalText] = Field(description="One label per point, lowest first.")


class Band(_Model):
    key: BandKey
    label: LocalText


class ValidityThresholds(_Model):
    """When an answer pattern makes a result doubtful (caution) or unusable (invalid)."""

    caution_seconds_per_item: float = Field(
        3.0, gt=0, description="Median seconds per item below this: caution."
    )
    invalid_seconds_per_item: float = Field(
        1.5, gt=0, description="Median seconds per item below this: invalid."
    )
    longstring_caution: int = Field(
        15, ge=2, description="Longest run of identical Likert answers, in presentation order."
    )
    longstring_invalid: int = Field(25, ge=2)
    inconsistency_caution: float = Field(
        1.5, gt=0, description="Mean absolute difference over the consistency pairs (scale points)."
    )
    inconsistency_invalid: float = Field(2.25, gt=0)
    impression_caution: int = Field(
        4, ge=1, description="Impression-management items endorsed at the keyed extreme."
    )
    impression_invalid: int = Field(6, ge=1)


class Scoring(_Model):
    band_cuts: list[float] = Field(
        description=(
            "Four increasing sten cut points: a sten at or below cut k falls in band k "
            "(default [2, 4, 6, 8]: 1-2 risk, 3-4 small risk, 5-6 medium impact, "
            "7-8 small strength, 9-10 strength)."
        ),
        min_length=4,
        max_length=4,
    )
    min_answered: int = Field(
        3, ge=1, description="Fewer answered items than this: the competency is insufficient."
    )
    confidence: float = Field(0.90, gt=0.5, lt=1.0, description="Width of confidence bands.")
    borderline_probability: float = Field(
        1 / 3,
        gt=0,
        lt=0.5,
        description=(
            "A score is borderline when the chance that the true score lies across the "
            "nearest band boundary is at least this."
        ),
    )
    validity: ValidityThresholds = ValidityThresholds()


class StageCompetency(_Model):
    """A competency that matters for a stage, its weight, and why it matters there."""

    competency: Key
    weight: float = Field(gt=0, le=1)
    role: LocalText = Field(description="What this competency does for the rep in this stage.")


class Pitfall(_Model):
    """Why a rep may lose their way in a stage, and the competencies whose low score leads there."""

    text: LocalText
    competencies: list[Key] = Field(
        min_length=1,
        description=(
            "The stage's weighted competencies whose low score leads to this pitfall; the "
            "reports show it when any of them is at Small risk or Risk."
        ),
    )


class Stage(_Model):
    key: StageKey
    phase: Phase
    name: LocalText
    description: LocalText
    outcome: LocalText
    competencies: list[StageCompetency] = Field(min_length=1)
    weights_rationale: LocalText
    pitfalls: list[Pitfall] = Field(
        min_length=1, description="Why a rep may lose their way in this stage."
    )
    coaching: list[LocalText] = Field(min_length=1, description="What a manager can do.")


class Competency(_Model):
    key: Key
    name: LocalText
    definition: LocalText
    low: LocalText = Field(description="What low scorers do.")
    high: LocalText = Field(description="What high scorers do.")
    bands: dict[BandKey, LocalText] = Field(description="One interpretation sentence per band.")
    development: list[LocalText] = Field(
        min_length=2, description="Development actions a manager can take."
    )
    feedback: dict[BandKey, LocalText] = Field(
        description=(
            "Rep-facing, second person: one sentence per band for the participant feedback report."
        )
    )
    self_development: list[LocalText] = Field(
        min_length=2, description="Actions the rep can take on their own."
    )


class LikertItem(_Model):
    id: ItemId
    type: Literal["likert"]
    competency: Key
    keyed: Literal["+", "-"]
    text: LocalText


class SjtOption(_Model):
    key: Annotated[str, Field(pattern=r"^[a-z]$")]
    text: LocalText
    score: int = Field(ge=0, le=3, description="Expert key: 3 best, 0 worst.")
    rationale: LocalText = Field(description="One line: why the expert key scores it so.")


class SjtItem(_Model):
    id: ItemId
    type: Literal["sjt"]
    stage: StageKey
    competency: Key = Field(description="The competency this item adds evidence to.")
    scenario: LocalText
    question: LocalText
    options: list[SjtOption] = Field(min_length=4, max_length=6)


class ImpressionItem(_Model):
    """An impression-management item: agreeing at the keyed extreme claims a rare virtue."""

    id: ItemId
    type: Literal["impression"]
    keyed: Literal["+", "-"]
    text: LocalText


Item = Annotated[LikertItem | SjtItem | ImpressionItem, Field(discriminator="type")]


class ConsistencyPair(_Model):
    """Two Likert items that say nearly the same thing; consistent answerers agree on both."""

    items: tuple[ItemId, ItemId]


class ScaleNorm(_Model):
    mean: float
    sd: float = Field(gt=0)
    reliability: float = Field(gt=0, lt=1)


class NormTable(_Model):
    """Mean, SD and reliability per competency (raw scale) and stage composite (z scale)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    label: str
    n: int = Field(ge=1)
    source: str
    date: str
    provisional: bool
    competencies: dict[Key, ScaleNorm]
    stages: dict[StageKey, ScaleNorm]


class Instrument(_Model):
    format: Literal[1] = 1
    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    version: Annotated[str, Field(pattern=r"^\d+\.\d+$")]
    locales: list[str] = Field(min_length=1, description="The first is the default.")
    title: LocalText
    purpose: LocalText = Field(description="Shown to participants: what the assessment is for.")
    estimated_minutes: int = Field(ge=1, le=25)
    estimate_basis: str = Field(description="How the completion time was estimated.")
    scale: Scale
    bands: list[Band] = Field(min_length=5, max_length=5)
    scoring: Scoring
    stages: list[Stage] = Field(min_length=7, max_length=7)
    competencies: list[Competency] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)
    consistency_pairs: list[ConsistencyPair] = []
    norms: NormTable

    _checksum: str = PrivateAttr(default="")

    @property
    def checksum(self) -> str:
        """sha256 of the file the instrument was loaded from."""
        return self._checksum
