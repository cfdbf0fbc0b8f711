"""What a report is made from, gathered once per subject (an assessment or a team): the PDF,
its cache key and the manager pages all start from the same ReportInputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import models
from app.clock import utcnow
from app.errors import UserError
from app.instrument.model import Instrument, NormTable
from app.reports.cache import CacheKey
from app.reports.context import RepReport, rep_report
from app.reports.team_context import TeamReport, team_report
from app.reports.views import Branding, RepResult
from app.scoring.result import Result
from app.scoring.roles import Target, read_target
from app.services.history import Previous, previous_result
from app.services.instruments import get_norms, instrument_of
from app.vocabulary import AssessmentStatus


class ReportNotReady(UserError):
    """The assessment (or every assessment of a team) is not completed yet."""

    status_code = 409


class ReportNotFound(UserError):
    """No such assessment or team in the caller's organisation."""

    status_code = 404


class UnknownLocale(UserError):
    """A report asked for in a language the instrument has no texts in."""

    status_code = 422


def report_locale(instrument: Instrument, *, asked: str | None, stored: str | None = None) -> str:
    """The one rule for a report's language. A locale asked for (API, CLI) must be one of the
    instrument's, else UnknownLocale names those it has; with none asked, the stored one (the
    assessment's) where the instrument has it, else the instrument's first."""
    if asked is not None:
        if asked not in instrument.locales:
            raise UnknownLocale(
                f"unknown locale {asked!r}: this instrument has {', '.join(instrument.locales)}"
            )
        return asked
    return stored if stored in instrument.locales else instrument.locales[0]


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report of one rep or one team depends on."""

    subject: str  # what the cache key names: the result id, or the team and its result ids
    name: str  # the rep's or the team's name, as printed
    instrument: Instrument
    norms: NormTable | None  # the table the (newest) result was scored with, if still stored
    branding: Branding
    locale: str
    reps: tuple[RepResult, ...]  # the rep; for a team its reps, oldest completion first
    completed_on: str  # YYYY-MM-DD of the (newest) completion
    previous: Previous | None = None  # a rep's earlier result of the same instrument version
    target: Target | None = None  # the role or stage the manager named when inviting

    @property
    def result(self) -> Result:
        """The rep's result (a team's newest)."""
        return self.reps[-1].result

    def cache_key(self, *, kind: str, paper: str, extra: str = "") -> CacheKey:
        names = [self.name, self.branding.organisation, *sorted(r.name for r in self.reps)]
        return CacheKey(
            subject=self.subject,
            kind=kind,
            locale=self.locale,
            paper=paper,
            brand_colour=self.branding.colour,
            logo_hash=self.branding.logo_hash,
            names="\x1f".join(names),
            extra=extra,
            assessment_ids=tuple(rep.assessment_id for rep in self.reps),
        )


def _branding(db: Session, organisation_id: str) -> Branding:
    org = db.get(models.Organisation, organisation_id)
    assert org is not None  # a foreign key of the assessment or team
    return Branding(organisation=org.name, colour=org.brand_colour or "", logo_svg=org.logo_svg)


def _norms(db: Session, norm_table_id: str) -> NormTable | None:
    try:
        return get_norms(db, norm_table_id)
    except UserError:
        return None  # the instrument's own table is then described instead


def _day(moment: datetime | None) -> str:
    return (moment or utcnow()).strftime("%Y-%m-%d")


def _rep(assessment: models.Assessment, row: models.Result) -> RepResult:
    return RepResult(assessment.id, assessment.participant.full_name, Result.from_json(row.payload))


def assessment_inputs(
    *,
    db: Session,
    assessment_id: str,
    locale: str | None = None,
    organisation_id: str | None = None,
) -> ReportInputs:
    """A completed assessment's report inputs; `organisation_id` scopes the lookup (API keys,
    manager pages), `locale` is the one asked for, if any (see report_locale)."""
    assessment = db.get(models.Assessment, assessment_id)
    if assessment is None or (
        organisation_id is not None and assessment.organisation_id != organisation_id
    ):
        raise ReportNotFound(f"no assessment {assessment_id}")
    row = db.scalar(select(models.Result).where(models.Result.assessment_id == assessment.id))
    if assessment.status != AssessmentStatus.COMPLETED or row is None:
        raise ReportNotReady(
            f"assessment {assessment_id} is {assessment.status}: "
            "its report is available once it is completed"
        )
    instrument = instrument_of(assessment.instrument_version)
    previous = previous_result(db=db, assessment=assessment)
    target = read_target(assessment.target_role, assessment.target_stage)
    # The comparison and the target shape the report, so they are part of what it is keyed by.
    subject = row.id
    if previous is not None:
        subject += f":since:{previous.result_id}"
    if target is not None:
        subject += f":{target.key}"
    return ReportInputs(
        subject=subject,
        name=assessment.participant.full_name,
        instrument=instrument,
        norms=_norms(db, row.norm_table_id),
        branding=_branding(db, assessment.organisation_id),
        locale=report_locale(instrument, asked=locale, stored=assessment.locale),
        reps=(_rep(assessment, row),),
        completed_on=_day(assessment.completed_at),
        previous=previous,
        target=target,
    )


def latest_team_results(
    *, db: Session, team: models.Team
) -> list[tuple[models.Assessment, models.Result]]:
    """Each rep's latest completed assessment in the team, oldest first.

    Reps whose latest result comes from another instrument version than the team's newest
    completion are left out: their scores do not compare.
    """
    Assessment, Participant = models.Assessment, models.Participant
    rows = db.execute(
        select(Assessment, models.Result)
        .join(models.Result, models.Result.assessment_id == Assessment.id)
        .join(Participant, Participant.id == Assessment.participant_id)
        .where(Assessment.organisation_id == team.organisation_id)
        .where(Assessment.status == AssessmentStatus.COMPLETED)
        .where(or_(Assessment.team_id == team.id, Participant.team_id == team.id))
        .order_by(Assessment.completed_at, Assessment.id)
    ).all()
    latest: dict[str, tuple[models.Assessment, models.Result]] = {}
    for assessment, result in rows:  # ordered by completion: the last one wins
        latest.pop(assessment.participant_id, None)  # re-insert, to keep completion order
        latest[assessment.participant_id] = (assessment, result)
    if not rows:
        return []
    version_id = rows[-1][0].instrument_version_id
    return [pair for pair in latest.values() if pair[0].instrument_version_id == version_id]


def team_inputs(
    *,
    db: Session,
    team_id: str,
    locale: str | None = None,
    organisation_id: str | None = None,
) -> ReportInputs:
    """A team's report inputs: the latest completed assessment of each of its reps, read with
    the instrument version and norm table of the newest."""
    team = db.get(models.Team, team_id)
    if team is None or (organisation_id is not None and team.organisation_id != organisation_id):
        raise ReportNotFound(f"no team {team_id}")
    members = latest_team_results(db=db, team=team)
    if not members:
        raise ReportNotReady(f"team {team.name} has no completed assessments yet")
    newest, newest_row = members[-1]
    instrument = instrument_of(newest.instrument_version)
    return ReportInputs(
        subject=team.id + ":" + ",".join(sorted(row.id for _, row in members)),
        name=team.name,
        instrument=instrument,
        norms=_norms(db, newest_row.norm_table_id),
        branding=_branding(db, team.organisation_id),
        # A team has no stored locale (its reps may have answered in different ones), so with
        # none asked its report is in the instrument's first.
        locale=report_locale(instrument, asked=locale),
        reps=tuple(_rep(assessment, row) for assessment, row in members),
        completed_on=_day(newest.completed_at),
    )


def rep_view(
    *,
    inputs: ReportInputs,
    kind: str = "manager",
    paper: str = "a4",
) -> RepReport:
    """The rep report's view model: what the PDF and the manager's result page show."""
    return rep_report(
        instrument=inputs.instrument,
        result=inputs.result,
        rep_name=inputs.name,
        branding=inputs.branding,
        kind=kind,
        locale=inputs.locale,
        paper=paper,
        norms=inputs.norms,
        previous=(
            (inputs.previous.completed_on, inputs.previous.result) if inputs.previous else None
        ),
        target=inputs.target,
    )


def team_view(
    *,
    inputs: ReportInputs,
    headcounts: Mapping[str, int] | None = None,
    paper: str = "a4",
    include_caution: bool = False,
) -> TeamReport:
    """The team report's view model: what the PDF and the manager's team page show."""
    return team_report(
        include_caution=include_caution,
        instrument=inputs.instrument,
        team_name=inputs.name,
        members=inputs.reps,
        branding=inputs.branding,
        headcounts=headcounts,
        locale=inputs.locale,
        paper=paper,
        norms=inputs.norms,
        date=inputs.completed_on,
    )
