"""What the validity checks of instrument 1.1 say about answer sets a user would recognise:
random, straight-lined, raced, faked and "does not apply" answers. Rates over many simulated
respondents are the bench's (bench/validity.py); here single answer sets, judged by `score`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.errors import UserError
from app.instrument.answers import NOT_APPLICABLE, offers_not_applicable
from app.instrument.loader import load_instrument
from app.instrument.model import Instrument, LikertItem
from app.scoring.engine import AnswerError, score
from app.scoring.plan import NA_CODE
from app.scoring.response_styles import STYLES
from app.scoring.result import Result
from app.scoring.simulate import SimulatedAnswers, simulate_answers

REAL = Path(__file__).parents[2] / "questionnaires" / "sales-process-inventory-1.1.yaml"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(REAL)


def one(instrument: Instrument, sim: SimulatedAnswers, row: int = 0) -> Result:
    """Row `row` of a simulated sample, scored as an answer file would be."""
    options = {i.id: [o.key for o in i.options] for i in instrument.items if i.type == "sjt"}
    answers: dict[str, object] = {}
    for item_id, code in zip(sim.item_ids, sim.codes[row], strict=True):
        if code == NA_CODE:
            answers[item_id] = NOT_APPLICABLE
        else:
            answers[item_id] = options[item_id][int(code)] if item_id in options else int(code)
    seconds = dict(zip(sim.item_ids, sim.seconds[row].tolist(), strict=True))
    return score(instrument, answers, seconds=seconds)


def flags(result: Result) -> dict[str, str]:
    return {f.code: f.level for f in result.validity.flags}


def test_random_answers_at_a_normal_pace_are_invalid(instrument: Instrument) -> None:
    result = one(instrument, STYLES["random"](instrument, 3, 1), row=2)
    assert result.validity.status == "invalid"
    assert flags(result)["mahalanobis"] == "invalid"
    assert "too_fast" not in flags(result) and "fast_pages" not in flags(result)
    assert result.summary.score is None  # nothing to report to an HR system


def test_straight_lines_and_racing_are_invalid(instrument: Instrument) -> None:
    straight = one(instrument, STYLES["straight"](instrument, 1, 2))
    assert flags(straight)["long_string"] == "invalid"
    racing = one(instrument, STYLES["racing"](instrument, 1, 3))
    assert flags(racing)["fast_pages"] == "invalid"
    assert "pages answered in under 2 seconds per item" in next(
        f.detail for f in racing.validity.flags if f.code == "fast_pages"
    )


def test_a_moderate_faker_is_cautioned_for_uniformly_favourable_answers(
    instrument: Instrument,
) -> None:
    result = one(instrument, STYLES["moderate_faker"](instrument, 1, 4))
    assert flags(result)["uniformly_favourable"] == "caution"
    assert "impression_management" not in flags(result)  # mid-scale on those items
    assert result.validity.status != "valid"


def test_impression_management_alone_is_a_caution_never_invalid(instrument: Instrument) -> None:
    answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(8))
    for item in instrument.items:
        if item.type == "impression":
            answers[item.id] = 5 if item.keyed == "+" else 1  # every rare virtue claimed
    result = score(instrument, answers, seconds=seconds)
    assert flags(result)["impression_management"] == "caution"
    assert result.validity.status == "caution" or len(result.validity.flags) > 1
    assert "norm group" in next(
        f.detail for f in result.validity.flags if f.code == "impression_management"
    )


def test_the_result_records_every_index_judged(instrument: Instrument) -> None:
    answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(9))
    indices = score(instrument, answers, seconds=seconds).to_json()["validity"]["indices"]
    assert {
        "too_fast",
        "fast_pages",
        "long_string",
        "even_odd",
        "person_total",
        "mahalanobis",
        "synonyms",
        "antonyms",
        "uniformly_favourable",
        "impression_management",
        "incomplete",
    } <= set(indices)
    assert all(v is None or isinstance(v, float) for v in indices.values())


def test_does_not_apply_counts_as_missing_not_as_a_gap(instrument: Instrument) -> None:
    answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(10))
    offered = offers_not_applicable(instrument)
    research = [
        i.id
        for i in instrument.items
        if isinstance(i, LikertItem) and i.competency == "prospect_research"
    ]
    assert set(research) <= offered
    for item_id in research:
        answers[item_id] = NOT_APPLICABLE
    result = score(instrument, answers, seconds=seconds)
    c = result.competency("prospect_research")
    assert (c.status, c.sten, c.answered, c.not_applicable) == ("insufficient", None, 0, 5)
    assert "incomplete" not in flags(result)  # answered, only not about this rep's work
    with pytest.raises(AnswerError, match="not offered by this item") as caught:
        score(instrument, {"DQ01": NOT_APPLICABLE})
    assert isinstance(caught.value, UserError) and caught.value.item == "DQ01"


def test_reps_who_mark_a_stage_not_applicable_get_no_score_for_it(
    instrument: Instrument,
) -> None:
    result = one(instrument, STYLES["post_sale_only"](instrument, 1, 5))
    lead = result.stage("lead_evaluation")
    assert lead.status == "insufficient" and lead.sten is None
    assert result.stage("account_management").sten is not None
    assert result.summary.top_stage not in ("lead_evaluation", "initial_contact")
