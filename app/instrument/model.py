"""The instrument file format: one versioned questionnaire, as a pydantic model.

Structure is checked here; cross-references (known competencies, weights that sum
to 1, complete locales, ...) are checked in `checks.py` so that every problem can
be reported with the line it stands on.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)

# Re-exported: the core imports these types from the model.
from app.instrument.process import BandKey as BandKey
from app.instrument.process import Phase as Phase
from app.instrument.process import StageKey as StageKey

# A text in every locale the instrument declares: {"en": "..."}.
LocalText = dict[str, str]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=32)]


def _number_row(value: object) -> object:
    """Numbers written as one line of text ("3.1 3.4 3.9"), as norm files keep long rows:
    a YAML list of thousands of numbers takes ten times longer to read."""
    if isinstance(value, str):
        try:
            return tuple(float(part) for part in value.split())
        except ValueError:
            raise ValueError("expected numbers separated by spaces") from None
    return value


NumberRow = Annotated[
    tuple[float, ...],
    BeforeValidator(_number_row),
    PlainSerializer(lambda row: " ".join(repr(float(v)) for v in row), return_type=str),
    WithJsonSchema({"type": "string", "description": "Numbers separated by spaces."}),
]
PERCENTILE_POINTS = 99
"""A norm's percentile row holds the scale's value at the 1st, 2nd, ... 99th percentile."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Model):
    """The agreement scale of the Likert items."""

    points: int = Field(5, ge=3, le=9)
    labels: list[LocalText] = Field(description="One label per point, lowest first.")
    not_applicable: LocalText | None = Field(
        None,
        description=(
            "Label of the 'does not apply to my work' answer that items with "
            "`not_applicable: true` offer besides the scale."
        ),
    )


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
        4,
        ge=1,
        description=(
            "Impression-management items endorsed at the keyed extreme: a caution (the rule of "
            "instruments without `impression_caution_z`)."
        ),
    )
    impression_invalid: int = Field(
        6,
        ge=1,
        description="Kept for old files: impression management alone is never `invalid`.",
    )
    # Careless-responding indices (docs/methodology.md §6). Unset: the index is not judged.
    page_seconds_per_item: float = Field(
        2.0, gt=0, description="A page answered faster than this per item was not read."
    )
    fast_pages_caution: int | None = Field(None, ge=1, description="Fast pages: caution.")
    fast_pages_invalid: int | None = Field(None, ge=1, description="Fast pages: invalid.")
    even_odd_caution: float | None = Field(
        None, ge=-1, le=1, description="Even-odd consistency below this: caution."
    )
    person_total_caution: float | None = Field(
        None, ge=-1, le=1, description="Person-total correlation below this: caution."
    )
    person_total_invalid: float | None = Field(None, ge=-1, le=1)
    mahalanobis_caution: float | None = Field(
        None, description="Mahalanobis distance (as z for the items answered) above this."
    )
    mahalanobis_invalid: float | None = None
    synonyms_caution: float | None = Field(
        None, ge=-1, le=1, description="Psychometric synonyms correlation below this: caution."
    )
    antonyms_caution: float | None = Field(
        None, ge=-1, le=1, description="Psychometric antonyms correlation above this: caution."
    )
    favourable_caution: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Share of statements answered at the favourable end above this: caution.",
    )
    impression_caution_z: float | None = Field(
        None,
        description=(
            "Impression-management score, normed on the norm table's `validity.impression`, "
            "at or above this z: caution."
        ),
    )
    basis: str | None = Field(
        None, description="How the thresholds were set (simulation, seed, false-alarm rates)."
    )


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
    best_fit_margin: float = Field(
        1.645,
        ge=1,
        description=(
            "A stage is best fit when its lead over the next stage is larger than this many "
            "standard errors of the difference, √(SEM₁² + SEM₂²); 1.645 is a one-sided 95 % "
            "test (docs/methodology.md §5 says why not 1)."
        ),
    )
    norms_min_n: int = Field(
        300,
        ge=10,
        description=(
            "Norm tables from fewer respondents are provisional, and use the normal curve "
            "instead of empirical percentiles."
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
    not_applicable: bool = Field(
        False,
        description=(
            "Offer 'does not apply to my work' (the answer `na`): the statement presumes a "
            "stage not every rep works in. The answer counts as missing."
        ),
    )


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


class DistributionNorm(_Model):
    """Where a score lies in the norm group: mean, SD and, once n allows, its percentiles."""

    mean: float
    sd: float = Field(gt=0)
    percentiles: NumberRow | None = Field(
        None,
        description=(
            "The score at the 1st to 99th percentile of the norm group (99 numbers, "
            "non-decreasing); without it percentiles come from the normal curve."
        ),
    )

    @model_validator(mode="after")
    def _percentile_row(self) -> DistributionNorm:
        row = self.percentiles
        if row is not None:
            if len(row) != PERCENTILE_POINTS:
                raise ValueError(f"percentiles: {len(row)} numbers, expected {PERCENTILE_POINTS}")
            if any(b < a for a, b in pairwise(row)):
                raise ValueError("percentiles must not decrease")
        return self


class ScaleNorm(DistributionNorm):
    reliability: float = Field(gt=0, lt=1)


class NormExclusions(_Model):
    """Which answer sets were left out of a norm table, and why."""

    considered: int = Field(ge=0, description="Answer sets offered to the computation.")
    invalid: int = Field(0, ge=0, description="Left out: validity status invalid.")
    caution: int = Field(0, ge=0, description="Left out: validity status caution.")
    rule: str = Field(description="The exclusion rule in words.")


class ValidityNorms(_Model):
    """What the careless-responding indices compare an answer set with: the norm group's
    Likert item means, SDs and correlations (raw answers, before reverse keying), its
    psychometric synonyms and antonyms, and its impression-management score."""

    items: list[ItemId] = Field(min_length=2, description="Likert items, in the order below.")
    mean: NumberRow
    sd: NumberRow
    correlation: list[NumberRow] = Field(
        description="Lower triangle: row k (from 1) holds r of item k with items 0..k-1."
    )
    synonyms: list[tuple[ItemId, ItemId]] = Field(
        default=[], description="Item pairs the norm group answers most alike."
    )
    antonyms: list[tuple[ItemId, ItemId]] = Field(
        default=[], description="Item pairs the norm group answers most oppositely."
    )
    pair_min_r: float = Field(0.0, description="Pairs were taken from |r| at least this.")
    impression: DistributionNorm | None = Field(
        None, description="The sum of the impression items' keyed scores."
    )

    @model_validator(mode="after")
    def _shapes(self) -> ValidityNorms:
        k = len(self.items)
        if len(self.mean) != k or len(self.sd) != k:
            raise ValueError(f"mean and sd need one number per item ({k})")
        if any(sd <= 0 for sd in self.sd):
            raise ValueError("every item sd must be above 0")
        if [len(row) for row in self.correlation] != list(range(1, k)):
            raise ValueError(f"correlation must have rows of 1..{k - 1} numbers")
        return self


class NormTable(_Model):
    """Mean, SD and reliability per competency (raw scale) and stage composite (z scale),
    and (from instrument 1.1) the summary, phase and validity norms."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    label: str
    n: int = Field(ge=1)
    source: str
    date: str
    provisional: bool
    simulated: bool | None = Field(
        None, description="True when no real respondent is in the table (a simulation)."
    )
    population: str | None = Field(None, description="Who the norm group is.")
    composition: str | None = Field(
        None, description="How the norm group is made up (organisations, roles, countries)."
    )
    exclusions: NormExclusions | None = None
    competencies: dict[Key, ScaleNorm]
    stages: dict[StageKey, ScaleNorm]
    summary: DistributionNorm | None = Field(
        None, description="The highest stage z of each respondent: norms the summary score."
    )
    phases: dict[Phase, DistributionNorm] | None = Field(
        None, description="The mean stage z of each phase: norms the phase fit."
    )
    validity: ValidityNorms | None = None

    @property
    def from_simulation(self) -> bool:
        """Whether the table describes simulated people only (older tables say so in words)."""
        if self.simulated is not None:
            return self.simulated
        return "simulat" in f"{self.label} {self.source}".lower()


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
