"""Consented, de-identified answers of completed assessments, for norming and research,
together with those kept de-identified when their participants were erased
(app/services/privacy.py).

One row per completed assessment whose participant consented, one column per item of one
instrument version (the format `stagefit analyze` and `stagefit norms compute` read). A row
carries a random id and the answers, nothing else: no name, e-mail, external id, assessment
id, team or time, and the rows are shuffled so that their order says nothing either.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.models import Answer, Assessment, DeidentifiedResult, InstrumentVersion, Organisation
from app.scoring.responses import RESPONDENT_COLUMN
from app.services.instruments import instrument_of

DEFAULT_INSTRUMENT_KEY = "sales-process-inventory"
COMPLETED = "completed"


@dataclass(frozen=True)
class ResponseExport:
    instrument_key: str
    instrument_version: str
    item_ids: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (random id, answers in item order)
    other_versions: int  # exportable assessments of other versions, not in this export

    def csv_text(self) -> str:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([RESPONDENT_COLUMN, *self.item_ids])
        for row_id, answers in self.rows:
            writer.writerow([row_id, *answers])
        return out.getvalue()


def _exportable(db: Session, organisation: Organisation, key: str) -> list[Assessment]:
    statement = (
        select(Assessment)
        .join(InstrumentVersion, InstrumentVersion.id == Assessment.instrument_version_id)
        .where(
            Assessment.organisation_id == organisation.id,
            Assessment.status == COMPLETED,
            Assessment.consented_at.is_not(None),
            InstrumentVersion.key == key,
        )
    )
    return list(db.scalars(statement))


def _kept(db: Session, organisation: Organisation, key: str) -> list[DeidentifiedResult]:
    """Results kept de-identified after an erasure (only consented ones ever are)."""
    statement = (
        select(DeidentifiedResult)
        .join(InstrumentVersion, InstrumentVersion.id == DeidentifiedResult.instrument_version_id)
        .where(DeidentifiedResult.organisation_id == organisation.id, InstrumentVersion.key == key)
    )
    return list(db.scalars(statement))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def export_responses(
    *,
    db: Session,
    organisation: Organisation,
    instrument_key: str = DEFAULT_INSTRUMENT_KEY,
    version: str | None = None,
) -> ResponseExport:
    """The organisation's consented, completed answer sets of one instrument version (by
    default the newest version that has any)."""
    assessments = _exportable(db, organisation, instrument_key)
    kept = _kept(db, organisation, instrument_key)
    versions = {a.instrument_version_id: a.instrument_version for a in assessments}
    for row_kept in kept:
        if row_kept.instrument_version_id not in versions:
            version_row = db.get(InstrumentVersion, row_kept.instrument_version_id)
            assert version_row is not None  # a foreign key
            versions[version_row.id] = version_row
    if version is None:
        if not versions:
            raise UserError(
                f"{organisation.slug}: no completed, consented assessments of {instrument_key}"
            )
        row = max(versions.values(), key=lambda v: _version_key(v.version))
    else:
        found = next((v for v in versions.values() if v.version == version), None)
        if found is None:
            raise UserError(
                f"{organisation.slug}: no completed, consented assessments of "
                f"{instrument_key} {version}"
            )
        row = found
    chosen = [a.id for a in assessments if a.instrument_version_id == row.id]
    item_ids = tuple(item.id for item in instrument_of(row).items)
    answers: dict[str, dict[str, str]] = {assessment_id: {} for assessment_id in chosen}
    result = db.execute(
        select(Answer.assessment_id, Answer.item_id, Answer.value).where(
            Answer.assessment_id.in_(chosen)
        )
    )
    for assessment_id, item_id, value in result:
        answers[assessment_id][item_id] = value
    chosen_kept = [k for k in kept if k.instrument_version_id == row.id]
    for number, row_kept in enumerate(chosen_kept):
        answers[f"kept-{number}"] = {str(k): str(v) for k, v in row_kept.answers.items()}
    rows = [
        (secrets.token_hex(8), tuple(given.get(item_id, "") for item_id in item_ids))
        for given in answers.values()
    ]
    secrets.SystemRandom().shuffle(rows)
    return ResponseExport(
        instrument_key=row.key,
        instrument_version=row.version,
        item_ids=item_ids,
        rows=tuple(rows),
        other_versions=len(assessments) + len(kept) - len(chosen) - len(chosen_kept),
    )
