"""The view model of a rep's report (manager or participant): what each page says, from the
instrument, the typed result, the participant and the organisation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import mean

import numpy as np

from app.instrument.model import Instrument, NormTable
from app.reports import charts, pitfalls
from app.reports.pitfalls import PitfallView
from app.reports.progress import ChangeView, TargetFitView, change_view, target_fit_view
from app.reports.validity_words import ValidityView
from app.reports.views import (
    LOW,
    BandView,
    Branding,
    CompetencyView,
    MethodNotes,
    ScoreView,
    bands,
    bands_line,
    method_notes,
    score,
    text,
    weakest_first,
)
from app.scoring.bands import BANDS, band_index
from app.scoring.result import Result
from app.scoring.roles import Target

PHASE_LABELS = {"pre_sale": "Pre-sale", "post_sale": "Post-sale"}
# A band at or below this index is something to work on (medium impact and lower).
WORK_ON = 2


@dataclass(frozen=True)
class StageCompetencyView:
    competency: CompetencyView
    weight: float
    role: str


@dataclass(frozen=True)
class StageView:
    key: str
    number: int
    name: str
    phase: str
    phase_label: str
    description: str
    outcome: str
    score: ScoreView
    rank: int | None
    best_fit: bool
    competencies: list[StageCompetencyView]
    pitfalls: list[PitfallView]
    pitfalls_note: str
    coaching: list[str]


@dataclass(frozen=True)
class PhaseFit:
    key: str
    label: str
    mean_sten: float | None
    band: BandView | None
    best_stage: str | None


@dataclass(frozen=True)
class Action:
    competency: CompetencyView
    why: str
    action: str  # a coaching action of `stage`, the stage `why` names
    stage: str = ""


@dataclass
class RepReport:
    kind: str  # manager | participant
    locale: str
    paper: str
    rep_name: str
    branding: Branding
    title: str
    date: str
    assessment_id: str
    validity: ValidityView
    bands: list[BandView]
    stages: list[StageView]
    competencies: list[CompetencyView]
    best_fit: list[StageView]
    phases: list[PhaseFit]
    strengths: list[CompetencyView]
    development_areas: list[CompetencyView]
    actions: list[Action]
    method: MethodNotes
    bands_line: str = ""
    charts: dict[str, str] = field(default_factory=dict)
    change: ChangeView | None = None  # since the rep's previous result, if there is one
    target_fit: TargetFitView | None = None  # for the role or stage named when inviting


def _competencies(
    instrument: Instrument,
    result: Result,
    band_views: Mapping[str, BandView],
    locale: str,
) -> dict[str, CompetencyView]:
    scores = {c.key: c for c in result.competencies}
    views = {}
    for competency in instrument.competencies:
        scored = scores.get(competency.key)  # None: not in the result, shown as not scored
        s = score(scored, band_views)
        band = scored.band if scored is not None and s.sufficient else None
        views[competency.key] = CompetencyView(
            key=competency.key,
            name=text(competency.name, locale),
            definition=text(competency.definition, locale),
            low=text(competency.low, locale),
            high=text(competency.high, locale),
            score=s,
            interpretation=text(competency.bands[band], locale) if band else "",
            development=[text(d, locale) for d in competency.development],
            feedback=text(competency.feedback[band], locale) if band else "",
            self_development=[text(d, locale) for d in competency.self_development],
            z=scored.z if scored is not None and s.sufficient else None,
        )
    return views


def _actions(
    competencies: Mapping[str, CompetencyView],
    instrument: Instrument,
    best_fit: list[str],
    locale: str,
) -> list[Action]:
    """The first three things to do: the weakest competencies that matter for the best-fit
    stages first, then clear risks elsewhere, then the weakest of the rest."""
    names: dict[str, str] = {s.key: text(s.name, locale) for s in instrument.stages}
    fit_weight: dict[str, float] = {}
    fit_stage: dict[str, str] = {}
    top_weight: dict[str, tuple[float, str]] = {}
    for stage in instrument.stages:
        for sc in stage.competencies:
            if sc.weight > top_weight.get(sc.competency, (0.0, ""))[0]:
                top_weight[sc.competency] = (sc.weight, stage.key)
            if stage.key in best_fit and sc.weight > fit_weight.get(sc.competency, 0.0):
                fit_weight[sc.competency] = sc.weight
                fit_stage[sc.competency] = stage.key
    scored = [c for c in competencies.values() if c.score.sufficient]

    def tier(c: CompetencyView) -> int:
        if c.key in fit_weight and c.score.band_index <= WORK_ON:
            return 0
        if c.score.band_index <= LOW:
            return 1
        return 2

    ranked = sorted(
        scored,
        key=lambda c: (
            tier(c),
            c.score.band_index,
            -fit_weight.get(c.key, 0.0),
            -top_weight.get(c.key, (0.0, ""))[0],
            weakest_first(c),
        ),
    )
    coaching: dict[str, list[str]] = {
        s.key: [text(line, locale) for line in s.coaching] for s in instrument.stages
    }
    used: set[str] = set()
    actions = []
    for c in ranked[:3]:
        if c.key in fit_stage:
            stage_key = fit_stage[c.key]
            why = (
                f"{c.score.label} · weighs {fit_weight[c.key]:.0%} in {names[stage_key]}, "
                f"a best-fit stage"
            )
        else:
            weight, stage_key = top_weight.get(c.key, (0.0, ""))
            why = f"{c.score.label} · weighs {weight:.0%} in {names.get(stage_key, 'no stage')}"
        # The action coaches the stage the line names (a manager reads "weighs 30 % in
        # Closing" and expects a closing exercise), choosing the stage's coaching line closest
        # to the competency; the competency's own first step where the stage has none.
        line = _closest(coaching.get(stage_key, []), c, used) or c.development[0]
        used.add(line)
        actions.append(Action(competency=c, why=why, action=line, stage=names.get(stage_key, "")))
    return actions


def _words(sentence: str) -> set[str]:
    return {w.strip(".,;:()'\"").lower() for w in sentence.split() if len(w) > 4}


def _closest(lines: list[str], c: CompetencyView, used: set[str]) -> str | None:
    """The unused coaching line sharing the most words with the competency's description."""
    about = _words(" ".join([c.name, c.definition, c.low, c.high, *c.development]))
    free = [line for line in lines if line not in used] or lines
    if not free:
        return None
    return max(free, key=lambda line: (len(_words(line) & about), -free.index(line)))


