"""The dashboard's selection as CSV: one row per assessment, with validity, role, best-fit
stages and the stens of a completed result. Cells a spreadsheet would run as a formula are
defused."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy.orm import Session

from app import models
from app.clock import rfc3339, utcnow
from app.scoring.result import Result
from app.scoring.result_reader import StoredResultError
from app.scoring.roles import read_target
from app.services.access import Scope
from app.services.assessment_list import Filters, selection
from app.vocabulary import status_at

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets; a leading apostrophe makes it text (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED = [
    "assessment_id",
    "first_name",
    "last_name",
    "email",
    "external_id",
    "team",
    "status",
    "invited_at",
    "completed_at",
    "validity",
    "validity_reasons",
    "role_or_stage",
    "best_fit_stages",
    "summary_score",
]


def defuse(value: Any) -> Any:
    """The value as a spreadsheet should show it: text that would start a formula gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _read(payload: Any) -> Result | None:
    try:
        return Result.from_json(payload) if payload is not None else None
    except StoredResultError:
        return None  # a damaged result exports its assessment's facts, not a failure


def export_csv(*, db: Session, scope: Scope, filters: Filters) -> str:
    query = selection(scope=scope, filters=filters, columns=(models.Result.payload,))
    rows: list[dict[str, Any]] = []
    score_columns: dict[str, None] = {}  # in order of first appearance
    now = utcnow()
    for assessment, participant, team_name, validity, payload in db.execute(query):
        result = _read(payload)
        target = read_target(assessment.target_role, assessment.target_stage)
        row: dict[str, Any] = {
            "assessment_id": assessment.id,
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "email": participant.email,
            "external_id": participant.external_id or "",
            "team": team_name or "",
            "status": status_at(assessment.status, assessment.expires_at, now).value,
            "invited_at": rfc3339(assessment.created_at),
            "completed_at": rfc3339(assessment.completed_at) if assessment.completed_at else "",
            "validity": validity or "",
            "role_or_stage": target.key if target else "",
        }
        if result is not None:
            row["validity_reasons"] = "; ".join(f.detail or f.code for f in result.validity.flags)
            row["best_fit_stages"] = " ".join(result.best_fit_stages)
            row["summary_score"] = "" if result.summary.score is None else result.summary.score
            for s in result.stages:
                row[f"stage:{s.key}:sten"] = "" if s.sten is None else s.sten
                row[f"stage:{s.key}:band"] = s.band or ""
            for c in result.competencies:
                row[f"competency:{c.key}:sten"] = "" if c.sten is None else c.sten
            score_columns.update(dict.fromkeys(k for k in row if ":" in k))
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*FIXED, *score_columns], restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: defuse(value) for key, value in row.items()})
    # A byte-order mark: Excel otherwise reads UTF-8 names as Latin-1.
    return "\ufeff" + out.getvalue()
