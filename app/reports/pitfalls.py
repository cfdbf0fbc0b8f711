"""Which of a stage's pitfalls apply to a rep: the instrument ties each pitfall to the
competencies whose low score leads to it, and the rep's bands decide."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean

from app.instrument.model import Pitfall, Stage
from app.reports.views import LOW, CompetencyView, text, weakest_first

APPLY_NOTE = ""  # each pitfall names the low competencies it follows from
WATCH_NOTE = (
    "No competency of this stage is at Small risk or Risk. A watch-point: the pitfall tied to "
    "this rep's lowest competencies here, most likely to show when the stakes rise."
)
UNKNOWN_NOTE = (
    "Too few answers to tell which pitfalls apply: the stage's usual pitfalls are listed."
)


@dataclass(frozen=True)
class PitfallView:
    text: str
    because: str  # the competencies behind it, with their bands: "Negotiation: Small risk"
    watch: bool = False  # shown as a watch-point, not as a likely pitfall


def _because(competencies: Sequence[CompetencyView]) -> str:
    return "; ".join(f"{c.name}: {c.score.label}" for c in competencies)


def _lowest(pitfall: Pitfall, scored: Mapping[str, CompetencyView]) -> tuple[float, ...]:
    """How low a pitfall's scored competencies are: the weakest one; on a tie, the pitfall
    naming it earlier (the main cause comes first), then the lower mean sten."""
    mine = [scored[k] for k in pitfall.competencies if k in scored]
    weakest = min(mine, key=weakest_first)
    return (*weakest_first(weakest), mine.index(weakest), mean(c.score.sten or 0 for c in mine))


def choose(
    stage: Stage, competencies: Mapping[str, CompetencyView], locale: str
) -> tuple[list[PitfallView], str]:
    """The stage's pitfalls that apply to this rep, and a note saying how they were chosen.

    A pitfall applies when any of its competencies is at Small risk or Risk. When none does,
    the one pitfall whose competencies score lowest is shown as a watch-point.
    """
    scored = {k: c for k, c in competencies.items() if c.score.sufficient}
    applying = []
    for pitfall in stage.pitfalls:
        # A competency at Small risk or Risk makes its pitfalls likely.
        low = [
            scored[k]
            for k in pitfall.competencies
            if k in scored and scored[k].score.band_index <= LOW
        ]
        if low:
            applying.append(PitfallView(text(pitfall.text, locale), _because(low)))
    if applying:
        return applying, APPLY_NOTE
    judged = [p for p in stage.pitfalls if any(k in scored for k in p.competencies)]
    if not judged:
        return [
            PitfallView(text(p.text, locale), _because([competencies[k] for k in p.competencies]))
            for p in stage.pitfalls
        ], UNKNOWN_NOTE
    watch = min(judged, key=lambda p: _lowest(p, scored))  # file order breaks ties
    mine = [scored[k] for k in watch.competencies if k in scored]
    return [PitfallView(text(watch.text, locale), _because(mine), watch=True)], WATCH_NOTE
