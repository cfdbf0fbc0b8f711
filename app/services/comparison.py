"""Two to four reps side by side: stage fit and competencies of their completed results."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.errors import UserError
from app.reports.progress import describe_target
from app.reports.views import ScoreView, bands, score, text
from app.services.access import Scope, find_assessment
from app.services.report_inputs import ReportNotFound, assessment_inputs

MIN_REPS, MAX_REPS = 2, 4


class BadComparison(UserError):
    status_code = 422


@dataclass(frozen=True)
class ComparedRep:
    assessment_id: str
    name: str
    completed_on: str
    validity: str
    best_fit: tuple[str, ...]  # stage names
    target: str | None
    stages: dict[str, ScoreView]
    competencies: dict[str, ScoreView]


@dataclass(frozen=True)
class Comparison:
    reps: list[ComparedRep]
    stages: list[tuple[str, str]]  # (key, name) in process order
    competencies: list[tuple[str, str]]
    mixed_versions: bool  # results of different questionnaire versions: compare with care


def compare(*, db: Session, scope: Scope, assessment_ids: list[str]) -> Comparison:
    """The completed results of the given assessments of one organisation, in the order given;
    another organisation's id is not found (ReportNotFound), an open one not ready."""
    ids = list(dict.fromkeys(assessment_ids))  # the same rep twice adds nothing
    if not MIN_REPS <= len(ids) <= MAX_REPS:
        raise BadComparison(f"Choose {MIN_REPS} to {MAX_REPS} completed results to compare.")
    reps: list[ComparedRep] = []
    stages: dict[str, str] = {}
    competencies: dict[str, str] = {}
    versions: set[tuple[str, str]] = set()
    for assessment_id in ids:
        if find_assessment(db=db, scope=scope, assessment_id=assessment_id) is None:
            raise ReportNotFound(f"no assessment {assessment_id}")
        inputs = assessment_inputs(
            db=db, assessment_id=assessment_id, organisation_id=scope.organisation_id
        )
        instrument, result, locale = inputs.instrument, inputs.result, inputs.locale
        views = bands(instrument, locale)
        names: dict[str, str] = {s.key: text(s.name, locale) for s in instrument.stages}
        for key, name in names.items():
            stages.setdefault(key, name)
        for c in instrument.competencies:
            competencies.setdefault(c.key, text(c.name, locale))
        versions.add((instrument.key, instrument.version))
        reps.append(
            ComparedRep(
                assessment_id=assessment_id,
                name=inputs.name,
                completed_on=inputs.completed_on,
                validity=result.validity.status,
                best_fit=tuple(names.get(k, k) for k in result.best_fit_stages),
                target=describe_target(inputs.target, names) if inputs.target else None,
                stages={s.key: score(s, views) for s in result.stages},
                competencies={c.key: score(c, views) for c in result.competencies},
            )
        )
    return Comparison(reps, list(stages.items()), list(competencies.items()), len(versions) > 1)
