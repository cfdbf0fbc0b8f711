"""A scored assessment as typed, immutable values, and its result JSON (DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from app.instrument.model import BandKey, Phase

Status = Literal["valid", "caution", "invalid"]
Level = Literal["caution", "invalid"]
ScoreStatus = Literal["scored", "insufficient"]
JSON = dict[str, Any]
DECIMALS = 3
"""Decimals of raw and z in the JSON: finer than any interpretation needs."""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _pair(value: tuple[int, int] | None) -> list[int] | None:
    return None if value is None else [value[0], value[1]]


@dataclass(frozen=True, slots=True)
class ValidityFlag:
    # too_fast, fast_pages, long_string, inconsistent, even_odd, person_total, mahalanobis,
    # synonyms, antonyms, uniformly_favourable, impression_management, incomplete
    code: str
    level: Level
    detail: str


@dataclass(frozen=True, slots=True)
class Validity:
    status: Status
    flags: tuple[ValidityFlag, ...] = ()
    indices: dict[str, float | None] = field(default_factory=dict)
    """Each judged index's value (docs/methodology.md §6); empty in results of engine 1."""


@dataclass(frozen=True, slots=True)
class InstrumentRef:
    key: str
    version: str
    checksum: str


@dataclass(frozen=True, slots=True)
class NormRef:
    id: str
    label: str
    n: int
    provisional: bool
    simulated: bool = False
    """No real respondent in the norm group (results of engine 1 do not say: False)."""


@dataclass(frozen=True, slots=True)
class CompetencyScore:
    key: str
    name: str
    status: ScoreStatus
    raw: float | None
    z: float | None
    sten: int | None
    percentile: int | None
    band: BandKey | None
    band_label: str | None
    ci90: tuple[int, int] | None
    borderline: bool
    answered: int
    items: int
    not_applicable: int = 0
    """Items answered "does not apply to my work" (counted neither as answered nor scored)."""


@dataclass(frozen=True, slots=True)
class StageCompetency:
    key: str
    weight: float
    band: BandKey | None


@dataclass(frozen=True, slots=True)
class StageScore:
    key: str
    name: str
    phase: Phase
    status: ScoreStatus
    z: float | None
    sten: int | None
    percentile: int | None
    band: BandKey | None
    band_label: str | None
    ci90: tuple[int, int] | None
    borderline: bool
    rank: int
    competencies: tuple[StageCompetency, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    score: int | None
    """The highest stage fit as a percentile of the norm group's highest stage fit (median 50);
    None when the result is invalid or no stage is scored. Engine 1 reported the highest
    stage's own percentile instead, which put most people above 50."""
    best_stage: str | None
    max_score: int = 100
    top_stage: str | None = None
    """The highest-ranked stage, also when it does not lead clearly (best_stage is then None)."""


@dataclass(frozen=True, slots=True)
class Result:
    assessment_id: str | None
    instrument: InstrumentRef
    norm: NormRef
    engine_version: str
    scored_at: datetime
    validity: Validity
    competencies: tuple[CompetencyScore, ...]
    stages: tuple[StageScore, ...]
    best_fit_stages: tuple[str, ...]
    summary: Summary
    phase_fit: dict[str, int | None]

    def competency(self, key: str) -> CompetencyScore:
        return next(c for c in self.competencies if c.key == key)

    def stage(self, key: str) -> StageScore:
        return next(s for s in self.stages if s.key == key)

    def to_json(self) -> JSON:
        """The result JSON of DESIGN.md, plus z, percentile, ci90, borderline and status."""
        return {
            "assessment_id": self.assessment_id,
            "instrument": {
                "key": self.instrument.key,
                "version": self.instrument.version,
                "checksum": self.instrument.checksum,
            },
            "norm": {
                "id": self.norm.id,
                "label": self.norm.label,
                "n": self.norm.n,
                "provisional": self.norm.provisional,
                "simulated": self.norm.simulated,
            },
            "engine_version": self.engine_version,
            "scored_at": self.scored_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "validity": {
                "status": self.validity.status,
                "flags": [
                    {"code": f.code, "level": f.level, "detail": f.detail}
                    for f in self.validity.flags
                ],
                "indices": dict(self.validity.indices),
            },
            "competencies": [_competency_json(c) for c in self.competencies],
            "stages": [_stage_json(s) for s in self.stages],
            "best_fit_stages": list(self.best_fit_stages),
            "summary": {
                "score": self.summary.score,
                "max_score": self.summary.max_score,
                "best_stage": self.summary.best_stage,
                "top_stage": self.summary.top_stage,
            },
            "phase_fit": dict(self.phase_fit),
        }

    @classmethod
    def from_json(cls, data: JSON) -> Result:
        """Read back a stored result JSON: the one reader of stored results (reports, API,
        comparisons, change scores).

        Every result ever stored must read back. The fields of the result JSON in DESIGN.md
        are required; the few the engine writes beyond them may be missing in results stored
        before it wrote them, and read as what they would have said (see result_reader). Keys this
        code does not know are ignored: a later engine may add fields. Anything else raises
        `result_reader.StoredResultError` naming the field.
        """
        # Imported here: the reader builds the classes of this module.
        from app.scoring.result_reader import read_result

        return read_result(data)


def _competency_json(c: CompetencyScore) -> JSON:
    return {
        "key": c.key,
        "name": c.name,
        "status": c.status,
        "raw": _round(c.raw),
        "z": _round(c.z),
        "sten": c.sten,
        "percentile": c.percentile,
        "band": c.band,
        "band_label": c.band_label,
        "ci90": _pair(c.ci90),
        "borderline": c.borderline,
        "answered": c.answered,
        "items": c.items,
        "not_applicable": c.not_applicable,
    }


def _stage_json(s: StageScore) -> JSON:
    return {
        "key": s.key,
        "name": s.name,
        "phase": s.phase,
        "status": s.status,
        "z": _round(s.z),
        "sten": s.sten,
        "percentile": s.percentile,
        "band": s.band,
        "band_label": s.band_label,
        "ci90": _pair(s.ci90),
        "borderline": s.borderline,
        "rank": s.rank,
        "competencies": [
            {"key": sc.key, "weight": sc.weight, "band": sc.band} for sc in s.competencies
        ],
    }
