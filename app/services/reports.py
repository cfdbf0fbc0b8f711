"""Report use cases: a completed assessment's or a team's PDF, rendered or served from cache."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.errors import UserError
from app.instrument.process import STAGE_KEYS
from app.models import Assessment, Organisation
from app.reports import cache, render
from app.services.report_inputs import (
    ReportNotFound,
    ReportNotReady,
    UnknownLocale,
    assessment_inputs,
    rep_view,
    team_inputs,
    team_view,
)

# The report errors stay importable from here, where callers (manager pages) catch them.
__all__ = [
    "InvalidHeadcount",
    "RenderedReport",
    "ReportNotFound",
    "ReportNotReady",
    "UnknownLocale",
    "assessment_report",
    "feedback_allowed",
    "parse_headcounts",
    "team_report",
]

REP_KINDS = ("manager", "participant")


class InvalidHeadcount(UserError):
    """A head-count that is not STAGE=N with a stage of the sales process."""

    status_code = 422


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    filename: str
    cached: bool


def _check_options(kind: str, paper: str, kinds: tuple[str, ...]) -> None:
    if kind not in kinds:
        raise UserError(f"unknown report kind {kind!r}: use one of {', '.join(kinds)}")
    if paper not in render.PAPERS:
        raise UserError(f"unknown paper {paper!r}: use a4 or letter")


def _safe(name: str) -> str:
    # ASCII only: the name ends up in a Content-Disposition header, which HTTP sends as
    # Latin-1 (a CJK name would not encode at all); accents fold to their base letter.
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "-" for ch in folded.lower()).strip("-") or "report"


def assessment_report(
    *,
    db: Session,
    assessment_id: str,
    kind: str = "manager",
    locale: str | None = None,
    paper: str = "a4",
    organisation_id: str | None = None,
) -> RenderedReport:
    """The PDF of one completed assessment; `organisation_id` scopes the lookup (API keys),
    `locale` is the one asked for, if any (report_inputs.report_locale)."""
    _check_options(kind, paper, REP_KINDS)
    inputs = assessment_inputs(
        db=db, assessment_id=assessment_id, locale=locale, organisation_id=organisation_id
    )
    pdf, cached = cache.get_or_render(
        inputs.cache_key(kind=kind, paper=paper),
        lambda: render.pdf(kind, rep_view(inputs=inputs, kind=kind, paper=paper)),
    )
    return RenderedReport(pdf, f"stagefit-{kind}-{_safe(inputs.name)}.pdf", cached)


def parse_headcounts(values: list[str]) -> dict[str, int]:
    """`stage=N` pairs (CLI and query strings) as head-counts per stage."""
    counts: dict[str, int] = {}
    for value in values:
        stage, sep, number = value.partition("=")
        if not sep or stage not in STAGE_KEYS or not (number.isascii() and number.isdigit()):
            raise InvalidHeadcount(
                f"head-count {value!r}: write STAGE=N with a stage of {', '.join(STAGE_KEYS)}"
            )
        counts[stage] = int(number)
    return counts


def team_report(
    *,
    db: Session,
    team_id: str,
    headcounts: Mapping[str, int] | None = None,
    locale: str | None = None,
    paper: str = "a4",
    organisation_id: str | None = None,
    include_caution: bool = False,
) -> RenderedReport:
    """The team's PDF from the latest completed assessment of each of its reps; invalid
    results (and caution ones unless `include_caution`) are kept out of the assignment."""
    _check_options("team", paper, ("team",))
    inputs = team_inputs(db=db, team_id=team_id, locale=locale, organisation_id=organisation_id)
    options = {
        "headcounts": dict(headcounts) if headcounts is not None else None,
        "include_caution": include_caution,
    }
    pdf, cached = cache.get_or_render(
        inputs.cache_key(kind="team", paper=paper, extra=json.dumps(options, sort_keys=True)),
        lambda: render.pdf(
            "team",
            team_view(
                inputs=inputs, headcounts=headcounts, paper=paper, include_caution=include_caution
            ),
        ),
    )
    return RenderedReport(pdf, f"stagefit-team-{_safe(inputs.name)}.pdf", cached)


def feedback_allowed(*, db: Session, assessment: Assessment) -> bool:
    """Whether the rep may receive their own feedback report (an organisation setting)."""
    org = db.get(Organisation, assessment.organisation_id)
    return bool(org and org.share_feedback)
