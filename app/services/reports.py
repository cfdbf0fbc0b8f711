"""Report use cases: a completed assessment's or a team's PDF, rendered or served from cache."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from fastapi import Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.instrument.model import NormTable
from app.instrument.process import STAGE_KEYS
from app.models import Assessment, Organisation, Participant, Result, Team
from app.reports import cache, render
from app.reports.views import Branding
from app.services.instruments import get_norms, instrument_of

REP_KINDS = ("manager", "participant")


class ReportNotReady(UserError):
    """The assessment (or every assessment of a team) is not completed yet."""

    status_code = 409


class ReportNotFound(UserError):
    """No such assessment or team in the caller's organisation."""

    status_code = 404


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    filename: str
    cached: bool


def pdf_response(
    report: RenderedReport, *, disposition: Literal["inline", "attachment"] = "inline"
) -> Response:
    """The PDF as an HTTP response (HR API and manager app alike); X-Report-Cache says
    whether it came from the cache."""
    return Response(
        content=report.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="{report.filename}"',
            "X-Report-Cache": "hit" if report.cached else "miss",
        },
    )


def _branding(org: Organisation) -> Branding:
    return Branding(organisation=org.name, colour=org.brand_colour or "", logo_svg=org.logo_svg)


def _check_options(kind: str, paper: str, kinds: tuple[str, ...]) -> None:
    if kind not in kinds:
        raise UserError(f"unknown report kind {kind!r}: use one of {', '.join(kinds)}")
    if paper not in render.PAPERS:
        raise UserError(f"unknown paper {paper!r}: use a4 or letter")


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "report"


def _norms(db: Session, norm_table_id: str) -> NormTable | None:
    try:
        return get_norms(db, norm_table_id)
    except UserError:
        return None  # the instrument's own table is then described instead


def assessment_report(
    *,
    db: Session,
    assessment_id: str,
    kind: str = "manager",
    locale: str | None = None,
    paper: str = "a4",
    organisation_id: str | None = None,
) -> RenderedReport:
    """The PDF of one completed assessment; `organisation_id` scopes the lookup (API keys)."""
    _check_options(kind, paper, REP_KINDS)
    assessment = db.get(Assessment, assessment_id)
    if assessment is None or (
        organisation_id is not None and assessment.organisation_id != organisation_id
    ):
        raise ReportNotFound(f"no assessment {assessment_id}")
    result = db.scalar(select(Result).where(Result.assessment_id == assessment.id))
    if assessment.status != "completed" or result is None:
        raise ReportNotReady(
            f"assessment {assessment_id} is {assessment.status}: "
            "its report is available once it is completed"
        )
    org = db.get(Organisation, assessment.organisation_id)
    assert org is not None
    participant = assessment.participant
    version = assessment.instrument_version
    locale = locale or assessment.locale
    branding = _branding(org)
    key = cache.CacheKey(
        subject=result.id,
        kind=kind,
        locale=locale,
        paper=paper,
        brand_colour=branding.colour,
        logo_hash=branding.logo_hash,
        names=f"{participant.full_name}\x1f{org.name}",
    )

    def _render() -> bytes:
        from app.reports.context import rep_report

        instrument = instrument_of(version)
        if locale not in instrument.locales:
            raise UserError(
                f"unknown locale {locale!r}: this instrument has {', '.join(instrument.locales)}"
            )
        report = rep_report(
            instrument=instrument,
            result=result.payload,
            rep_name=participant.full_name,
            branding=branding,
            kind=kind,
            locale=locale,
            paper=paper,
            norms=_norms(db, result.norm_table_id),
        )
        return render.pdf(kind, report)

    pdf, cached = cache.get_or_render(key, _render)
    return RenderedReport(pdf, f"stagefit-{kind}-{_safe(participant.full_name)}.pdf", cached)


