"""The view model of the Team Sales Process Report: heat map, rankings, suggested assignment,
uncovered stages and team development priorities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean

from app.instrument.model import BandKey, Instrument, NormTable
from app.reports.validity_reason import validity_reason
from app.reports.views import (
    LOW,
    NO_SCORE,
    BandView,
    Branding,
    MethodNotes,
    RepResult,
    ScoreView,
    bands,
    method_notes,
    score,
    text,
)
from app.scoring.matching import match_team
from app.scoring.result import StageScore

PRIORITIES = 5


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    validity: str
    stages: dict[str, ScoreView]
    # Why the rep is kept out of rankings and the assignment ("Invalid: answered too fast");
    # None when the result is ranked.
    excluded: str | None = None
    reason: str | None = None  # the validity line, also for caution results that are ranked


@dataclass(frozen=True)
class StageColumn:
    key: str
    number: int
    name: str
    phase: str
    slots: int
    assigned: list[tuple[Member, ScoreView]]
    ranking: list[tuple[Member, ScoreView]]
    not_enough: list[Member]
    gap_reasons: list[str]
    gap_codes: list[str]


@dataclass(frozen=True)
class Priority:
    name: str
    mean_sten: float
    low_count: int
    scored: int
    stages: list[str]
    development: list[str]


@dataclass
class TeamReport:
    kind: str
    locale: str
    paper: str
    team_name: str
    branding: Branding
    title: str
    date: str
    bands: list[BandView]
    members: list[Member]
    stages: list[StageColumn]
    rank_rows: list[list[tuple[Member, ScoreView] | None]]
    unassigned: list[Member]
    headcounts: dict[str, int] | None
    gaps: list[StageColumn]
    priorities: list[Priority]
    caution_count: int
    method: MethodNotes
    excluded: list[Member]
    include_caution: bool = False


def is_ranked(validity: str, *, include_caution: bool) -> bool:
    """Whether a result takes part in rankings and the assignment: valid ones always,
    caution ones when asked for, invalid ones never."""
    return validity == "valid" or (include_caution and validity == "caution")


def sort_members(members: Sequence[Member], stage: str) -> list[Member]:
    """Reps by their fit for `stage`, best first; those kept out and those without a score
    for it last, by name."""

    def key(member: Member) -> tuple[int, float, str]:
        s = member.stages.get(stage, NO_SCORE)
        if member.excluded is not None or s.sten is None:
            return (1, 0.0, member.name.lower())
        return (0, -float(s.sten), member.name.lower())

    return sorted(members, key=key)


def _fit_value(stage: StageScore) -> float | None:
    # z separates reps who share a sten; the sten is the fallback.
    if stage.status == "insufficient" or stage.sten is None:
        return None
    return stage.z if stage.z is not None else float(stage.sten)


def _priorities(
    instrument: Instrument,
    inputs: Sequence[RepResult],
    band_views: Mapping[str, BandView],
    locale: str,
) -> list[Priority]:
    """Competencies where most reps are weak: most reps in the risk bands, then lowest mean."""
    stage_names = {s.key: text(s.name, locale) for s in instrument.stages}
    weighted_in: dict[str, list[str]] = {}
    for stage in instrument.stages:
        for sc in stage.competencies:
            weighted_in.setdefault(sc.competency, []).append(stage_names[stage.key])
    scores = [{c.key: c for c in member.result.competencies} for member in inputs]
    out = []
    for competency in instrument.competencies:
        stens, low = [], 0
        for member_scores in scores:
            s = score(member_scores.get(competency.key), band_views)
            if s.sten is None:
                continue
            stens.append(s.sten)
            low += s.band_index <= LOW
        if stens:
            out.append(
                Priority(
                    name=text(competency.name, locale),
                    mean_sten=round(mean(stens), 1),
                    low_count=low,
                    scored=len(stens),
                    stages=weighted_in.get(competency.key, []),
                    development=[text(d, locale) for d in competency.development[:2]],
                )
            )
    out.sort(key=lambda p: (-p.low_count / p.scored, p.mean_sten))
    return out[:PRIORITIES]


def team_report(
    *,
    instrument: Instrument,
    team_name: str,
    members: Sequence[RepResult],
    branding: Branding,
    headcounts: Mapping[str, int] | None = None,
    locale: str = "en",
    paper: str = "a4",
    norms: NormTable | None = None,
    date: str = "",
    include_caution: bool = False,
) -> TeamReport:
    """The team report; invalid results (and caution ones unless `include_caution`) are shown
    but kept out of rankings, the assignment, gaps and priorities."""
    band_views = bands(instrument, locale)
    people: dict[str, Member] = {}
    fit: dict[str, dict[str, float]] = {}
    band_of: dict[str, dict[str, BandKey]] = {}
    for m in members:
        stages = m.result.stages
        status = m.result.validity.status
        reason = validity_reason(m.result.validity)
        in_ranking = is_ranked(status, include_caution=include_caution)
        people[m.assessment_id] = Member(
            id=m.assessment_id,
            name=m.name,
            validity=status,
            stages={s.key: score(s, band_views) for s in stages},
            excluded=None if in_ranking else reason,
            reason=reason,
        )
        if not in_ranking:
            continue
        fit[m.assessment_id] = {s.key: v for s in stages if (v := _fit_value(s)) is not None}
        band_of[m.assessment_id] = {
            s.key: s.band for s in stages if _fit_value(s) is not None and s.band
        }
    match = match_team(fit, headcounts=headcounts, bands=band_of)
    gaps = {g.stage: g for g in match.gaps}
    columns = []
    for number, stage in enumerate(instrument.stages, start=1):
        ranked = [people[rep] for rep in match.rankings.get(stage.key, ())]
        columns.append(
            StageColumn(
                key=stage.key,
                number=number,
                name=text(stage.name, locale),
                phase=stage.phase,
                slots=match.slots.get(stage.key, 0),
                assigned=[
                    (people[rep], people[rep].stages.get(stage.key, NO_SCORE))
                    for rep in match.reps_at(stage.key)
                ],
                ranking=[(p, p.stages.get(stage.key, NO_SCORE)) for p in ranked],
                not_enough=sorted(
                    (p for p in people.values() if p not in ranked and p.excluded is None),
                    key=lambda p: p.name,
                ),
                gap_reasons=list(gaps[stage.key].reasons) if stage.key in gaps else [],
                gap_codes=list(gaps[stage.key].codes) if stage.key in gaps else [],
            )
        )
    depth = max((len(c.ranking) for c in columns), default=0)
    rank_rows = [
        [c.ranking[k] if k < len(c.ranking) else None for c in columns] for k in range(depth)
    ]
    method = method_notes(instrument, members[0].result if members else None, locale, norms)
    return TeamReport(
        kind="team",
        locale=locale,
        paper=paper,
        team_name=team_name,
        branding=branding,
        title=text(instrument.title, locale),
        date=date,
        bands=sorted(band_views.values(), key=lambda b: b.index),
        members=sorted(people.values(), key=lambda p: p.name.lower()),
        stages=columns,
        rank_rows=rank_rows,
        unassigned=sorted((people[r] for r in match.unassigned), key=lambda p: p.name.lower()),
        headcounts=dict(headcounts) if headcounts is not None else None,
        gaps=[c for c in columns if c.gap_reasons],
        priorities=_priorities(
            instrument, [m for m in members if m.assessment_id in fit], band_views, locale
        ),
        caution_count=sum(1 for p in people.values() if p.validity != "valid"),
        method=method,
        excluded=sorted(
            (p for p in people.values() if p.excluded is not None), key=lambda p: p.name.lower()
        ),
        include_caution=include_caution,
    )