def _phase_band(
    sten: float, instrument: Instrument, band_views: Mapping[str, BandView]
) -> BandView:
    """The band of a phase sten by the scoring core's band rule; the engine stores no band for
    a phase. Rounded first, as the mean of stage stens (older results) has a decimal."""
    index = band_index(np.asarray([round(sten)], dtype=np.float64), instrument.scoring.band_cuts)
    return band_views[BANDS[int(index[0])]]


def _phase_fit(
    stages: list[StageView],
    result: Result,
    instrument: Instrument,
    band_views: Mapping[str, BandView],
) -> list[PhaseFit]:
    """Pre-sale vs post-sale: the engine's phase sten where it gives one, else (results stored
    before the engine wrote `phase_fit`) the mean of the phase's stage stens."""
    engine = result.phase_fit
    phases = []
    for key in ("pre_sale", "post_sale"):
        scored = [s for s in stages if s.phase == key and s.score.sufficient]
        sten: float | None = engine.get(key)
        if sten is None and scored and key not in engine:
            sten = round(mean(s.score.sten or 0 for s in scored), 1)
        if sten is None or not scored:
            phases.append(PhaseFit(key, PHASE_LABELS[key], None, None, None))
            continue
        best = max(scored, key=lambda s: (s.score.sten or 0, -(s.rank or 99)))
        band = _phase_band(sten, instrument, band_views)
        phases.append(PhaseFit(key, PHASE_LABELS[key], sten, band, best.name))
    return phases