def parse_headcounts(values: list[str]) -> dict[str, int]:
    """`stage=N` pairs (CLI and query strings) as head-counts per stage."""
    counts: dict[str, int] = {}
    for value in values:
        stage, sep, number = value.partition("=")
        if not sep or stage not in STAGE_KEYS or not (number.isascii() and number.isdigit()):
            raise UserError(
                f"head-count {value!r}: write STAGE=N with a stage of {', '.join(STAGE_KEYS)}"
            )
        counts[stage] = int(number)
    return counts


def latest_team_results(*, db: Session, team: Team) -> list[tuple[Assessment, Result]]:
    """Each rep's latest completed assessment in the team, oldest first.

    Reps whose latest result comes from another instrument version than the team's newest
    completion are left out: their scores do not compare.
    """
    rows = db.execute(
        select(Assessment, Result)
        .join(Result, Result.assessment_id == Assessment.id)
        .join(Participant, Participant.id == Assessment.participant_id)
        .where(Assessment.organisation_id == team.organisation_id)
        .where(Assessment.status == "completed")
        .where(or_(Assessment.team_id == team.id, Participant.team_id == team.id))
        .order_by(Assessment.completed_at, Assessment.id)
    ).all()
    latest: dict[str, tuple[Assessment, Result]] = {}
    for assessment, result in rows:  # ordered by completion: the last one wins
        latest.pop(assessment.participant_id, None)  # re-insert, to keep completion order
        latest[assessment.participant_id] = (assessment, result)
    if not rows:
        return []
    version_id = rows[-1][0].instrument_version_id
    return [pair for pair in latest.values() if pair[0].instrument_version_id == version_id]


def team_report(
    *,
    db: Session,
    team_id: str,
    headcounts: Mapping[str, int] | None = None,
    locale: str = "en",
    paper: str = "a4",
    organisation_id: str | None = None,
) -> RenderedReport:
    """The team's PDF from the latest completed assessment of each of its reps."""
    _check_options("team", paper, ("team",))
    team = db.get(Team, team_id)
    if team is None or (organisation_id is not None and team.organisation_id != organisation_id):
        raise ReportNotFound(f"no team {team_id}")
    members = latest_team_results(db=db, team=team)
    if not members:
        raise ReportNotReady(f"team {team.name} has no completed assessments yet")
    newest = members[-1]
    version = newest[0].instrument_version
    org = db.get(Organisation, team.organisation_id)
    assert org is not None
    branding = _branding(org)
    key = cache.CacheKey(
        subject=team.id + ":" + ",".join(sorted(r.id for _, r in members)),
        kind="team",
        locale=locale,
        paper=paper,
        brand_colour=branding.colour,
        logo_hash=branding.logo_hash,
        names="\x1f".join(
            [team.name, org.name, *sorted(a.participant.full_name for a, _ in members)]
        ),
        extra=json.dumps(dict(headcounts) if headcounts is not None else None, sort_keys=True),
    )

    def _render() -> bytes:
        from app.reports.team_context import TeamMemberInput
        from app.reports.team_context import team_report as build

        instrument = instrument_of(version)
        report = build(
            instrument=instrument,
            team_name=team.name,
            members=[TeamMemberInput(a.id, a.participant.full_name, r.payload) for a, r in members],
            branding=branding,
            headcounts=headcounts,
            locale=locale if locale in instrument.locales else instrument.locales[0],
            paper=paper,
            norms=_norms(db, newest[1].norm_table_id),
            date=(newest[0].completed_at or datetime.now(UTC)).strftime("%Y-%m-%d"),
        )
        return render.pdf("team", report)

    pdf, cached = cache.get_or_render(key, _render)
    return RenderedReport(pdf, f"stagefit-team-{_safe(team.name)}.pdf", cached)


def feedback_allowed(*, db: Session, assessment: Assessment) -> bool:
    """Whether the rep may receive their own feedback report (an organisation setting)."""
    org = db.get(Organisation, assessment.organisation_id)
    return bool(org and org.share_feedback)
