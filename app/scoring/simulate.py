"""Simulated respondents: a documented generative model used for provisional norms and demos.

The model (numbers in docs/reliability-and-norms.md, constants below):

- Competency true scores θ (z units) are multivariate normal with unit variances. Their
  correlations come from a general sales factor (loading G_LOADING on every competency) plus a
  phase factor (PHASE_LOADING) shared by competencies that serve mainly pre-sale stages, and
  another shared by those that serve mainly post-sale stages:
  r = G² + P² within a phase, G² across phases.
- A Likert item's response strength is y = LIKERT_LOADING·θ + √(1 − loading²)·ε + LENIENCY
  + bᵢ, ε ~ N(0, 1), cut at LIKERT_THRESHOLDS into 1..points; a reverse-keyed item's answer is
  that point flipped (points + 1 − point), so agreeing describes the low end. bᵢ is the item's
  own ease (ITEM_SPREAD·N(0, 1), drawn from the item id so that an item keeps it in every
  instrument version): real statements differ in how readily people agree with them.
- A situational judgement option o with expert score s_o (0..3) is chosen with probability
  ∝ exp(SJT_ABILITY·θ·d_o + SJT_EASE·d_o), d_o = (s_o − 1.5)/1.5: better options are chosen
  more often by everyone, and the more so the higher θ.
- Impression items follow a trait of their own, independent of θ; the keyed extreme is rare
  (about 7 % per item).
- Seconds per item are log-normal around STATEMENT_SECONDS (SJT: SJT_SECONDS), times a
  respondent's own pace factor.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.instrument.model import ImpressionItem, Instrument, LikertItem, SjtItem
from app.instrument.presentation import presentation_order
from app.instrument.process import POST_SALE, PRE_SALE

FloatArray = NDArray[np.float64]

G_LOADING = 0.55
PHASE_LOADING = 0.35
LIKERT_LOADING = 0.70
LENIENCY = 0.35
"""Self-ratings lean favourable: the average answer sits about a third of a point above 3."""
ITEM_SPREAD = 0.35
"""SD of the items' own ease bᵢ (z units): item means then spread about ±0.3 scale points."""
LIKERT_SPAN = 1.5
"""Thresholds evenly spaced over ±LIKERT_SPAN (for 5 points: −1.5, −0.5, 0.5, 1.5)."""
SJT_ABILITY = 1.2
SJT_EASE = 0.5
IMPRESSION_LOADING = 0.5
IMPRESSION_LOW, IMPRESSION_HIGH = -1.2, 1.5
"""Impression thresholds span −1.2..1.5, so the keyed extreme is 1 − Φ(1.5) ≈ 6.7 %."""
STATEMENT_SECONDS = 6.0
SJT_SECONDS = 30.0
ITEM_SECONDS_SIGMA = 0.4
PACE_SIGMA = 0.25
CHUNK_ROWS = 10_000


@dataclass(frozen=True, eq=False)
class SimulatedAnswers:
    """n simulated respondents.

    `codes` are the scoring engine's answer codes (scale point 1..points, SJT: 0-based option
    position), n × items in the order of `item_ids` (presentation order); `seconds` likewise;
    `latent` is n × competencies in the order of `competency_keys`.
    """

    item_ids: tuple[str, ...]
    codes: FloatArray
    seconds: FloatArray
    competency_keys: tuple[str, ...]
    latent: FloatArray

    def columns(self, item_ids: tuple[str, ...] | list[str]) -> FloatArray:
        """The codes with columns in another order, e.g. the engine's instrument order."""
        index = {item_id: k for k, item_id in enumerate(self.item_ids)}
        return self.codes[:, [index[i] for i in item_ids]]


def latent_correlation(instrument: Instrument) -> FloatArray:
    """The competencies' true-score correlation matrix of the model (module docstring)."""
    phase = _phases(instrument)
    same = np.equal.outer(phase, phase) & (phase != 0)[:, None]
    r = G_LOADING**2 + np.where(same, PHASE_LOADING**2, 0.0)
    np.fill_diagonal(r, 1.0)
    return np.asarray(r, dtype=np.float64)


