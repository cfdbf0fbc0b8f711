"""The shipped Sales Process Competency Inventory meets the content promises of issue 2."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from app.instrument.loader import load_instrument
from app.instrument.model import ImpressionItem, Instrument, LikertItem, SjtItem
from app.instrument.process import STAGE_KEYS

PATH = Path(__file__).parents[2] / "questionnaires" / "sales-process-inventory-1.0.yaml"
WORDS_PER_MINUTE = 200
SECONDS_TO_CHOOSE = {"likert": 3.0, "impression": 3.0, "sjt": 10.0}
WELCOME_AND_REVIEW_MINUTES = 2.0


@pytest.fixture(scope="module")
def inventory() -> Instrument:
    return load_instrument(PATH)


def _words(text: str) -> int:
    return len(text.split())


def test_identity(inventory: Instrument) -> None:
    assert inventory.key == "sales-process-inventory"
    assert inventory.version == "1.0"
    assert [stage.key for stage in inventory.stages] == list(STAGE_KEYS)


def test_at_least_21_competencies_each_serving_a_stage(inventory: Instrument) -> None:
    assert len(inventory.competencies) >= 21
    served = {sc.competency for stage in inventory.stages for sc in stage.competencies}
    assert served == {c.key for c in inventory.competencies}
    # About three competencies matter most per stage.
    assert all(3 <= len(stage.competencies) <= 4 for stage in inventory.stages)


def test_five_likert_items_per_competency_with_a_reverse_keyed_one(inventory: Instrument) -> None:
    likert = [item for item in inventory.items if isinstance(item, LikertItem)]
    per_competency = Counter(item.competency for item in likert)
    reverse = Counter(item.competency for item in likert if item.keyed == "-")
    for competency in inventory.competencies:
        assert per_competency[competency.key] >= 5, competency.key
        assert reverse[competency.key] >= 1, competency.key


def test_a_situational_judgement_item_per_stage(inventory: Instrument) -> None:
    sjt = [item for item in inventory.items if isinstance(item, SjtItem)]
    assert {item.stage for item in sjt} == set(STAGE_KEYS)
    for item in sjt:
        assert len(item.options) == 4, item.id
        # An expert key that ranks the options: best 3, worst 0.
        assert sorted(option.score for option in item.options) == [0, 1, 2, 3], item.id
        assert all(option.rationale["en"].strip() for option in item.options)


def test_validity_scale(inventory: Instrument) -> None:
    impression = [item for item in inventory.items if isinstance(item, ImpressionItem)]
    assert len(impression) >= 6
    assert len(inventory.consistency_pairs) >= 5


def test_competency_texts_for_managers(inventory: Instrument) -> None:
    for competency in inventory.competencies:
        assert len(competency.bands) == 5
        assert len(competency.development) >= 2


def test_competency_texts_for_the_rep(inventory: Instrument) -> None:
    # The participant report prints these to the rep: second person, never "the rep".
    for competency in inventory.competencies:
        assert list(competency.feedback) == list(competency.bands)
        assert len(competency.self_development) >= 2
        for sentence in competency.feedback.values():
            assert re.search(r"\byour?\b", sentence["en"], re.IGNORECASE), sentence
        for sentence in [*competency.feedback.values(), *competency.self_development]:
            assert "the rep" not in sentence["en"].lower(), sentence


def test_estimated_minutes_follow_from_the_texts(inventory: Instrument) -> None:
    seconds = 0.0
    for item in inventory.items:
        if isinstance(item, SjtItem):
            words = _words(item.scenario["en"]) + _words(item.question["en"])
            words += sum(_words(option.text["en"]) for option in item.options)
        else:
            words = _words(item.text["en"])
        seconds += words / WORDS_PER_MINUTE * 60 + SECONDS_TO_CHOOSE[item.type]
    estimate = seconds / 60 + WELCOME_AND_REVIEW_MINUTES
    assert inventory.estimated_minutes <= 25
    assert abs(inventory.estimated_minutes - estimate) <= 3, estimate


def test_norms_are_labelled_provisional_with_their_n(inventory: Instrument) -> None:
    norms = inventory.norms
    assert norms.provisional
    assert "provisional" in norms.label.lower()
    assert norms.n >= 1000
    assert set(norms.competencies) == {c.key for c in inventory.competencies}
    assert set(norms.stages) == set(STAGE_KEYS)
