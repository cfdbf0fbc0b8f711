"""Simulated respondents who do not answer attentively, and parallel administrations.

The validity indices are judged on these (bench/validity.py, scripts/calibrate_validity.py,
docs/methodology.md §6): every function returns SimulatedAnswers in presentation order, with
answer codes as the scoring engine reads them and seconds per item.

- random: every answer uniformly at random, at the model's normal reading pace;
- straight: one scale point for every statement (chosen per respondent), scenarios at random,
  normal pace;
- racing: answers at random, about one second per item;
- moderate faker: 4 or 5 on statements keyed +, 1 or 2 on statements keyed −, the middle of
  the scale on impression items, the longest option of each scenario; normal pace;
- inflating faker: the model's honest answers, each statement moved one point towards the
  favourable end; the longest scenario option; normal pace;
- post-sale only: attentive reps who work after the sale only, answering "does not apply to my
  work" wherever a statement offers it and its competency serves pre-sale stages only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.instrument.model import ImpressionItem, Instrument, LikertItem, SjtItem
from app.instrument.process import PRE_SALE
from app.instrument.text import t
from app.scoring.plan import NA_CODE
from app.scoring.simulate import (
    FloatArray,
    Model,
    SimulatedAnswers,
    in_presentation_order,
    latent_correlation,
)

RACING_PACE = 1.0 / 6.0
"""Racers read at a sixth of the model's pace: about one second per statement."""


def _kinds(instrument: Instrument) -> tuple[list[int], list[int], list[int], list[int]]:
    """Columns (instrument order) of + keyed and − keyed statements, impression and SJT items."""
    plus: list[int] = []
    minus: list[int] = []
    impression: list[int] = []
    sjt: list[int] = []
    for k, item in enumerate(instrument.items):
        if isinstance(item, LikertItem):
            (plus if item.keyed == "+" else minus).append(k)
        elif isinstance(item, ImpressionItem):
            impression.append(k)
        elif isinstance(item, SjtItem):
            sjt.append(k)
    return plus, minus, impression, sjt


def _random_codes(instrument: Instrument, n: int, rng: np.random.Generator) -> FloatArray:
    codes = rng.integers(1, instrument.scale.points + 1, size=(n, len(instrument.items)))
    out = codes.astype(np.float64)
    for k, item in enumerate(instrument.items):
        if isinstance(item, SjtItem):
            out[:, k] = rng.integers(0, len(item.options), size=n)
    return out


def _longest_options(instrument: Instrument) -> dict[int, int]:
    locale = instrument.locales[0]
    return {
        k: max(range(len(item.options)), key=lambda o: len(t(item.options[o].text, locale)))
        for k, item in enumerate(instrument.items)
        if isinstance(item, SjtItem)
    }


def _no_latent(instrument: Instrument, n: int) -> FloatArray:
    return np.full((n, len(instrument.competencies)), np.nan)


def random_responders(instrument: Instrument, n: int, seed: int) -> SimulatedAnswers:
    rng = np.random.default_rng(seed)
    codes = _random_codes(instrument, n, rng)
    seconds = Model(instrument).seconds(n, rng)
    return in_presentation_order(instrument, codes, seconds, _no_latent(instrument, n))


def straight_liners(instrument: Instrument, n: int, seed: int) -> SimulatedAnswers:
    rng = np.random.default_rng(seed)
    codes = _random_codes(instrument, n, rng)
    plus, minus, impression, _ = _kinds(instrument)
    point = rng.integers(1, instrument.scale.points + 1, size=(n, 1)).astype(np.float64)
    statements = plus + minus + impression
    codes[:, statements] = point
    seconds = Model(instrument).seconds(n, rng)
    return in_presentation_order(instrument, codes, seconds, _no_latent(instrument, n))


def racers(instrument: Instrument, n: int, seed: int) -> SimulatedAnswers:
    rng = np.random.default_rng(seed)
    codes = _random_codes(instrument, n, rng)
    seconds = Model(instrument).seconds(n, rng, pace=RACING_PACE)
    return in_presentation_order(instrument, codes, seconds, _no_latent(instrument, n))


def moderate_fakers(instrument: Instrument, n: int, seed: int) -> SimulatedAnswers:
    rng = np.random.default_rng(seed)
    points = instrument.scale.points
    codes = _random_codes(instrument, n, rng)
    plus, minus, impression, _ = _kinds(instrument)
    codes[:, plus] = rng.integers(points - 1, points + 1, size=(n, len(plus)))
    codes[:, minus] = rng.integers(1, 3, size=(n, len(minus)))
    codes[:, impression] = float((points + 1) // 2)
    for k, option in _longest_options(instrument).items():
        codes[:, k] = option
    seconds = Model(instrument).seconds(n, rng)
    return in_presentation_order(instrument, codes, seconds, _no_latent(instrument, n))


def inflating_fakers(instrument: Instrument, n: int, seed: int) -> SimulatedAnswers:
    rng = np.random.default_rng(seed)
    model = Model(instrument)
    theta = rng.multivariate_normal(
        np.zeros(len(model.competency_keys)), latent_correlation(instrument), size=n
    )
    codes, seconds = model.simulate(theta, rng)
    points = instrument.scale.points
    plus, minus, _, _ = _kinds(instrument)
    codes[:, plus] = np.minimum(codes[:, plus] + 1, points)
    codes[:, minus] = np.maximum(codes[:, minus] - 1, 1)
    for k, option in _longest_options(instrument).items():
        codes[:, k] = option
    return in_presentation_order(instrument, codes, seconds, theta)


def post_sale_only(instrument: Instrument, n: int, seed: int) -> SimulatedAnswers:
    rng = np.random.default_rng(seed)
    model = Model(instrument)
    theta = rng.multivariate_normal(
        np.zeros(len(model.competency_keys)), latent_correlation(instrument), size=n
    )
    codes, seconds = model.simulate(theta, rng)
    serves: dict[str, set[str]] = {}
    for stage in instrument.stages:
        for sc in stage.competencies:
            serves.setdefault(sc.competency, set()).add(stage.key)
    for k, item in enumerate(instrument.items):
        if (
            isinstance(item, LikertItem)
            and item.not_applicable
            and serves.get(item.competency, set()) <= PRE_SALE
        ):
            codes[:, k] = NA_CODE
    return in_presentation_order(instrument, codes, seconds, theta)


def parallel_administrations(
    instrument: Instrument, n: int, seed: int
) -> tuple[SimulatedAnswers, SimulatedAnswers]:
    """n respondents answering twice: the same true scores, fresh answering noise (the
    model's own assumptions of a parallel form taken twice)."""
    rng = np.random.default_rng(seed)
    model = Model(instrument)
    theta = rng.multivariate_normal(
        np.zeros(len(model.competency_keys)), latent_correlation(instrument), size=n
    )
    first = in_presentation_order(instrument, *model.simulate(theta, rng), theta)
    second = in_presentation_order(instrument, *model.simulate(theta, rng), theta)
    return first, second


STYLES: dict[str, Callable[[Instrument, int, int], SimulatedAnswers]] = {
    "random": random_responders,
    "straight": straight_liners,
    "racing": racers,
    "moderate_faker": moderate_fakers,
    "inflating_faker": inflating_fakers,
    "post_sale_only": post_sale_only,
}
