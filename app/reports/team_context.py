"""The view model of the Team Sales Process Report: heat map, rankings, suggested assignment,
uncovered stages and team development priorities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any

from app.instrument.model import Instrument, NormTable
from app.reports.views import (
    LOW,
    BandView,
    Branding,
    MethodNotes,
    ScoreView,
    bands,
    method_notes,
    score,
    text,
)
from app.scoring.matching import match_team

PRIORITIES = 5


@dataclass(frozen=True)
class TeamMemberInput:
    """One rep's completed assessment as the team report takes it."""

    assessment_id: str
    name: str
    result: Mapping[str, Any]


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    validity: str
    stages: dict[str, ScoreView]


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


def _fit_value(entry: Mapping[str, Any]) -> float | None:
    # z separates reps who share a sten; the sten is the fallback.
    if entry.get("status") == "insufficient" or entry.get("sten") is None:
        return None
    z = entry.get("z")
    return float(z) if z is not None else float(entry["sten"])


def _priorities(
    instrument: Instrument, inputs: Sequence[TeamMemberInput], locale: str
) -> list[Priority]:
    """Competencies where most reps are weak: most reps in the risk bands, then lowest mean."""
    stage_names = {s.key: text(s.name, locale) for s in instrument.stages}
    weighted_in: dict[str, list[str]] = {}
    for stage in instrument.stages:
        for sc in stage.competencies:
            weighted_in.setdefault(sc.competency, []).append(stage_names[stage.key])
    band_order = {key: k for k, key in enumerate(b.key for b in instrument.bands)}
    out = []
    for competency in instrument.competencies:
        stens, low = [], 0
        for member in inputs:
            entry: dict[str, Any] = next(
                (c for c in member.result.get("competencies", []) if c["key"] == competency.key), {}
            )
            if entry.get("sten") is None or entry.get("status") == "insufficient":
                continue
            stens.append(entry["sten"])
            low += band_order.get(entry.get("band", ""), 99) <= LOW
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
    members: Sequence[TeamMemberInput],
    branding: Branding,
    headcounts: Mapping[str, int] | None = None,
    locale: str = "en",
    paper: str = "a4",
    norms: NormTable | None = None,
    date: str = "",
) -> TeamReport:
    band_views = bands(instrument, locale)
    people: dict[str, Member] = {}
    fit: dict[str, dict[str, float]] = {}
    band_of: dict[str, dict[str, Any]] = {}
    for m in members:
        entries = {e["key"]: e for e in m.result.get("stages", [])}
        people[m.assessment_id] = Member(
            id=m.assessment_id,
            name=m.name,
            validity=str((m.result.get("validity") or {}).get("status", "valid")),
            stages={k: score(e, band_views) for k, e in entries.items()},
        )
        fit[m.assessment_id] = {
            k: v for k, e in entries.items() if (v := _fit_value(e)) is not None
        }
        band_of[m.assessment_id] = {
            k: e["band"] for k, e in entries.items() if _fit_value(e) is not None and e.get("band")
        }
    match = match_team(fit, headcounts=headcounts, bands=band_of)
    gaps = {g.stage: list(g.reasons) for g in match.gaps}
    none = ScoreView(None, None, None, False, None)
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
                    (people[rep], people[rep].stages.get(stage.key, none))
                    for rep in match.reps_at(stage.key)
                ],
                ranking=[(p, p.stages.get(stage.key, none)) for p in ranked],
                not_enough=sorted(
                    (p for p in people.values() if p not in ranked), key=lambda p: p.name
                ),
                gap_reasons=gaps.get(stage.key, []),
            )
        )
    depth = max((len(c.ranking) for c in columns), default=0)
    rank_rows = [
        [c.ranking[k] if k < len(c.ranking) else None for c in columns] for k in range(depth)
    ]
    method = method_notes(instrument, members[0].result if members else {}, locale, norms)
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
        priorities=_priorities(instrument, members, locale),
        caution_count=sum(1 for p in people.values() if p.validity != "valid"),
        method=method,
    )