def rep_report(
    *,
    instrument: Instrument,
    result: Result,
    rep_name: str,
    branding: Branding,
    kind: str = "manager",
    locale: str = "en",
    paper: str = "a4",
    norms: NormTable | None = None,
    previous: tuple[str, Result] | None = None,
    target: Target | None = None,
) -> RepReport:
    """The report's view model; `previous` (its completion date and result) adds the change
    since then, `target` the fit for the role or stage the manager named."""
    band_views = bands(instrument, locale)
    competencies = _competencies(instrument, result, band_views, locale)
    best_fit_keys = list(result.best_fit_stages)
    stages = _stages(instrument, result, competencies, band_views, best_fit_keys, locale)
    by_key = {s.key: s for s in stages}
    scored = sorted((c for c in competencies.values() if c.score.sufficient), key=weakest_first)
    strengths = list(reversed(scored[-3:]))
    development_areas = [c for c in scored[:3] if c not in strengths]
    report = RepReport(
        kind=kind,
        locale=locale,
        paper=paper,
        rep_name=rep_name,
        branding=branding,
        title=text(instrument.title, locale),
        date=result.scored_at.strftime("%Y-%m-%d"),
        assessment_id=result.assessment_id or "",
        validity=ValidityView(result.validity.status, result.validity.flags, kind),
        bands=sorted(band_views.values(), key=lambda b: b.index),
        stages=stages,
        competencies=list(competencies.values()),
        best_fit=[by_key[k] for k in best_fit_keys if k in by_key],
        phases=_phase_fit(stages, result, instrument, band_views),
        strengths=strengths,
        development_areas=development_areas,
        actions=_actions(competencies, instrument, best_fit_keys, locale),
        method=method_notes(instrument, result, locale, norms),
        bands_line=bands_line(instrument, band_views),
    )
    if previous is not None and previous[1].instrument == result.instrument:
        report.change = change_view(
            instrument=instrument,
            before=previous[1],
            after=result,
            norms=norms,
            since=previous[0],
            band_views=band_views,
            locale=locale,
        )
    if target is not None:
        report.target_fit = target_fit_view(
            target, stages, lambda sten: _phase_band(sten, instrument, band_views)
        )
    report.charts = _charts(report, instrument)
    return report


def _stages(
    instrument: Instrument,
    result: Result,
    competencies: Mapping[str, CompetencyView],
    band_views: Mapping[str, BandView],
    best_fit_keys: list[str],
    locale: str,
) -> list[StageView]:
    """Every stage of the instrument in order; one the result lacks is shown as not scored."""
    stage_scores = {s.key: s for s in result.stages}
    stages = []
    for number, stage in enumerate(instrument.stages, start=1):
        found = stage_scores.get(stage.key)
        weighted = [
            StageCompetencyView(competencies[sc.competency], sc.weight, text(sc.role, locale))
            for sc in sorted(stage.competencies, key=lambda sc: -sc.weight)
        ]
        chosen, note = pitfalls.choose(stage, competencies, locale)
        stages.append(
            StageView(
                key=stage.key,
                number=number,
                name=text(stage.name, locale),
                phase=stage.phase,
                phase_label=PHASE_LABELS[stage.phase],
                description=text(stage.description, locale),
                outcome=text(stage.outcome, locale),
                score=score(found, band_views),
                rank=found.rank if found is not None else None,
                best_fit=stage.key in best_fit_keys,
                competencies=weighted,
                pitfalls=chosen,
                pitfalls_note=note,
                coaching=[text(c, locale) for c in stage.coaching],
            )
        )
    return stages


def _charts(report: RepReport, instrument: Instrument) -> dict[str, str]:
    """The stage bars and the competency dots, drawn on the instrument's band cuts."""
    provisional = report.method.provisional
    return {
        "stages": charts.scale_chart(
            [(s.name, s.phase_label, s.score) for s in report.stages],
            instrument.scoring.band_cuts,
            report.bands,
            style="bar",
            provisional=provisional,
        ),
        "competencies": charts.scale_chart(
            [(c.name, "", c.score) for c in report.competencies],
            instrument.scoring.band_cuts,
            report.bands,
            style="dot",
            provisional=provisional,
        ),
    }
