"""Reading a stored result JSON back into typed values: strict about what every engine
version wrote, tolerant of what early results lack, blind to what later engines add."""

from __future__ import annotations

from dataclasses import MISSING, fields
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, get_args

from app.instrument.model import BandKey, Phase
from app.instrument.process import BAND_KEYS
from app.scoring.result import (
    CompetencyScore,
    InstrumentRef,
    Level,
    NormRef,
    Result,
    ScoreStatus,
    StageCompetency,
    StageScore,
    Status,
    Summary,
    Validity,
    ValidityFlag,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")
STATUSES, LEVELS = get_args(Status), get_args(Level)
SCORE_STATUSES, PHASES = get_args(ScoreStatus), get_args(Phase)


class StoredResultError(ValueError):
    """A stored result JSON lacks a field every engine version writes, or holds a value none
    writes: the data is damaged, not merely old."""


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StoredResultError(f"{where}: expected an object, found {type(value).__name__}")
    return value


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise StoredResultError(f"{where}: no {key}")
    return entry[key]


def _list(entry: dict[str, Any], key: str, where: str) -> list[Any]:
    value = _need(entry, key, where)
    if not isinstance(value, list):
        raise StoredResultError(f"{where}.{key}: expected a list, found {type(value).__name__}")
    return value


def _one_of(value: Any, allowed: tuple[Any, ...], where: str) -> Any:
    if value not in allowed:
        raise StoredResultError(f"{where}: {value!r} is none of {', '.join(map(str, allowed))}")
    return value


@cache
def _fields(cls: type[DataclassInstance]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A class's field names, and those without a default (looked up once: reports read
    stored results on every request)."""
    all_fields = fields(cls)
    required = [f.name for f in all_fields if f.default is MISSING and f.default_factory is MISSING]
    return tuple(f.name for f in all_fields), tuple(required)


def _build(cls: type[D], entry: dict[str, Any], where: str, **read: Any) -> D:
    """`cls` from the keys of `entry` it has fields for, with the values in `read` (already
    checked and converted) taking precedence. Other keys are ignored; a field without a
    default that neither gives is an error."""
    names, required = _fields(cls)
    values = {name: entry[name] for name in names if name in entry}
    values.update(read)
    missing = [name for name in required if name not in values]
    if missing:
        raise StoredResultError(f"{where}: no {', '.join(missing)}")
    return cls(**values)


def _band(entry: dict[str, Any], where: str) -> BandKey | None:
    band = _need(entry, "band", where)
    return None if band is None else _one_of(band, BAND_KEYS, f"{where}.band")


def _ci(value: Any, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise StoredResultError(f"{where}.ci90: expected [low, high], found {value!r}")
    return (int(value[0]), int(value[1]))


def _status(entry: dict[str, Any], where: str) -> ScoreStatus:
    if "status" not in entry:
        # Not in DESIGN.md's result JSON, so a stored result may lack it; the engine gives a
        # score with too few answers no sten, which says the same.
        return "insufficient" if entry.get("sten") is None else "scored"
    status: ScoreStatus = _one_of(entry["status"], SCORE_STATUSES, f"{where}.status")
    return status


def _moment(value: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise StoredResultError(f"{where}: {value!r} is not a date and time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _competency(data: Any, where: str) -> CompetencyScore:
    entry = _object(data, where)
    return _build(
        CompetencyScore,
        entry,
        where,
        status=_status(entry, where),
        band=_band(entry, where),
        ci90=_ci(_need(entry, "ci90", where), where),
    )


# Stage fields the engine writes beyond DESIGN.md's stage entry, and what their absence
# means: no z, percentile, label or interval known, and not borderline.
_STAGE_BEFORE: dict[str, Any] = {
    "z": None,
    "percentile": None,
    "band_label": None,
    "ci90": None,
    "borderline": False,
}


def _stage(data: Any, where: str) -> StageScore:
    entry = {**_STAGE_BEFORE, **_object(data, where)}
    parts = _list(entry, "competencies", where)
    return _build(
        StageScore,
        entry,
        where,
        phase=_one_of(_need(entry, "phase", where), PHASES, f"{where}.phase"),
        status=_status(entry, where),
        band=_band(entry, where),
        ci90=_ci(entry["ci90"], where),
        competencies=tuple(
            _stage_competency(part, f"{where}.competencies[{k}]") for k, part in enumerate(parts)
        ),
    )


def _stage_competency(data: Any, where: str) -> StageCompetency:
    entry = _object(data, where)
    return _build(StageCompetency, entry, where, band=_band(entry, where))


def _validity(data: Any) -> Validity:
    entry = _object(data, "validity")
    flags = []
    for k, flag in enumerate(_list(entry, "flags", "validity")):
        where = f"validity.flags[{k}]"
        flag = _object(flag, where)
        level = _one_of(_need(flag, "level", where), LEVELS, f"{where}.level")
        flags.append(_build(ValidityFlag, flag, where, level=level))
    status = _need(entry, "status", "validity")
    # A mapping of index codes to numbers (engine 2 on): later indices are kept as data, values
    # that are not numbers are not indices.
    indices = {
        str(code): value
        for code, value in _object(entry.get("indices", {}), "validity.indices").items()
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    }
    return _build(
        Validity,
        entry,
        "validity",
        status=_one_of(status, STATUSES, "validity.status"),
        flags=tuple(flags),
        indices=indices,
    )


def _summary(entry: dict[str, Any]) -> Summary:
    # Engine 1 wrote no top stage: its best stage was always the top-ranked one.
    top = entry.get("top_stage", entry.get("best_stage"))
    return _build(Summary, entry, "summary", top_stage=top)


def read_result(data: Any) -> Result:
    """A stored result JSON as a Result (`Result.from_json` says what is required)."""
    top = _object(data, "result")
    return _build(
        Result,
        top,
        "result",
        instrument=_build(
            InstrumentRef, _object(_need(top, "instrument", "result"), "instrument"), "instrument"
        ),
        norm=_build(NormRef, _object(_need(top, "norm", "result"), "norm"), "norm"),
        scored_at=_moment(_need(top, "scored_at", "result"), "scored_at"),
        validity=_validity(_need(top, "validity", "result")),
        competencies=tuple(
            _competency(c, f"competencies[{k}]")
            for k, c in enumerate(_list(top, "competencies", "result"))
        ),
        stages=tuple(
            _stage(s, f"stages[{k}]") for k, s in enumerate(_list(top, "stages", "result"))
        ),
        best_fit_stages=tuple(_list(top, "best_fit_stages", "result")),
        summary=_summary(_object(_need(top, "summary", "result"), "summary")),
        # Absent from results stored before the engine wrote it: reports then work it out
        # from the stages.
        phase_fit=dict(_object(top.get("phase_fit", {}), "phase_fit")),
    )
