"""Small view-model pieces shared by the rep and team reports (and their pitfalls): scores,
bands, competencies, branding, method notes."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.instrument.model import Instrument, NormTable
from app.instrument.process import BAND_KEYS
from app.reports.palette import BAND_COLOURS, BAND_TEXT
from app.scoring.result import CompetencyScore, Result, StageScore

NOT_ENOUGH = "not enough answers"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
LOW = 1  # band index of Small risk: it and Risk are the low bands


def text(local: Mapping[str, str], locale: str) -> str:
    """A LocalText in `locale`, else in the instrument's first locale (the first key)."""
    return local.get(locale) or next(iter(local.values()), "")


@dataclass(frozen=True)
class BandView:
    key: str
    label: str
    index: int  # 0 = risk … 4 = strength

    @property
    def colour(self) -> str:
        return BAND_COLOURS[self.key]

    @property
    def text_colour(self) -> str:
        return BAND_TEXT[self.key]


def bands(instrument: Instrument, locale: str) -> dict[str, BandView]:
    """The instrument's five bands with their labels, lowest first."""
    labels: dict[str, str] = {band.key: text(band.label, locale) for band in instrument.bands}
    return {key: BandView(key, labels[key], index) for index, key in enumerate(BAND_KEYS)}


def bands_line(instrument: Instrument, band_views: Mapping[str, BandView]) -> str:
    """One line that explains the five bands, with their sten ranges from the instrument."""
    cuts = [int(cut) for cut in instrument.scoring.band_cuts]
    lows = [1, *(cut + 1 for cut in cuts)]
    highs = [*cuts, 10]
    ordered = sorted(band_views.values(), key=lambda b: b.index)
    ranges = " · ".join(
        f"{b.label} {lo}–{hi}" if lo < hi else f"{b.label} {lo}"
        for b, lo, hi in zip(ordered, lows, highs, strict=True)
    )
    return f"Fit on a 1–10 scale (5.5 is the norm group's average), in five bands: {ranges}."


@dataclass(frozen=True)
class ScoreView:
    """One sten with its band and confidence band; `band is None` means not enough answers."""

    sten: int | None
    band: BandView | None
    ci: tuple[float, float] | None
    borderline: bool
    percentile: int | None

    @property
    def sufficient(self) -> bool:
        return self.band is not None and self.sten is not None

    @property
    def label(self) -> str:
        return self.band.label if self.band else NOT_ENOUGH

    @property
    def band_index(self) -> int:
        """For sorting: insufficient scores sort as neither weak nor strong (-1)."""
        return self.band.index if self.band else -1


NO_SCORE = ScoreView(None, None, None, False, None)


def score(
    scored: CompetencyScore | StageScore | None, band_views: Mapping[str, BandView]
) -> ScoreView:
    """A competency or stage score of a result as a ScoreView, in the band the engine gave it;
    None (not in the result) and too few answers both show as not enough answers."""
    if scored is None or scored.status == "insufficient":
        return NO_SCORE
    if scored.sten is None or scored.band is None:
        return NO_SCORE
    ci = scored.ci90
    return ScoreView(
        sten=scored.sten,
        band=band_views[scored.band],
        ci=(float(ci[0]), float(ci[1])) if ci else None,
        borderline=scored.borderline,
        percentile=scored.percentile,
    )


@dataclass(frozen=True)
class CompetencyView:
    key: str
    name: str
    definition: str
    low: str
    high: str
    score: ScoreView
    interpretation: str  # the instrument's sentence for this band, for the manager
    development: list[str]  # actions a manager can take
    feedback: str  # the same band said to the rep ("Your answers suggest ...")
    self_development: list[str]  # actions the rep can take on their own
    z: float | None


def weakest_first(c: CompetencyView) -> tuple[float, float]:
    """Sort key, weakest first: by sten, then by z (finer) where the engine gives it."""
    return (float(c.score.sten or 0), c.z if c.z is not None else 0.0)


@dataclass(frozen=True)
class RepResult:
    """One rep's completed assessment as a report takes it."""

    assessment_id: str
    name: str
    result: Result


@dataclass(frozen=True)
class Branding:
    """The organisation as the report shows it: name, colour and logo."""

    organisation: str
    colour: str = "#1f4e79"
    logo_svg: str | None = None

    @property
    def logo_hash(self) -> str:
        return hashlib.sha256((self.logo_svg or "").encode()).hexdigest()[:16]

    @property
    def logo_data_uri(self) -> str | None:
        """The logo as an <img> source: WeasyPrint scales it to the header box."""
        if not self.logo_svg:
            return None
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.logo_svg.encode()).decode()


@dataclass(frozen=True)
class MethodNotes:
    instrument_title: str
    instrument_key: str
    instrument_version: str
    checksum: str
    norm_id: str
    norm_label: str
    norm_n: int
    norm_source: str
    norm_date: str
    provisional: bool
    engine_version: str
    scored_at: str
    reliability_min: float
    reliability_max: float
    confidence: int  # per cent
    simulated: bool = False  # no real respondent in the norm group: reliabilities not measured

    @property
    def norm_date_words(self) -> str:
        return in_words(self.norm_date)

    @property
    def scored_words(self) -> str:
        return in_words(self.scored_at)


def in_words(day: str) -> str:
    """2026-12-01 as "1 December 2026" (a customer's PDF says dates in words); other text as
    it is."""
    try:
        parsed = date.fromisoformat(day[:10])
    except ValueError:
        return day
    return f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"


def method_notes(
    instrument: Instrument,
    result: Result | None,
    locale: str,
    norms: NormTable | None = None,
) -> MethodNotes:
    """What the result was scored with; `norms` is the table the result used, if known. A
    team without results (`None`) is described by the instrument and its norms alone."""
    norms = norms or instrument.norms
    reliabilities = [n.reliability for n in norms.competencies.values()] or [0.0]
    return MethodNotes(
        instrument_title=text(instrument.title, locale),
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        checksum=result.instrument.checksum if result else instrument.checksum,
        norm_id=result.norm.id if result else norms.id,
        norm_label=result.norm.label if result else norms.label,
        norm_n=result.norm.n if result else norms.n,
        norm_source=norms.source,
        norm_date=norms.date,
        # Either side saying provisional is enough to label it so.
        provisional=(result is not None and result.norm.provisional) or norms.provisional,
        engine_version=result.engine_version if result else "",
        scored_at=result.scored_at.strftime("%Y-%m-%d") if result else "",
        reliability_min=min(reliabilities),
        reliability_max=max(reliabilities),
        confidence=round(instrument.scoring.confidence * 100),
        simulated=(result is not None and result.norm.simulated) or norms.from_simulation,
    )