def simulate_answers(
    instrument: Instrument, latent: Mapping[str, float], rng: np.random.Generator
) -> tuple[dict[str, int | str], dict[str, float]]:
    """Answers and seconds of one respondent whose competency true z-scores are `latent`.

    Competencies not in `latent` are drawn N(0, 1). Answers are Likert points (int) and SJT
    option keys (str), as `score` takes them.
    """
    keys = [c.key for c in instrument.competencies]
    unknown = sorted(set(latent) - set(keys))
    if unknown:
        raise ValueError(f"not competencies of {instrument.key}: {', '.join(unknown)}")
    theta = np.asarray([[latent[k] if k in latent else rng.standard_normal() for k in keys]])
    model = Model(instrument)
    codes, seconds = model.simulate(theta, rng)
    answers: dict[str, int | str] = {}
    for k, item_id in enumerate(model.item_ids):
        options = model.sjt_options.get(k)
        code = int(codes[0, k])
        answers[item_id] = options[code] if options is not None else code
    return answers, {i: round(float(s), 2) for i, s in zip(model.item_ids, seconds[0], strict=True)}


def simulate_matrix(instrument: Instrument, n: int, seed: int) -> SimulatedAnswers:
    """n respondents with θ drawn from the model's multivariate normal; vectorised."""
    rng = np.random.default_rng(seed)
    model = Model(instrument)
    theta = rng.multivariate_normal(
        np.zeros(len(model.competency_keys)), latent_correlation(instrument), size=n
    )
    codes = np.empty((n, len(model.item_ids)))
    seconds = np.empty((n, len(model.item_ids)))
    for start in range(0, n, CHUNK_ROWS):
        part = slice(start, min(n, start + CHUNK_ROWS))
        codes[part], seconds[part] = model.simulate(theta[part], rng)
    return in_presentation_order(instrument, codes, seconds, theta)


def in_presentation_order(
    instrument: Instrument, codes: FloatArray, seconds: FloatArray, latent: FloatArray
) -> SimulatedAnswers:
    """Answer codes and seconds in instrument order, as SimulatedAnswers (presentation order)."""
    ids = [item.id for item in instrument.items]
    order = [ids.index(i) for i in presentation_order(instrument)]
    return SimulatedAnswers(
        item_ids=tuple(ids[k] for k in order),
        codes=codes[:, order],
        seconds=seconds[:, order],
        competency_keys=tuple(c.key for c in instrument.competencies),
        latent=latent,
    )


def item_ease(item_ids: list[str] | tuple[str, ...]) -> FloatArray:
    """Each item's own ease bᵢ: a normal draw seeded by the item id (stable across versions)."""
    return np.asarray(
        [
            ITEM_SPREAD * np.random.default_rng(zlib.crc32(item_id.encode())).standard_normal()
            for item_id in item_ids
        ]
    )


def _phases(instrument: Instrument) -> NDArray[np.int64]:
    """+1 for a competency weighted mainly in pre-sale stages, −1 post-sale, 0 in neither."""
    weight: dict[str, float] = {c.key: 0.0 for c in instrument.competencies}
    for stage in instrument.stages:
        sign = 1.0 if stage.key in PRE_SALE else -1.0 if stage.key in POST_SALE else 0.0
        for sc in stage.competencies:
            weight[sc.competency] += sign * sc.weight
    return np.asarray([int(np.sign(weight[c.key])) for c in instrument.competencies])


