"""Two readings of a rep's result against something else: the change since their previous
result (reliable change, app/scoring/change.py) and the fit for the role or stage they work in
or are hired for (app/scoring/roles.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import mean
from typing import TYPE_CHECKING

from app.errors import UserError
from app.instrument.model import Instrument, NormTable
from app.reports.views import NO_SCORE, BandView, ScoreView, score, text
from app.scoring.change import CompetencyChange, reliable_change, stage_change
from app.scoring.result import Result
from app.scoring.roles import ROLES, Target

if TYPE_CHECKING:
    from app.reports.context import StageView

CHANGE_WORDS = {
    "improved": "reliably improved",
    "declined": "reliably declined",
    "no reliable change": "no reliable change",
    "insufficient": "not comparable",
}


@dataclass(frozen=True)
class ChangeRow:
    key: str
    name: str
    before: ScoreView
    after: ScoreView
    change: str  # improved | declined | no reliable change | insufficient
    rci: float | None

    @property
    def words(self) -> str:
        return CHANGE_WORDS[self.change]


@dataclass(frozen=True)
class ChangeView:
    since: str  # YYYY-MM-DD of the previous completion
    stages: list[ChangeRow]
    competencies: list[ChangeRow]
    notes: list[str]

    def _names(self, change: str) -> list[str]:
        return [r.name for r in [*self.stages, *self.competencies] if r.change == change]

    @property
    def summary(self) -> str:
        """One sentence answering "did the coaching work?"."""
        up, down = self._names("improved"), self._names("declined")
        parts = []
        if up:
            parts.append("reliable improvement in " + ", ".join(up))
        if down:
            parts.append("reliable decline in " + ", ".join(down))
        if not parts:
            return (
                "No reliable change: every difference is within what measurement error "
                "alone produces."
            )
        return "; ".join(parts).capitalize() + ". Other differences are within measurement error."


def _rows(
    changes: tuple[CompetencyChange, ...],
    before: Mapping[str, ScoreView],
    after: Mapping[str, ScoreView],
    names: Mapping[str, str],
) -> list[ChangeRow]:
    found = {c.key: c for c in changes}
    rows = []
    for key, name in names.items():
        c = found.get(key)
        rows.append(
            ChangeRow(
                key=key,
                name=name,
                before=before.get(key, NO_SCORE),
                after=after.get(key, NO_SCORE),
                change=c.change if c else "insufficient",
                rci=round(c.rci, 2) if c and c.rci is not None else None,
            )
        )
    return rows


def change_view(
    *,
    instrument: Instrument,
    before: Result,
    after: Result,
    norms: NormTable | None,
    since: str,
    band_views: Mapping[str, BandView],
    locale: str,
) -> ChangeView:
    """Per stage and competency: the sten then and now and whether the change is reliable.
    `norms` is the table `after` was scored with (the instrument's own when not stored)."""
    table = norms or instrument.norms
    notes = []
    if before.validity.status != "valid":
        notes.append(f"The earlier result was marked {before.validity.status}: compare with care.")
    stage_names: dict[str, str] = {s.key: text(s.name, locale) for s in instrument.stages}
    competency_names = {c.key: text(c.name, locale) for c in instrument.competencies}
    try:
        stage_changes = stage_change(before, after, table)
    except UserError:
        stage_changes = ()
        notes.append(
            "The two results were compared with different norm tables, so stage fit is shown "
            "but its change is not judged."
        )

    def views(result: Result, stages: bool) -> dict[str, ScoreView]:
        scores = result.stages if stages else result.competencies
        return {s.key: score(s, band_views) for s in scores}

    return ChangeView(
        since=since,
        stages=_rows(stage_changes, views(before, True), views(after, True), stage_names),
        competencies=_rows(
            reliable_change(before, after, table),
            views(before, False),
            views(after, False),
            competency_names,
        ),
        notes=notes,
    )


def describe_target(target: Target, stage_names: Mapping[str, str]) -> str:
    """ "Role: New business" or "Stage: Needs Exploration"."""
    if target.role is not None:
        return f"Role: {ROLES[target.role].label}"
    return f"Stage: {stage_names.get(target.stage or '', target.stage)}"


@dataclass(frozen=True)
class TargetFitView:
    label: str  # "Role: New business" or "Stage: Needs Exploration"
    stages: list[StageView]
    mean_sten: float | None
    band: BandView | None
    verdict: str


def target_fit_view(
    target: Target,
    stages: list[StageView],
    band_of: Callable[[float], BandView],
) -> TargetFitView:
    """How the rep fits the stages of the role or stage named when inviting, next to where
    they fit best."""
    chosen = [s for s in stages if s.key in target.stages]
    label = describe_target(target, {s.key: s.name for s in stages})
    scored = [s for s in chosen if s.score.sufficient]
    if not scored:
        return TargetFitView(label, chosen, None, None, "Not enough answers to judge this fit.")
    sten = round(mean(s.score.sten or 0 for s in scored), 1)
    best = [s for s in stages if s.best_fit]
    matching = [s.name for s in chosen if s.best_fit]
    closest = min(scored, key=lambda s: s.rank or 99)
    where = f"{closest.name} ranks {closest.rank} of {len(stages)}"
    if matching:
        verb = "is" if len(matching) == 1 else "are"
        verdict = f"A good match: {', '.join(matching)} {verb} among the best-fit stages."
    elif best:
        verdict = (
            f"The best fit lies elsewhere ({', '.join(s.name for s in best)}); "
            f"of the stages this work needs, {where}."
        )
    else:
        verdict = f"No stage leads clearly; of the stages this work needs, {where}."
    return TargetFitView(label, chosen, sten, band_of(sten), verdict)