class Model:
    """The instrument's items as arrays the simulation draws from (instrument order)."""

    def __init__(self, instrument: Instrument) -> None:
        self.points = instrument.scale.points
        self.competency_keys = tuple(c.key for c in instrument.competencies)
        index = {key: k for k, key in enumerate(self.competency_keys)}
        self.item_ids = [item.id for item in instrument.items]
        likert, likert_comp, reverse = [], [], []
        impression, impression_reverse = [], []
        self.sjt: list[tuple[int, int, FloatArray]] = []
        self.sjt_options: dict[int, tuple[str, ...]] = {}
        for k, item in enumerate(instrument.items):
            if isinstance(item, LikertItem):
                likert.append(k)
                likert_comp.append(index[item.competency])
                reverse.append(item.keyed == "-")
            elif isinstance(item, SjtItem):
                d = (np.asarray([o.score for o in item.options], dtype=np.float64) - 1.5) / 1.5
                self.sjt.append((k, index[item.competency], d))
                self.sjt_options[k] = tuple(o.key for o in item.options)
            elif isinstance(item, ImpressionItem):
                impression.append(k)
                impression_reverse.append(item.keyed == "-")
        self.likert = np.asarray(likert, dtype=np.intp)
        self.likert_comp = np.asarray(likert_comp, dtype=np.intp)
        self.reverse = np.asarray(reverse, dtype=np.bool_)
        self.impression = np.asarray(impression, dtype=np.intp)
        self.impression_reverse = np.asarray(impression_reverse, dtype=np.bool_)
        self.likert_ease = item_ease([self.item_ids[k] for k in likert])
        self.likert_cuts = np.linspace(-LIKERT_SPAN, LIKERT_SPAN, self.points - 1)
        self.impression_cuts = np.linspace(IMPRESSION_LOW, IMPRESSION_HIGH, self.points - 1)
        median = np.full(len(self.item_ids), STATEMENT_SECONDS)
        median[[k for k, _, _ in self.sjt]] = SJT_SECONDS
        self.log_median = np.log(median)

    def _ordinal(
        self, strength: FloatArray, cuts: FloatArray, flip: NDArray[np.bool_]
    ) -> FloatArray:
        point = np.searchsorted(cuts, strength).astype(np.float64) + 1.0
        return np.where(flip, self.points + 1.0 - point, point)

    def simulate(
        self, theta: FloatArray, rng: np.random.Generator
    ) -> tuple[FloatArray, FloatArray]:
        n = theta.shape[0]
        codes = np.empty((n, len(self.item_ids)))
        noise_sd = np.sqrt(1.0 - LIKERT_LOADING**2)
        strength = (
            LIKERT_LOADING * theta[:, self.likert_comp]
            + noise_sd * rng.standard_normal((n, self.likert.size))
            + LENIENCY
            + self.likert_ease
        )
        codes[:, self.likert] = self._ordinal(strength, self.likert_cuts, self.reverse)

        trait = rng.standard_normal((n, 1))
        strength = IMPRESSION_LOADING * trait + np.sqrt(
            1.0 - IMPRESSION_LOADING**2
        ) * rng.standard_normal((n, self.impression.size))
        codes[:, self.impression] = self._ordinal(
            strength, self.impression_cuts, self.impression_reverse
        )

        for k, competency, d in self.sjt:
            utility = (SJT_ABILITY * theta[:, [competency]] + SJT_EASE) * d
            # Gumbel-max: argmax of utility + Gumbel noise samples the softmax choice.
            codes[:, k] = np.argmax(utility + rng.gumbel(size=(n, d.size)), axis=1)

        return codes, self.seconds(n, rng)

    def seconds(self, n: int, rng: np.random.Generator, pace: float = 1.0) -> FloatArray:
        """Seconds per item of n respondents; `pace` scales every median (0.2: five times as
        fast as the model's reader)."""
        factor = rng.normal(0.0, PACE_SIGMA, size=(n, 1))
        log_seconds = (
            self.log_median
            + np.log(pace)
            + factor
            + rng.normal(0.0, ITEM_SECONDS_SIGMA, size=(n, len(self.item_ids)))
        )
        return np.asarray(np.exp(log_seconds), dtype=np.float64)
